"""Progress of a crawl: a live line on a terminal and/or one log line every `SDG_PROGRESS_INTERVAL` seconds.

Both say the same things: pages done, queued, rate, ETA, pages per verdict and per fetch status that is not
`ok` (the `sdg/verdict/*` and `sdg/status/*` stats, crawler/evaluation.py `stat_keys`), and hosts waiting on
politeness.

Replaces Scrapy's LogStats, whose "Crawled N pages" counts robots.txt fetches and retries and says nothing
about what is left. "Queued" is the scheduler's backlog plus requests in the downloader; a folder crawl
discovers more as it goes, so the ETA is a lower bound. "Hosts waiting on politeness" are the downloader slots
(one per host) with requests in their queue: a slot hands out a request as soon as its host's delay, pause
(Retry-After) and concurrency allow, so a queued request is one that the host's pace holds back.

Settings: `SDG_PROGRESS_INTERVAL` (30 s; 0 = no log lines), `SDG_PROGRESS` (`lines`, the default: log lines
only; `live`: also redraw the console's live line, crawler/console_line.py, about four times a second; `off`).
The log lines still go to `--log-file` when the console shows the live line. Stats read: `sdg/pages/total`,
`sdg/verdict/*`, `sdg/status/*`, `scheduler/enqueued`, `scheduler/dequeued`.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from time import monotonic
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from sdg_tags.crawler import settings as default_settings
from sdg_tags.validators.models import FETCH_STATUSES, VERDICTS

logger = logging.getLogger(__name__)

LIVE_REFRESH = 0.25  # seconds between live line redraws
RATE_WINDOW = 20.0  # seconds of history behind the live line's pages/s


def format_duration(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{seconds:02d}s"
    return f"{seconds}s"


def prefixed_counts(stats: dict[str, Any], prefix: str, order: tuple[str, ...], skip: str = "") -> str:
    """'name n, name n' of the stats under `prefix`, in `order` (others after, sorted); empty when none."""
    counts = {key.removeprefix(prefix): value for key, value in stats.items() if key.startswith(prefix)}
    names = [name for name in order if counts.get(name)]
    names += sorted(name for name in counts if name not in order and counts[name])
    return ", ".join(f"{name} {counts[name]}" for name in names if name != skip)


def eta_text(queued: int, rate: float) -> str:
    if rate <= 0 or not queued:
        return "ETA unknown"
    seconds = queued / rate
    return f"ETA >= {format_duration(seconds)}" if seconds >= 0.5 else "ETA < 1s"


@dataclass(slots=True)
class Figures:
    done: int
    queued: int
    verdicts: str  # "compliant 80, non-compliant 3"
    statuses: str  # non-ok fetch statuses: "not-found 2, timeout 1"
    hosts_waiting: int
    elapsed: float
    overall_rate: float  # pages/s since the crawl started


def hosts_waiting(crawler: Crawler) -> int:
    engine = crawler.engine
    if engine is None:
        return 0
    return sum(1 for slot in engine.downloader.slots.values() if slot.queue)


class ProgressDisplay:
    """What both kinds of crawl show: a log line every `SDG_PROGRESS_INTERVAL` seconds (`log_progress`) and,
    with `SDG_PROGRESS` = live on a console that has one (crawler/console_line.py), the live line redrawn every
    `live_refresh` seconds (`live_text`). Subclasses say the figures."""

    live_refresh = LIVE_REFRESH

    def __init__(self, crawler: Crawler, interval: float, live: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.live_wanted = live
        self.task = None
        self.live_task = None
        self.live: Any = None  # the console's live line, when it has one
        self.started = monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        interval = settings.getfloat("SDG_PROGRESS_INTERVAL", default_settings.SDG_PROGRESS_INTERVAL)
        mode = settings.get("SDG_PROGRESS", default_settings.SDG_PROGRESS)
        if mode == "off" or (interval <= 0 and mode != "live"):
            raise NotConfigured
        return cls(crawler, interval, live=mode == "live")

    def spider_opened(self) -> None:
        self.started = monotonic()
        if self.interval > 0:
            self.task = create_looping_call(self.log_progress)
            self.task.start(self.interval, now=False)
        if self.live_wanted:
            from sdg_tags.crawler.console_line import console_line

            self.live = console_line()  # None under `scrapy crawl`, or a worker's log: the log lines will do
            if self.live is not None:
                self.live_task = create_looping_call(self.draw_live)
                self.live_task.start(self.live_refresh, now=True)

    def draw_live(self) -> None:
        self.live.update(self.live_text())

    def live_text(self) -> str:
        raise NotImplementedError

    def log_progress(self) -> None:
        raise NotImplementedError

    def spider_closed(self) -> None:
        for task in (self.task, self.live_task):
            if task is not None and task.running:
                task.stop()
        if self.live is not None:
            self.live.close()  # the closing lines follow on a clean line


class ProgressLog(ProgressDisplay):
    def __init__(self, crawler: Crawler, interval: float, live: bool) -> None:
        super().__init__(crawler, interval, live)
        self.last_time = self.started
        self.last_done = 0
        self.samples: deque[tuple[float, int]] = deque()  # (time, pages done) of the live line's rate

    def spider_opened(self) -> None:
        super().spider_opened()
        self.last_time = self.started

    def queued(self) -> int:
        stats = self.crawler.stats
        backlog = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        engine = self.crawler.engine
        in_flight = len(engine.downloader.active) if engine is not None else 0
        return max(0, backlog) + in_flight

    def figures(self, now: float) -> Figures:
        stats = self.crawler.stats.get_stats()
        done = stats.get("sdg/pages/total", 0)
        return Figures(
            done=done,
            queued=self.queued(),
            verdicts=prefixed_counts(stats, "sdg/verdict/", VERDICTS),
            statuses=prefixed_counts(stats, "sdg/status/", FETCH_STATUSES, skip="ok"),
            hosts_waiting=hosts_waiting(self.crawler),
            elapsed=now - self.started,
            overall_rate=done / max(now - self.started, 1e-9),
        )

    @staticmethod
    def breakdown(figures: Figures, *, separator: str) -> str:
        parts = [
            f"verdict: {figures.verdicts or 'none yet'}",
            f"fetch status: {figures.statuses or 'all ok'}",
            f"{figures.hosts_waiting} host{'' if figures.hosts_waiting == 1 else 's'} waiting on politeness",
        ]
        return separator + separator.join(parts)

    def progress_line(self) -> str:
        """The log line: rates per minute since the last line and on average."""
        now = monotonic()
        figures = self.figures(now)
        recent = (figures.done - self.last_done) / max(now - self.last_time, 1e-9)
        self.last_time, self.last_done = now, figures.done
        rate = recent or figures.overall_rate
        return (
            f"Progress: {figures.done} pages done, {figures.queued} queued, {recent * 60:.0f} pages/min "
            f"(average {figures.overall_rate * 60:.0f}), {eta_text(figures.queued, rate)}, "
            f"elapsed {format_duration(figures.elapsed)}" + self.breakdown(figures, separator="; ")
        )

    def live_text(self) -> str:
        """The live line: the rate in pages/s over the last RATE_WINDOW seconds; the most telling first, as a
        narrow terminal cuts the end."""
        now = monotonic()
        figures = self.figures(now)
        self.samples.append((now, figures.done))
        while len(self.samples) > 2 and now - self.samples[0][0] > RATE_WINDOW:
            self.samples.popleft()
        since, then = self.samples[0]
        rate = (figures.done - then) / (now - since) if now - since >= 1.0 else figures.overall_rate
        return (
            f"{figures.done} done, {figures.queued} queued, {rate:.1f} pages/s, "
            f"{eta_text(figures.queued, rate)}, {format_duration(figures.elapsed)}"
            + self.breakdown(figures, separator=" | ")
        )

    def log_progress(self) -> None:
        logger.info("%s", self.progress_line())

"""Progress log: one line every `SDG_PROGRESS_INTERVAL` seconds (pages done, queued, rate, ETA).

Replaces Scrapy's LogStats, whose "Crawled N pages" counts robots.txt fetches and retries and says nothing
about what is left. "Queued" is the scheduler's backlog plus requests in the downloader; a folder crawl
discovers more as it goes, so the ETA is a lower bound.

Setting `SDG_PROGRESS_INTERVAL` (30 s; 0 = off). Stats read: `sdg/pages/total`, `scheduler/enqueued`,
`scheduler/dequeued`.
"""

from __future__ import annotations

import logging
from time import monotonic

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from sdg_tags.crawler import settings as default_settings

logger = logging.getLogger(__name__)


def format_duration(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{seconds:02d}s"
    return f"{seconds}s"


class ProgressLog:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task = None
        self.started = monotonic()
        self.last_time = self.started
        self.last_done = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        interval = crawler.settings.getfloat("SDG_PROGRESS_INTERVAL", default_settings.SDG_PROGRESS_INTERVAL)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self) -> None:
        self.started = self.last_time = monotonic()
        self.task = create_looping_call(self.log_progress)
        self.task.start(self.interval, now=False)

    def queued(self) -> int:
        stats = self.crawler.stats
        backlog = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        engine = self.crawler.engine
        in_flight = len(engine.downloader.active) if engine is not None else 0
        return max(0, backlog) + in_flight

    def progress_line(self) -> str:
        now = monotonic()
        done = self.crawler.stats.get_value("sdg/pages/total", 0)
        queued = self.queued()
        recent = (done - self.last_done) / max(now - self.last_time, 1e-9)
        overall = done / max(now - self.started, 1e-9)
        self.last_time, self.last_done = now, done
        rate = recent or overall
        eta = f"ETA >= {format_duration(queued / rate)}" if rate > 0 and queued else "ETA unknown"
        return (
            f"Progress: {done} pages done, {queued} queued, {recent * 60:.0f} pages/min "
            f"(average {overall * 60:.0f}), {eta}, elapsed {format_duration(now - self.started)}"
        )

    def log_progress(self) -> None:
        logger.info("%s", self.progress_line())

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

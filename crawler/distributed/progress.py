"""Progress log of a worker: the whole run's figures from Redis, and this worker's share.

Replaces crawler/extensions/progress.py in a worker (its figures are one process's). One line every
`SDG_PROGRESS_INTERVAL` seconds: pages committed by all workers, queued, in flight, held back, live workers,
this worker's pages and rate. `sdg-tags worker --status` prints the same figures once, from anywhere.
"""

from __future__ import annotations

import logging
from time import monotonic

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from sdg_tags.crawler.distributed.context import worker_context
from sdg_tags.crawler.extensions.progress import format_duration

logger = logging.getLogger(__name__)


class SharedProgressLog:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task = None
        self.started = monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedProgressLog:
        interval = crawler.settings.getfloat("SDG_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self) -> None:
        self.started = monotonic()
        self.task = create_looping_call(self.log_progress)
        self.task.start(self.interval, now=False)

    def progress_line(self) -> str:
        state = worker_context(self.crawler).frontier.state()
        mine = self.crawler.stats.get_value("sdg/pages/total", 0)
        elapsed = monotonic() - self.started
        return (
            f"Run {state.run.get('run_id', '?')}: {state.stats.get('pages', 0)} pages stored by all workers, "
            f"{state.queued} queued, {state.leased} in flight, {state.held} held back, {state.workers} workers; "
            f"this worker {mine} pages ({mine / max(elapsed, 1e-9) * 60:.0f}/min), "
            f"elapsed {format_duration(elapsed)}"
        )

    def log_progress(self) -> None:
        try:
            logger.info("%s", self.progress_line())
        except redis.RedisError as exc:
            logger.warning("Progress: Redis did not answer (%s)", exc)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

"""Repository writer: stores page records in batches, opens and closes the run, holds the run lock.

Records are upserted on (run, url) every `SDG_WRITE_BATCH_SIZE` records or `SDG_WRITE_INTERVAL` seconds,
whichever comes first, and at close; never one transaction per page. Writes run on one worker thread so the
crawl keeps downloading while a batch commits; once a batch is committed the `records_committed` signal
lets the spider mark its URLs done in the resume journal.

On open: the run lock (unless `sdg-tags crawl` already holds it), the registry import (so later runs and the
registry diff see it), `start_run` (an unfinished run with the same job dir is re-opened). On close: the rest
of the records, then `finish_run` with the crawl stats, unless the crawl was interrupted and can resume.

With `SDG_EVALUATION_PROCESS` (the default) the validation pipeline leaves the outcomes unvalidated and
the writer sends each batch to the evaluation process (crawler/evaluation_process.py), which validates and
stores it and answers with the URLs committed and their stats; if that process is gone, batches are
evaluated and stored on the writer thread. The run lock's heartbeat then comes from this process, at most
every `LOCK_HEARTBEAT_INTERVAL` seconds.

Settings: `SDG_WRITE_BATCH_SIZE` (200), `SDG_WRITE_INTERVAL` (2.0 s), `SDG_LOCK_TIMEOUT_HOURS` (24),
`SDG_REGISTRY_SOURCE`, `SDG_EVALUATION_PROCESS`. Stats: `sdg/run_id`, `sdg/db/batches`, `sdg/db/records`,
`sdg/db/errors`, `sdg/evaluation/errors`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.evaluation import StoredBatch, evaluate_and_store
from sdg_tags.crawler.evaluation_process import EvaluationProcess, EvaluationProcessGone
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.crawler.pipelines.validation import evaluation_in_child, options_from_settings, run_check_date
from sdg_tags.crawler.signals import records_committed
from sdg_tags.repository.records import PageRecord
from sdg_tags.taxonomy.versions import code_list_versions
from twisted.internet import task

logger = logging.getLogger(__name__)

# Consecutive failed batch writes after which the crawl stops: the records would only pile up in memory.
MAX_WRITE_FAILURES = 3
# Seconds between run-lock heartbeats when the evaluation process writes (its batches cannot touch the lock
# of this process); far below any sensible --lock-timeout.
LOCK_HEARTBEAT_INTERVAL = 60.0
# Settings recorded with the run (SDG_DB_URL is left out: it may hold a password).
RECORDED_SETTINGS: tuple[str, ...] = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "REDIRECT_MAX_TIMES",
    "RETRY_TIMES",
    "SDG_HOST_DELAY",
    "SDG_HOST_CONCURRENCY",
    "SDG_PROFILE",
    "SDG_HARVESTER_EMULATION",
    "SDG_MAX_PAGES_PER_FOLDER",
    "SDG_MAX_DEPTH",
    "SDG_CONDITIONAL",
    "SDG_JOB_DIR",
)


class RepositoryWriterPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch_size = max(
            1, settings.getint("SDG_WRITE_BATCH_SIZE", default_settings.SDG_WRITE_BATCH_SIZE)
        )
        self.interval = settings.getfloat("SDG_WRITE_INTERVAL", default_settings.SDG_WRITE_INTERVAL)
        self.lock_timeout = settings.getfloat(
            "SDG_LOCK_TIMEOUT_HOURS", default_settings.SDG_LOCK_TIMEOUT_HOURS
        )
        # Records (validated by the validation pipeline), or outcomes left for the evaluation process.
        self.buffer: list[PageRecord | FetchOutcome] = []
        self.inflight: asyncio.Future[None] | None = None
        self.failures = 0
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdg-repository-writer")
        self.lock: Any = None
        self.run_id: int | None = None
        self.ticker: task.LoopingCall | None = None
        self.closing: asyncio.Future[None] | None = None
        self.evaluate_here = evaluation_in_child(settings)
        self.options = options_from_settings(settings)
        self.evaluation: EvaluationProcess | None = None
        self.heartbeat_due = 0.0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RepositoryWriterPipeline:
        return cls(crawler)

    @property
    def repository(self) -> Any:
        return self.crawler.spider.repository

    async def open_spider(self) -> None:
        spider: Any = self.crawler.spider
        settings = self.crawler.settings
        if getattr(spider, "finished_run", None) is not None:
            return  # the job dir's run has finished: no new run, nothing to write (the spider said so)
        if not spider.lock_held:
            self.lock = self.repository.run_lock(
                owner=f"scrapy crawl {spider.name} (pid {os.getpid()} on {socket.gethostname()})",
                timeout_hours=self.lock_timeout,
            )
            self.lock.__enter__()  # RunLockedError: the crawl does not open
            if self.lock.broken:
                logger.warning("%s", self.lock.broken)
        source = settings.get("SDG_REGISTRY_SOURCE") or spider.registry_path or "sdg-tags crawl"
        entries = [entry for entry in spider.registry_entries if not entry.delete]
        imported = await self.in_writer_thread(self.repository.import_registry, entries, source=str(source))
        recorded = {name: settings.get(name) for name in RECORDED_SETTINGS}
        self.run_id = await self.in_writer_thread(
            self.repository.start_run,
            profile=settings.get("SDG_PROFILE", default_settings.SDG_PROFILE),
            settings=recorded,
            code_lists=code_list_versions(run_check_date(settings)),
            planned_hosts=len({scope.site for scope in spider.scopes.values()}),
            resume_key=spider.resume_key,
        )
        self.stats.set_value("sdg/run_id", self.run_id)
        logger.info(
            "Run %d in %s: %d registry entries imported, %d hosts planned",
            self.run_id,
            self.repository.display_url,
            imported,
            len({scope.site for scope in spider.scopes.values()}),
        )
        self.start_batches()

    def start_batches(self) -> None:
        """The evaluation process (if outcomes are evaluated here) and the partial-batch ticker."""
        if self.evaluate_here and self.repository.in_memory:
            logger.info("An in-memory database cannot be shared with a child process; validating here")
        elif self.evaluate_here:
            evaluation = EvaluationProcess(self.repository.url, self.options)
            try:
                evaluation.start()
            except Exception as exc:  # no child (process limit, no executable): the writer thread does it
                logger.error(
                    "The evaluation process could not start (%s); validating on the crawl process", exc
                )
            else:
                self.evaluation = evaluation
                logger.info("Validation and repository writes run in process %s", evaluation.pid)
        self.ticker = task.LoopingCall(self.tick)
        self.ticker.start(self.interval, now=False)

    async def in_writer_thread(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: function(*args, **kwargs))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchOutcome):
            return item
        if item.record is not None:
            self.buffer.append(item.record)
        elif self.evaluate_here:
            self.buffer.append(item)
        else:
            return item
        if len(self.buffer) >= self.batch_size:
            if self.inflight is not None and len(self.buffer) >= 4 * self.batch_size:
                await self.inflight  # back-pressure: the database is slower than the crawl
            self.start_write()
        return item

    def tick(self) -> None:
        if self.buffer:
            self.start_write()

    def start_write(self) -> None:
        """Hand the buffer to the writer thread or the evaluation process (one batch in flight at a time)."""
        if self.run_id is None or not self.buffer or (self.inflight is not None and not self.inflight.done()):
            return
        batch, self.buffer = self.buffer, []
        self.inflight = asyncio.ensure_future(self.write(batch))

    async def write(self, batch: list[PageRecord | FetchOutcome]) -> None:
        try:
            urls = await self.store(batch)
        except Exception as exc:
            self.failures += 1
            self.stats.inc_value("sdg/db/errors")
            self.buffer[:0] = batch  # keep them for the next attempt
            logger.error("Writing %d records to the repository failed: %s", len(batch), exc)
            if self.failures >= MAX_WRITE_FAILURES:
                logger.error("The repository failed %d times in a row; stopping the crawl", self.failures)
                self.closing = asyncio.ensure_future(
                    self.crawler.engine.close_spider_async(reason="repository-error")
                )
            return
        self.failures = 0
        self.stats.inc_value("sdg/db/batches")
        self.stats.inc_value("sdg/db/records", len(urls))
        await self.crawler.signals.send_catch_log_async(signal=records_committed, urls=urls)

    async def store(self, batch: list[PageRecord | FetchOutcome]) -> list[str]:
        """Store a batch (evaluating its outcomes first); the URLs committed."""
        records = [entry for entry in batch if isinstance(entry, PageRecord)]
        outcomes = [entry for entry in batch if isinstance(entry, FetchOutcome)]
        if records:
            await self.in_writer_thread(self.repository.write_pages, self.run_id, records)
        urls = [record.url for record in records]
        if outcomes:
            assert self.run_id is not None
            stored = await self.evaluate(self.run_id, outcomes)
            for key, count in stored.stats.items():
                self.stats.inc_value(key, count)
            for url, why in stored.errors:
                self.stats.inc_value("sdg/evaluation/errors")
                logger.error("Evaluating %s failed, so it is not stored: %s", url, why)
            urls += stored.urls
        return urls

    async def evaluate(self, run_id: int, outcomes: list[FetchOutcome]) -> StoredBatch:
        """In the evaluation process while it is there, else on the writer thread."""
        if self.evaluation is not None:
            try:
                stored = await self.evaluation.submit(run_id, outcomes)
            except EvaluationProcessGone as gone:
                logger.error("%s; validating and storing on the crawl process from now on", gone)
                self.stats.set_value("sdg/evaluation/process_gone", str(gone))
                self.evaluation = None
            else:
                if time.monotonic() >= self.heartbeat_due:
                    self.heartbeat_due = time.monotonic() + LOCK_HEARTBEAT_INTERVAL
                    await self.in_writer_thread(self.repository.heartbeat)
                return stored
        return await self.in_writer_thread(
            evaluate_and_store, self.repository, run_id, outcomes, self.options
        )

    async def close_spider(self) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        if self.inflight is not None:
            await self.inflight
        while self.buffer and self.failures < MAX_WRITE_FAILURES:
            batch, self.buffer = self.buffer[: self.batch_size * 5], self.buffer[self.batch_size * 5 :]
            self.inflight = asyncio.ensure_future(self.write(batch))
            await self.inflight
        if self.buffer:
            logger.error("%d records could not be written to the repository", len(self.buffer))

    async def spider_closed(self, reason: str) -> None:
        """After the pipelines closed: finish the run (unless it can resume), then release the lock."""
        spider: Any = self.crawler.spider
        try:
            resumable = spider is not None and spider.resume_key is not None and reason != "finished"
            if self.run_id is not None and not resumable:
                stats = dict(self.stats.get_stats())
                stats["close_reason"] = reason
                await self.in_writer_thread(self.repository.finish_run, self.run_id, stats=stats)
            elif self.run_id is not None:
                logger.info(
                    "Run %d left open (%s); rerun with the same --job-dir to resume", self.run_id, reason
                )
        finally:
            await self.stop_evaluation()
            if self.lock is not None:
                await self.in_writer_thread(self.lock.release)
            self.executor.shutdown(wait=True)

    async def stop_evaluation(self) -> None:
        if self.evaluation is not None:
            evaluation, self.evaluation = self.evaluation, None
            await self.in_writer_thread(evaluation.stop)

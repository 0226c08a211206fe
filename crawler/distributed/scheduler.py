"""scrapy-redis's scheduler on a host-aware, leasing queue; the shared dupefilter; the worker heartbeat.

scrapy-redis 0.9.1 gives the engine integration (SCHEDULER, SCHEDULER_QUEUE_CLASS, DUPEFILTER_CLASS, REDIS_URL,
SCHEDULER_PERSIST). Its stock queues do not fit a polite crawl of a few large hosts:

* one global priority order ignores hosts: a worker fills its downloader with requests to the host at the head
  of the queue, which then wait for that host's delay while every other host idles. `HostQueue` keeps one
  queue per host and pops from a host whose next politeness slot is due (crawler/distributed/frontier.py);
* a popped request exists only in the worker's memory: SIGKILL loses it. Here a pop leases the request's
  target to the worker until its record is committed (`records_committed`); a worker that stops sending
  heartbeats is declared dead by any other worker, and its leased requests go back to their queues.

A follow-up request (retry, redirect hop, render) that cannot be pickled stays in a local queue of its worker
(its lease stays with that worker; if the worker dies, the original request is requeued).

Stats: `sdg/distributed/pushed`, `.../popped`, `.../local`, `.../unreadable`, `.../committed`,
`.../unrecorded`, `.../recovered`, `.../redis_errors`. While Redis does not answer, a worker waits and asks
again every second; it does not fail requests for it.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import threading
import warnings
from collections import deque
from dataclasses import dataclass
from time import monotonic
from typing import Any

import redis
from scrapy import Request, signals
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from sdg_tags.crawler.distributed.context import WorkerContext, worker_context
from sdg_tags.crawler.distributed.frontier import NothingReady, Reservation
from sdg_tags.crawler.distributed.members import (
    MemberError,
    decode_request,
    encode_request,
    host_of,
    priority_rank,
    split_member,
)
from sdg_tags.crawler.frontier import CrawlTarget
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.crawler.scope import dedupe_key
from sdg_tags.crawler.signals import records_committed

logger = logging.getLogger(__name__)

# An engine woken sooner than this after "nothing ready" would only ask Redis again for nothing.
MIN_WAKE = 0.02
# Queue members that cannot be read are skipped; this many in one next_request call is enough for a turn.
MAX_SKIPS_PER_CALL = 20
REDIS_RETRY = 1.0  # seconds before asking Redis again after it did not answer


@dataclass(frozen=True, slots=True)
class Ticket:
    """A request's politeness slot in this worker: the reservation and when (monotonic) it may leave."""

    reservation: Reservation
    not_before: float


class EngineWaker:
    """Wakes the engine's request loop at a given time without delaying its other wake-ups.

    Scrapy's `nextcall` runs once per pending call: scheduling it far ahead would hold back the immediate
    wake-ups responses make. So the wake-up is a separate timer that calls `nextcall.schedule()` at its time.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.timer: Any = None

    def wake(self, delay: float) -> None:
        delay = max(MIN_WAKE, delay)
        due = monotonic() + delay
        if self.timer is not None and self.timer.active():
            if self.timer_due <= due:
                return
            self.timer.cancel()
        self.timer_due = due
        # Imported here: importing the reactor installs one, and Scrapy must install its asyncio reactor first.
        from twisted.internet import reactor

        self.timer = reactor.callLater(delay, self.fire)  # type: ignore[attr-defined]

    def fire(self) -> None:
        self.timer = None
        slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy has no public "run the loop now"
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def cancel(self) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None


def wake_engine(crawler: Any, delay: float) -> None:
    """Run the engine's request loop again in `delay` seconds (one timer per crawler)."""
    waker: EngineWaker | None = getattr(crawler, "sdg_engine_waker", None)
    if waker is None:
        waker = crawler.sdg_engine_waker = EngineWaker(crawler)
    waker.wake(delay)


class WorkerHeartbeat(threading.Thread):
    """Renews the worker's `alive` key and requeues dead workers' leases, on its own thread.

    A thread, not a reactor timer: validating a large page blocks the reactor for a moment, and a worker must
    not be declared dead for being busy.
    """

    def __init__(self, context: WorkerContext, description: dict[str, Any]) -> None:
        super().__init__(name="sdg-worker-heartbeat", daemon=True)
        self.context = context
        self.description = description
        self.stopping = threading.Event()
        self.recovered = 0

    def run(self) -> None:
        frontier, worker, ttl = self.context.frontier, self.context.worker_id, self.context.lease_ttl
        while not self.stopping.wait(ttl / 3):
            try:
                if not frontier.client.hexists(frontier.key("workers"), worker):
                    # Declared dead after a long stall: our leases were requeued; carry on as a new member.
                    logger.warning(
                        "Worker %s was declared dead (no heartbeat for %g s); rejoining", worker, ttl
                    )
                    frontier.register_worker(worker, self.description, ttl=ttl)
                else:
                    frontier.heartbeat(worker, ttl=ttl)
                requeued, dead = frontier.recover()
                if dead:
                    self.recovered += requeued
                    logger.warning(
                        "%d worker(s) stopped sending heartbeats; %d of their requests are queued again",
                        dead,
                        requeued,
                    )
            except redis.RedisError as exc:
                logger.warning("Heartbeat to Redis failed: %s", exc)

    def stop(self) -> None:
        self.stopping.set()


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter keyed by our dedupe key (canonical URL, ignored parameters stripped).

    The spider admits targets itself (`SharedFrontier.admit`, the same set) and marks its requests
    `dont_filter`; this class makes anything else that is scheduled de-duplicate against the same set.
    """

    def request_fingerprint(self, request: Request) -> str:
        target = request.meta.get("sdg_target")
        return target.key if isinstance(target, CrawlTarget) else dedupe_key(request.url)

    def close(self, reason: str = "") -> None:
        """Keep the set: it is shared by every worker of the run (scrapy-redis would delete it)."""


class HostQueue(Base):
    """scrapy-redis queue class over the shared frontier: per-host queues, reserved slots, leases."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.context = worker_context(spider.crawler)
        self.frontier = self.context.frontier
        self.wait_hint: float | None = None

    def __len__(self) -> int:
        return self.frontier.queued()

    def push(self, request: Request) -> None:
        member = encode_request(request, self.spider)
        target: CrawlTarget = request.meta["sdg_target"]
        self.frontier.push(
            host_of(request),
            priority_rank(request),
            member,
            lease_url=target.url,
            worker=self.context.worker_id,
        )

    def pop(self, timeout: int = 0) -> Request | None:
        """The next request of a ready host with its politeness ticket; None (and `wait_hint`) otherwise."""
        pace = self.context.pace
        for _ in range(MAX_SKIPS_PER_CALL):
            popped = self.frontier.pop(
                self.context.worker_id,
                lookahead=self.context.lookahead,
                token_ttl=pace.token_ttl,
                delay=pace.delay,
                concurrency=pace.concurrency,
            )
            if isinstance(popped, NothingReady):
                self.wait_hint = popped.wait
                return None
            if popped.scope_url and popped.entry is not None:
                self.spider.scopes.index.remember(popped.scope_url, popped.entry)
            try:
                request = decode_request(popped.member, self.spider)
            except MemberError as exc:
                self.drop_unreadable(popped.member, popped.reservation, exc)
                continue
            request.meta["sdg_reservation"] = Ticket(
                popped.reservation, monotonic() + popped.reservation.wait
            )
            return request
        self.wait_hint = 0.0
        return None

    def drop_unreadable(self, member: bytes, reservation: Reservation, error: Exception) -> None:
        logger.error("Skipping a queue member that cannot be read: %s", error)
        self.spider.crawler.stats.inc_value("sdg/distributed/unreadable")
        self.frontier.release_token(self.context.worker_id, reservation)
        self.frontier.refund(reservation)
        try:
            url, _ = split_member(member)
        except MemberError:
            return
        self.frontier.release_leases(self.context.worker_id, [url], committed=False)


class SharedScheduler(Scheduler):
    """scrapy-redis Scheduler with the leasing host queue, a local queue for unpicklable follow-ups, the
    heartbeat, and lease releases when records are committed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crawler: Any = None
        self.local: deque[Request] = deque()
        self.heartbeat: WorkerHeartbeat | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        scheduler: SharedScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        crawler.signals.connect(scheduler.records_committed, signal=records_committed)
        crawler.signals.connect(scheduler.item_lost, signal=signals.item_dropped)
        crawler.signals.connect(scheduler.item_lost, signal=signals.item_error)
        crawler.signals.connect(scheduler.callback_failed, signal=signals.spider_error)
        return scheduler

    def open(self, spider: Any) -> None:
        with warnings.catch_warnings():
            # scrapy-redis 0.9.1 logs "Resuming crawl" through the deprecated Spider.log(): one warning per
            # worker start, about scrapy-redis, that an operator can do nothing about.
            warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", category=Warning)
            super().open(spider)
        self.context = context = worker_context(self.crawler)
        description = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "run_id": context.run_id,
            "lease_ttl": context.lease_ttl,  # `worker --status` tells a silent worker from a live one by it
        }
        context.frontier.register_worker(context.worker_id, description, ttl=context.lease_ttl)
        self.heartbeat = WorkerHeartbeat(context, description)
        self.heartbeat.start()
        logger.info(
            "Worker %s joined distributed run %d (Redis namespace '%s', %d requests queued)",
            context.worker_id,
            context.run_id,
            context.frontier.name,
            context.frontier.queued(),
        )

    def close(self, reason: str) -> None:
        """Stop the heartbeat; the shared queue and dupefilter stay (the writer leaves the run afterwards)."""
        if self.heartbeat is not None:
            self.heartbeat.stop()
            self.heartbeat.join(timeout=5)
            self.crawler.stats.set_value("sdg/distributed/recovered", self.heartbeat.recovered)
        waker = getattr(self.crawler, "sdg_engine_waker", None)
        if waker is not None:
            waker.cancel()

    # -- requests ---------------------------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        stats = self.crawler.stats
        try:
            self.queue.push(request)
        except (
            MemberError,
            pickle.PicklingError,
            TypeError,
            AttributeError,
            ValueError,
            redis.RedisError,
        ) as exc:
            # Cannot travel (a render request with browser callbacks; Redis not answering): this worker keeps it.
            logger.debug("Keeping %s in this worker: %s", request.url, exc)
            self.local.append(request)
            stats.inc_value("sdg/distributed/local")
            return True
        stats.inc_value("sdg/distributed/pushed")
        return True

    def next_request(self) -> Request | None:
        try:
            return self.next_shared_or_local()
        except redis.RedisError as exc:
            self.crawler.stats.inc_value("sdg/distributed/redis_errors")
            logger.warning("Redis did not answer (%s); asking again in %g s", exc, REDIS_RETRY)
            wake_engine(self.crawler, REDIS_RETRY)
            return None

    def next_shared_or_local(self) -> Request | None:
        if self.local:
            request = self.local.popleft()
            context = self.context
            reservation = context.frontier.reserve(
                context.worker_id,
                host_of(request),
                delay=context.pace.delay,
                token_ttl=context.pace.token_ttl,
            )
            request.meta["sdg_reservation"] = Ticket(reservation, monotonic() + reservation.wait)
            return request
        request = self.queue.pop()
        if request is None:
            if self.queue.wait_hint is not None:
                wake_engine(self.crawler, self.queue.wait_hint)
            return None
        self.crawler.stats.inc_value("sdg/distributed/popped")
        return request

    def has_pending_requests(self) -> bool:
        try:
            return bool(self.local) or len(self.queue) > 0
        except redis.RedisError:
            return True  # unknown: do not let the worker close while Redis is away

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)

    # -- leases -----------------------------------------------------------------------------------------------

    def records_committed(self, urls: list[str]) -> None:
        """The records are in the repository: the targets are done, their leases go."""
        self.context.frontier.release_leases(self.context.worker_id, urls, committed=True)
        self.crawler.stats.inc_value("sdg/distributed/committed", len(urls))

    def release_lost(self, url: str, why: str) -> None:
        logger.error("No record will be written for %s (%s); its lease is released", url, why)
        self.context.frontier.release_leases(self.context.worker_id, [url], committed=False)
        self.crawler.stats.inc_value("sdg/distributed/unrecorded")

    def item_lost(self, item: Any, **kwargs: Any) -> None:
        if isinstance(item, FetchOutcome):
            failure = kwargs.get("failure") or kwargs.get("exception")
            self.release_lost(item.url, f"item dropped or failed: {failure}")

    def callback_failed(self, failure: Any, response: Any = None, **kwargs: Any) -> None:
        target = getattr(response, "meta", {}).get("sdg_target") if response is not None else None
        if isinstance(target, CrawlTarget):
            self.release_lost(target.url, f"callback error: {failure.value!r}")

"""Per-host politeness across workers: wait for the reserved slot; share Crawl-delay, back-off and pauses.

In a worker this replaces crawler/middlewares/politeness.py (same order, 950, next to the downloader). The
host's slot was reserved in Redis when the request was popped (crawler/distributed/frontier.py: start no
earlier than the host's previous start + its delay, whichever worker made it), so N workers never start
requests to one host closer together than one worker would; the concurrency tokens cap requests in flight per
host across workers. This middleware:

* waits until the request's reserved start, then claims the host (`SharedFrontier.claim`): the request goes
  only when no other request of the host, from any worker, is between its claim and its send, the host's
  previous request reached the network at least the host's delay ago and no Retry-After pause is on. The host
  stays held until this request's bytes are in the kernel (the HTTP handler asks `ready` right before writing
  and reports `sent`, crawler/downloader.py); the host's gap starts then (`SharedFrontier.sent`). So a request
  that is late to the wire (a busy worker thread, a new connection) delays the next one instead of shortening
  its gap. A hold lasts `HOLD_SECONDS` at most: a worker killed while holding blocks the host that long plus
  its delay; a live request not sent by then claims again before it is written. The local download slots have
  no delay of their own in a worker;
* gives the concurrency token back when the response or the error arrives, and gives an unused slot back
  when the request ends before it is sent (robots.txt forbids it);
* writes what a worker learns about a host into Redis for every worker: the robots.txt Crawl-delay (capped
  at `SDG_CRAWL_DELAY_MAX`; such a host gets concurrency 1), the adaptive back-off (a 429, a 5xx, a timeout or a
  refused connection doubles the delay, at least 1 s, at most `SDG_BACKOFF_MAX_DELAY`; a response slower than
  `SDG_SLOW_RESPONSE` widens it to its latency; a normal response halves it) and Retry-After pauses.

robots.txt itself is fetched by each worker once per host, outside the slots (as in a single-process crawl).
Stats: `sdg/politeness/waited_s`, `.../refunded`, `.../backoff`, `.../slow`, `.../paused`,
`.../crawl_delay_hosts`, `.../redis_errors` (a Redis outage delays requests; it never fails them).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from time import monotonic
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from sdg_tags.crawler.distributed.context import worker_context
from sdg_tags.crawler.distributed.frontier import Reservation
from sdg_tags.crawler.distributed.scheduler import Ticket
from sdg_tags.crawler.downloader import SEND_GATE
from sdg_tags.crawler.middlewares.politeness import BACKOFF_FAILURES, MIN_BACKOFF
from sdg_tags.crawler.scope import site_key
from sdg_tags.crawler.signals import host_backoff_requested
from sdg_tags.crawler.status import status_of_failure

logger = logging.getLogger(__name__)

REDIS_RETRY = 1.0  # seconds between claims while Redis does not answer
# A claimed host is held until its request reaches the network, at most this long: a worker killed while
# holding it blocks the host for this plus its delay. A live worker whose request has not gone by then (a slow
# connect, a long stall) claims again before writing it: HOLD_MARGIN covers the Redis round trip.
HOLD_SECONDS = 5.0
HOLD_MARGIN = 1.0
HOLD = "sdg_hold"  # request.meta: the request's Hold while it is claimed


@dataclass(slots=True)
class Hold:
    """A request's claim on its host, from the claim until its bytes reach the network (`deadline`: monotonic)."""

    reservation: Reservation
    deadline: float
    held: bool = True


class SharedPolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.context = worker_context(crawler)
        self.stats = crawler.stats
        self.robots_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        self.crawl_delay_hosts: set[str] = set()
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.backoff_requested, signal=host_backoff_requested)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        return cls(crawler)

    # -- downloader middleware --------------------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        ticket = request.meta.get("sdg_reservation")
        if not isinstance(ticket, Ticket):
            return None  # robots.txt and other requests that did not come through the shared queue
        request.meta["sdg_reservation_used"] = True
        waited = max(0.0, ticket.not_before - monotonic())
        if waited:
            await asyncio.sleep(waited)
        # The reserved slot is due; the host's last send (any worker) and any pause or hold decide.
        while (wait := self.claim(request, ticket.reservation)) > 0:
            waited += wait
            await asyncio.sleep(wait)
        if waited:
            self.stats.inc_value("sdg/politeness/waited_s", round(waited, 3))
        return None

    def claim(self, request: Request, reservation: Reservation) -> float:
        """Hold the request's host until its send (0.0), or the seconds to wait. While Redis does not answer,
        the request waits (it must not fail for the host)."""
        started = monotonic()
        try:
            wait = self.context.frontier.claim(
                reservation.host, delay=self.context.pace.delay, holder=reservation.token, hold=HOLD_SECONDS
            )
        except redis.RedisError as exc:
            self.stats.inc_value("sdg/politeness/redis_errors")
            logger.warning(
                "Redis did not answer the claim for host %s (%s); retrying in %g s",
                reservation.host,
                exc,
                REDIS_RETRY,
            )
            return REDIS_RETRY
        if wait <= 0:
            # Redis counts the hold from after `started`: our deadline, a margin before, is never later.
            request.meta[HOLD] = Hold(reservation, started + HOLD_SECONDS - HOLD_MARGIN)
            request.meta[SEND_GATE] = self
        return wait

    # -- send gate (crawler/downloader.py) ----------------------------------------------------------------------

    def ready(self, request: Request) -> float:
        hold = request.meta.get(HOLD)
        if not isinstance(hold, Hold):
            return 0.0
        if hold.held and monotonic() < hold.deadline:
            return 0.0
        # Sent once already (a replaced connection writes it again) or held too long: claim the host anew.
        hold.held = False
        return self.claim(request, hold.reservation)

    def sent(self, request: Request) -> None:
        self.let_go(request, sent=True)

    def finished(self, request: Request) -> None:
        self.let_go(request, sent=False)
        request.meta.pop(HOLD, None)

    def let_go(self, request: Request, *, sent: bool) -> None:
        hold = request.meta.get(HOLD)
        if not isinstance(hold, Hold) or not (hold.held or sent):
            return
        hold.held = False
        try:
            self.context.frontier.sent(hold.reservation.host, hold.reservation.token, sent=sent)
        except redis.RedisError as exc:  # the hold runs out by itself (HOLD_SECONDS); the next waits longer
            self.stats.inc_value("sdg/politeness/redis_errors")
            logger.warning("Redis did not take the send of %s: %s", request.url, exc)

    def process_response(self, request: Request, response: Response) -> Response:
        latency = request.meta.get("download_latency")
        if response.status == 429 or response.status >= 500:
            self.finish(request, "widen", f"HTTP {response.status}")
        elif latency is not None and latency > self.context.pace.slow_response:
            self.finish(request, "slow", f"slow response ({latency:.1f} s)", latency=latency)
            self.stats.inc_value("sdg/politeness/slow")
        else:
            self.finish(request, "ok", "")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        used = bool(request.meta.get("sdg_reservation_used"))
        ticket = request.meta.get("sdg_reservation")
        kind = "none"  # a page that does not settle in the browser says nothing of the host's health
        if not request.meta.get("playwright") and status_of_failure(exception)[0] in BACKOFF_FAILURES:
            kind = "widen"
        self.finish(request, kind, "connection failed or timed out")
        if isinstance(ticket, Ticket) and not used:
            try:
                if self.context.frontier.refund(ticket.reservation):
                    self.stats.inc_value("sdg/politeness/refunded")
            except redis.RedisError:  # an unused slot kept is only a delay lost
                self.stats.inc_value("sdg/politeness/redis_errors")
        return None

    def finish(self, request: Request, kind: str, why: str, *, latency: float = 0.0) -> None:
        """The request is over: give its concurrency token back (once) and adjust the host's shared back-off
        (`kind`: widen, slow, ok, none), in one round trip."""
        ticket = request.meta.get("sdg_reservation")
        pace = self.context.pace
        limits = {
            "latency": latency,
            "delay": pace.delay,
            "maximum": pace.backoff_max,
            "minimum": MIN_BACKOFF,
        }
        frontier = self.context.frontier
        try:
            if isinstance(ticket, Ticket):
                request.meta["sdg_reservation"] = None  # copies made for retries must not release it again
                request.meta.pop("sdg_reservation_used", None)
                host = ticket.reservation.host
                backoff = frontier.finish(self.context.worker_id, ticket.reservation, kind, **limits)
            elif kind != "none":  # robots.txt: no slot, but what it says of the host counts
                host = request.meta.get("download_slot") or site_key(request.url)
                backoff = frontier.adjust_backoff(host, kind, **limits)
            else:
                return
        except redis.RedisError as exc:  # the token expires by itself (Pace.token_ttl); the response is fine
            self.stats.inc_value("sdg/politeness/redis_errors")
            logger.warning("Redis did not take the end of a request to %s: %s", request.url, exc)
            return
        if kind == "widen":
            self.stats.inc_value("sdg/politeness/backoff")
            if backoff:
                logger.info("Host %s: %s; shared back-off now %.2f s", host, why, backoff)

    # -- signals ----------------------------------------------------------------------------------------------

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        delay = robotparser.crawl_delay(self.robots_agent)
        if not delay or delay <= 0:
            return
        host = site_key(request.url)
        limit = self.context.pace.crawl_delay_max
        if delay > limit:
            logger.warning(
                "Host %s: robots.txt Crawl-delay %g s is above SDG_CRAWL_DELAY_MAX; using %g s",
                host,
                delay,
                limit,
            )
        self.context.frontier.set_crawl_delay(host, min(float(delay), limit))
        if host not in self.crawl_delay_hosts:
            self.crawl_delay_hosts.add(host)
            self.stats.inc_value("sdg/politeness/crawl_delay_hosts")
            logger.info(
                "Host %s: robots.txt Crawl-delay %g s honoured by every worker", host, min(delay, limit)
            )

    def backoff_requested(self, slot: str, seconds: float, reason: str) -> None:
        self.context.frontier.pause(slot, seconds)
        self.stats.inc_value("sdg/politeness/paused")
        logger.info("Host %s: %s; every worker pauses it %.1f s", slot, reason, seconds)

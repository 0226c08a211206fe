"""Per-host politeness: delay and concurrency per download slot (= host[:port]), robots Crawl-delay, pauses
after Retry-After, adaptive back-off on errors and slow responses.

Scrapy keys download slots by host name and applies one DOWNLOAD_DELAY to all; its RobotsTxtMiddleware parses
`Crawl-delay` but ignores it. This middleware keeps a pace per host and writes it into the downloader's slot
(and into `per_slot_settings`, so a slot that Scrapy garbage-collects after a minute idle comes back with it):

* delay = max(`SDG_HOST_DELAY`, robots Crawl-delay for our token or `*` (capped at `SDG_CRAWL_DELAY_MAX`),
  current back-off); a host with a Crawl-delay gets concurrency 1, others `SDG_HOST_CONCURRENCY`;
* back-off: a 429, a 5xx, a timeout or a refused/broken connection doubles the host's delay (at least 1 s,
  at most `SDG_BACKOFF_MAX_DELAY`); a response slower than `SDG_SLOW_RESPONSE` seconds widens the delay to its
  latency; every normal fast response halves the back-off again;
* pause: on the `host_backoff_requested` signal (Retry-After) no request leaves for that host before the
  requested time.

It sits next to the downloader (order 950) so it sees every response and exception before RetryMiddleware
turns them into retries. Setting `SDG_POLITENESS_ENABLED` (True). Stats: `sdg/politeness/crawl_delay_hosts`,
`sdg/politeness/backoff`, `sdg/politeness/slow`, `sdg/politeness/paused`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import monotonic
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.scope import site_key
from sdg_tags.crawler.signals import host_backoff_requested
from sdg_tags.crawler.status import status_of_failure

logger = logging.getLogger(__name__)

# Failures that mean the server is struggling; DNS and TLS errors say nothing about its load.
BACKOFF_FAILURES = frozenset({"timeout", "connection-refused"})
MIN_BACKOFF = 1.0
# A pause needs a non-zero slot delay: Scrapy skips the wait entirely when the delay is 0.
PAUSE_DELAY_FLOOR = 0.001


def next_backoff(
    kind: str,
    backoff: float,
    *,
    base: float,
    crawl_delay: float = 0.0,
    latency: float = 0.0,
    maximum: float,
    minimum: float = MIN_BACKOFF,
) -> float:
    """A host's back-off after a response or failure. `kind`: widen (429, 5xx, timeout, refused: double the
    host's delay, at least `minimum`), slow (widen to the response's latency), ok (halve; below the base delay
    or `minimum`, none). Always at most `maximum`. The distributed twin is `adjust_backoff` in
    crawler/distributed/frontier_prelude.lua; one table (tests/test_politeness_backoff.py) checks both."""
    if kind == "widen":
        return min(maximum, max(minimum, max(base, crawl_delay, backoff) * 2))
    if kind == "slow":
        return min(maximum, latency) if latency > backoff else backoff
    if backoff:
        halved = backoff / 2
        return halved if halved >= max(base, minimum) else 0.0
    return 0.0


@dataclass(slots=True)
class HostPace:
    base: float
    concurrency: int
    crawl_delay: float = 0.0
    backoff: float = 0.0
    paused_until: float = 0.0  # time.monotonic()

    @property
    def delay(self) -> float:
        return max(self.base, self.crawl_delay, self.backoff)


class PolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("SDG_POLITENESS_ENABLED", default_settings.SDG_POLITENESS_ENABLED):
            raise NotConfigured
        self.crawler = crawler
        self.base_delay = settings.getfloat("SDG_HOST_DELAY", settings.getfloat("DOWNLOAD_DELAY"))
        self.concurrency = max(
            1, settings.getint("SDG_HOST_CONCURRENCY", default_settings.SDG_HOST_CONCURRENCY)
        )
        self.crawl_delay_max = settings.getfloat("SDG_CRAWL_DELAY_MAX", default_settings.SDG_CRAWL_DELAY_MAX)
        self.backoff_max = settings.getfloat("SDG_BACKOFF_MAX_DELAY", default_settings.SDG_BACKOFF_MAX_DELAY)
        self.slow_response = settings.getfloat("SDG_SLOW_RESPONSE", default_settings.SDG_SLOW_RESPONSE)
        self.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.hosts: dict[str, HostPace] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.backoff_requested, signal=host_backoff_requested)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolitenessMiddleware:
        return cls(crawler)

    def pace(self, slot: str) -> HostPace:
        pace = self.hosts.get(slot)
        if pace is None:
            pace = self.hosts[slot] = HostPace(self.base_delay, self.concurrency)
        return pace

    @staticmethod
    def slot_of(request: Request) -> str:
        slot = request.meta.get("download_slot")
        if slot is None:  # robots.txt requests; crawl requests come with their slot
            slot = request.meta["download_slot"] = site_key(request.url)
        return slot

    def apply(self, slot: str) -> None:
        """Write the host's pace into the downloader slot (and the settings new slots are created from)."""
        pace = self.pace(slot)
        downloader = self.crawler.engine.downloader
        downloader.per_slot_settings[slot] = {
            "delay": pace.delay,
            "concurrency": pace.concurrency,
            "jitter": 0.0,
        }
        live = downloader.slots.get(slot)
        if live is None:
            return
        live.delay = pace.delay
        live.concurrency = pace.concurrency
        live.jitter = 0.0
        if pace.paused_until > monotonic():
            # The slot dispatches when now >= lastseen + delay: move lastseen so that moment is the pause end.
            live.delay = max(live.delay, PAUSE_DELAY_FLOOR)
            live.lastseen = max(live.lastseen, pace.paused_until - live.delay)

    # -- downloader middleware --------------------------------------------------------------------------------

    def process_request(self, request: Request) -> None:
        self.apply(self.slot_of(request))

    def process_response(self, request: Request, response: Response) -> Response:
        slot = self.slot_of(request)
        pace = self.pace(slot)
        latency = request.meta.get("download_latency")
        if response.status == 429 or response.status >= 500:
            self.widen(slot, pace, f"HTTP {response.status}")
        elif latency is not None and latency > self.slow_response:
            if latency > pace.backoff:
                pace.backoff = self.next_backoff("slow", pace, latency=latency)
                self.crawler.stats.inc_value("sdg/politeness/slow")
        elif pace.backoff:
            pace.backoff = self.next_backoff("ok", pace)
        if pace.paused_until and pace.paused_until <= monotonic():
            pace.paused_until = 0.0
        self.apply(slot)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.get("playwright"):
            return  # render mode: a page that does not settle in the browser says nothing of the host's health
        status, _ = status_of_failure(exception)
        if status in BACKOFF_FAILURES:
            slot = self.slot_of(request)
            self.widen(slot, self.pace(slot), status)
            self.apply(slot)

    def next_backoff(self, kind: str, pace: HostPace, *, latency: float = 0.0) -> float:
        return next_backoff(
            kind,
            pace.backoff,
            base=pace.base,
            crawl_delay=pace.crawl_delay,
            latency=latency,
            maximum=self.backoff_max,
        )

    def widen(self, slot: str, pace: HostPace, why: str) -> None:
        previous = pace.delay
        pace.backoff = self.next_backoff("widen", pace)
        self.crawler.stats.inc_value("sdg/politeness/backoff")
        if pace.delay != previous:
            logger.info("Host %s: %s; delay raised from %.2f s to %.2f s", slot, why, previous, pace.delay)

    # -- signals --------------------------------------------------------------------------------------------

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        slot = site_key(request.url)
        delay = robotparser.crawl_delay(self.robots_agent)
        if not delay or delay <= 0:
            return
        pace = self.pace(slot)
        if delay > self.crawl_delay_max:
            logger.warning(
                "Host %s: robots.txt Crawl-delay %g s is above SDG_CRAWL_DELAY_MAX; using %g s",
                slot,
                delay,
                self.crawl_delay_max,
            )
        pace.crawl_delay = min(float(delay), self.crawl_delay_max)
        pace.concurrency = 1
        self.crawler.stats.inc_value("sdg/politeness/crawl_delay_hosts")
        logger.info("Host %s: robots.txt Crawl-delay %g s honoured", slot, pace.crawl_delay)
        self.apply(slot)

    def backoff_requested(self, slot: str, seconds: float, reason: str) -> None:
        pace = self.pace(slot)
        pace.paused_until = max(pace.paused_until, monotonic() + seconds)
        self.crawler.stats.inc_value("sdg/politeness/paused")
        logger.info("Host %s: %s; pausing %.1f s", slot, reason, seconds)
        self.apply(slot)

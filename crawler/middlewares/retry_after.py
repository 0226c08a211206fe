"""Honour `Retry-After` on 429 and 503: pause the host, then retry.

Scrapy's RetryMiddleware retries 429/503 at once. This middleware runs before it (higher order number, so it
sees responses first): when such a response carries `Retry-After` (seconds or an HTTP-date), it asks the
politeness middleware to pause the host for that long (signal `host_backoff_requested`) and schedules a retry
(counted against RETRY_TIMES). A wait longer than `SDG_RETRY_AFTER_MAX` is not waited for: the host still
pauses for the maximum, and the response is kept (http-4xx / http-5xx).

Settings: `SDG_RETRY_AFTER_MAX` (300 s), RETRY_ENABLED, RETRY_TIMES. Stats: `sdg/retry_after/count`,
`sdg/retry_after/too-long`, `sdg/retry_after/max_reached` (retries exhausted).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.scope import site_key
from sdg_tags.crawler.signals import host_backoff_requested

RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: str, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None when unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_wait = settings.getfloat("SDG_RETRY_AFTER_MAX", default_settings.SDG_RETRY_AFTER_MAX)
        self.max_retry_times = settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in RETRY_AFTER_STATUSES or request.meta.get("dont_retry"):
            return response
        header = response.headers.get("Retry-After")
        if header is None:
            return response
        wait = retry_after_seconds(header.decode("latin-1"))
        if wait is None:
            return response
        stats = self.crawler.stats
        slot = request.meta.get("download_slot") or site_key(request.url)
        reason = f"HTTP {response.status} with Retry-After {header.decode('latin-1').strip()}"
        self.crawler.signals.send_catch_log(
            signal=host_backoff_requested, slot=slot, seconds=min(wait, self.max_wait), reason=reason
        )
        if wait > self.max_wait:
            stats.inc_value("sdg/retry_after/too-long")
            request.meta["dont_retry"] = True  # nor may RetryMiddleware retry it at once
            return response
        # Counts sdg/retry_after/count, .../reason_count/<status> and .../max_reached (retries exhausted).
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=str(response.status),
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            stats_base_key="sdg/retry_after",
        )
        if retry is None:
            request.meta["dont_retry"] = True
            return response
        return retry

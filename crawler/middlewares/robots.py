"""robots.txt: Scrapy's RobotsTxtMiddleware with two changes (replaces it at the same order, 100).

* Every request that arrives while a host's robots.txt is being fetched gets the parser. Scrapy 2.19 lets all
  of them await one Deferred through `asFuture`, which hands the result to the first waiter only and `None`
  ("no robots.txt: allow everything") to the others, so a burst of seed URLs to one host skipped robots.txt.
* A forbidden URL ends with `FetchAborted("robots-disallowed")` naming the robots.txt and the agent token,
  so the status classifier needs no message matching.
* The status of the robots.txt response counts, as RFC 9309 §2.3.1 says (Scrapy parses any body it gets, so
  a 503 error page meant "everything allowed"): 2xx is parsed; 4xx other than 429 means "no robots.txt",
  everything allowed; 5xx and 429 (after Scrapy's retries) mean the server is unreachable, everything
  disallowed, and each URL of the host says so in its status detail.

Settings as Scrapy's (ROBOTSTXT_OBEY, ROBOTSTXT_USER_AGENT, ROBOTSTXT_PARSER). Stats as Scrapy's
(`robotstxt/forbidden`, ...).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from sdg_tags.crawler.status import FetchAborted
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


# What a parser is built from when the robots.txt status says "no rules" or "unreachable".
NO_RULES = b""
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def robots_body_for_status(status: int, body: bytes) -> tuple[bytes, str | None]:
    """The robots.txt text to parse for a response status, and why it is not the body (None when it is)."""
    if status == 429 or status >= 500:
        return (
            DISALLOW_ALL,
            f"robots.txt answered HTTP {status}, so under RFC 9309 the whole host is off limits",
        )
    if status >= 400:
        return NO_RULES, None
    return body, None


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._fetching: dict[str, asyncio.Future[Any]] = {}
        self._unreachable: dict[str, str] = {}  # netloc -> why every URL of it is disallowed

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        body, unreachable = robots_body_for_status(response.status, response.body)
        if unreachable is not None:
            self._unreachable[netloc] = unreachable
            logger.warning("%s: %s", response.url, unreachable)
        if body != response.body:
            response = response.replace(body=body)
        await super()._parse_robots(response, netloc, request)

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        waiting = self._fetching.get(netloc)
        if waiting is not None:
            return await asyncio.shield(waiting)
        if netloc in self._parsers and not isinstance(self._parsers[netloc], Deferred):
            return self._parsers[netloc]  # parsed already (None: no usable robots.txt)
        fetched: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._fetching[netloc] = fetched
        parser = None
        try:
            parser = await super().robot_parser(request)
        finally:
            fetched.set_result(parser)
            del self._fetching[netloc]
        return parser

    def process_request_2(self, rp: Any, request: Request) -> None:
        if rp is None:
            return
        useragent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
        if rp.allowed(request.url, useragent):
            return
        self._stats.inc_value("robotstxt/forbidden")
        parts = urlparse_cached(request)
        unreachable = self._unreachable.get(parts.netloc)
        if unreachable is not None:
            raise FetchAborted("robots-disallowed", f"{parts.scheme}://{parts.netloc}/{unreachable}")
        agent = useragent.decode("latin-1") if isinstance(useragent, bytes) else useragent
        raise FetchAborted(
            "robots-disallowed",
            f"{parts.scheme}://{parts.netloc}/robots.txt forbids this URL for '{agent}' (or for all robots, '*')",
        )

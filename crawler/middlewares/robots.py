"""robots.txt: Scrapy's RobotsTxtMiddleware with two changes (replaces it at the same order, 100).

* Every request that arrives while a host's robots.txt is being fetched gets the parser. Scrapy 2.19 lets all
  of them await one Deferred through `asFuture`, which hands the result to the first waiter only and `None`
  ("no robots.txt: allow everything") to the others, so a burst of seed URLs to one host skipped robots.txt.
* A forbidden URL ends with `FetchAborted("robots-disallowed")` naming the robots.txt and the agent token,
  so the status classifier needs no message matching.

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
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.status import FetchAborted

logger = logging.getLogger(__name__)


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._fetching: dict[str, asyncio.Future[Any]] = {}

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
        agent = useragent.decode("latin-1") if isinstance(useragent, bytes) else useragent
        raise FetchAborted(
            "robots-disallowed",
            f"{parts.scheme}://{parts.netloc}/robots.txt forbids this URL for '{agent}' (or for all robots, '*')",
        )

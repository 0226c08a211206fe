"""Conditional GET (`--conditional`): ask only for what changed since the last evaluated fetch.

For requests the spider marks `sdg_conditional` (pages whose links the crawl does not need), this middleware
looks up the URL's last evaluated fetch in the repository and sends `If-None-Match` (its ETag) and
`If-Modified-Since` (its Last-Modified). The looked-up record travels in `meta["sdg_previous"]`, so a 304 can
carry the previous result forward with its date. Redirect hops and retries are not made conditional again.

Setting `SDG_CONDITIONAL` (False; NotConfigured when off). Stats: `sdg/conditional/sent`,
`sdg/conditional/no_validators`.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("SDG_CONDITIONAL"):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("sdg_conditional") or "sdg_previous" in request.meta:
            return
        if request.meta.get("redirect_urls"):
            return
        repository = getattr(self.crawler.spider, "repository", None)
        target = request.meta.get("sdg_target")
        if repository is None or target is None:
            return
        previous = repository.previous_validators(target.url)
        request.meta["sdg_previous"] = previous
        if previous is None or not (previous.etag or previous.last_modified):
            self.crawler.stats.inc_value("sdg/conditional/no_validators")
            return
        if previous.etag:
            request.headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            request.headers["If-Modified-Since"] = previous.last_modified
        self.crawler.stats.inc_value("sdg/conditional/sent")

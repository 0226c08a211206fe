"""Scope-aware redirects: follow in-scope hops, keep the chain, end loops and off-site hops with a status.

Replaces Scrapy's RedirectMiddleware (same settings: REDIRECT_ENABLED, REDIRECT_MAX_TIMES). For a crawl
request (one carrying `sdg_scope` in meta):

* a hop to another host (or port) ends the fetch as `redirected-off-site`; an upgrade to HTTPS on the same
  host is followed;
* a page discovered inside a web folder that redirects out of the folder (path prefix, excluded paths) ends
  as `out-of-scope`; registered URLs may move anywhere on their host;
* a hop back to a URL of the chain, or more than REDIRECT_MAX_TIMES hops, ends as `too-many-redirects`.

Redirected requests skip the duplicate filter: a loop must be seen to be reported, not silently dropped.
Stats: `sdg/redirect/followed`, `sdg/redirect/off-site`, `sdg/redirect/out-of-scope`, `sdg/redirect/loop`,
`sdg/redirect/too-many`.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from sdg_tags.crawler.scope import Scope, dedupe_key
from sdg_tags.crawler.status import FetchAborted


class ScopedRedirectMiddleware(RedirectMiddleware):
    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        scope: Scope | None = request.meta.get("sdg_scope")
        if scope is None:  # robots.txt and other non-crawl requests: Scrapy's behaviour
            return super()._redirect(redirected, request, reason)
        stats = self.crawler.stats
        chain = [*request.meta.get("redirect_urls", []), request.url]
        path = " -> ".join([*chain, redirected.url])
        if dedupe_key(redirected.url) in {dedupe_key(url) for url in chain}:
            stats.inc_value("sdg/redirect/loop")
            raise FetchAborted("too-many-redirects", f"redirect loop: {path}", location=redirected.url)
        if len(chain) > self.max_redirect_times:
            stats.inc_value("sdg/redirect/too-many")
            raise FetchAborted(
                "too-many-redirects",
                f"more than {self.max_redirect_times} redirects (REDIRECT_MAX_TIMES): {path}",
                location=redirected.url,
            )
        if not scope.same_site(redirected.url):
            stats.inc_value("sdg/redirect/off-site")
            raise FetchAborted(
                "redirected-off-site",
                f"HTTP {reason} redirect to another host: {path}",
                location=redirected.url,
            )
        target = request.meta.get("sdg_target")
        if (
            scope.is_folder
            and target is not None
            and target.discovered
            and not scope.contains(redirected.url)
        ):
            stats.inc_value("sdg/redirect/out-of-scope")
            raise FetchAborted(
                "out-of-scope",
                f"HTTP {reason} redirect out of the registered folder {scope.entry_url}: {path}",
                location=redirected.url,
            )
        followed = super()._redirect(redirected, request, reason)
        followed.dont_filter = True
        stats.inc_value("sdg/redirect/followed")
        return followed

"""The registry spider: fetch every registered web page, crawl every registered web folder (SPEC §7.2, §7.3).

`scrapy crawl registry -a registry=FILE` or `sdg-tags crawl --registry FILE`. Each URL yields exactly one
`FetchOutcome` (fetch status + what validation needs); the pipelines validate and store it.

* A *web page* entry is fetched alone. A *web folder* entry is crawled: links are followed while they stay on
  the registered scheme and host (`example.se` is not `www.example.se`) under the registered path, outside the
  excluded paths; ignored query parameters are stripped; URLs are de-duplicated by canonical form, and an
  in-scope `<link rel="canonical">` (or redirect target) covers its aliases.
* A registered page that lies inside a registered folder is held back until the folder crawls are done: if
  the folder crawl reached it, it was fetched as part of the crawl; otherwise it is fetched alone and gets
  `crawl-not-reachable`.
* `--job-dir`: every frontier change goes to a crash-safe journal (crawler/frontier.py) so a killed crawl
  resumes in the same run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.response import get_base_url
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.frontier import CrawlTarget, FrontierJournal, nothing_to_resume
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.crawler.render_mode import (
    enable_rendering,
    render_failure,
    rendered_request,
    rendering_requested,
)
from sdg_tags.crawler.robots_directives import robots_directives
from sdg_tags.crawler.scope import Scope, dedupe_key, site_key
from sdg_tags.crawler.signals import records_committed
from sdg_tags.crawler.status import FetchAborted, status_of_failure, status_of_response
from sdg_tags.repository.records import RegistryEntry, RunInfo
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

LINKS_XPATH = "//a[@href]/@href | //area[@href]/@href"
# rel is a token list: `rel="nofollow noopener"` counts, `rel="nofollower"` does not.
FOLLOWABLE_LINKS_XPATH = (
    "//a[@href][not(contains(concat(' ', normalize-space(translate(@rel, 'NOFLW', 'noflw')), ' '), ' nofollow '))]"
    "/@href | //area[@href][not(contains(concat(' ', normalize-space(translate(@rel, 'NOFLW', 'noflw')), ' '),"
    " ' nofollow '))]/@href"
)
# Only in <head> (where they count), which also keeps these queries off the body.
CANONICAL_XPATH = (
    "/html/head/link[contains(concat(' ', normalize-space(translate(@rel, 'CANONIL', 'canonil')), ' '),"
    " ' canonical ')]/@href"
)
META_ROBOTS_XPATH = "/html/head/meta[translate(@name, 'ROBTS', 'robts') = 'robots']/@content"


def header_map(response: Response) -> dict[str, str]:
    """Response headers as text, the first value of each name (names as sent)."""
    return {
        name.decode("latin-1"): values[0].decode("latin-1")
        for name, values in response.headers.items()
        if values
    }


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- planning (shared with `sdg-tags enqueue`, which plans a registry batch by batch) ---------------------------


class ScopedEntry(Protocol):
    """What a scope is made of: a RegistryEntry, or the enqueue's lighter EntryToPlan."""

    @property
    def url(self) -> str: ...
    @property
    def url_type(self) -> str: ...
    @property
    def excluded_paths(self) -> Sequence[str]: ...
    @property
    def ignore_params(self) -> Sequence[str]: ...


def entry_scope(entry: ScopedEntry) -> Scope:
    return Scope.for_entry(
        entry.url,
        is_folder=entry.url_type == "web folder",
        excluded_paths=entry.excluded_paths,
        ignore_params=entry.ignore_params,
    )


def folders_by_site(folders: Iterable[Scope]) -> dict[str, list[Scope]]:
    """Folder scopes per site, in registry order (the first folder that covers a page is its folder)."""
    by_site: dict[str, list[Scope]] = defaultdict(list)
    for scope in folders:
        by_site[scope.site].append(scope)
    return by_site


def registry_target(
    url: str, site: str, is_folder: bool, folders: Mapping[str, list[Scope]]
) -> tuple[CrawlTarget, bool]:
    """The target of one registry entry (its scope's `site` and kind), and whether it is held back: a registered
    page inside a registered folder waits until the folder crawls are done (the crawl may reach it first)."""
    target = CrawlTarget(url=url, key=dedupe_key(url), scope_url=url, registry_url=url, registered=True)
    if is_folder:
        return target, False
    covering = next(
        (folder for folder in folders.get(site, ()) if folder.entry_url != url and folder.contains(url)),
        None,
    )
    if covering is None:
        return target, False
    target.scope_url = covering.entry_url
    target.not_reachable_from = covering.entry_url
    return target, True


class RegistrySpider(scrapy.Spider):
    name = "registry"

    def __init__(
        self,
        registry: str | None = None,
        entries: list[RegistryEntry] | None = None,
        repository: Any = None,
        lock_held: bool = False,
        **kwargs: Any,
    ) -> None:
        """`registry` is a registry file (for `scrapy crawl -a registry=FILE`); `sdg-tags crawl` passes the
        loaded `entries`, its `repository` and `lock_held=True` (it holds the run lock itself)."""
        super().__init__(**kwargs)
        self.registry_path = registry
        self.registry_entries: list[RegistryEntry] | None = entries
        self.repository = repository
        self.lock_held = bool(lock_held)
        self.seen: set[str] = set()
        self.scopes: dict[str, Scope] = {}
        self.entries_by_url: dict[str, RegistryEntry] = {}
        self.seeds: list[CrawlTarget] = []
        self.held_back: dict[str, CrawlTarget] = {}  # registered pages inside a folder, by dedupe key
        self.folder_pages: dict[str, int] = defaultdict(int)  # pages queued per folder entry, root included
        self.limited_folders: set[str] = set()
        # Per folder, every link URL already looked at (a cache: de-duplication uses `seen`). Per folder, since
        # a link out of one folder's scope may be inside another's.
        self.known_links: dict[str, set[str]] = defaultdict(set)
        self.pending_resume: list[CrawlTarget] = []
        self.journal: FrontierJournal | None = None
        self.released = False
        self.finished_run: RunInfo | None = None  # the job dir's run has finished: nothing to crawl

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if rendering_requested(settings):  # scrapy-playwright only when some host is rendered
            enable_rendering(settings)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> RegistrySpider:
        spider: RegistrySpider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure()
        crawler.signals.connect(spider.release_held_back, signal=signals.spider_idle)
        crawler.signals.connect(spider.mark_done, signal=records_committed)
        crawler.signals.connect(spider.close_journal, signal=signals.spider_closed)
        return spider

    # -- set-up -------------------------------------------------------------------------------------------

    def configure(self) -> None:
        settings = self.crawler.settings
        self.emulate_harvester = settings.getbool("SDG_HARVESTER_EMULATION")
        self.max_pages_per_folder = settings.getint("SDG_MAX_PAGES_PER_FOLDER")
        self.max_depth = settings.getint("SDG_MAX_DEPTH")
        self.conditional = settings.getbool("SDG_CONDITIONAL")
        self.render_hosts = {host.lower() for host in settings.getlist("SDG_RENDER_HOSTS")}
        self.render_all = settings.getbool("SDG_RENDER_ALL")
        self.render_timeout = settings.getfloat("SDG_RENDER_TIMEOUT", default_settings.SDG_RENDER_TIMEOUT)
        self.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or "sdg-tags"
        if self.repository is None:
            from sdg_tags.repository.store import Repository

            self.repository = Repository(settings.get("SDG_DB_URL"))
        if self.registry_entries is None:
            self.registry_entries = self.load_registry_file()
        self.plan(self.registry_entries)
        job_dir = settings.get("SDG_JOB_DIR")
        if job_dir:
            self.resume_key = str(Path(job_dir).resolve())
            self.journal = FrontierJournal(job_dir)
            self.replay_journal()
        else:
            self.resume_key = None

    def load_registry_file(self) -> list[RegistryEntry]:
        from sdg_tags.crawler.registry import load_registry

        if not self.registry_path:
            raise ValueError("no registry: run `scrapy crawl registry -a registry=FILE`")
        loaded = load_registry(Path(self.registry_path))
        for error in loaded.errors:
            logger.warning("registry row skipped: %s", error)
        return loaded.entries

    def plan(self, entries: list[RegistryEntry]) -> None:
        """Scopes and seed targets; registered pages inside a registered folder are held back."""
        deletions = 0
        for entry in entries:
            if entry.delete:  # an upload row that deletes the entry from the registry: nothing to crawl
                deletions += 1
                continue
            if entry.url in self.scopes:
                continue
            self.scopes[entry.url] = entry_scope(entry)
            self.entries_by_url[entry.url] = entry
        if deletions:
            logger.info("%d registry rows mark deletions and are not crawled", deletions)
        folders = folders_by_site(scope for scope in self.scopes.values() if scope.is_folder)
        for url, scope in self.scopes.items():
            target, held = registry_target(url, scope.site, scope.is_folder, folders)
            if held:
                self.held_back.setdefault(target.key, target)
            else:
                self.seeds.append(target)

    def replay_journal(self) -> None:
        assert self.journal is not None and self.resume_key is not None
        latest = self.repository.latest_job_run(self.resume_key)
        if latest is not None and latest.finished_at is not None:
            self.finished_run = latest
            logger.warning("%s", nothing_to_resume(latest, self.resume_key))
            return
        if latest is None:  # no run of this job dir yet: whatever the journal holds is stale
            self.journal.reset()
            return
        state = self.journal.replay()
        self.seen |= state.seen_keys
        for target in state.targets.values():
            if (target.discovered or target.url == target.scope_url) and target.scope_url in self.scopes:
                self.folder_pages[target.scope_url] += 1  # the folder's root counts as one of its pages
        for key in list(self.held_back):
            if key in self.seen:
                del self.held_back[key]
        self.pending_resume = [target for target in state.pending if target.scope_url in self.scopes]
        dropped = len(state.pending) - len(self.pending_resume)
        logger.info(
            "Resuming from %s: %d URLs queued before, %d stored, %d to fetch%s",
            self.journal.path,
            len(state.targets),
            len(state.done_urls),
            len(self.pending_resume),
            f" ({dropped} dropped: their registry entry is gone)" if dropped else "",
        )

    # -- scheduling ---------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.finished_run is not None:
            return
        if self.pending_resume:
            self.crawler.stats.set_value("sdg/resume/pending", len(self.pending_resume))
        for target in self.pending_resume:
            yield self.request_for(target)
        self.pending_resume = []
        for target in self.seeds:
            if self.admit(target):
                if self.scopes[target.scope_url].is_folder:
                    self.folder_pages[target.scope_url] += 1  # the root is one of the folder's pages
                yield self.request_for(target)

    def admit(self, target: CrawlTarget) -> bool:
        """Add a target to the frontier unless its key was seen; journal it first."""
        if target.key in self.seen:
            return False
        self.seen.add(target.key)
        if self.journal is not None:
            self.journal.add(target)
        return True

    def cover(self, key: str) -> None:
        """Mark a key as covered by another URL's fetch (canonical or redirect target)."""
        if key not in self.seen:
            self.seen.add(key)
            if self.journal is not None:
                self.journal.seen(key)

    def request_for(self, target: CrawlTarget) -> Request:
        scope = self.scopes[target.scope_url]
        meta: dict[str, Any] = {
            "sdg_target": target,
            "sdg_scope": scope,
            # the slot (= host) key; a discovered URL is in its folder's scope, so on the folder's site
            "download_slot": scope.site if target.discovered else site_key(target.url),
        }
        # A 304 carries the previous result but no links: only pages whose links are not needed go conditional.
        if self.conditional and (not scope.is_folder or self.at_depth_limit(target)):
            meta["sdg_conditional"] = True
        if self.render_all or (urlsplit(target.url).hostname or "") in self.render_hosts:
            meta["sdg_render"] = True  # also rendered once the static fetch is evaluated (render_mode.py)
        return Request(
            target.url,
            callback=self.parse_page,
            errback=self.fetch_failed,
            priority=-target.depth,
            dont_filter=True,
            meta=meta,
        )

    def at_depth_limit(self, target: CrawlTarget) -> bool:
        return bool(self.max_depth) and target.depth >= self.max_depth

    def release_held_back(self) -> None:
        """spider_idle: every folder crawl is done; fetch the registered pages no folder crawl reached."""
        if self.released or not self.held_back or self.finished_run is not None:
            return
        self.released = True
        targets = list(self.held_back.values())
        self.held_back.clear()
        logger.info("Folder crawls done; fetching %d registered pages they did not reach", len(targets))
        for target in targets:
            if self.admit(target):
                self.crawler.engine.crawl(self.request_for(target))
        raise DontCloseSpider

    def mark_done(self, urls: list[str]) -> None:
        if self.journal is not None:
            for url in urls:
                self.journal.done(url)

    def close_journal(self) -> None:
        if self.journal is not None:
            self.journal.close()

    # -- responses ----------------------------------------------------------------------------------------

    def outcome_for(self, target: CrawlTarget, **fields: Any) -> FetchOutcome:
        entry = self.entries_by_url.get(target.registry_url or "")
        outcome = FetchOutcome(
            url=target.url,
            scope=self.scopes[target.scope_url],
            fetched_at=utc_now(),
            registry_url=target.registry_url,
            registered=target.registered,
            registry_types=[kind.lower() for kind in entry.types]
            if entry is not None and target.registered
            else None,
            discovered=target.discovered,
            depth=target.depth,
            noindex_via=target.noindex_via,
            not_reachable_from=target.not_reachable_from,
            linked_via_other_host=target.linked_via_other_host,
            folder_limited=target.not_reachable_from in self.limited_folders,
            **fields,
        )
        return outcome

    def parse_page(self, response: Response) -> Iterator[Any]:
        target: CrawlTarget = response.meta["sdg_target"]
        scope: Scope = response.meta["sdg_scope"]
        headers = header_map(response)
        status, detail = status_of_response(response.status, headers, response.body)
        outcome = self.outcome_for(
            target,
            fetch_status=status or "ok",
            status_detail=detail,
            http_status=response.status,
            final_url=response.url,
            redirects=list(response.meta.get("redirect_urls", [])),
            headers=headers,
        )
        if status == "not-modified":
            outcome.previous = response.meta.get("sdg_previous")
            yield outcome
            return
        if status is not None:
            yield outcome
            return
        if not isinstance(response, TextResponse):  # sniffed as HTML without a Content-Type
            response = response.replace(cls=HtmlResponse)
        outcome.body = response.body
        directives = robots_directives(
            [str(value) for value in response.selector.root.xpath(META_ROBOTS_XPATH)],
            [value.decode("latin-1") for value in response.headers.getlist("X-Robots-Tag")],
            agent=self.robots_agent,
        )
        if directives.noindex:
            outcome.fetch_status = "noindex"
            outcome.noindex_source = directives.noindex_source
        if directives.nofollow:
            outcome.nofollow_source = next(
                (s for s in directives.sources if "nofollow" in s or "none" in s), None
            )
        if scope.is_folder:
            yield from self.follow_links(
                response, target, scope, outcome, directives.noindex, directives.nofollow
            )
        if response.meta.get("sdg_render"):
            self.crawler.stats.inc_value("sdg/render/requested")
            meta = {key: response.meta[key] for key in ("sdg_target", "sdg_scope", "download_slot")}
            yield rendered_request(
                outcome,
                meta,
                timeout=self.render_timeout,
                callback=self.parse_rendered,
                errback=self.render_failed,
            )
            return
        yield outcome

    def parse_rendered(self, response: Response) -> Iterator[FetchOutcome]:
        """Render mode: the static outcome, now with the browser's DOM."""
        outcome: FetchOutcome = response.meta["sdg_static_outcome"]
        if response.status >= 400:  # the server answered the browser differently from the plain fetch
            outcome.fetch_status = "http-4xx" if response.status < 500 else "http-5xx"
            outcome.status_detail = (
                f"rendering: HTTP {response.status} (the plain fetch got {outcome.http_status})"
            )
            outcome.body = None
        else:
            outcome.rendered_html = response.text
        self.crawler.stats.inc_value(
            f"sdg/render/{'ok' if outcome.body is not None else outcome.fetch_status}"
        )
        yield outcome

    def render_failed(self, failure: Failure) -> Iterator[FetchOutcome]:
        """Render mode: the page did not settle or could not be loaded in the browser."""
        outcome: FetchOutcome = failure.request.meta["sdg_static_outcome"]  # type: ignore[attr-defined]
        outcome.fetch_status, outcome.status_detail = render_failure(failure)  # type: ignore[assignment]
        outcome.body = None  # a page not read as configured is not evaluated
        self.crawler.stats.inc_value(f"sdg/render/{outcome.fetch_status}")
        yield outcome

    def follow_links(
        self,
        response: TextResponse,
        target: CrawlTarget,
        scope: Scope,
        outcome: FetchOutcome,
        noindex: bool,
        nofollow: bool,
    ) -> Iterator[Request]:
        """Cover the final URL and the canonical, then queue the in-scope links of a folder page."""
        if response.url != target.url and scope.contains(response.url):
            self.cover(dedupe_key(scope.clean(response.url)))
        canonicals = [str(value) for value in response.selector.root.xpath(CANONICAL_XPATH)]
        if len(canonicals) == 1 and canonicals[0].strip():
            canonical = scope.clean(response.urljoin(canonicals[0].strip()))
            key = dedupe_key(canonical)
            if key != target.key and scope.contains(canonical):
                if key in self.seen:
                    # An alias of a page that is (or will be) crawled under its canonical URL: the
                    # harvester merges them, so its links add nothing.
                    outcome.canonical_of = canonical
                    outcome.status_detail = f"alias of {canonical} (its canonical link), which is crawled"
                    return
                self.cover(key)
        if self.emulate_harvester and (noindex or nofollow):
            return
        if self.at_depth_limit(target):
            self.limited_folders.add(scope.entry_url)
            return
        noindex_via = response.url if noindex else target.noindex_via
        xpath = FOLLOWABLE_LINKS_XPATH if self.emulate_harvester else LINKS_XPATH
        base = get_base_url(response)  # honours <base href>
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        known = self.known_links[scope.entry_url]
        # lxml directly: parsel would wrap every attribute value in a Selector first (~25 µs each).
        for href in response.selector.root.xpath(xpath):
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
                continue
            # Most links repeat (navigation on every page) and are absolute paths: settle those without parsing.
            if href[0] == "/" and not href.startswith("//") and "/." not in href and "\\" not in href:
                joined = origin + href
            else:
                try:
                    joined = urljoin(base, href)
                except ValueError:  # a malformed URL (bad port, bad IPv6 literal): not a link to follow
                    continue
            if joined in known:
                continue
            known.add(joined)
            try:
                url = scope.clean(joined)
            except ValueError:
                continue
            if not url.startswith(("http://", "https://")):
                continue
            if not scope.contains(url):
                if self.held_back:
                    self.note_other_host_link(url, scope)
                continue
            key = dedupe_key(url)
            if key in self.seen:
                continue
            if self.max_pages_per_folder and self.folder_pages[scope.entry_url] >= self.max_pages_per_folder:
                if scope.entry_url not in self.limited_folders:
                    self.limited_folders.add(scope.entry_url)
                    logger.info(
                        "Folder %s reached --max-pages-per-folder %d; further links are not followed",
                        scope.entry_url,
                        self.max_pages_per_folder,
                    )
                    self.crawler.stats.inc_value("sdg/folders/limited")
                continue
            registered = self.held_back.pop(key, None)
            child = CrawlTarget(
                url=url,
                key=key,
                scope_url=scope.entry_url,
                registry_url=registered.registry_url if registered else scope.entry_url,
                registered=registered is not None,
                discovered=True,
                depth=target.depth + 1,
                noindex_via=noindex_via,
            )
            if self.admit(child):
                self.count_folder_page(scope.entry_url)
                yield self.request_for(child)

    def note_other_host_link(self, url: str, scope: Scope) -> None:
        """A link to `www.host/x` from a folder on `host` (or the reverse): if `host/x` is a registered page the
        crawl has not reached, remember the link for its crawl-not-reachable finding."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        other = host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"
        if other != scope.site.split(":", 1)[0]:
            return
        netloc = other + (f":{parts.port}" if parts.port else "")
        target = self.held_back.get(dedupe_key(parts._replace(netloc=netloc, scheme=scope.scheme).geturl()))
        if target is not None and target.linked_via_other_host is None:
            target.linked_via_other_host = url

    def count_folder_page(self, folder_url: str) -> None:
        """One more page queued for a web-folder entry (a hook: the distributed spider counts in Redis)."""
        self.folder_pages[folder_url] += 1

    def fetch_failed(self, failure: Failure) -> Iterator[FetchOutcome]:
        request: Request = failure.request  # type: ignore[attr-defined]
        target: CrawlTarget = request.meta["sdg_target"]
        status, detail = status_of_failure(failure, timeout=request.meta.get("download_timeout"))
        redirects = list(request.meta.get("redirect_urls", []))
        final_url = request.url if redirects else None
        if isinstance(failure.value, FetchAborted) and failure.value.location is not None:
            redirects.append(request.url)
            final_url = failure.value.location
        outcome = self.outcome_for(
            target,
            fetch_status=status,
            status_detail=detail,
            final_url=final_url,
            redirects=redirects,
        )
        if status == "robots-disallowed":
            parts = urlsplit(request.url)
            outcome.robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        yield outcome

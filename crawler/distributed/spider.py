"""The registry spider as a distributed worker: the same fetch, link, scope and status logic, shared state.

`RegistrySpider` keeps its frontier state in memory (seen keys, held-back pages, folder counts, the whole
registry). Here each piece is a small view on the shared frontier in Redis, so N workers de-duplicate against
one set and a worker's memory does not grow with the registry:

* `seen` -> the `seen` set (SADD is the atomic admit: two workers finding one link queue it once);
* `held_back` -> the `held` hash; `folder_pages` / `limited_folders` -> Redis counters and set;
* `scopes` / `entries_by_url` -> the `entries` hash (scope and types per registry URL), behind a bounded cache;
* `known_links` (links already looked at, a cache) -> bounded per folder and in the number of folders.

Seeds come from `sdg-tags enqueue`, not from `start()`; the scheduler hands out requests (scheduler.py). At
idle, the worker closes only when the whole frontier is drained (nothing queued, leased or held anywhere);
the held-back registered pages are released once, by whichever worker sees the rest drained first.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import DontCloseSpider
from sdg_tags.crawler.distributed.context import worker_context
from sdg_tags.crawler.distributed.frontier import SharedFrontier
from sdg_tags.crawler.distributed.members import MemberError, target_of_member
from sdg_tags.crawler.distributed.scheduler import wake_engine
from sdg_tags.crawler.frontier import CrawlTarget
from sdg_tags.crawler.scope import Scope
from sdg_tags.crawler.spiders.registry import RegistrySpider

logger = logging.getLogger(__name__)

REGISTRY_CACHE_SIZE = 10_000  # registry entries a worker keeps decoded (scope + types): ~10 MB at most
LINK_CACHE_FOLDERS = 32  # folders whose recently seen links a worker remembers (skips a Redis lookup)
LINK_CACHE_LINKS = 10_000  # links remembered per folder


@dataclass(frozen=True, slots=True)
class EntryTypes:
    """What the spider reads of a registry entry in a worker: its page types."""

    types: list[str]


class SharedRegistryIndex:
    """Scope and types per registry URL from the `entries` hash, with a bounded LRU cache."""

    def __init__(self, frontier: SharedFrontier, size: int = REGISTRY_CACHE_SIZE) -> None:
        self.frontier = frontier
        self.size = size
        self.cache: OrderedDict[str, tuple[Scope, list[str]] | None] = OrderedDict()

    def lookup(self, url: str) -> tuple[Scope, list[str]] | None:
        if url in self.cache:
            self.cache.move_to_end(url)
            return self.cache[url]
        return self.remember(url, self.frontier.entry(url))

    def remember(self, url: str, record: dict[str, Any] | None) -> tuple[Scope, list[str]] | None:
        """Cache the index record of `url` (the pop brings a fresh target's along)."""
        found = None
        if record is not None:
            scope = Scope.for_entry(
                url,
                is_folder=bool(record.get("folder")),
                excluded_paths=record.get("excluded", []),
                ignore_params=record.get("ignore", []),
            )
            found = (scope, list(record.get("types", [])))
        self.cache[url] = found
        if len(self.cache) > self.size:
            self.cache.popitem(last=False)
        return found


class SharedScopes:
    """`spider.scopes[url]` for a worker."""

    def __init__(self, index: SharedRegistryIndex) -> None:
        self.index = index

    def __getitem__(self, url: str) -> Scope:
        found = self.index.lookup(url)
        if found is None:
            raise KeyError(url)
        return found[0]

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.index.lookup(url) is not None

    def get(self, url: str, default: Scope | None = None) -> Scope | None:
        found = self.index.lookup(url)
        return found[0] if found is not None else default


class SharedEntries:
    """`spider.entries_by_url.get(url)` for a worker: only the types are needed."""

    def __init__(self, index: SharedRegistryIndex) -> None:
        self.index = index

    def get(self, url: str, default: EntryTypes | None = None) -> EntryTypes | None:
        found = self.index.lookup(url) if url else None
        return EntryTypes(found[1]) if found is not None else default


class SharedSeen:
    """`key in spider.seen` / `spider.seen.add(key)` on the shared dupefilter set."""

    def __init__(self, frontier: SharedFrontier) -> None:
        self.frontier = frontier

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.frontier.is_seen(key)

    def add(self, key: str) -> None:
        self.frontier.admit(key)


class SharedLimitedFolders:
    def __init__(self, frontier: SharedFrontier) -> None:
        self.frontier = frontier

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.frontier.is_limited(url)

    def add(self, url: str) -> None:
        self.frontier.mark_limited(url)


class SharedFolderPages:
    """`spider.folder_pages[url]` (read); counting goes through `count_folder_page` (HINCRBY)."""

    def __init__(self, frontier: SharedFrontier) -> None:
        self.frontier = frontier

    def __getitem__(self, url: str) -> int:
        return self.frontier.folder_pages(url)


class SharedHeldBack:
    """`spider.held_back.pop(key, None)`: a registered page the folder crawl reached is no longer parked."""

    def __init__(self, frontier: SharedFrontier) -> None:
        self.frontier = frontier

    def pop(self, key: str, default: CrawlTarget | None = None) -> CrawlTarget | None:
        member = self.frontier.take_held(key)
        if member is None:
            return default
        try:
            return target_of_member(member)
        except (MemberError, ValueError) as exc:
            logger.error(
                "Held-back registry page %s cannot be read (%s); crawled as a discovered page", key, exc
            )
            return default


class RecentLinks(set):
    """A set of link URLs that forgets everything when full: a cache, so forgetting only costs a Redis lookup."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def add(self, url: str) -> None:
        if len(self) >= self.limit:
            self.clear()
        super().add(url)


class BoundedLinkCache(OrderedDict):
    """`spider.known_links[folder]` with bounded memory: a few recently crawled folders, a bounded set each.

    The single-process spider keeps every link of every folder it has looked at; a worker of a run of a
    million URLs must not.
    """

    def __init__(self, folders: int = LINK_CACHE_FOLDERS, links: int = LINK_CACHE_LINKS) -> None:
        super().__init__()
        self.folders = folders
        self.links = links

    def __missing__(self, folder: str) -> RecentLinks:
        if len(self) >= self.folders:
            self.popitem(last=False)
        cache = self[folder] = RecentLinks(self.links)
        return cache

    def __getitem__(self, folder: str) -> RecentLinks:
        cache = super().__getitem__(folder)
        self.move_to_end(folder)
        return cache


class DistributedRegistrySpider(RegistrySpider):
    name = "registry-worker"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(entries=[], lock_held=True, **kwargs)
        self.frontier: SharedFrontier | None = None
        self.run_id: int | None = None

    def configure(self) -> None:
        super().configure()  # settings and repository; no registry (entries=[]), no journal
        context = worker_context(self.crawler)
        self.frontier = frontier = context.frontier
        self.run_id = context.run_id
        self.poll_interval = context.poll
        index = SharedRegistryIndex(frontier)
        self.scopes = SharedScopes(index)  # type: ignore[assignment]
        self.entries_by_url = SharedEntries(index)  # type: ignore[assignment]
        self.seen = SharedSeen(frontier)  # type: ignore[assignment]
        self.held_back = SharedHeldBack(frontier)  # type: ignore[assignment]
        self.folder_pages = SharedFolderPages(frontier)  # type: ignore[assignment]
        self.limited_folders = SharedLimitedFolders(frontier)  # type: ignore[assignment]
        self.known_links = BoundedLinkCache()  # type: ignore[assignment]

    async def start(self) -> AsyncIterator[Any]:
        """Nothing: the seeds are in the shared queue (`sdg-tags enqueue`)."""
        return
        yield  # an async generator, as Scrapy expects

    def admit(self, target: CrawlTarget) -> bool:
        assert self.frontier is not None
        return self.frontier.admit(target.key)

    def cover(self, key: str) -> None:
        assert self.frontier is not None
        self.frontier.admit(key)

    def count_folder_page(self, folder_url: str) -> None:
        assert self.frontier is not None
        self.frontier.count_folder_page(folder_url)

    def release_held_back(self) -> None:
        """spider_idle: close only when the whole run is drained; release held-back pages once first."""
        assert self.frontier is not None
        state = self.frontier.state()
        if state.drained or state.run.get("state") == "finished":
            return  # the engine closes this worker; the writer leaves the run (and may finish it)
        if state.queued == 0 and state.leased == 0 and state.held:
            released = self.frontier.release_held()
            if released:
                logger.info("Folder crawls done; queued %d registered pages they did not reach", released)
        wake_engine(self.crawler, self.poll_interval)  # look again soon: other workers may add links
        raise DontCloseSpider

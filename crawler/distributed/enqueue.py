"""Plan a registry into the shared frontier and open its run (`sdg-tags enqueue`, `crawl --distributed`).

The planning is the single-process spider's (`RegistrySpider.plan`: scopes, seeds, registered pages held back
inside registered folders); here its result goes to Redis instead of a process's memory:

1. the registry index (`entries`: scope and types per registry URL), what workers look up instead of the file;
2. the seeds: admitted to the shared dupefilter, then queued per host; the folder roots counted;
3. the held-back pages, parked until the frontier drains;
4. the registry into the repository and a new run (`start_run`), whose id and settings go to Redis last: a
   worker starts only once the run is complete in Redis.

Everything is written in batches, so a registry of a million URLs needs no million-element Redis call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from scrapy.settings import Settings
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.distributed.context import Pace
from sdg_tags.crawler.distributed.frontier import PUSH_BATCH, SharedFrontier
from sdg_tags.crawler.distributed.members import encode_target
from sdg_tags.crawler.distributed.settings import run_settings
from sdg_tags.crawler.pipelines.repository_writer import RECORDED_SETTINGS
from sdg_tags.crawler.scope import site_key
from sdg_tags.crawler.spiders.registry import RegistrySpider
from sdg_tags.repository.records import PageRecord, RegistryEntry
from sdg_tags.repository.timestamps import iso_utc, utc_now
from sdg_tags.taxonomy.versions import code_list_versions

logger = logging.getLogger(__name__)

REGISTRY_IMPORT_BATCH = 5000
Item = TypeVar("Item")


class RunInProgressError(Exception):
    """A distributed run under this name is still running (one line, names it)."""


@dataclass(frozen=True, slots=True)
class EnqueueSummary:
    run_id: int
    entries: int  # registry entries (deletions excluded)
    queued: int  # seeds queued now
    held: int  # registered pages parked inside registered folders
    duplicates: int  # seeds whose URL another entry already covers
    hosts: int
    invalid_urls: int = 0  # registry rows stored with fetch status invalid-url


def chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def crawl_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("sdg_tags.crawler.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def index_record(entry: RegistryEntry, is_folder: bool) -> dict[str, Any]:
    """What a worker needs of a registry entry, in few bytes (empty fields left out)."""
    record: dict[str, Any] = {}
    if is_folder:
        record["folder"] = 1
    if entry.excluded_paths:
        record["excluded"] = list(entry.excluded_paths)
    if entry.ignore_params:
        record["ignore"] = list(entry.ignore_params)
    if entry.types:
        record["types"] = list(entry.types)
    return record


def enqueue_registry(
    entries: list[RegistryEntry],
    frontier: SharedFrontier,
    repository: Any,
    overrides: dict[str, Any],
    *,
    source: str,
    invalid: Sequence[PageRecord] = (),
) -> EnqueueSummary:
    """Plan `entries` into Redis, import them into the repository, open the run (with the `invalid` records of
    the registry rows whose address is unusable); RunInProgressError if the name is busy (a finished run under
    the name is cleared first)."""
    state = frontier.run_info().get("state")
    if state == "running":
        info = frontier.run_info()
        raise RunInProgressError(
            f"distributed run {info.get('run_id')} (Redis namespace '{frontier.name}', created "
            f"{info.get('created_at')}) is still running; let its workers finish, or start again with --reset"
        )
    if frontier.reset():
        logger.info("Cleared the finished run's keys under Redis namespace '%s'", frontier.name)
    settings = crawl_settings(overrides)
    planner = RegistrySpider(entries=entries)  # planning only: no crawler, nothing fetched
    planner.plan(entries)

    frontier.put_entries(
        {
            url: index_record(planner.entries_by_url[url], scope.is_folder)
            for url, scope in planner.scopes.items()
        }
    )
    queued = duplicates = 0
    for batch in chunks(planner.seeds, PUSH_BATCH * 5):
        fresh = frontier.admit_many([target.key for target in batch])
        admitted = [target for target, new in zip(batch, fresh, strict=True) if new]
        duplicates += len(batch) - len(admitted)
        for target in admitted:
            if planner.scopes[target.scope_url].is_folder:
                frontier.count_folder_page(target.scope_url)  # the root is one of the folder's pages
        queued += frontier.push_many(
            (site_key(target.url), target.depth, encode_target(target)) for target in admitted
        )
    held = frontier.hold_many(
        (key, site_key(target.url), target.depth, encode_target(target))
        for key, target in planner.held_back.items()
    )

    crawlable = [entry for entry in entries if not entry.delete]
    for batch in chunks(crawlable, REGISTRY_IMPORT_BATCH):
        repository.import_registry(batch, source=source)
    hosts = len({scope.site for scope in planner.scopes.values()})
    recorded = {name: settings.get(name) for name in RECORDED_SETTINGS}
    recorded["SDG_DISTRIBUTED"] = {"redis_namespace": frontier.name}
    # Every worker, whenever it joins, checks against the code lists of the run's start date (SPEC §5.7).
    as_of = utc_now().date()
    run_id = repository.start_run(
        profile=settings.get("SDG_PROFILE", default_settings.SDG_PROFILE),
        settings=recorded,
        code_lists=code_list_versions(as_of),
        planned_hosts=hosts,
    )
    for records in chunks(invalid, REGISTRY_IMPORT_BATCH):
        repository.write_pages(run_id, records)
    frontier.open_run(
        run_id,
        database=repository.display_url,
        config={
            "pace": asdict(Pace.from_settings(settings)),
            "settings": {"SDG_AS_OF": as_of.isoformat(), **run_settings(overrides)},
        },
        created_at=iso_utc(utc_now()),
    )
    logger.info(
        "Run %d: %d registry entries, %d URLs queued on %d hosts, %d registered pages held back",
        run_id,
        len(crawlable),
        queued,
        hosts,
        held,
    )
    return EnqueueSummary(
        run_id=run_id,
        entries=len(crawlable),
        queued=queued,
        held=held,
        duplicates=duplicates,
        hosts=hosts,
        invalid_urls=len({record.url for record in invalid}),
    )

"""Plan a registry into the shared frontier and open its run (`sdg-tags enqueue`, `crawl --distributed`).

The planning is the single-process spider's (`registry_target`: scopes, seeds, registered pages held back inside
registered folders); here its result goes to Redis instead of a process's memory, and the registry streams
through in batches of ROW_BATCH rows (`enqueue_registry_file`), so the process's memory does not grow with the
registry. A forked reader process reads, checks and imports the rows while this one plans them: two cores at
work, where a thread would share one with the planning (`read_registry`):

0. a first read of the whole file keeps only its web folders (few), because a registered page is held back
   when a folder registered anywhere in the file covers it; the read also fails a half-unreadable file before
   anything is written;
1. per batch, in the reader: the rows are checked; a repeated URL is found through Redis (`enqueue:rows`,
   URL -> first row); the entries are imported into the repository. In this process: the registry index
   (`entries`: scope and types per registry URL, what workers look up instead of the file) is written; the seeds are admitted to the shared dupefilter and queued per host in one Lua call (the
   dupefilter is global in Redis, so no process keeps the seen keys); the held-back pages are parked
   (`held`, first one wins); the hosts are noted in Redis;
2. a new run (`start_run`) with the registry's invalid-url records; its id and settings go to Redis last: a
   worker starts only once the run is complete in Redis.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

from scrapy.settings import Settings
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.distributed.context import Pace
from sdg_tags.crawler.distributed.frontier import SharedFrontier
from sdg_tags.crawler.distributed.members import encode_target
from sdg_tags.crawler.distributed.settings import run_settings
from sdg_tags.crawler.forked_process import forked_stream
from sdg_tags.crawler.pipelines.repository_writer import RECORDED_SETTINGS
from sdg_tags.crawler.registry import (
    ROW_BATCH,
    InvalidUrl,
    RegistryRowError,
    RegistryRows,
    folder_entries,
    open_registry,
    read_batches,
)
from sdg_tags.crawler.scope import Scope, site_key
from sdg_tags.crawler.spiders.registry import entry_scope, folders_by_site, registry_target
from sdg_tags.repository.records import PageRecord, RegistryEntry
from sdg_tags.repository.timestamps import iso_utc, utc_now
from sdg_tags.taxonomy.versions import code_list_versions
from sdg_tags.validators.url_identity import PLAIN_URL

logger = logging.getLogger(__name__)

REGISTRY_IMPORT_BATCH = ROW_BATCH
READER = "registry reading process"
# Called once per batch with the data rows read so far and the URLs queued so far (a progress display).
Progress = Callable[[int, int], None]


class RunInProgressError(Exception):
    """A distributed run under this name is still running (one line, names it)."""


class NothingToCrawlError(Exception):
    """The registry has no entry to crawl (every row bad or a deletion). One line."""


class RedisFirstRows:
    """The duplicate check of a streamed registry, kept in Redis (`crawler.registry.FirstRows`)."""

    def __init__(self, frontier: SharedFrontier) -> None:
        self.frontier = frontier

    def claim(self, urls: Sequence[tuple[str, int]]) -> list[int | None]:
        return self.frontier.first_rows(urls)


@dataclass(frozen=True, slots=True)
class EnqueueSummary:
    run_id: int
    entries: int  # registry entries (deletions excluded)
    queued: int  # seeds queued now
    held: int  # registered pages parked inside registered folders
    duplicates: int  # seeds whose URL another entry already covers
    hosts: int
    invalid_urls: int = 0  # registry rows stored with fetch status invalid-url


def crawl_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("sdg_tags.crawler.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


class EntryToPlan(NamedTuple):
    """What planning needs of a registry entry: a RegistryEntry takes ~25 us to pickle and unpickle on its way
    from the reader process, this ~1 us."""

    url: str
    url_type: str
    types: tuple[str, ...]
    excluded_paths: tuple[str, ...]
    ignore_params: tuple[str, ...]

    @classmethod
    def of(cls, entry: RegistryEntry) -> EntryToPlan:
        return cls(
            entry.url,
            entry.url_type,
            tuple(entry.types),
            tuple(entry.excluded_paths),
            tuple(entry.ignore_params),
        )


@dataclass
class ReadBatch:
    """One batch of registry rows, read and checked: its unique entries that are not deletions (to plan), the
    entries still to import (none when the reader imported them), the bad rows, and how far the file is read."""

    entries: list[EntryToPlan]
    to_import: list[RegistryEntry]
    errors: list[RegistryRowError]
    invalid_urls: list[InvalidUrl]
    rows_read: int
    deletions: int


def index_json(entry: EntryToPlan, is_folder: bool) -> bytes:
    """`index_record` as compact JSON; a page's record (its types only, mostly) is encoded once per kind."""
    if is_folder or entry.excluded_paths or entry.ignore_params:
        return json.dumps(index_record(entry, is_folder), separators=(",", ":")).encode()
    types = tuple(entry.types)
    found = PAGE_RECORDS.get(types)
    if found is None:
        found = json.dumps(index_record(entry, is_folder), separators=(",", ":")).encode()
        if len(PAGE_RECORDS) < PAGE_RECORDS_KEPT:
            PAGE_RECORDS[types] = found
    return found


PAGE_RECORDS: dict[tuple[str, ...], bytes] = {}
PAGE_RECORDS_KEPT = 64


def index_record(entry: EntryToPlan, is_folder: bool) -> dict[str, Any]:
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


@dataclass
class BatchPlan:
    """What one batch of registry entries writes to Redis: index records, seeds, held-back pages, hosts."""

    records: list[tuple[str, bytes]]
    seeds: list[tuple[str, str, int, bytes, str]]
    parked: list[tuple[str, str, int, bytes]]
    sites: set[str]


def plan_batch(
    entries: Sequence[EntryToPlan], folder_scopes: dict[str, Scope], by_site: dict[str, list[Scope]]
) -> BatchPlan:
    """Plan unique, crawlable entries: the registry spider's rule (`registry_target`) per entry."""
    plan = BatchPlan(records=[], seeds=[], parked=[], sites=set())
    for entry in entries:
        url = entry.url
        if "\t" in url or "\r" in url:  # never from a registry file (white space makes a row invalid)
            raise ValueError(f"registry URL with a tab or carriage return: {url!r}")
        folder = folder_scopes.get(url)
        plain = PLAIN_URL.fullmatch(url) if folder is None else None
        if folder is not None:
            site, host = folder.site, site_key(url)
        elif plain is not None:  # the usual page: its site is its host, no Scope needed (~10 us saved a row)
            site = host = plain.group(1).partition("://")[2]
        else:
            site, host = entry_scope(entry).site, site_key(url)
        plan.records.append((url, index_json(entry, folder is not None)))
        plan.sites.add(site)
        target, is_held = registry_target(url, site, folder is not None, by_site)
        member = encode_target(target)
        if is_held:
            plan.parked.append((target.key, host, target.depth, member))
        else:
            plan.seeds.append((target.key, host, target.depth, member, url if folder is not None else ""))
    return plan


@dataclass(frozen=True)
class ScannedRegistry:
    """A registry file read once (`scan_registry`): readable as a whole, its format and its web folders."""

    path: Path
    rows: RegistryRows
    folders: list[RegistryEntry]


def scan_registry(path: Path) -> ScannedRegistry:
    """The first read of a registry file: RegistryFileError when it cannot be used, before anything is written."""
    rows = open_registry(path)
    return ScannedRegistry(path=Path(path), rows=rows, folders=folder_entries(rows))


def enqueue_registry_file(
    registry: ScannedRegistry,
    frontier: SharedFrontier,
    repository: Any,
    overrides: dict[str, Any],
    *,
    source: str,
    progress: Progress | None = None,
    on_errors: Callable[[list[RegistryRowError]], None] | None = None,
) -> EnqueueSummary:
    """Stream a scanned registry file into Redis and the repository and open the run (see the module docstring);
    RegistryFileError before anything is written when the file cannot be read, RunInProgressError if the name
    is busy (a finished run under the name is cleared first), NothingToCrawlError when no row is crawlable.
    `on_errors` gets each batch's bad rows (each reported once), `progress` is called once per batch."""
    open_frontier(frontier)
    invalid: list[InvalidUrl] = []

    def batches() -> Iterator[ReadBatch]:
        for batch in read_registry(registry, frontier, repository, source):
            if batch.errors and on_errors is not None:
                on_errors(batch.errors)
            # The few rows with an unusable address, stored once the run is open.
            invalid.extend(batch.invalid_urls)
            yield batch

    def invalid_records() -> Iterator[PageRecord]:
        fetched_at = utc_now()
        for row in invalid:
            yield PageRecord(
                url=row.url, fetch_status="invalid-url", status_detail=row.reason, fetched_at=fetched_at
            )

    return plan_into_frontier(
        registry.folders,
        batches(),
        frontier,
        repository,
        overrides,
        source=source,
        invalid=invalid_records,
        progress=progress,
        empty_message=lambda errors: (
            f"{registry.path}: no registry entry to crawl"
            + (f" ({errors} rows skipped, see above)" if errors else "")
        ),
    )


def read_registry(
    registry: ScannedRegistry, frontier: SharedFrontier, repository: Any, source: str
) -> Iterator[ReadBatch]:
    """The registry's rows in checked batches, a repeated URL skipped (found through Redis), each batch's
    entries imported into the repository: in a forked process (WorkerFailed, one line, if it dies), or here
    when the repository is an in-memory database no other process can reach (the entries are then imported
    with the plan)."""

    def read(reader_imports: bool) -> Iterator[ReadBatch]:
        if reader_imports:
            repository.forget_connections()  # the parent's pooled connections are not this process's
        # The database imports one batch and Redis checks the next one's URLs for repeats while the one after
        # is read (their servers work while this process does).
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-import") as importer,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-repeats") as claims,
        ):
            importing: Future[int] | None = None
            for batch in read_batches(registry.rows, RedisFirstRows(frontier), claim_in=claims):
                entries = [entry for entry in batch.entries if not entry.delete]
                if importing is not None:
                    importing.result()
                    importing = None
                if reader_imports and entries:
                    importing = importer.submit(repository.import_registry, entries, source=source)
                yield ReadBatch(
                    entries=[EntryToPlan.of(entry) for entry in entries],
                    to_import=[] if reader_imports else entries,
                    errors=batch.errors,
                    invalid_urls=batch.invalid_urls,
                    rows_read=batch.rows_read,
                    deletions=len(batch.entries) - len(entries),
                )
            if importing is not None:
                importing.result()

    if repository.in_memory:
        return read(reader_imports=False)
    return forked_stream(lambda: read(reader_imports=True), READER)


def open_frontier(frontier: SharedFrontier) -> None:
    """RunInProgressError if a run under the name is still running; clear a finished one."""
    state = frontier.run_info().get("state")
    if state == "running":
        info = frontier.run_info()
        raise RunInProgressError(
            f"distributed run {info.get('run_id')} (Redis namespace '{frontier.name}', created "
            f"{info.get('created_at')}) is still running; let its workers finish, or start again with --reset"
        )
    if frontier.reset():
        logger.info("Cleared the finished run's keys under Redis namespace '%s'", frontier.name)


def plan_into_frontier(
    folders: list[RegistryEntry],
    batches: Iterable[ReadBatch],
    frontier: SharedFrontier,
    repository: Any,
    overrides: dict[str, Any],
    *,
    source: str,
    invalid: Callable[[], Iterable[PageRecord]],
    progress: Progress | None = None,
    empty_message: Callable[[int], str] | None = None,
) -> EnqueueSummary:
    """Plan batches of unique registry entries into Redis (and import those the reader did not), then open the
    run. Memory: the folder scopes and two batches (seen keys, hosts and first rows are in Redis)."""
    settings = crawl_settings(overrides)
    folder_scopes = {entry.url: entry_scope(entry) for entry in folders}
    by_site = folders_by_site(folder_scopes.values())
    crawlable = queued = duplicates = held = deletions = errors = 0
    # Redis writes one batch while the next is planned (its server works while this process does); one batch
    # in flight at most, so memory stays at two batches.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="enqueue-writer") as writer:
        in_flight: Future[tuple[int, int]] | None = None

        def write(plan: BatchPlan) -> tuple[int, int]:
            return frontier.plan_batch(plan.records, plan.seeds, plan.parked, plan.sites)

        def settle(rows_read: int) -> None:
            """Count the batch in flight once it is written; progress is reported per batch then."""
            nonlocal queued, duplicates, held
            if in_flight is not None:
                pushed, parked = in_flight.result()
                queued += pushed
                duplicates += len(seeds_in_flight) - pushed
                held += parked
            if progress is not None and rows_read:
                progress(rows_read, queued)

        seeds_in_flight: list[Any] = []
        rows_in_flight = 0
        for batch in batches:
            errors += len(batch.errors)
            deletions += batch.deletions
            if batch.to_import:  # an in-memory database: usable from this thread only
                repository.import_registry(batch.to_import, source=source)
            plan = plan_batch(batch.entries, folder_scopes, by_site)
            settle(rows_in_flight)
            in_flight = writer.submit(write, plan) if batch.entries else None
            seeds_in_flight, rows_in_flight = plan.seeds, batch.rows_read
            crawlable += len(batch.entries)
        settle(rows_in_flight)
    if deletions:
        logger.info("%d registry rows mark deletions and are not crawled", deletions)
    hosts = frontier.noted_hosts()
    frontier.drop_enqueue_keys()
    if not crawlable and empty_message is not None:
        raise NothingToCrawlError(empty_message(errors))
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
    invalid_urls: set[str] = set()
    batch_records: list[PageRecord] = []
    for record in invalid():
        invalid_urls.add(record.url)
        batch_records.append(record)
        if len(batch_records) >= REGISTRY_IMPORT_BATCH:
            repository.write_pages(run_id, batch_records)
            batch_records = []
    if batch_records:
        repository.write_pages(run_id, batch_records)
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
        crawlable,
        queued,
        hosts,
        held,
    )
    return EnqueueSummary(
        run_id=run_id,
        entries=crawlable,
        queued=queued,
        held=held,
        duplicates=duplicates,
        hosts=hosts,
        invalid_urls=len(invalid_urls),
    )

"""The repository: registry entries, crawl runs and per-page observations in SQLite or PostgreSQL (SPEC §7.4).

Writers (the crawler) batch-upsert on (run, url), so a resumed or repeated run never duplicates rows; readers
(`sdg-tags results`, reports, the web app) stream with `yield_per` so 100k pages need constant memory.
The schema is created or migrated (`repository/database.py`) when the database is first touched; the run lock is
`repository/run_lock.py`, the one-line errors `repository/errors.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any
from urllib.parse import urlsplit

from sdg_tags.repository.database import build_engine, database_url, is_in_memory, migrate, write_transaction
from sdg_tags.repository.errors import (
    RepositoryError,
    UnknownRunError,
)
from sdg_tags.repository.records import ConditionalInfo, PageRecord, RegistryEntry, RunInfo
from sdg_tags.repository.results import results_record
from sdg_tags.repository.run_lock import DEFAULT_LOCK_TIMEOUT_HOURS, RunLock, touch_lock_of_this_process
from sdg_tags.repository.schema import (
    findings,
    observations,
    raw_tags,
    registry_entries,
    runs,
    tag_items,
    tag_sets,
)
from sdg_tags.repository.timestamps import iso_utc, utc_now
from sdg_tags.validators.models import (
    EVALUATED_FETCH_STATUSES,
    FETCH_STATUSES,
    HTML_LANG_KEY,
    SEVERITIES,
    VERDICTS,
    PageResult,
    TagOccurrence,
)
from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    Table,
    and_,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///sdg-tags.db"
# Rows per statement when a list of keys goes into `IN (...)`: far below SQLite's 32,766 bound parameters.
KEY_CHUNK = 500
# pg_advisory_xact_lock key serialising schema migrations of concurrent first users ("sdgtags" in ASCII).
POLICY_CODE_AREA = re.compile(r"([A-Xa-x])(?:0*\d{1,3})?")

REGISTRY_FIELDS: tuple[str, ...] = (
    "url",
    "title",
    "description",
    "types",
    "categories",
    "languages",
    "url_type",
    "national_code",
    "parent_url",
    "excluded_paths",
    "ignore_params",
    "country",
    "provider",
    "notification_type",
    "delete",
    "source_row",
)
# What an import writes per entry, and which of those columns hold JSON (lists).
REGISTRY_COLUMNS: tuple[str, ...] = (*REGISTRY_FIELDS, "source", "imported_at")
REGISTRY_JSON_COLUMNS: frozenset[str] = frozenset(
    {"types", "categories", "languages", "excluded_paths", "ignore_params"}
)
REGISTRY_JSON_INDEXES: tuple[int, ...] = tuple(
    index for index, name in enumerate(REGISTRY_FIELDS) if name in REGISTRY_JSON_COLUMNS
)
TAG_SET_COLUMNS: dict[str, str] = {
    "sdg-tag": "sdg_tag",
    "DC.ISO3166": "country",
    "DC.Location": "location",
    "DC.Service": "service",
    "policy-code": "policy_code",
    "DC.Policy": "policy",
    "DC.Language": "dc_language",
    HTML_LANG_KEY: "html_lang",
}


def json_ready(value: Any) -> Any:
    """A JSON-storable copy: datetimes as ISO 8601 UTC, anything else unknown as its string."""

    def fallback(item: Any) -> Any:
        if isinstance(item, datetime):
            return iso_utc(item)
        if isinstance(item, set | frozenset | tuple):
            return sorted(item, key=str)
        return str(item)

    return json.loads(json.dumps(value, default=fallback))


def settings_hash(settings: dict) -> str:
    """SHA-256 of the settings in canonical JSON (the "config hash" of SPEC §7.4)."""
    canonical = json.dumps(json_ready(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def policy_area(value: str) -> str | None:
    """Annex letter of a code-shaped policy-code item (`J10` -> `J`, `c2` -> `C`); None for free text."""
    match = POLICY_CODE_AREA.fullmatch(value.strip())
    return match.group(1).upper() if match else None


class Repository:
    """Registry entries, runs and observations in one database (`--db URL`, SQLite or PostgreSQL)."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL, *, create: bool = True) -> None:
        """Remember the database; it is opened, created or migrated on first use.

        `create=False` refuses to create a new SQLite file (for read-only commands such as `results`).
        """
        self.url = database_url(url)
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise RepositoryError(
                f"'{url}' is not a database URL; use sqlite:///path/to/file.db or "
                "postgresql+psycopg://user@host:5432/dbname"
            ) from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise RepositoryError(
                f"database '{parsed.get_backend_name()}' is not supported; use sqlite:/// or postgresql+psycopg://"
            )
        self.display_url = parsed.render_as_string(hide_password=True)
        self.dialect = parsed.get_backend_name()
        self.create = create
        self._engine: Engine | None = None
        self._lock: RunLock | None = None

    # -- connection handling -------------------------------------------------------------------------------

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The engine, created (and the schema brought to head) on first access."""
        if self._engine is None:
            engine = build_engine(self.url, create=self.create)
            try:
                migrate(engine, self.display_url)
            except BaseException:
                engine.dispose()
                raise
            self._engine = engine
        return self._engine

    @property
    def in_memory(self) -> bool:
        """An SQLite database in this process's memory (no other process or connection can reach it)."""
        return is_in_memory(self.url)

    def transaction(self, engine: Engine | None = None) -> AbstractContextManager[Connection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE), committed on success, rolled back on error."""
        return write_transaction(engine or self.engine)

    def heartbeat(self) -> None:
        """Refresh the run lock's heartbeat if this process holds it (batches written by another process of
        the crawl cannot do it for this one)."""
        with self.transaction() as conn:
            touch_lock_of_this_process(conn)

    def forget_connections(self) -> None:
        """In a forked child: drop the pooled connections inherited from the parent without closing them (they
        are the parent's; SQLAlchemy's recipe for forking), so that this process opens its own."""
        if self._engine is not None:
            self._engine.dispose(close=False)

    def close(self) -> None:
        """Release a held run lock and close every pooled connection."""
        if self._lock is not None:
            self._lock.release()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def upsert(self, table: Table, keys: Sequence[str]) -> Insert:
        """`INSERT ... ON CONFLICT (keys) DO UPDATE` setting every other column from the new row."""
        dialect_module = postgresql if self.dialect == "postgresql" else sqlite
        statement = dialect_module.insert(table)
        updates = {
            column.name: statement.excluded[column.name]
            for column in table.columns
            if column.name not in keys
        }
        updates.pop("id", None)
        return statement.on_conflict_do_update(index_elements=list(keys), set_=updates)

    # -- registry -----------------------------------------------------------------------------------------

    def import_registry(self, entries: Iterable[RegistryEntry], *, source: str) -> int:
        """Insert or update entries by URL (a later duplicate in `entries` wins); return how many URLs."""
        now = utc_now().astimezone(UTC).replace(tzinfo=None)  # as UtcDateTime binds it: zone-less UTC
        latest = {entry.url: entry for entry in entries}
        if latest:
            with self.transaction() as conn:
                if not self.copy_registry(conn, latest.values(), source=source, imported_at=now):
                    rows = [
                        {field: getattr(entry, field) for field in REGISTRY_FIELDS}
                        | {"source": source, "imported_at": now}
                        for entry in latest.values()
                    ]
                    conn.execute(self.upsert(registry_entries, ["url"]), rows)
        return len(latest)

    def copy_registry(
        self, conn: Connection, entries: Iterable[RegistryEntry], *, source: str, imported_at: datetime
    ) -> bool:
        """PostgreSQL with psycopg 3: COPY the entries into a temporary table and upsert from it in one
        statement, several times faster than a multi-row INSERT for the 5,000-entry batches of a streamed
        registry (a million entries in one enqueue). False (nothing done) on another database or driver."""
        if self.dialect != "postgresql":
            return False
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if not hasattr(cursor, "copy"):
            return False
        table = registry_entries.name
        columns = ", ".join(f'"{name}"' for name in REGISTRY_COLUMNS)
        updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in REGISTRY_COLUMNS if name != "url")
        cursor.execute(
            f"CREATE TEMPORARY TABLE registry_import (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        values = attrgetter(*REGISTRY_FIELDS)
        # Most rows repeat a few lists (types, languages) or leave them empty: encode each distinct one once.
        encoded: dict[tuple[str, ...], str] = {(): "[]"}
        with cursor.copy(f"COPY registry_import ({columns}) FROM STDIN") as copy:
            for entry in entries:
                row = [*values(entry), source, imported_at]
                for index in REGISTRY_JSON_INDEXES:
                    key = tuple(row[index])
                    found = encoded.get(key)
                    row[index] = (
                        found if found is not None else encoded.setdefault(key, json.dumps(row[index]))
                    )
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM registry_import "
            f"ON CONFLICT (url) DO UPDATE SET {updates}"
        )
        return True

    def registry_entries(self) -> list[RegistryEntry]:
        """Every registry entry, ordered by URL."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(registry_entries).order_by(registry_entries.c.url)).mappings()
            return [self.entry_from_row(row) for row in rows]

    def registry_entry(self, url: str) -> RegistryEntry | None:
        """The entry registered for exactly this URL, or None."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(registry_entries).where(registry_entries.c.url == url)).mappings().first()
            )
            return self.entry_from_row(row) if row is not None else None

    @staticmethod
    def entry_from_row(row: Any) -> RegistryEntry:
        return RegistryEntry.model_validate({field: row[field] for field in REGISTRY_FIELDS})

    # -- runs ---------------------------------------------------------------------------------------------

    def start_run(
        self,
        *,
        profile: str,
        settings: dict,
        code_lists: dict[str, str],
        planned_hosts: int = 0,
        resume_key: str | None = None,
    ) -> int:
        """Open a run and return its id; an unfinished run with the same `resume_key` is re-opened instead."""
        with self.transaction() as conn:
            run_id: int | None = None
            if resume_key is not None:
                run_id = conn.execute(
                    select(runs.c.id)
                    .where(runs.c.resume_key == resume_key, runs.c.finished_at.is_(None))
                    .order_by(runs.c.id.desc())
                    .limit(1)
                ).scalar()
            if run_id is None:
                run_id = conn.execute(
                    runs.insert()
                    .values(
                        started_at=utc_now(),
                        finished_at=None,
                        profile=profile,
                        settings=json_ready(settings),
                        config_hash=settings_hash(settings),
                        code_lists=dict(code_lists),
                        planned_hosts=planned_hosts,
                        covered_hosts=0,
                        resume_key=resume_key,
                        counts={},
                        stats={},
                    )
                    .returning(runs.c.id)
                ).scalar_one()
            touch_lock_of_this_process(conn, run_id=run_id)
            return run_id

    def finish_run(self, run_id: int, *, stats: dict) -> None:
        """Close a run: finished_at, counts per fetch status, verdict and severity, covered hosts, stats."""
        with self.transaction() as conn:
            self.require_run(conn, run_id)
            counts = self.run_counts(conn, run_id)
            covered = stats.get("covered_hosts")
            if not isinstance(covered, int):
                hosts: set[str] = set()
                urls = conn.execute(
                    select(observations.c.url)
                    .where(observations.c.run_id == run_id)
                    .execution_options(yield_per=2000)
                )
                for (url,) in urls:
                    hosts.add((urlsplit(url).hostname or "").lower())
                covered = len(hosts)
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(finished_at=utc_now(), counts=counts, stats=json_ready(stats), covered_hosts=covered)
            )

    def run_counts(self, conn: Connection, run_id: int) -> dict[str, Any]:
        """Pages per fetch status and verdict, findings per severity (every known key present, zeros included)."""
        by_status = dict.fromkeys(FETCH_STATUSES, 0)
        by_verdict = dict.fromkeys(VERDICTS, 0)
        by_severity = dict.fromkeys(SEVERITIES, 0)
        for status, verdict, count in conn.execute(
            select(observations.c.fetch_status, observations.c.verdict, func.count())
            .where(observations.c.run_id == run_id)
            .group_by(observations.c.fetch_status, observations.c.verdict)
        ):
            by_status[status] = by_status.get(status, 0) + count
            by_verdict[verdict] = by_verdict.get(verdict, 0) + count
        for severity, count in conn.execute(
            select(findings.c.severity, func.count())
            .where(findings.c.run_id == run_id)
            .group_by(findings.c.severity)
        ):
            by_severity[severity] = count
        return {
            "pages": sum(by_status.values()),
            "fetch_status": by_status,
            "verdict": by_verdict,
            "findings": by_severity,
        }

    def latest_job_run(self, resume_key: str) -> RunInfo | None:
        """The newest run of a job dir (`--job-dir`), finished or still open, or None."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(runs).where(runs.c.resume_key == resume_key).order_by(runs.c.id.desc()).limit(1)
                )
                .mappings()
                .first()
            )
            return self.run_info(conn, row) if row is not None else None

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first; an unfinished run shows its counts so far."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.id)).mappings().all()
            return [self.run_info(conn, row) for row in rows]

    def run_info(self, conn: Connection, row: Any) -> RunInfo:
        return RunInfo(
            id=row["id"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            profile=row["profile"],
            settings=row["settings"],
            config_hash=row["config_hash"],
            code_lists=row["code_lists"],
            planned_hosts=row["planned_hosts"],
            covered_hosts=row["covered_hosts"],
            resume_key=row["resume_key"],
            counts=row["counts"] if row["finished_at"] is not None else self.run_counts(conn, row["id"]),
            stats=row["stats"],
        )

    def latest_run_id(self, *, finished_only: bool = True) -> int | None:
        """The newest run id (by default the newest finished one), or None."""
        statement = select(func.max(runs.c.id))
        if finished_only:
            statement = statement.where(runs.c.finished_at.is_not(None))
        with self.engine.connect() as conn:
            return conn.execute(statement).scalar()

    @staticmethod
    def require_run(conn: Connection, run_id: int) -> str:
        """The run's profile; UnknownRunError if there is no such run."""
        profile = conn.execute(select(runs.c.profile).where(runs.c.id == run_id)).scalar()
        if profile is None:
            known = conn.execute(select(runs.c.id).order_by(runs.c.id)).scalars().all()
            listed = ", ".join(str(known_id) for known_id in known[-20:]) or "none"
            raise UnknownRunError(f"run {run_id} is not in the repository (runs: {listed})")
        return profile

    # -- pages --------------------------------------------------------------------------------------------

    def write_pages(self, run_id: int, records: Sequence[PageRecord]) -> None:
        """Upsert a batch of pages on (run_id, url) in one transaction, replacing their tags and findings."""
        if not records:
            return
        latest: dict[str, PageRecord] = {record.url: record for record in records}  # a repeat in-batch wins
        with self.transaction() as conn:
            self.require_run(conn, run_id)
            conn.execute(
                self.upsert(observations, ["run_id", "url"]),
                [self.observation_row(run_id, record) for record in latest.values()],
            )
            ids: dict[str, int] = {}
            urls = list(latest)
            for start in range(0, len(urls), KEY_CHUNK):
                chunk = urls[start : start + KEY_CHUNK]
                rows = conn.execute(
                    select(observations.c.url, observations.c.id).where(
                        observations.c.run_id == run_id, observations.c.url.in_(chunk)
                    )
                )
                ids.update((url, observation_id) for url, observation_id in rows)
            id_list = list(ids.values())
            for child in (raw_tags, tag_sets, tag_items, findings):
                for start in range(0, len(id_list), KEY_CHUNK):
                    conn.execute(
                        delete(child).where(child.c.observation_id.in_(id_list[start : start + KEY_CHUNK]))
                    )
            children: dict[Table, list[dict[str, Any]]] = {
                raw_tags: [],
                tag_sets: [],
                tag_items: [],
                findings: [],
            }
            for url, record in latest.items():
                self.collect_children(children, run_id, ids[url], record)
            for table, rows in children.items():
                if rows:
                    conn.execute(table.insert(), rows)
            touch_lock_of_this_process(conn)

    @staticmethod
    def observation_row(run_id: int, record: PageRecord) -> dict[str, Any]:
        result = record.result
        counts = result.counts() if result is not None else dict.fromkeys(SEVERITIES, 0)
        return {
            "run_id": run_id,
            "url": record.url,
            "final_url": record.final_url,
            "redirects": list(record.redirects),
            "fetch_status": record.fetch_status,
            "http_status": record.http_status,
            "status_detail": record.status_detail,
            "content_hash": record.content_hash,
            "etag": record.etag,
            "last_modified": record.last_modified,
            "fetched_at": record.fetched_at,
            "evaluated_at": record.evaluated_at,
            "render_mode": record.render_mode,
            "registry_url": record.registry_url,
            "discovered": record.discovered,
            "depth": record.depth,
            "verdict": result.verdict if result is not None else "not-evaluated",
            "error_count": counts["error"],
            "warning_count": counts["warning"],
            "info_count": counts["info"],
            "page_result": result.model_dump_json() if result is not None else None,
        }

    @staticmethod
    def collect_children(
        children: dict[Table, list[dict[str, Any]]], run_id: int, observation_id: int, record: PageRecord
    ) -> None:
        """RawTag, TagSet, tag item and Finding rows of one page."""
        result = record.result
        base = {"observation_id": observation_id, "run_id": run_id}
        if record.occurrences:
            for position, occ in enumerate(record.occurrences):
                children[raw_tags].append(
                    base
                    | {
                        "position": position,
                        "canonical": occ.canonical,
                        "name_as_written": occ.name_as_written,
                        "attribute": occ.attribute,
                        "match": occ.match,
                        "raw": occ.raw,
                        "line": occ.line,
                        "column": occ.column,
                        "in_head": occ.in_head,
                        "origin": occ.origin,
                    }
                )
        elif result is not None:  # only the effective tags are known; `match` NULL marks that
            for position, (canonical, view) in enumerate(
                (name, view) for name, view in result.tags.items() if name != HTML_LANG_KEY
            ):
                children[raw_tags].append(
                    base
                    | {
                        "position": position,
                        "canonical": canonical,
                        "name_as_written": view.name_as_written,
                        "attribute": view.attribute,
                        "match": None,
                        "raw": view.raw,
                        "line": view.line,
                        "column": view.column,
                        "in_head": None,
                        "origin": view.origin,
                    }
                )
        if result is None:
            return
        tag_set = base | {column: None for column in TAG_SET_COLUMNS.values()}
        for canonical, view in result.tags.items():
            column = TAG_SET_COLUMNS.get(canonical)
            if column is not None:
                tag_set[column] = view.raw
            if canonical == HTML_LANG_KEY:
                continue
            for item, value in enumerate(view.values):
                children[tag_items].append(
                    base
                    | {
                        "tag": canonical,
                        "item": item,
                        "value": value,
                        "area": policy_area(value) if canonical == "policy-code" else None,
                    }
                )
        tag_set.update(
            language=result.language,
            canonical_url=result.canonical_url,
            page_types=";".join(result.page_types),
            page_types_inferred=result.page_types_inferred,
        )
        children[tag_sets].append(tag_set)
        for position, finding in enumerate(result.findings):
            children[findings].append(
                base
                | {
                    "position": position,
                    "rule": finding.rule,
                    "severity": finding.severity,
                    "message": finding.message,
                    "tag": finding.tag,
                    "item": finding.item,
                    "observed": finding.value,
                    "normalized": finding.normalized,
                    "expected": finding.expected,
                    "line": finding.line,
                    "column": finding.column,
                    "origin": finding.origin,
                    "citation": finding.reference,
                    "hint": finding.hint,
                    "code_list": finding.code_list,
                    "type_inferred": finding.type_inferred,
                }
            )

    def previous_validators(self, url: str) -> ConditionalInfo | None:
        """ETag, Last-Modified, content hash and the record of the newest evaluated fetch of `url`, if any."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(observations)
                    .where(
                        observations.c.url == url,
                        observations.c.fetch_status.in_(sorted(EVALUATED_FETCH_STATUSES)),
                    )
                    .order_by(observations.c.fetched_at.desc(), observations.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            occurrences = [
                TagOccurrence.model_validate(
                    {
                        key: tag[key]
                        for key, spec in TagOccurrence.model_fields.items()
                        if key != "values" and not spec.exclude  # excluded fields are not stored
                    }
                    | {"values": [item.strip() for item in (tag["raw"] or "").split(";") if item.strip()]}
                )
                for tag in conn.execute(
                    select(raw_tags)
                    .where(raw_tags.c.observation_id == row["id"], raw_tags.c.match.is_not(None))
                    .order_by(raw_tags.c.position)
                ).mappings()
            ]
        previous = PageRecord(
            url=row["url"],
            final_url=row["final_url"],
            redirects=row["redirects"],
            fetch_status=row["fetch_status"],
            http_status=row["http_status"],
            status_detail=row["status_detail"],
            content_hash=row["content_hash"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            fetched_at=row["fetched_at"],
            evaluated_at=row["evaluated_at"],
            render_mode=row["render_mode"],
            registry_url=row["registry_url"],
            discovered=row["discovered"],
            depth=row["depth"],
            result=PageResult.model_validate_json(row["page_result"]) if row["page_result"] else None,
            occurrences=occurrences,
        )
        return ConditionalInfo(
            run_id=row["run_id"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            content_hash=row["content_hash"],
            fetched_at=row["fetched_at"],
            previous=previous,
        )

    def iter_results(self, run_id: int) -> Iterator[dict]:
        """Stream the public results record of every page of a run, in the order they were first written.

        Raises UnknownRunError at once (not on first iteration) when the run does not exist.
        """
        with self.engine.connect() as conn:
            profile = self.require_run(conn, run_id)
        return self.stream_results(run_id, profile)

    def stream_results(self, run_id: int, profile: str) -> Iterator[dict]:
        o, r = observations, registry_entries
        # Registry fields belong to the entry a page was registered as; a page discovered inside a registered
        # folder gets none (it is not that entry), and a seed without registry_url is matched on its own URL.
        registered = and_(o.c.discovered.is_(False), r.c.url == func.coalesce(o.c.registry_url, o.c.url))
        statement = (
            select(
                o.c.run_id,
                o.c.url,
                o.c.final_url,
                o.c.fetch_status,
                o.c.http_status,
                o.c.status_detail,
                o.c.fetched_at,
                o.c.evaluated_at,
                o.c.discovered,
                o.c.registry_url,
                o.c.page_result,
                r.c.provider,
                r.c.country,
                r.c.types,
                r.c.categories,
            )
            .select_from(o.outerjoin(r, registered))
            .where(o.c.run_id == run_id)
            .order_by(o.c.id)
        )
        with self.engine.connect() as conn:
            # yield_per: server-side cursor on PostgreSQL, incremental fetch on SQLite; constant memory.
            rows = conn.execute(statement.execution_options(yield_per=500)).mappings()
            for row in rows:
                yield results_record(
                    run_id=row["run_id"],
                    url=row["url"],
                    final_url=row["final_url"],
                    fetch_status=row["fetch_status"],
                    http_status=row["http_status"],
                    status_detail=row["status_detail"],
                    fetched_at=row["fetched_at"],
                    evaluated_at=row["evaluated_at"],
                    discovered=row["discovered"],
                    registry_url=row["registry_url"],
                    page_result=row["page_result"],
                    profile=profile,
                    provider=row["provider"],
                    country=row["country"],
                    types=row["types"],
                    categories=row["categories"],
                )

    # -- run lock -----------------------------------------------------------------------------------------

    def run_lock(self, *, owner: str, timeout_hours: float = DEFAULT_LOCK_TIMEOUT_HOURS) -> RunLock:
        """A context manager holding the repository's run lock, so two runs never write one repository at once.

        Entering raises RunLockedError naming the holder (run, start, pid, host). A stale lock is broken on
        entry: its process is gone (same host), or it sent no heartbeat for `timeout_hours`.
        """
        return RunLock(self, owner=owner, timeout_hours=timeout_hours)

"""Read-only queries for reports, the registry diff and the registry export (none of them write).

`Repository.iter_results` gives registry fields only to the page a registry entry names; reports attribute every
page, discovered ones included, to the entry it was crawled from (`registry_url`), so they read through here.
Everything streams (`yield_per`) or aggregates in SQL, so a 100k-page run needs little memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sdg_tags.repository.schema import findings, observations, registry_entries, runs, tag_sets
from sdg_tags.repository.store import Repository
from sqlalchemy import func, select

# Rows fetched per round trip when streaming a run.
STREAM_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ObservedPage:
    """One stored page of a run with the registry entry it was crawled from (itself or its folder)."""

    observation_id: int
    url: str
    final_url: str | None
    fetch_status: str
    http_status: int | None
    status_detail: str | None
    fetched_at: datetime
    evaluated_at: datetime | None
    discovered: bool
    registry_url: str | None
    verdict: str
    page_result: str | None  # PageResult JSON as the validator returned it; None when not evaluated
    provider: str | None  # of the registry entry at registry_url (or at url for a seed without one)
    registry_country: str | None
    tag_country: str | None  # effective DC.ISO3166 as written, when evaluated


@dataclass(slots=True)
class PageOutcome:
    """What a run said about one URL, enough to compare two runs without re-reading page results."""

    verdict: str
    fetch_status: str
    http_status: int | None
    final_url: str | None
    provider: str | None  # as in ObservedPage
    registry_country: str | None
    tag_country: str | None
    # (rule, tag or "") of every finding, sorted, so two runs compare with one tuple comparison
    findings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class VerdictGroup:
    """Pages of one run with one verdict, for one (registry country, tag country, provider) combination."""

    run_id: int
    registry_country: str | None
    tag_country: str | None
    provider: str | None
    verdict: str
    pages: int


def iter_observed_pages(repository: Repository, run_id: int) -> Iterator[ObservedPage]:
    """Every page of a run in the order it was first written; UnknownRunError (at once) for a missing run."""
    with repository.engine.connect() as conn:
        repository.require_run(conn, run_id)
    return _stream_observed_pages(repository, run_id)


def _stream_observed_pages(repository: Repository, run_id: int) -> Iterator[ObservedPage]:
    o, r, t = observations, registry_entries, tag_sets
    statement = (
        select(
            o.c.id,
            o.c.url,
            o.c.final_url,
            o.c.fetch_status,
            o.c.http_status,
            o.c.status_detail,
            o.c.fetched_at,
            o.c.evaluated_at,
            o.c.discovered,
            o.c.registry_url,
            o.c.verdict,
            o.c.page_result,
            r.c.provider,
            r.c.country,
            t.c.country,
        )
        .select_from(
            o.outerjoin(r, r.c.url == func.coalesce(o.c.registry_url, o.c.url)).outerjoin(
                t, t.c.observation_id == o.c.id
            )
        )
        .where(o.c.run_id == run_id)
        .order_by(o.c.id)
    )
    with repository.engine.connect() as conn:
        for row in conn.execution_options(yield_per=STREAM_BATCH).execute(statement):
            yield ObservedPage(*row)


def page_outcomes(repository: Repository, run_id: int) -> dict[str, PageOutcome]:
    """Verdict, fetch status and finding counts per (rule, tag) of every URL of a run, from two plain scans."""
    o, r, t, f = observations, registry_entries, tag_sets, findings
    outcomes: dict[str, PageOutcome] = {}
    by_id: dict[int, PageOutcome] = {}
    with repository.engine.connect() as conn:
        repository.require_run(conn, run_id)
        statement = (
            select(
                o.c.id,
                o.c.url,
                o.c.verdict,
                o.c.fetch_status,
                o.c.http_status,
                o.c.final_url,
                r.c.provider,
                r.c.country,
                t.c.country,
            )
            .select_from(
                o.outerjoin(r, r.c.url == func.coalesce(o.c.registry_url, o.c.url)).outerjoin(
                    t, t.c.observation_id == o.c.id
                )
            )
            .where(o.c.run_id == run_id)
        )
        for observation_id, url, *fields in conn.execution_options(yield_per=STREAM_BATCH).execute(statement):
            outcome = PageOutcome(*fields)
            outcomes[url] = outcome
            by_id[observation_id] = outcome
        found: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for observation_id, rule, tag in conn.execution_options(yield_per=STREAM_BATCH).execute(
            select(f.c.observation_id, f.c.rule, f.c.tag).where(f.c.run_id == run_id)
        ):
            found[observation_id].append((rule, tag or ""))
        for observation_id, keys in found.items():
            outcome = by_id.get(observation_id)
            if outcome is not None:
                outcome.findings = tuple(sorted(keys))
    return outcomes


def verdict_groups(repository: Repository, run_ids: Sequence[int]) -> list[VerdictGroup]:
    """Page counts per run, registry country, tag country, provider and verdict (for trends over runs)."""
    if not run_ids:
        return []
    o, r, t = observations, registry_entries, tag_sets
    statement = (
        select(o.c.run_id, r.c.country, t.c.country, r.c.provider, o.c.verdict, func.count())
        .select_from(
            o.outerjoin(r, r.c.url == func.coalesce(o.c.registry_url, o.c.url)).outerjoin(
                t, t.c.observation_id == o.c.id
            )
        )
        .where(o.c.run_id.in_(list(run_ids)))
        .group_by(o.c.run_id, r.c.country, t.c.country, r.c.provider, o.c.verdict)
    )
    with repository.engine.connect() as conn:
        return [VerdictGroup(*row) for row in conn.execute(statement)]


def finished_run_ids(repository: Repository) -> list[int]:
    """Ids of the finished runs, oldest first."""
    with repository.engine.connect() as conn:
        return list(
            conn.execute(
                select(runs.c.id).where(runs.c.finished_at.is_not(None)).order_by(runs.c.id)
            ).scalars()
        )

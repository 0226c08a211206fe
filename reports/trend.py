"""The compliance rate over the last runs, from per-run aggregates (one SQL query, whatever the run sizes)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sdg_tags.reports.figures import verdict_summary
from sdg_tags.reports.pages import normalize_country_filter, page_country, same_country, same_provider
from sdg_tags.repository.queries import VerdictGroup, verdict_groups
from sdg_tags.repository.records import RunInfo
from sdg_tags.repository.store import Repository
from sdg_tags.repository.timestamps import iso_utc

TREND_RUNS = 12


def trend_runs(repository: Repository, run_id: int, runs: int = TREND_RUNS) -> list[RunInfo]:
    """The last `runs` finished runs up to `run_id`, and `run_id` itself even if unfinished, oldest first."""
    chosen = [
        info
        for info in repository.runs()
        if info.id <= run_id and (info.finished_at is not None or info.id == run_id)
    ]
    return chosen[-runs:]


def trend_groups(repository: Repository, runs: list[RunInfo]) -> list[VerdictGroup]:
    """Page counts per run and group, read once for the report and every per-provider report."""
    return verdict_groups(repository, [info.id for info in runs])


def compliance_trend(
    runs: list[RunInfo],
    groups: list[VerdictGroup],
    *,
    country: str | None = None,
    provider: str | None = None,
) -> list[dict[str, Any]]:
    """Verdict counts and compliance rate per run, for the pages of one country and/or provider (or all)."""
    wanted_country = normalize_country_filter(country) if country else None
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group in groups:
        if provider is not None and not same_provider(group.provider, provider):
            continue
        if wanted_country is not None and not same_country(
            page_country(group.registry_country, group.tag_country), wanted_country
        ):
            continue
        counts[group.run_id][group.verdict] += group.pages
    trend = []
    for info in runs:
        summary = verdict_summary(counts.get(info.id, {}))
        trend.append(
            {
                "run_id": info.id,
                "started_at": iso_utc(info.started_at),
                "finished_at": iso_utc(info.finished_at),
                **summary,
            }
        )
    return trend

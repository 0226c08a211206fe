"""The compliance rate over the last runs, from per-run aggregates (one SQL query, whatever the run sizes)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reports.figures import verdict_summary
from reports.pages import normalize_country_filter, page_country, same_country, same_provider
from repository.queries import verdict_groups
from repository.store import Repository
from repository.timestamps import iso_utc

TREND_RUNS = 12


def compliance_trend(
    repository: Repository,
    run_id: int,
    *,
    country: str | None = None,
    provider: str | None = None,
    runs: int = TREND_RUNS,
) -> list[dict[str, Any]]:
    """Verdict counts and compliance rate of the last `runs` finished runs up to `run_id` (itself included)."""
    known = {info.id: info for info in repository.runs()}
    chosen = [
        run
        for run, info in known.items()
        if run <= run_id and (info.finished_at is not None or run == run_id)
    ]
    chosen = sorted(chosen)[-runs:]
    wanted_country = normalize_country_filter(country) if country else None
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group in verdict_groups(repository, chosen):
        if provider is not None and not same_provider(group.provider, provider):
            continue
        if wanted_country is not None and not same_country(
            page_country(group.registry_country, group.tag_country), wanted_country
        ):
            continue
        counts[group.run_id][group.verdict] += group.pages
    trend = []
    for run in chosen:
        info = known[run]
        summary = verdict_summary(counts.get(run, {}))
        trend.append(
            {
                "run_id": run,
                "started_at": iso_utc(info.started_at),
                "finished_at": iso_utc(info.finished_at),
                **summary,
            }
        )
    return trend

"""Changes since the previous run: pages that got better or worse, new and fixed findings, new and gone pages.

Verdicts are ranked not-self-describing < non-compliant < compliant-with-warnings < compliant (starting to tag,
even imperfectly, is progress; losing the tags is a step back). A page that could not be evaluated in either
run is not ranked: it is listed as "could not be checked" (or "checked again"). Findings are compared per page,
rule and tag, only for pages evaluated in both runs, so a page that fails to load does not "fix" its findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sdg_tags.reports.pages import (
    ReportPage,
    normalize_country_filter,
    page_country,
    same_country,
    same_provider,
)
from sdg_tags.repository.queries import PageOutcome
from sdg_tags.validators.url_identity import url_identity

VERDICT_RANK: dict[str, int] = {
    "not-self-describing": 0,
    "non-compliant": 1,
    "compliant-with-warnings": 2,
    "compliant": 3,
}
MAX_LISTED_CHANGES = 5_000


def scoped_urls(
    previous: Mapping[str, PageOutcome], *, country: str | None = None, provider: str | None = None
) -> list[str]:
    """URLs of the previous run within a report's country/provider filter."""
    return [url for url, outcome in previous.items() if outcome_in_filter(outcome, country, provider)]


def urls_by_provider(previous: Mapping[str, PageOutcome]) -> dict[str | None, list[str]]:
    """URLs of the previous run per provider (one pass for every per-provider report)."""
    grouped: dict[str | None, list[str]] = {}
    for url, outcome in previous.items():
        grouped.setdefault(outcome.provider, []).append(url)
    return grouped


def outcome_in_filter(outcome: PageOutcome, country: str | None, provider: str | None) -> bool:
    if provider is not None and not same_provider(outcome.provider, provider):
        return False
    if country is not None:
        return same_country(
            page_country(outcome.registry_country, outcome.tag_country), normalize_country_filter(country)
        )
    return True


def finding_keys(page: ReportPage) -> tuple[tuple[str, str], ...]:
    """(rule, tag) of every finding, sorted: equal tuples mean unchanged findings (the common, fast case)."""
    return tuple(sorted((finding["rule"], finding.get("tag") or "") for finding in page.findings))


def compare_runs(
    pages: Sequence[ReportPage],
    previous: Mapping[str, PageOutcome],
    *,
    previous_run_id: int,
    previous_in_scope: Iterable[str] | None = None,
) -> dict[str, Any]:
    """What changed between the previous run's outcomes and this run's (filtered) pages, for report.json.

    `previous_in_scope`: the previous run's URLs within the report's filter (default: all), of which those no
    longer crawled are "gone"; `scoped_urls` computes them.
    """
    # Runs are matched on the URL identity (validators.url_identity): a registry that spells an address
    # differently this time (`/café` for `/caf%C3%A9`, another query order) does not make a page new and gone.
    by_identity = {url_identity(url) or url: url for url in previous}
    current_urls = {url_identity(page.url) or page.url for page in pages}
    better: list[dict[str, Any]] = []
    worse: list[dict[str, Any]] = []
    now_failing: list[dict[str, Any]] = []
    checked_again: list[dict[str, Any]] = []
    new_pages: list[str] = []
    new_findings: list[dict[str, Any]] = []
    fixed_findings: list[dict[str, Any]] = []
    new_by_rule: Counter[str] = Counter()
    fixed_by_rule: Counter[str] = Counter()
    for page in pages:
        before = previous.get(page.url)
        if before is None:
            earlier = by_identity.get(url_identity(page.url) or page.url)
            before = previous[earlier] if earlier is not None else None
        if before is None:
            new_pages.append(page.url)
            continue
        change = {"url": page.url, "before": before.verdict, "after": page.verdict}
        if before.verdict == "not-evaluated" or page.verdict == "not-evaluated":
            if before.verdict != "not-evaluated":
                now_failing.append(change | {"fetch_status": page.fetch_status})
            elif page.verdict != "not-evaluated":
                checked_again.append(change)
            continue
        if VERDICT_RANK[page.verdict] > VERDICT_RANK[before.verdict]:
            better.append(change)
        elif VERDICT_RANK[page.verdict] < VERDICT_RANK[before.verdict]:
            worse.append(change)
        now_keys = finding_keys(page)
        if now_keys == before.findings:
            continue
        now, then = Counter(now_keys), Counter(before.findings)
        for (rule, tag), count in (now - then).items():
            new_findings.append({"url": page.url, "rule": rule, "tag": tag or None, "count": count})
            new_by_rule[rule] += count
        for (rule, tag), count in (then - now).items():
            fixed_findings.append({"url": page.url, "rule": rule, "tag": tag or None, "count": count})
            fixed_by_rule[rule] += count
    gone_pages = sorted(
        url
        for url in (previous if previous_in_scope is None else previous_in_scope)
        if (url_identity(url) or url) not in current_urls
    )
    rules = sorted(set(new_by_rule) | set(fixed_by_rule))
    return {
        "previous_run": previous_run_id,
        "better": len(better),
        "worse": len(worse),
        "unchanged": len(pages)
        - len(new_pages)
        - len(better)
        - len(worse)
        - len(now_failing)
        - len(checked_again),
        "now_not_evaluated": len(now_failing),
        "evaluated_again": len(checked_again),
        "new_pages": len(new_pages),
        "gone_pages": len(gone_pages),
        "new_findings": sum(new_by_rule.values()),
        "fixed_findings": sum(fixed_by_rule.values()),
        "by_rule": [
            {"rule": rule, "new": new_by_rule.get(rule, 0), "fixed": fixed_by_rule.get(rule, 0)}
            for rule in rules
        ],
        "better_pages": better[:MAX_LISTED_CHANGES],
        "worse_pages": worse[:MAX_LISTED_CHANGES],
        "now_not_evaluated_pages": now_failing[:MAX_LISTED_CHANGES],
        "evaluated_again_pages": checked_again[:MAX_LISTED_CHANGES],
        "new_page_urls": new_pages[:MAX_LISTED_CHANGES],
        "gone_page_urls": gone_pages[:MAX_LISTED_CHANGES],
        "new_finding_list": new_findings[:MAX_LISTED_CHANGES],
        "fixed_finding_list": fixed_findings[:MAX_LISTED_CHANGES],
    }

"""Compliance figures of a set of pages: headline, per country, provider, rule, area and page type.

Compliance rate = (compliant + compliant-with-warnings) / (compliant + compliant-with-warnings + non-compliant).
Pages that could not be evaluated (`not-evaluated`) and pages without SDG tags (`not-self-describing`) are left
out of the denominator and counted separately: SPEC §6.1 never counts either as non-compliant (an untagged page
may be notified by upload, manual entry or web service instead).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sdg_tags.reports.pages import ASSISTANCE_AREA, UNKNOWN, ReportPage
from sdg_tags.taxonomy import annex1_areas, annex2_life_events
from sdg_tags.validators.models import FETCH_STATUSES, PAGE_TYPES, SEVERITIES, VERDICTS
from sdg_tags.validators.rules import RULES

COMPLIANT_VERDICTS: frozenset[str] = frozenset({"compliant", "compliant-with-warnings"})
RATED_VERDICTS: frozenset[str] = frozenset({"compliant", "compliant-with-warnings", "non-compliant"})
COMPLIANCE_RATE_DEFINITION = (
    "Compliance rate = (compliant + compliant-with-warnings) / (compliant + compliant-with-warnings + "
    "non-compliant). Pages that could not be checked (not-evaluated) and pages without SDG tags "
    "(not-self-describing) are not in the denominator and are shown separately: they are never counted as "
    "non-compliant (SPEC §6.1), since an untagged page may be notified by upload, manual entry or web service."
)
VERDICT_LABELS: dict[str, str] = {
    "compliant": "Compliant",
    "compliant-with-warnings": "Compliant with warnings",
    "non-compliant": "Non-compliant",
    "not-self-describing": "No SDG tags",
    "not-evaluated": "Not evaluated",
}
# What a coordinator should read into each fetch status of a page that could not be checked (SPEC §7.3).
FETCH_STATUS_REASONS: dict[str, str] = {
    "http-4xx": "The server answered with a client error (404 Not Found, 410 Gone, 403 Forbidden, ...)",
    "http-5xx": "The server answered with a server error",
    "dns-error": "The host name does not resolve",
    "connection-refused": "The server refused or broke off the connection",
    "timeout": "No complete response within the time limit",
    "tls-error": "The TLS (HTTPS) handshake failed",
    "too-many-redirects": "The redirect chain was longer than the limit",
    "redirected-off-site": "The address redirects outside the registered host or folder",
    "robots-disallowed": "robots.txt forbids the crawler to fetch the page",
    "not-html": "The response is not an HTML page",
    "too-large": "The response was larger than the size limit",
    "decode-error": "The body could not be decoded or decompressed",
    "out-of-scope": "The address is outside the registered scope",
    "invalid-url": "The registry row's address cannot be fetched (malformed, not http(s), or with a password)",
}
MAX_LISTED_FAILURES = 10_000


def rate(numerator: int, denominator: int) -> float | None:
    """A share rounded to 4 decimals, or None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def verdict_counts(pages: Iterable[ReportPage]) -> dict[str, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for page in pages:
        counts[page.verdict] = counts.get(page.verdict, 0) + 1
    return counts


def compliance_rate(counts: Mapping[str, int]) -> float | None:
    """Compliance rate of verdict counts (see the module docstring for the denominator)."""
    compliant = sum(counts.get(verdict, 0) for verdict in COMPLIANT_VERDICTS)
    rated = sum(counts.get(verdict, 0) for verdict in RATED_VERDICTS)
    return rate(compliant, rated)


def verdict_summary(counts: Mapping[str, int]) -> dict[str, Any]:
    """Pages, counts and shares per verdict, and the compliance rate with its denominator."""
    pages = sum(counts.values())
    return {
        "pages": pages,
        "verdicts": {verdict: counts.get(verdict, 0) for verdict in VERDICTS},
        "shares": {verdict: rate(counts.get(verdict, 0), pages) for verdict in VERDICTS},
        "rated_pages": sum(counts.get(verdict, 0) for verdict in RATED_VERDICTS),
        "compliance_rate": compliance_rate(counts),
    }


def headline(pages: Sequence[ReportPage]) -> dict[str, Any]:
    """The headline figures: verdicts, compliance rate, evaluated and tagged pages, findings per severity."""
    counts = verdict_counts(pages)
    findings = dict.fromkeys(SEVERITIES, 0)
    for page in pages:
        findings["error"] += page.errors
        findings["warning"] += page.warnings
        findings["info"] += page.infos
    summary = verdict_summary(counts)
    summary["evaluated_pages"] = summary["pages"] - counts["not-evaluated"]
    summary["self_describing_pages"] = summary["rated_pages"]
    summary["findings"] = findings
    return summary


def grouped(
    pages: Iterable[ReportPage], keys: Callable[[ReportPage], Iterable[str]]
) -> dict[str, list[ReportPage]]:
    groups: dict[str, list[ReportPage]] = defaultdict(list)
    for page in pages:
        for key in keys(page):
            groups[key].append(page)
    return groups


def group_rows(groups: Mapping[str, Sequence[ReportPage]], key_name: str) -> list[dict[str, Any]]:
    rows = []
    for key, members in groups.items():
        summary = verdict_summary(verdict_counts(members))
        summary["findings"] = sum(len(page.findings) for page in members)
        rows.append({key_name: key, **summary})
    return rows


def by_country(pages: Sequence[ReportPage]) -> list[dict[str, Any]]:
    """Verdicts per country, by country code (unknown last)."""
    rows = group_rows(grouped(pages, lambda page: [page.country or UNKNOWN]), "country")
    return sorted(rows, key=lambda row: (row["country"] == UNKNOWN, row["country"]))


def provider_ranking(pages: Sequence[ReportPage]) -> list[dict[str, Any]]:
    """Providers ranked by compliance rate (best first; providers with no rated page last), then pages."""
    groups = grouped(pages, lambda page: [page.provider or UNKNOWN])
    rows = group_rows(groups, "provider")
    for row in rows:
        members = groups[row["provider"]]
        rules = Counter(rule for page in members for rule in page.rule_ids)
        row["countries"] = sorted({page.country for page in members if page.country})
        row["errors"] = sum(page.errors for page in members)
        row["top_rules"] = [{"rule": rule, "pages": count} for rule, count in rules.most_common(3)]
    rows.sort(
        key=lambda row: (
            row["compliance_rate"] is None,
            -(row["compliance_rate"] or 0.0),
            -row["pages"],
            row["provider"],
        )
    )
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def by_rule(pages: Sequence[ReportPage]) -> list[dict[str, Any]]:
    """Findings and affected pages per rule, most pages first."""
    findings: Counter[str] = Counter()
    affected: Counter[str] = Counter()
    severity: dict[str, str] = {}
    for page in pages:
        for finding in page.findings:
            findings[finding["rule"]] += 1
            severity.setdefault(finding["rule"], finding["severity"])
        for rule in page.rule_ids:
            affected[rule] += 1
    rows = []
    for rule, count in findings.items():
        spec = RULES.get(rule)
        rows.append(
            {
                "rule": rule,
                "severity": severity[rule],
                "group": spec.group if spec else None,
                "findings": count,
                "pages": affected[rule],
            }
        )
    return sorted(rows, key=lambda row: (-row["pages"], -row["findings"], row["rule"]))


@cache
def area_titles() -> dict[str, str]:
    """Annex I areas (A-Q), Annex II life events (R-X) and the assistance pseudo-area, with their titles."""
    titles = {area: f"Annex I: {title}" for area, title in annex1_areas().items()}
    titles.update({event: f"Annex II: {title}" for event, title in annex2_life_events().items()})
    titles[ASSISTANCE_AREA] = "Assistance services (Annex III / Art 7)"
    return titles


def by_area(pages: Sequence[ReportPage]) -> list[dict[str, Any]]:
    """Verdicts and findings of tagged pages per Annex I/II area named in `policy-code` (a page counts in each)."""
    titles = area_titles()
    order = {area: index for index, area in enumerate(titles)}
    rows = group_rows(grouped(pages, lambda page: page.areas), "area")
    for row in rows:
        row["title"] = titles.get(row["area"], "Unknown area")
    return sorted(rows, key=lambda row: (order.get(row["area"], len(order)), row["area"]))


def page_type_label(page: ReportPage) -> str:
    return ";".join(page.page_types) if page.page_types else "(none)"


def by_page_type(pages: Sequence[ReportPage]) -> list[dict[str, Any]]:
    """Verdicts per combination of page types of tagged pages (`information;procedure` is its own row)."""
    tagged = [page for page in pages if page.evaluated and page.verdict != "not-self-describing"]
    rows = group_rows(grouped(tagged, lambda page: [page_type_label(page)]), "page_type")

    def order(row: dict[str, Any]) -> tuple[int, str]:
        parts = row["page_type"].split(";")
        if parts == ["(none)"]:
            return (99, "")
        return (
            len(parts),
            ";".join(str(PAGE_TYPES.index(part)) if part in PAGE_TYPES else part for part in parts),
        )

    return sorted(rows, key=order)


def could_not_check(pages: Sequence[ReportPage]) -> dict[str, Any]:
    """Pages that were not evaluated: counts per fetch status with the reason, and the pages themselves."""
    failed = [page for page in pages if not page.evaluated]
    counts = Counter(page.fetch_status for page in failed)
    statuses = [
        {"fetch_status": status, "pages": counts[status], "reason": FETCH_STATUS_REASONS.get(status, "")}
        for status in FETCH_STATUSES
        if counts.get(status)
    ]
    statuses += [
        {"fetch_status": status, "pages": count, "reason": ""}
        for status, count in sorted(counts.items())
        if status not in FETCH_STATUSES
    ]
    return {
        "pages": len(failed),
        "by_fetch_status": statuses,
        "listed": min(len(failed), MAX_LISTED_FAILURES),
        "list": [
            {
                "url": page.url,
                "fetch_status": page.fetch_status,
                "http_status": page.http_status,
                "status_detail": page.status_detail,
                "provider": page.provider,
                "country": page.country,
            }
            for page in failed[:MAX_LISTED_FAILURES]
        ],
    }

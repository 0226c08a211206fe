"""The coordinator's compliance report: `index.html`, `pages.csv`, `findings.csv` and `report.json` for a run.

`write_report` reads the run once into memory (compact pages), computes every figure in Python, and writes the
files; `--by-provider` adds one report folder per provider (`providers/<slug>/`) that a coordinator can send to
that authority. The figures are the same in report.json and in the HTML, so tests assert the JSON.
"""

from __future__ import annotations

import gc
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sdg_tags.reports import charts
from sdg_tags.reports.changes import (
    MAX_LISTED_CHANGES,
    compare_runs,
    outcome_in_filter,
    scoped_urls,
    urls_by_provider,
)
from sdg_tags.reports.csv_tables import write_findings_csv, write_pages_csv
from sdg_tags.reports.figures import (
    COMPLIANCE_RATE_DEFINITION,
    VERDICT_LABELS,
    area_titles,
    by_area,
    by_country,
    by_page_type,
    by_rule,
    could_not_check,
    headline,
    provider_ranking,
)
from sdg_tags.reports.html import render, write_text_atomically
from sdg_tags.reports.pages import UNKNOWN, ReportPage, load_report_pages
from sdg_tags.reports.trend import compliance_trend, trend_groups, trend_runs
from sdg_tags.repository.queries import PageOutcome, page_outcomes
from sdg_tags.repository.records import RunInfo
from sdg_tags.repository.store import Repository
from sdg_tags.repository.timestamps import iso_utc, utc_now
from sdg_tags.validators.models import VERDICTS
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.rules.table import GROUPS

from sdg_tags.version import package_version

CHART_ROWS = 25  # bars per chart; the data tables and report.json have every row
TAG_TEXT_LIMIT = 120  # characters of a tag value shown in the page table (pages.csv has them whole)
MAX_LISTED_HTML = 500  # rows of the change and failure lists written into the HTML
SHORT_TAG_NAMES: dict[str, str] = {"html-lang": "lang"}


@dataclass
class ReportOutputs:
    """Where a report was written and what it said (report.json as a dict)."""

    out_dir: Path
    files: dict[str, Path]
    summary: dict[str, Any]
    provider_reports: dict[str, Path] = field(default_factory=dict)  # provider -> its index.html


class ReportError(Exception):
    """The report cannot be made (no run, unknown run, bad output folder). One line, for people."""


def resolve_run(repository: Repository, run_id: int | None) -> RunInfo:
    """The requested run, or the newest finished one (else the newest at all); ReportError when none."""
    runs = repository.runs()
    if not runs:
        raise ReportError(f"repository {repository.display_url} has no runs yet; run 'sdg-tags crawl' first")
    if run_id is None:
        finished = [run for run in runs if run.finished_at is not None]
        return (finished or runs)[-1]
    for run in runs:
        if run.id == run_id:
            return run
    listed = ", ".join(str(run.id) for run in runs[-20:])
    raise ReportError(f"run {run_id} is not in the repository (runs: {listed})")


def previous_run(repository: Repository, run: RunInfo) -> RunInfo | None:
    """The newest finished run before `run` (the one a coordinator compares with)."""
    earlier = [other for other in repository.runs() if other.id < run.id and other.finished_at is not None]
    return earlier[-1] if earlier else None


def slug(text: str) -> str:
    """A file-system-safe folder name for a provider (ASCII letters, digits and dashes)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:60] or "provider"


def filter_link(table: str, **values: str) -> str:
    """An in-report link that filters a table: `#pages:country=BE`."""
    return f"#{table}:" + "&".join(f"{key}={quote(value, safe='')}" for key, value in values.items())


def run_summary(run: RunInfo) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": iso_utc(run.started_at),
        "finished_at": iso_utc(run.finished_at),
        "profile": run.profile,
        "code_lists": run.code_lists,
    }


def build_summary(
    pages: Sequence[ReportPage],
    *,
    run: RunInfo,
    filters: dict[str, str],
    previous: RunInfo | None,
    previous_outcomes: dict[str, PageOutcome] | None,
    previous_in_scope: list[str] | None = None,
    trend: list[dict[str, Any]],
) -> dict[str, Any]:
    """Everything report.json holds for a set of pages."""
    changes = None
    if previous is not None and previous_outcomes is not None:
        changes = compare_runs(
            pages,
            previous_outcomes,
            previous_run_id=previous.id,
            previous_in_scope=previous_in_scope,
        )
    return {
        "report": {
            "generated_at": iso_utc(utc_now()),
            "tool_version": package_version(),
            "run": run_summary(run),
            "filters": filters,
            "previous_run": previous.id if previous is not None else None,
        },
        "definitions": {"compliance_rate": COMPLIANCE_RATE_DEFINITION},
        "headline": headline(pages),
        "by_country": by_country(pages),
        "by_provider": provider_ranking(pages),
        "by_rule": by_rule(pages),
        "by_area": by_area(pages),
        "by_page_type": by_page_type(pages),
        "could_not_check": could_not_check(pages),
        "trend": trend,
        "changes": changes,
    }


def rate_note(row: dict[str, Any]) -> str:
    return f"{charts.percent(row['compliance_rate'])} compliant"


def report_charts(summary: dict[str, Any]) -> list[Any]:
    """The report's SVG charts, in reading order."""
    labels = VERDICT_LABELS
    country_rows = [
        charts.StackedRow(
            row["country"], row["verdicts"], rate_note(row), filter_link("pages", country=row["country"])
        )
        for row in summary["by_country"]
    ]
    biggest = sorted(summary["by_provider"], key=lambda row: (-row["pages"], row["provider"]))[:CHART_ROWS]
    biggest.sort(key=lambda row: row["rank"])
    provider_rows = [
        charts.StackedRow(
            row["provider"], row["verdicts"], rate_note(row), filter_link("pages", provider=row["provider"])
        )
        for row in biggest
    ]
    rule_rows = [
        charts.BarRow(
            row["rule"],
            row["pages"],
            charts.SEVERITY_COLOURS.get(row["severity"], "#6e7781"),
            filter_link("pages", rule=row["rule"]),
        )
        for row in summary["by_rule"][:CHART_ROWS]
    ]
    area_rows = [
        charts.StackedRow(
            f"{row['area']}: {row['title']}",
            row["verdicts"],
            f"{row['findings']} findings",
            filter_link("pages", area=area_label(row["area"])),
        )
        for row in summary["by_area"]
    ]
    type_rows = [
        charts.StackedRow(row["page_type"], row["verdicts"], rate_note(row), None)
        for row in summary["by_page_type"]
    ]
    trend_points = [(f"run {row['run_id']}", row["compliance_rate"]) for row in summary["trend"]]
    more = len(summary["by_provider"]) - len(provider_rows)
    return [
        charts.stacked_bars(
            "chart-country", "Compliance by country", country_rows, categories=VERDICTS, labels=labels
        ),
        charts.stacked_bars(
            "chart-provider",
            "Compliance by provider"
            + (f" (the {len(provider_rows)} largest; {more} more in the table)" if more > 0 else ""),
            provider_rows,
            categories=VERDICTS,
            labels=labels,
        ),
        charts.bars("chart-rule", "Findings by rule (pages affected)", rule_rows, unit="pages"),
        charts.stacked_bars(
            "chart-area",
            "Pages by Annex I/II area named in policy-code",
            area_rows,
            categories=VERDICTS,
            labels=labels,
            description="A page counts in every area its policy-code names; assistance pages form their own row.",
        ),
        charts.stacked_bars(
            "chart-page-type", "Tagged pages by page type", type_rows, categories=VERDICTS, labels=labels
        ),
        charts.line("chart-trend", "Compliance rate over the last runs", trend_points),
    ]


def area_label(area: str) -> str:
    return f"{area}: {area_titles().get(area, 'Unknown area')}"


def tag_text(page: ReportPage) -> str:
    parts = []
    for name, raw in page.tags.items():
        value = "" if raw is None else raw
        if len(value) > TAG_TEXT_LIMIT:
            value = value[: TAG_TEXT_LIMIT - 1] + "…"
        parts.append(f"{SHORT_TAG_NAMES.get(name, name)}={value}")
    return " · ".join(parts)


def coded(dictionary: dict[str, int], value: str) -> int:
    """The index of `value` in a column dictionary, adding it if new (rows carry indices, not strings)."""
    return dictionary.setdefault(value, len(dictionary))


def coded_list(
    dictionary: dict[str, int], cache: dict[tuple[str, ...], list[int]], values: tuple[str, ...]
) -> list[int]:
    """Indices of several values; pages share few distinct combinations, so each is computed once."""
    found = cache.get(values)
    if found is None:
        found = cache[values] = [coded(dictionary, value) for value in values]
    return found


def short_value(value: str | None) -> str | None:
    if value is None or len(value) <= TAG_TEXT_LIMIT:
        return value
    return value[: TAG_TEXT_LIMIT - 1] + "…"


def page_table(pages: Sequence[ReportPage]) -> dict[str, Any]:
    """The page table's specification and rows for table.js."""
    names = ("verdict", "country", "provider", "type", "area", "rule", "status")
    dicts: dict[str, dict[str, int]] = {name: {} for name in names}
    for verdict in VERDICTS:
        coded(dicts["verdict"], verdict)
    verdicts, countries, providers, statuses = (
        dicts["verdict"],
        dicts["country"],
        dicts["provider"],
        dicts["status"],
    )
    type_lists: dict[tuple[str, ...], list[int]] = {}
    area_lists: dict[tuple[str, ...], list[int]] = {}
    rule_lists: dict[tuple[str, ...], list[int]] = {}
    labels = {area: area_label(area) for area in area_titles()}
    rows = []
    for page in pages:
        details = None
        if page.findings or page.status_detail:
            details = [
                page.status_detail,
                [[finding["rule"], short_value(finding.get("value"))] for finding in page.findings],
            ]
        rows.append(
            [
                page.url,
                page.title,
                coded(verdicts, page.verdict),
                coded(countries, page.country or UNKNOWN),
                coded(providers, page.provider or UNKNOWN),
                coded_list(dicts["type"], type_lists, page.page_types),
                coded_list(
                    dicts["area"],
                    area_lists,
                    tuple(labels.get(area) or area_label(area) for area in page.areas),
                ),
                tag_text(page),
                coded_list(dicts["rule"], rule_lists, page.rule_ids),
                page.errors,
                page.warnings,
                coded(statuses, page.fetch_status),
                details,
            ]
        )
    return {
        "id": "pages",
        "columns": [
            {"key": "url", "label": "Page", "kind": "url", "titleKey": "title"},
            {"key": "title", "label": "Title", "hidden": True},
            {"key": "verdict", "label": "Verdict", "kind": "verdict", "dict": "verdict"},
            {"key": "country", "label": "Country", "dict": "country"},
            {"key": "provider", "label": "Provider", "dict": "provider"},
            {"key": "type", "label": "Service types", "dict": "type"},
            {"key": "area", "label": "Areas", "dict": "area", "hidden": True},
            {"key": "tags", "label": "Tags", "kind": "mono"},
            {"key": "rule", "label": "Findings", "kind": "rules", "dict": "rule", "sortable": False},
            {"key": "errors", "label": "Errors", "numeric": True},
            {"key": "warnings", "label": "Warnings", "numeric": True},
            {"key": "status", "label": "Fetch status", "dict": "status"},
            {"key": "details", "label": "", "kind": "details", "sortable": False},
        ],
        "filters": [
            {"key": "country", "label": "Country"},
            {"key": "provider", "label": "Provider"},
            {"key": "verdict", "label": "Verdict"},
            {"key": "rule", "label": "Rule"},
            {"key": "area", "label": "Annex area"},
            {"key": "type", "label": "Service type"},
            {"key": "status", "label": "Fetch status"},
        ],
        "searchKeys": ["url", "title", "tags"],
        "searchLabel": "Search (URL, title, tags)",
        "detailKey": "details",
        "dicts": {name: list(dictionary) for name, dictionary in dicts.items()},
        "rows": rows,
        "pageSize": 50,
    }


def glossary(rule_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The rules a report mentions, in rule-table order (unknown ids, e.g. from a newer version, last)."""
    wanted = set(rule_ids)
    rows = []
    for rule in RULES.values():
        if rule.id in wanted:
            rows.append(
                {
                    "id": rule.id,
                    "severity": rule.severity,
                    "group": f"{rule.group}. {GROUPS[rule.group]}",
                    "triggers": rule.triggers,
                    "reference": rule.reference,
                    "hint": rule.hint,
                    # A report is a file read offline: it carries the rule's examples, not a link.
                    "fail_example": rule.fail_example,
                    "pass_example": rule.pass_example,
                }
            )
    for rule_id in sorted(wanted - set(RULES)):
        rows.append(
            {
                "id": rule_id,
                "severity": "info",
                "group": "Unknown",
                "triggers": "This rule id is not in this version's rule table.",
                "reference": "",
                "hint": "",
                "fail_example": "",
                "pass_example": "",
            }
        )
    return rows


def rules_for_script(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        entry["id"]: {"severity": entry["severity"], "triggers": entry["triggers"], "hint": entry["hint"]}
        for entry in entries
    }


def write_scope(
    out_dir: Path,
    pages: Sequence[ReportPage],
    summary: dict[str, Any],
    *,
    title: str,
    provider_paths: dict[str, str] | None = None,
    back_link: str | None = None,
) -> dict[str, Path]:
    """Write index.html, pages.csv, findings.csv and report.json of one set of pages into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "index.html": out_dir / "index.html",
        "pages.csv": out_dir / "pages.csv",
        "findings.csv": out_dir / "findings.csv",
        "report.json": out_dir / "report.json",
    }
    write_pages_csv(files["pages.csv"], pages)
    write_findings_csv(files["findings.csv"], pages)
    write_text_atomically(files["report.json"], json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    rule_ids = [row["rule"] for row in summary["by_rule"]]
    if summary["changes"]:
        rule_ids += [row["rule"] for row in summary["changes"]["by_rule"]]
    entries = glossary(list(dict.fromkeys(rule_ids)))
    providers = [
        dict(row, report_path=(provider_paths or {}).get(row["provider"])) for row in summary["by_provider"]
    ]
    context = {
        "title": title,
        "tool_version": summary["report"]["tool_version"],
        "generated_at": summary["report"]["generated_at"],
        "run": summary["report"]["run"],
        "filters": summary["report"]["filters"],
        "back_link": back_link,
        "headline": summary["headline"],
        "definition": COMPLIANCE_RATE_DEFINITION,
        "verdicts": VERDICTS,
        "verdict_labels": VERDICT_LABELS,
        "charts": report_charts(summary),
        "providers": providers,
        "changes": summary["changes"],
        "could_not_check": summary["could_not_check"],
        "max_listed": min(MAX_LISTED_HTML, MAX_LISTED_CHANGES),
        "glossary": entries,
    }
    script_data = {"tables": [page_table(pages)], "rules": rules_for_script(entries)}
    write_text_atomically(files["index.html"], render("report.html", context, script_data=script_data))
    return files


def report_title(filters: dict[str, str]) -> str:
    scope = ", ".join(filters.values())
    return "SDG tags compliance report" + (f": {scope}" if scope else "")


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a report allocates millions of small dicts and lists that live until
    it is written, and the collector re-scanning them doubled the time of a 100k-page report. Nothing a report
    builds holds reference cycles, so reference counting frees it all afterwards anyway."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_report(
    repository: Repository,
    out_dir: Path,
    *,
    run_id: int | None = None,
    country: str | None = None,
    provider: str | None = None,
    by_provider: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ReportOutputs:
    """Write the compliance report of a run (default: the newest finished) into `out_dir`. `progress` is told
    each phase as it starts (a line for the operator; called a handful of times, never per page)."""
    with collection_paused():
        return _write_report(
            repository,
            out_dir,
            run_id=run_id,
            country=country,
            provider=provider,
            by_provider=by_provider,
            progress=progress or (lambda phase: None),
        )


def _write_report(
    repository: Repository,
    out_dir: Path,
    *,
    run_id: int | None,
    country: str | None,
    provider: str | None,
    by_provider: bool,
    progress: Callable[[str], None],
) -> ReportOutputs:
    run = resolve_run(repository, run_id)
    filters = {key: value for key, value in (("country", country), ("provider", provider)) if value}
    progress(f"reading the pages of run {run.id}")
    pages = load_report_pages(
        repository,
        run.id,
        country=country,
        provider=provider,
        progress=lambda count: progress(f"reading the pages of run {run.id}: {count:,} read"),
    )
    previous = previous_run(repository, run)
    if previous is not None:
        progress(f"{len(pages):,} pages read; reading run {previous.id} to compare")
    outcomes = page_outcomes(repository, previous.id) if previous is not None else None
    progress(f"{len(pages):,} pages read; the compliance trend")
    runs_in_trend = trend_runs(repository, run.id)
    groups = trend_groups(repository, runs_in_trend)
    trend = compliance_trend(runs_in_trend, groups, country=country, provider=provider)
    summary = build_summary(
        pages,
        run=run,
        filters=filters,
        previous=previous,
        previous_outcomes=outcomes,
        previous_in_scope=scoped_urls(outcomes, country=country, provider=provider) if outcomes else None,
        trend=trend,
    )
    provider_reports: dict[str, Path] = {}
    provider_paths: dict[str, str] = {}
    if by_provider:
        provider_pages: dict[str, list[ReportPage]] = {}
        for page in pages:
            provider_pages.setdefault(page.provider or UNKNOWN, []).append(page)
        used: set[str] = set()
        listing = []
        previous_by_provider = urls_by_provider(outcomes) if outcomes else {}
        for number_done, name in enumerate(sorted(provider_pages)):
            progress(f"provider reports {number_done:,}/{len(provider_pages):,}")
            folder = slug(name)
            candidate, number = folder, 2
            while candidate in used:
                candidate, number = f"{folder}-{number}", number + 1
            used.add(candidate)
            provider_filters = dict(filters, provider=name)
            provider_summary = build_summary(
                provider_pages[name],
                run=run,
                filters=provider_filters,
                previous=previous,
                previous_outcomes=outcomes,
                previous_in_scope=[
                    url
                    for provider_name, urls in previous_by_provider.items()
                    if (provider_name or UNKNOWN).strip().casefold() == name.casefold()
                    for url in urls
                    if country is None or outcome_in_filter(outcomes[url], country, None)
                ]
                if outcomes
                else None,
                trend=compliance_trend(runs_in_trend, groups, country=country, provider=name)
                if name != UNKNOWN
                else [],
            )
            provider_dir = out_dir / "providers" / candidate
            write_scope(
                provider_dir,
                provider_pages[name],
                provider_summary,
                title=report_title(provider_filters),
                back_link="../../index.html",
            )
            provider_reports[name] = provider_dir / "index.html"
            provider_paths[name] = f"providers/{candidate}/index.html"
            listing.append({"provider": name, "path": provider_paths[name]})
        summary["provider_reports"] = listing
    progress(f"writing the report of {len(pages):,} pages")
    files = write_scope(out_dir, pages, summary, title=report_title(filters), provider_paths=provider_paths)
    return ReportOutputs(out_dir=out_dir, files=files, summary=summary, provider_reports=provider_reports)

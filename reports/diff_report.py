"""`sdg-tags diff` outputs: `diff.html` (same style and safety as the report), `diff.csv` and `diff.json`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdg_tags.reports import charts
from sdg_tags.reports.compliance import (
    coded,
    collection_paused,
    filter_link,
    glossary,
    previous_run,
    resolve_run,
    rules_for_script,
    run_summary,
)
from sdg_tags.reports.csv_tables import write_csv
from sdg_tags.reports.html import render, write_text_atomically
from sdg_tags.reports.pages import load_report_pages
from sdg_tags.reports.registry_diff import DIFF_COLUMNS, NOTE, DiffRow, RegistryDiff, diff_summary
from sdg_tags.repository.queries import page_outcomes
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.repository.store import Repository
from sdg_tags.repository.timestamps import iso_utc, utc_now
from sdg_tags.validators.rules import RULES

from sdg_tags.version import package_version

SHORT_TEXT = 160


@dataclass
class DiffOutputs:
    """Where the diff was written and what it found (diff.json as a dict)."""

    out_dir: Path
    files: dict[str, Path]
    summary: dict[str, Any]
    rows: list[DiffRow]


def clip(value: str | None) -> str | None:
    if value is None or len(value) <= SHORT_TEXT:
        return value
    return value[: SHORT_TEXT - 1] + "…"


def diff_table(rows: Sequence[DiffRow]) -> dict[str, Any]:
    """The diff table's specification and rows for table.js."""
    names = ("rule", "severity", "kind", "field", "provider", "country")
    dicts: dict[str, dict[str, int]] = {name: {} for name in names}
    data = []
    for row in rows:
        data.append(
            [
                coded(dicts["rule"], row.rule) if row.rule else None,
                coded(dicts["severity"], row.severity),
                coded(dicts["kind"], row.kind),
                row.registry_url,
                row.page_url,
                coded(dicts["field"], row.field) if row.field else None,
                clip(row.registry_value),
                clip(row.crawled_value),
                row.message,
                coded(dicts["provider"], row.provider or "(unknown)"),
                coded(dicts["country"], row.country or "(unknown)"),
            ]
        )
    return {
        "id": "diff",
        "columns": [
            {"key": "rule", "label": "Rule", "kind": "rule", "dict": "rule"},
            {"key": "severity", "label": "Severity", "dict": "severity"},
            {"key": "kind", "label": "Kind", "dict": "kind"},
            {"key": "registry_url", "label": "Registry entry", "kind": "url"},
            {"key": "page_url", "label": "Crawled page", "kind": "url"},
            {"key": "field", "label": "Field", "dict": "field"},
            {"key": "registry_value", "label": "Registry value", "kind": "mono"},
            {"key": "crawled_value", "label": "Crawled value", "kind": "mono"},
            {"key": "message", "label": "What differs"},
            {"key": "provider", "label": "Provider", "dict": "provider"},
            {"key": "country", "label": "Country", "dict": "country"},
        ],
        "filters": [
            {"key": "rule", "label": "Rule"},
            {"key": "severity", "label": "Severity"},
            {"key": "kind", "label": "Kind"},
            {"key": "field", "label": "Field"},
            {"key": "provider", "label": "Provider"},
            {"key": "country", "label": "Country"},
        ],
        "searchKeys": ["registry_url", "page_url", "message", "registry_value", "crawled_value"],
        "searchLabel": "Search (addresses, values, messages)",
        "dicts": {name: list(dictionary) for name, dictionary in dicts.items()},
        "rows": data,
        "pageSize": 50,
    }


def write_diff(
    repository: Repository,
    out_dir: Path,
    *,
    entries: Sequence[RegistryEntry] | None = None,
    registry_source: str | None = None,
    run_id: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> DiffOutputs:
    """Compare registry entries (default: those stored in the repository) with a run and write the outputs.
    `progress` is told each phase as it starts (a line for the operator; a handful of calls)."""
    with collection_paused():
        return _write_diff(
            repository,
            out_dir,
            entries=entries,
            registry_source=registry_source,
            run_id=run_id,
            progress=progress or (lambda phase: None),
        )


def _write_diff(
    repository: Repository,
    out_dir: Path,
    *,
    entries: Sequence[RegistryEntry] | None,
    registry_source: str | None,
    run_id: int | None,
    progress: Callable[[str], None],
) -> DiffOutputs:
    run = resolve_run(repository, run_id)
    if entries is None:
        progress("reading the stored registry entries")
        entries = repository.registry_entries()
        registry_source = registry_source or f"entries stored in {repository.display_url}"
    previous = previous_run(repository, run)
    if previous is not None:
        progress(f"reading run {previous.id} to compare")
    outcomes = page_outcomes(repository, previous.id) if previous is not None else {}
    progress(f"reading the pages of run {run.id}")
    pages = load_report_pages(
        repository,
        run.id,
        progress=lambda count: progress(f"reading the pages of run {run.id}: {count:,} read"),
    )
    progress(f"comparing {len(entries):,} registry entries with {len(pages):,} pages")
    diff = RegistryDiff(entries, pages, previous=outcomes)
    rows = diff.run()
    progress(f"writing {len(rows):,} rows")
    summary = {
        "diff": {
            "generated_at": iso_utc(utc_now()),
            "tool_version": package_version(),
            "run": run_summary(run),
            "previous_run": previous.id if previous is not None else None,
            "registry": registry_source or "registry file",
        },
        "summary": diff_summary(diff),
        "rows": [row.as_dict() for row in rows],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "diff.html": out_dir / "diff.html",
        "diff.csv": out_dir / "diff.csv",
        "diff.json": out_dir / "diff.json",
    }
    write_csv(
        files["diff.csv"],
        DIFF_COLUMNS,
        ([getattr(row, column) for column in DIFF_COLUMNS] for row in rows),
    )
    write_text_atomically(files["diff.json"], json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    counts = Counter(row.rule for row in rows if row.rule)
    by_rule = [
        {"rule": rule, "severity": RULES[rule].severity if rule in RULES else "info", "count": counts[rule]}
        for rule in sorted(counts, key=lambda rule: (-counts[rule], rule))
    ]
    chart = charts.bars(
        "chart-diff-rules",
        "Differences by rule",
        [
            charts.BarRow(
                row["rule"],
                row["count"],
                charts.SEVERITY_COLOURS.get(row["severity"], "#6e7781"),
                filter_link("diff", rule=row["rule"]),
            )
            for row in by_rule
        ],
        unit="rows",
    )
    group_j = [rule.id for rule in RULES.values() if rule.group == "J"]
    entries_glossary = glossary(list(dict.fromkeys([*group_j, *counts])))
    context = {
        "title": "SDG registry vs crawl",
        "tool_version": summary["diff"]["tool_version"],
        "generated_at": summary["diff"]["generated_at"],
        "run": summary["diff"]["run"],
        "previous_run": summary["diff"]["previous_run"],
        "registry_source": summary["diff"]["registry"],
        "summary": summary["summary"],
        "by_rule": by_rule,
        "chart": chart if by_rule else None,
        "glossary": entries_glossary,
        "note_severity": NOTE,
    }
    script_data = {"tables": [diff_table(rows)], "rules": rules_for_script(entries_glossary)}
    write_text_atomically(files["diff.html"], render("diff.html", context, script_data=script_data))
    return DiffOutputs(out_dir=out_dir, files=files, summary=summary, rows=rows)

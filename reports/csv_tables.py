"""`pages.csv` and `findings.csv`: every page and every finding of a report, for spreadsheets and scripts.

Coordinators open these in spreadsheet programs, which run a cell starting with `=`, `+`, `-`, `@` (or a tab or
carriage return) as a formula; crawled text is untrusted, so such cells get a leading `'` (OWASP's advice).
Numbers stay numbers. UTF-8 with a BOM so that Excel detects the encoding.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from reports.pages import TAG_KEYS, ReportPage

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PAGE_COLUMNS: tuple[str, ...] = (
    "url",
    "final_url",
    "fetch_status",
    "http_status",
    "status_detail",
    "verdict",
    "country",
    "provider",
    "registry_url",
    "discovered",
    "page_types",
    "areas",
    "language",
    "title",
    "canonical_url",
    "errors",
    "warnings",
    "infos",
    "rules",
    *TAG_KEYS,
)
FINDING_COLUMNS: tuple[str, ...] = (
    "url",
    "verdict",
    "country",
    "provider",
    "rule",
    "severity",
    "tag",
    "item",
    "value",
    "normalized",
    "expected",
    "line",
    "column",
    "origin",
    "message",
    "reference",
    "hint",
    "code_list",
    "type_inferred",
)


def spreadsheet_safe(value: Any) -> str | int:
    """A CSV cell: None empty, lists joined by `;`, booleans `true`/`false`, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def page_row(page: ReportPage) -> list[str | int]:
    counts = page.severity_counts()
    values: dict[str, Any] = {
        "url": page.url,
        "final_url": page.final_url,
        "fetch_status": page.fetch_status,
        "http_status": page.http_status,
        "status_detail": page.status_detail,
        "verdict": page.verdict,
        "country": page.country,
        "provider": page.provider,
        "registry_url": page.registry_url,
        "discovered": page.discovered,
        "page_types": page.page_types,
        "areas": page.areas,
        "language": page.language,
        "title": page.title,
        "canonical_url": page.canonical_url,
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
        "rules": page.rules(),
    }
    for key in TAG_KEYS:
        values[key] = page.tags.get(key)
    return [spreadsheet_safe(values[column]) for column in PAGE_COLUMNS]


def finding_rows(page: ReportPage) -> Iterable[list[str | int]]:
    for finding in page.findings:
        yield [
            spreadsheet_safe(value)
            for value in (page.url, page.verdict, page.country, page.provider, *finding)
        ]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str | int]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as output:
        writer = csv.writer(output)
        writer.writerow(header)
        writer.writerows(rows)


def write_pages_csv(path: Path, pages: Iterable[ReportPage]) -> None:
    """One row per page (PAGE_COLUMNS)."""
    write_csv(path, PAGE_COLUMNS, (page_row(page) for page in pages))


def write_findings_csv(path: Path, pages: Iterable[ReportPage]) -> None:
    """One row per finding (FINDING_COLUMNS), pages in crawl order, findings in page order."""
    write_csv(path, FINDING_COLUMNS, (row for page in pages for row in finding_rows(page)))

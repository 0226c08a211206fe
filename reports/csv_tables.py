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

from sdg_tags.reports.pages import FINDING_KEYS, TAG_KEYS, ReportPage

FORMULA_FIRST_CHARACTERS = frozenset("=+-@\t\r")

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
FINDING_COLUMNS: tuple[str, ...] = ("url", "verdict", "country", "provider", *FINDING_KEYS)


def spreadsheet_safe(value: Any) -> str | int:
    """A CSV cell: None empty, lists joined by `;`, booleans `true`/`false`, formula-like text neutralised."""
    kind = type(value)
    if kind is str:  # the common case first: this runs for every cell of 100k-page reports
        return "'" + value if value[:1] in FORMULA_FIRST_CHARACTERS else value
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return value
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text[:1] in FORMULA_FIRST_CHARACTERS else text


def page_row(page: ReportPage) -> list[str | int]:
    tags = page.tags
    row: list[Any] = [
        page.url,
        page.final_url,
        page.fetch_status,
        page.http_status,
        page.status_detail,
        page.verdict,
        page.country,
        page.provider,
        page.registry_url,
        page.discovered,
        page.page_types,
        page.areas,
        page.language,
        page.title,
        page.canonical_url,
        page.errors,
        page.warnings,
        page.infos,
        page.rule_ids,
        *[tags.get(key) for key in TAG_KEYS],
    ]
    return safe_row(row)


def safe_row(row: list[Any]) -> list[str | int]:
    """`spreadsheet_safe` over a row, with the common case (text) inlined: it runs for millions of cells."""
    first = FORMULA_FIRST_CHARACTERS
    return [
        ("'" + value if value[:1] in first else value) if type(value) is str else spreadsheet_safe(value)
        for value in row
    ]


def finding_rows(page: ReportPage) -> Iterable[list[str | int]]:
    head = [page.url, page.verdict, page.country, page.provider]
    for finding in page.findings:
        yield safe_row(head + [finding.get(key) for key in FINDING_KEYS])


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

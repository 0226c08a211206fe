"""The one CSV writer of the tool, and `pages.csv` / `findings.csv`: every page and finding of a report.

Coordinators open CSVs in spreadsheet programs, which run a cell starting with `=`, `+`, `-`, `@` (or a tab or
carriage return) as a formula; crawled text is untrusted, so such cells get a leading `'` (OWASP's advice).
Numbers stay numbers. Every CSV the tool writes (report, diff, `results --format csv`, `export --format
registry-csv`) goes through `SpreadsheetSafeWriter`; report files are UTF-8 with a BOM so that Excel detects the
encoding.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

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
    return row


def safe_row(row: Iterable[Any]) -> list[str | int]:
    """`spreadsheet_safe` over a row, with the common case (text) inlined: it runs for millions of cells."""
    first = FORMULA_FIRST_CHARACTERS
    return [
        ("'" + value if value[:1] in first else value) if type(value) is str else spreadsheet_safe(value)
        for value in row
    ]


def finding_rows(page: ReportPage) -> Iterable[list[Any]]:
    head = [page.url, page.verdict, page.country, page.provider]
    for finding in page.findings:
        yield head + [finding.get(key) for key in FINDING_KEYS]


class SpreadsheetSafeWriter:
    """`csv.writer` whose every cell goes through `spreadsheet_safe` (None, lists, booleans, formulas)."""

    def __init__(self, output: TextIO, *, lineterminator: str = "\r\n") -> None:
        self.writer = csv.writer(output, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self.writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self.writer.writerows(safe_row(row) for row in rows)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> None:
    """A CSV file for spreadsheets: UTF-8 with BOM, the header, then the rows with every cell made safe."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as output:
        writer = SpreadsheetSafeWriter(output)
        writer.writerow(header)
        writer.writerows(rows)


def write_pages_csv(path: Path, pages: Iterable[ReportPage]) -> None:
    """One row per page (PAGE_COLUMNS)."""
    write_csv(path, PAGE_COLUMNS, (page_row(page) for page in pages))


def write_findings_csv(path: Path, pages: Iterable[ReportPage]) -> None:
    """One row per finding (FINDING_COLUMNS), pages in crawl order, findings in page order."""
    write_csv(path, FINDING_COLUMNS, (row for page in pages for row in finding_rows(page)))

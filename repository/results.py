"""The public results record of `sdg-tags results` / `Repository.iter_results` (docs/output-format.md).

One record per page and run: the page object of the `check` JSON format (`PageResult`) plus the fetch outcome and
the registry fields of the entry the page was registered as. `flat_result_row` turns it into the CSV columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sdg_tags.repository.timestamps import iso_utc
from sdg_tags.validators.models import CANONICAL_TAGS, HTML_LANG_KEY, not_evaluated_result

# Fields that precede the page object's own fields in every record, in this order.
FETCH_FIELDS: tuple[str, ...] = (
    "run_id",
    "url",
    "final_url",
    "fetch_status",
    "http_status",
    "fetched_at",
    "evaluated_at",
    "discovered",
    "registry_url",
    "provider",
    "country",
    "type",
    "categories",
)

TAG_COLUMNS: tuple[str, ...] = (*CANONICAL_TAGS, HTML_LANG_KEY)

RESULT_CSV_COLUMNS: tuple[str, ...] = (
    *FETCH_FIELDS,
    "verdict",
    "page_types",
    "page_types_inferred",
    "language",
    "canonical_url",
    "title",
    "errors",
    "warnings",
    "infos",
    "rules",
    "status_detail",
    *TAG_COLUMNS,
)


def results_record(
    *,
    run_id: int,
    url: str,
    final_url: str | None,
    fetch_status: str,
    http_status: int | None,
    status_detail: str | None,
    fetched_at: datetime,
    evaluated_at: datetime | None,
    discovered: bool,
    registry_url: str | None,
    page_result: str | None,
    profile: str,
    provider: str | None,
    country: str | None,
    types: Sequence[str] | None,
    categories: Sequence[str] | None,
) -> dict[str, Any]:
    """Assemble one JSON-ready results record from a stored observation and its registry entry (if any)."""
    if page_result is not None:
        page: dict[str, Any] = json.loads(page_result)
    else:  # not evaluated: the same shape, from the model's own defaults so the two never drift apart
        page = not_evaluated_result(
            target=url, url=url, status_detail=status_detail, profile=profile
        ).model_dump(mode="json")
    if not page.get("status_detail"):
        page["status_detail"] = status_detail
    record: dict[str, Any] = {
        "run_id": run_id,
        "url": url,
        "final_url": final_url,
        "fetch_status": fetch_status,
        "http_status": http_status,
        "fetched_at": iso_utc(fetched_at),
        # A carried-forward (304) result keeps the date it was evaluated; a fresh one was evaluated on fetch.
        "evaluated_at": iso_utc(evaluated_at or (fetched_at if page_result is not None else None)),
        "discovered": discovered,
        "registry_url": registry_url,
        "provider": provider,
        "country": country,
        "type": list(types or []),
        "categories": list(categories or []),
    }
    for key, value in page.items():
        if key != "url":
            record[key] = value
    return record


def flat_result_row(record: Mapping[str, Any]) -> dict[str, str | int]:
    """The CSV row of a results record: counts per severity, a `rules` column, one column per tag's raw value."""
    findings = record.get("findings") or []
    counts = {"error": 0, "warning": 0, "info": 0}
    rules: list[str] = []
    for finding in findings:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
        if finding["rule"] not in rules:
            rules.append(finding["rule"])
    tags = record.get("tags") or {}
    row: dict[str, str | int] = {}
    for column in RESULT_CSV_COLUMNS:
        if column in TAG_COLUMNS:
            view = tags.get(column)
            value: Any = view.get("raw") if view else None
        elif column == "errors":
            value = counts["error"]
        elif column == "warnings":
            value = counts["warning"]
        elif column == "infos":
            value = counts["info"]
        elif column == "rules":
            value = rules
        else:
            value = record.get(column)
        row[column] = flat_cell(value)
    return row


def flat_cell(value: Any) -> str | int:
    """One CSV cell: lists joined by `;`, booleans as `true`/`false`, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    return str(value)

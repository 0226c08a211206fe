"""`sdg-tags check --format json`: the public JSON document described in docs/output-format.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sdg_tags.validators.models import PageResult
from sdg_tags.validators.output.outcome import verdict_counts

TOOL_NAME = "sdg-tags"


def json_document(results: Sequence[PageResult], *, version: str) -> dict[str, Any]:
    """`{"tool", "version", "pages": [PageResult.model_dump(mode="json")], "summary"}`."""
    return {
        "tool": TOOL_NAME,
        "version": version,
        "pages": [result.model_dump(mode="json") for result in results],
        "summary": verdict_counts(results),
    }


def format_json(results: Sequence[PageResult], *, version: str) -> str:
    """The JSON document as UTF-8 text (non-ASCII kept as is), indented, ending in a newline."""
    return json.dumps(json_document(results, version=version), ensure_ascii=False, indent=2) + "\n"

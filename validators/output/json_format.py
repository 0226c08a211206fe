"""`sdg-tags check --format json`: the public JSON document described in docs/output-format.md.

The document is written in pieces (opening, one piece per page, closing) so that `sdg-tags check DIR` streams
100,000 pages without holding them; the pieces join to exactly `json.dumps(json_document(...), indent=2)`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sdg_tags.validators.models import PageResult
from sdg_tags.validators.output.outcome import Tally

TOOL_NAME = "sdg-tags"
_PAGE_INDENT = " " * 4  # a page object sits two levels deep: {"pages": [ {...} ]}


def json_document(results: Sequence[PageResult], *, version: str) -> dict[str, Any]:
    """`{"tool", "version", "pages": [PageResult.model_dump(mode="json")], "summary"}`."""
    return {
        "tool": TOOL_NAME,
        "version": version,
        "pages": [result.model_dump(mode="json") for result in results],
        "summary": Tally.of(results).verdict_counts(),
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def json_opening(version: str) -> str:
    return f'{{\n  "tool": {_dumps(TOOL_NAME)},\n  "version": {_dumps(version)},\n  "pages": ['


def json_page(result: PageResult) -> str:
    """One page object, indented for its place in the `pages` array (`json_separator` goes before it)."""
    try:
        # pydantic's serializer writes the same text as json.dumps(indent=2) about 6x faster (checked by
        # tests/test_output_formats.py); it refuses lone surrogates, which json.dumps escapes.
        text = result.model_dump_json(indent=2)
    except ValueError:
        text = _dumps(result.model_dump(mode="json"))
    return _PAGE_INDENT + text.replace("\n", "\n" + _PAGE_INDENT)


def json_separator(first: bool) -> str:
    """What goes before a page object: a line break, and a comma after the previous page."""
    return "\n" if first else ",\n"


def json_closing(tally: Tally) -> str:
    summary = _dumps(tally.verdict_counts()).replace("\n", "\n  ")
    return ("\n  ]" if tally.pages else "]") + f',\n  "summary": {summary}\n}}\n'


def format_json(results: Sequence[PageResult], *, version: str) -> str:
    """The JSON document as UTF-8 text (non-ASCII kept as is), indented, ending in a newline."""
    pieces = [json_separator(index == 0) + json_page(result) for index, result in enumerate(results)]
    return json_opening(version) + "".join(pieces) + json_closing(Tally.of(results))

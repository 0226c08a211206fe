"""Tiny HTML page builder shared by the rule tests: a page from a list (or dict) of SDG tags.

Each `<meta>` sits on its own line, starting at line 5 (`TAG_LINE`) and column 1, so tests can assert exact
positions. Content is written verbatim (the caller writes character references if it wants them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sdg_tags.validators.engine import check_page
from sdg_tags.validators.models import Finding, PageResult, ValidationOptions

TAG_LINE = 5  # line of the first meta element built from `tags`

# A valid information page (SPEC §3.5 example 1, without the optional DC.Location).
VALID_TAGS: list[tuple[str, str]] = [
    ("sdg-tag", "sdg"),
    ("DC.ISO3166", "BE"),
    ("DC.Service", "information"),
    ("policy-code", "C2"),
    ("DC.Policy", "acquiring and renewing a driving licence"),
]

TagSpec = tuple[str, str | None] | tuple[str, str, str | None]


def meta(spec: TagSpec) -> str:
    """One meta element: (name, content) or (attribute, name, content); content None = no content attribute."""
    if len(spec) == 2:
        attribute, (name, content) = "name", spec
    else:
        attribute, name, content = spec
    content_part = "" if content is None else f' content="{content}"'
    return f'<meta {attribute}="{name}"{content_part}>'


def page(
    tags: Mapping[str, str | None] | Sequence[TagSpec],
    lang: str | None = "en",
    head_extra: str = "",
    body: str = "",
) -> bytes:
    """A UTF-8 page with `tags` in <head> (one per line from line 5), `head_extra` after them, then `body`."""
    specs: Sequence[TagSpec] = list(tags.items()) if isinstance(tags, Mapping) else tags
    lang_part = "" if lang is None else f' lang="{lang}"'
    lines = [
        "<!DOCTYPE html>",
        f"<html{lang_part}>",
        "<head>",
        '<meta charset="utf-8">',
        *(meta(spec) for spec in specs),
    ]
    if head_extra:
        lines.append(head_extra)
    lines += ["<title>Test page</title>", "</head>", f"<body>{body}</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


ALL_TAG_NAMES = (
    "sdg-tag",
    "DC.ISO3166",
    "DC.Location",
    "DC.Service",
    "policy-code",
    "DC.Policy",
    "DC.Language",
)


def with_tags(**changes: str | None) -> list[tuple[str, str | None]]:
    """VALID_TAGS with values replaced or added (keywords use `_` for `-` and `.`: DC_ISO3166, policy_code,
    DC_Location); None removes the tag. Added tags go after the valid ones."""
    names = {name.replace("-", "_").replace(".", "_"): name for name in ALL_TAG_NAMES}
    unknown = set(changes) - set(names)
    if unknown:
        raise KeyError(f"unknown tag keyword(s) {sorted(unknown)}; use one of {sorted(names)}")
    result: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for name, content in VALID_TAGS:
        key = name.replace("-", "_").replace(".", "_")
        seen.add(key)
        if key in changes:
            if changes[key] is None:
                continue
            content = changes[key]
        result.append((name, content))
    for key, content in changes.items():
        if key not in seen and content is not None:
            result.append((names[key], content))
    return result


# --- results, as the rule tests read them ---------------------------------------------------------------------


def check(tags: Any, lang: str | None = "en", **options: Any) -> PageResult:
    """`check_page` of a page built from `tags`, with ValidationOptions(**options)."""
    return check_page(page(tags, lang=lang), options=ValidationOptions(**options))


def rule_ids(result: PageResult) -> set[str]:
    return {finding.rule for finding in result.findings}


def only(result: PageResult, rule_id: str) -> Finding:
    """The one finding of `rule_id` (the assertion lists every finding when there is not exactly one)."""
    found = [finding for finding in result.findings if finding.rule == rule_id]
    assert len(found) == 1, [f"{f.rule}: {f.message}" for f in result.findings]
    return found[0]

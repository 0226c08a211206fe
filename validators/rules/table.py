"""The rule table: every rule's metadata, and the context its check function receives.

A rule is one small function decorated with `@rule(...)` (its id, severity, group, trigger text, legal
reference, fix hint). Crawl- and registry-mode rules (groups I, J) are produced by the crawler and the
registry diff; they are declared here as data with `declare(...)` so docs and `sdg-tags rules` list them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from validators.models import (
    ExtractedPage,
    Finding,
    Severity,
    TagOccurrence,
    ValidationOptions,
    construct_trusted,
)

RuleMode = Literal["page", "crawl", "registry"]
CheckFunction = Callable[["RuleContext"], Iterable[Finding]]

GROUPS: dict[str, str] = {
    "A": "Presence and markup",
    "B": "Gateway marker",
    "C": "Country (DC.ISO3166)",
    "D": "Location (DC.Location)",
    "E": "Type of service (DC.Service)",
    "F": "Subject (policy-code, DC.Policy)",
    "G": "Assistance pages",
    "H": "Language",
    "I": "Canonical link and crawl reach",
    "J": "Registry comparison",
}

DOCS_URL = "https://github.com/sdg-tags/sdg-tags/blob/main/docs/rules.md"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    group: str  # a key of GROUPS
    triggers: str  # "Triggers when" of SPEC §6.2, in words
    reference: str  # citation key(s) of SPEC §2
    hint: str  # fix hint
    mode: RuleMode = "page"
    enabled_by_default: bool = True
    check: CheckFunction | None = None

    @property
    def docs_url(self) -> str:
        return f"{DOCS_URL}#{self.id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "group": f"{self.group}. {GROUPS[self.group]}",
            "triggers": self.triggers,
            "reference": self.reference,
            "hint": self.hint,
            "mode": self.mode,
            "enabled_by_default": self.enabled_by_default,
            "docs_url": self.docs_url,
        }


RULES: dict[str, Rule] = {}

_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _register(rule_: Rule) -> Rule:
    if not _RULE_ID.match(rule_.id):
        raise ValueError(f"rule id {rule_.id!r} is not kebab-case")
    if rule_.id in RULES:
        raise ValueError(f"rule id {rule_.id!r} declared twice")
    if rule_.group not in GROUPS:
        raise ValueError(f"rule {rule_.id!r}: unknown group {rule_.group!r}")
    RULES[rule_.id] = rule_
    return rule_


def rule(
    id: str,
    severity: Severity,
    group: str,
    triggers: str,
    reference: str,
    hint: str,
    *,
    enabled_by_default: bool = True,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a page-mode rule whose check is the decorated function."""

    def decorate(check: CheckFunction) -> CheckFunction:
        _register(Rule(id, severity, group, triggers, reference, hint, "page", enabled_by_default, check))
        return check

    return decorate


def declare(
    id: str,
    severity: Severity,
    group: str,
    triggers: str,
    reference: str,
    hint: str,
    *,
    mode: RuleMode,
    enabled_by_default: bool = True,
) -> Rule:
    """Register a rule that the crawler or the registry diff reports (no page check function)."""
    return _register(Rule(id, severity, group, triggers, reference, hint, mode, enabled_by_default, None))


# --- value items -------------------------------------------------------------------------------------------

WRONG_SEPARATORS = re.compile(r"\s*[,:/|]\s*|\s+")
# What one item of each tag looks like; a piece is split on a wrong separator only when every part fits, so
# free text (assistance titles, DC.Policy) is never cut apart.
ITEM_SHAPES: dict[str, re.Pattern[str]] = {
    "DC.ISO3166": re.compile(r"^[A-Za-z]{2}$"),
    "DC.Service": re.compile(r"^[A-Za-z]+$"),
    # NUTS/SR code in one case (`BE1`, `be1`; not the name `Paris`), `CC_CODE`, or a bare LAU code with a digit:
    # so `Region Stockholm` stays one (invalid) item instead of two names joined by a space.
    "DC.Location": re.compile(
        r"^(?:[A-Z]{2}[A-Z0-9]{0,3}|[a-z]{2}[a-z0-9]{0,3}|[A-Za-z]{2}_[A-Za-z0-9]+|[A-Za-z0-9]*\d[A-Za-z0-9]*)$"
    ),
    "DC.Language": re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$"),
    "policy-code": re.compile(r"^[A-Za-z]\d{1,3}$"),
}


@dataclass(frozen=True, slots=True)
class ValueItem:
    """One item of a `;`-separated tag value."""

    index: int  # position among the non-empty items
    text: str  # trimmed
    raw: str  # as written, whitespace included
    separator: str | None = None  # the wrong separator it was split on (",", ":", "/", "|", " ")


# Quote characters that CMS templates and copy-pasted guidance leave around values (`content=”sdg”`).
QUOTE_DEBRIS = "\"'“”″‘’„‟«»`"
# Markup swallowed into a value by an unclosed quote (`…title”/>\n<link rel=`): the value ends where it starts.
MARKUP_DEBRIS = re.compile(r"/>|<meta\b|<link\b", re.IGNORECASE)


def strip_markup_debris(raw: str) -> str:
    """The value a tag was meant to have: cut at swallowed markup, quote debris removed from both ends.

    `markup-typographic-quotes` reports the debris once; the other rules check what is left (one root cause).
    """
    debris = MARKUP_DEBRIS.search(raw)
    if debris is not None:
        raw = raw[: debris.start()]
    stripped = raw.strip()
    if stripped and (stripped[0] in QUOTE_DEBRIS or stripped[-1] in QUOTE_DEBRIS or stripped[-1] == "/"):
        # `content=”sdg”/>` leaves `”sdg”/`: the slash of the self-closing tag belongs to the debris.
        return stripped.rstrip("/").strip().strip(QUOTE_DEBRIS).strip()
    return raw


def split_items(raw: str | None, canonical: str) -> list[ValueItem]:
    """Split a tag value on `;`, then on a wrong separator where every part has the tag's item shape.

    Quote and markup debris is removed first (`strip_markup_debris`)."""
    if raw is None:
        return []
    items: list[ValueItem] = []
    shape = ITEM_SHAPES.get(canonical)
    raw = strip_markup_debris(raw)
    for piece in raw.split(";"):
        text = piece.strip()
        if not text:
            continue
        if shape is not None and not shape.match(text):
            parts = [part for part in WRONG_SEPARATORS.split(text) if part]
            if len(parts) > 1 and all(shape.match(part) for part in parts):
                found = WRONG_SEPARATORS.search(text)
                separator = found.group(0).strip() or " " if found else None
                for part in parts:
                    items.append(ValueItem(len(items), part, part, separator))
                continue
        items.append(ValueItem(len(items), text, piece))
    return items


# --- context -----------------------------------------------------------------------------------------------


class RuleContext:
    """What a rule sees: the extracted page, the options, and memoised analyses shared between rules."""

    def __init__(self, page: ExtractedPage, options: ValidationOptions) -> None:
        self.page = page
        self.options = options
        self.page_types: list[str] = []
        self.page_types_inferred = False
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a shared analysis once per page (e.g. the classification of policy-code items)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def occurrences(self, canonical: str) -> list[TagOccurrence]:
        return self.page.occurrences_of(canonical)

    def effective(self, canonical: str) -> TagOccurrence | None:
        """First occurrence in document order (SPEC §6.1 Duplicates)."""
        return self.page.first(canonical)

    def raw(self, canonical: str) -> str | None:
        occ = self.effective(canonical)
        return occ.raw if occ is not None else None

    def is_empty(self, canonical: str) -> bool:
        """Absent, no content attribute, or only whitespace/separators."""
        raw = self.raw(canonical)
        return raw is None or not raw.replace(";", "").strip()

    def items(self, canonical: str) -> list[ValueItem]:
        return self.memo(f"items:{canonical}", lambda: split_items(self.raw(canonical), canonical))

    def items_of(self, occurrence: TagOccurrence) -> list[ValueItem]:
        """Items of any occurrence: the effective one's are memoised, a duplicate's are split on demand."""
        if occurrence is self.effective(occurrence.canonical):
            return self.items(occurrence.canonical)
        return split_items(occurrence.raw, occurrence.canonical)

    def finding(
        self,
        rule_id: str,
        message: str,
        *,
        occurrence: TagOccurrence | None = None,
        tag: str | None = None,
        item: int | None = None,
        value: str | None = None,
        normalized: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
        code_list: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> Finding:
        """Build a finding of `rule_id`; location, tag and raw value come from `occurrence` when given."""
        spec = RULES[rule_id]
        if occurrence is not None:
            tag = tag or occurrence.canonical
            value = value if value is not None else occurrence.raw
            line = line if line is not None else occurrence.line
            column = column if column is not None else occurrence.column
        return construct_trusted(
            Finding,
            rule=rule_id,
            severity=spec.severity,
            message=message,
            tag=tag,
            item=item,
            value=value,
            normalized=normalized,
            expected=expected,
            line=line,
            column=column,
            origin=occurrence.origin if occurrence is not None else self.page.origin,
            reference=spec.reference,
            hint=hint or spec.hint,
            code_list=code_list,
            type_inferred=self.page_types_inferred,
        )


def page_rules() -> Iterator[Rule]:
    """Page-mode rules in table order (importing `validators.rules` fills the table)."""
    for rule_ in RULES.values():
        if rule_.mode == "page" and rule_.check is not None:
            yield rule_

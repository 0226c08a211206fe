"""The rule table: every rule's metadata, and the context its check function receives.

A rule is one small function decorated with `@rule(...)` (its id, severity, group, trigger text, legal
reference, fix hint). Crawl- and registry-mode rules (groups I, J) are produced by the crawler and the
registry diff; they are declared here as data with `declare(...)` so docs and `sdg-tags rules` list them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal, TypeVar

from sdg_tags.validators.extraction import STRAY_QUOTES
from sdg_tags.validators.limits import ITEMS_CHECKED, short_text_cache
from sdg_tags.validators.models import (
    ExtractedPage,
    Finding,
    Origin,
    Severity,
    TagOccurrence,
    ValidationOptions,
    construct_trusted,
)

RuleMode = Literal["page", "crawl", "registry"]
AnalysisT = TypeVar("AnalysisT")
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

# Where a rule is documented, in places the tool itself ships or serves (never an outside address): the section
# of docs/rules.md (anchor = rule id; the sources ship the file, `sdg-tags rules --markdown` prints it) and the
# page `sdg-tags serve` serves at /rules/RULE-ID. Reports are files read offline: they embed the rule text.
DOCS_FILE = "docs/rules.md"
RULE_PAGES = "/rules"


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
    # Minimal examples (the model: Ruff's rule pages), tested by tests/test_rule_examples.py. Page rules: an
    # HTML snippet, the content of `<head>` in `<html lang="en">` unless it starts with its own `<html`
    # (`example_document`); render-mode rules: the served snippet, a line `--- rendered ---`, the rendered one.
    # Crawl and registry rules: the context they need, then the page (`example_parts`).
    fail_example: str = ""
    pass_example: str = ""

    @property
    def docs_url(self) -> str:
        """The rule's section of docs/rules.md, relative to the project root."""
        return f"{DOCS_FILE}#{self.id}"

    @property
    def page_path(self) -> str:
        """The rule's page on the web app (`sdg-tags serve`)."""
        return f"{RULE_PAGES}/{self.id}"

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
            "fail_example": self.fail_example,
            "pass_example": self.pass_example,
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
    fail_example: str = "",
    pass_example: str = "",
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a page-mode rule whose check is the decorated function."""

    def decorate(check: CheckFunction) -> CheckFunction:
        _register(
            Rule(
                id,
                severity,
                group,
                triggers,
                reference,
                hint,
                "page",
                enabled_by_default,
                check,
                fail_example.strip("\n"),
                pass_example.strip("\n"),
            )
        )
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
    fail_example: str = "",
    pass_example: str = "",
) -> Rule:
    """Register a rule that the crawler or the registry diff reports (no page check function)."""
    return _register(
        Rule(
            id,
            severity,
            group,
            triggers,
            reference,
            hint,
            mode,
            enabled_by_default,
            None,
            fail_example.strip("\n"),
            pass_example.strip("\n"),
        )
    )


def example_document(snippet: str) -> bytes:
    """A page example as the engine reads it: a snippet without its own `<html` is the content of `<head>` in
    `<html lang="en">`."""
    if snippet.lstrip().lower().startswith(("<!doctype", "<html")):
        return snippet.encode("utf-8")
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{snippet}\n</head>\n<body></body>\n</html>\n'.encode()


EXAMPLE_KEYS = ("url", "scope", "links", "robots.txt", "registry", "fetch")
RENDERED_MARK = "--- rendered ---"


def example_parts(example: str) -> tuple[dict[str, str], str]:
    """A crawl or registry example: its leading `key: value` context lines, then the page snippet.

    Keys: `url:` the page's address; `scope:` the registered web folder; `links:` a link the crawl saw
    (`from -> to`); `robots.txt:` the site's robots.txt (on the indented lines that follow); `registry:` the
    registry entry as JSON (`none`: no entry); `fetch:` what fetching gave (`200`, `404, and 404 on the previous
    run`, `301 URL`)."""
    context: dict[str, str] = {}
    lines = example.splitlines()
    while lines and lines[0].split(":", 1)[0] in EXAMPLE_KEYS:
        key, value = lines.pop(0).split(":", 1)
        block = [value.strip()] if value.strip() else []
        while lines and lines[0].startswith("  "):
            block.append(lines.pop(0).strip())
        context[key] = "\n".join(block)
    return context, "\n".join(lines)


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
# A stricter shape for parts split on whitespace alone: `be1 be2` is two codes, but `ile de` (lower-case
# words) and `Västra Götaland` are one place name (SPEC §6.2 location-invalid), not codes joined by spaces.
SPACE_SPLIT_SHAPES: dict[str, re.Pattern[str]] = {
    "DC.Location": re.compile(
        r"^(?:[A-Z]{2}[A-Z0-9]{0,3}|[A-Za-z]{2}_[A-Za-z0-9]+|[A-Za-z0-9]*\d[A-Za-z0-9]*)$"
    ),
}


# Not frozen: a frozen dataclass costs ~1.8 us to build (object.__setattr__ per field), ten times this, and
# items are built for every tag of every page. `unsafe_hash` keeps it hashable; nobody mutates items.
@dataclass(slots=True, unsafe_hash=True)
class ValueItem:
    """One item of a `;`-separated tag value."""

    index: int  # position among the non-empty items
    text: str  # trimmed
    raw: str  # as written, whitespace included
    separator: str | None = None  # the wrong separator it was split on (",", ":", "/", "|", " ")


# Quote characters that CMS templates and copy-pasted guidance leave around values (`content=”sdg”`).
QUOTE_DEBRIS = STRAY_QUOTES  # quote characters a broken tag leaves around a name or value
# Markup swallowed into a value by an unclosed quote (`…title”/>\n<link rel=`): the value ends where it starts.
MARKUP_DEBRIS = re.compile(r"/>|<meta\b|<link\b", re.IGNORECASE)


# Tags whose values are free text an editor wrote (SPEC §6.2 markup-typographic-quotes): quotes at their ends
# are ordinary text (a title may end in `'VA'`), only markup debris is removed. policy-code holds codes and,
# on assistance pages, free-text titles: its ends count as debris only next to a code-shaped item.
FREE_TEXT_TAGS = frozenset({"DC.Policy"})
_CODE_LIKE = re.compile(r"^(?:[A-Za-z]{1,2}\d*|\d+)$")


def quotes_are_debris(inner: str, canonical: str | None) -> bool:
    """Whether quote characters around `inner` (the value without them) are debris rather than text."""
    if not inner:
        return True  # a value of quote characters only (`””`) holds no text
    if canonical in FREE_TEXT_TAGS:
        return False
    if canonical == "policy-code":
        pieces = [piece.strip() for piece in inner.split(";") if piece.strip()]
        return bool(pieces) and bool(_CODE_LIKE.match(pieces[0]) or _CODE_LIKE.match(pieces[-1]))
    return True


def strip_markup_debris(raw: str, canonical: str | None = None) -> str:
    """The value a tag was meant to have: cut at swallowed markup, quote debris removed from both ends.

    `markup-typographic-quotes` reports the debris once; the other rules check what is left (one root cause).
    On free text (`canonical` in FREE_TEXT_TAGS, assistance titles) quotes are removed only where the value
    ran into markup (`title”/>`): elsewhere they are the editor's text.
    """
    debris = MARKUP_DEBRIS.search(raw)
    if debris is not None:
        raw = raw[: debris.start()]
    stripped = raw.strip()
    if stripped and (stripped[0] in QUOTE_DEBRIS or stripped[-1] in QUOTE_DEBRIS or stripped[-1] == "/"):
        # `content=”sdg”/>` leaves `”sdg”/`: the slash of the self-closing tag belongs to the debris.
        broken = debris is not None or (
            len(stripped) > 1 and stripped[-1] == "/" and stripped[-2] in QUOTE_DEBRIS
        )
        inner = stripped.rstrip("/").strip().strip(QUOTE_DEBRIS).strip()
        if broken or quotes_are_debris(inner, canonical):
            return inner
    return raw


def split_items(raw: str | None, canonical: str) -> list[ValueItem]:
    """Split a tag value on `;`, then on a wrong separator where every part has the tag's item shape.

    Quote and markup debris is removed first (`strip_markup_debris`)."""
    if raw is None:
        return []
    shape = ITEM_SHAPES.get(canonical)
    if ";" not in raw and "/" not in raw and "<" not in raw:
        # One item without debris, the common case: no splitting machinery.
        text = raw.strip()
        if not text:
            return []
        if (
            text[0] not in QUOTE_DEBRIS
            and text[-1] not in QUOTE_DEBRIS
            and (shape is None or shape.match(text))
        ):
            return [ValueItem(0, text, raw)]
    items: list[ValueItem] = []
    raw = strip_markup_debris(raw, canonical)
    # Only the first ITEMS_CHECKED items are split (maxsplit keeps the rest in one piece, which is dropped).
    for piece in raw.split(";", ITEMS_CHECKED)[:ITEMS_CHECKED]:
        text = piece.strip()
        if not text:
            continue
        if shape is not None and not shape.match(text):
            parts = [part for part in WRONG_SEPARATORS.split(text, ITEMS_CHECKED)[:ITEMS_CHECKED] if part]
            found = WRONG_SEPARATORS.search(text)
            part_shape = shape
            if found is not None and not found.group(0).strip():
                part_shape = SPACE_SPLIT_SHAPES.get(canonical, shape)
            if len(parts) > 1 and all(part_shape.match(part) for part in parts):
                separator = found.group(0).strip() or " " if found else None
                for part in parts:
                    items.append(ValueItem(len(items), part, part, separator))
                continue
        items.append(ValueItem(len(items), text, piece))
        if len(items) >= ITEMS_CHECKED:
            break
    return items[:ITEMS_CHECKED]


@short_text_cache(maxsize=4096)
def value_items(raw: str | None, canonical: str) -> tuple[ValueItem, ...]:
    """`split_items` cached by value: a site repeats its tag values page after page. The items are shared
    (they are never modified); `RuleContext` hands out list copies."""
    return tuple(split_items(raw, canonical))


def rule_finding(
    rule_id: str,
    message: str,
    *,
    tag: str | None = None,
    item: int | None = None,
    value: str | None = None,
    normalized: str | None = None,
    expected: str | None = None,
    line: int | None = None,
    column: int | None = None,
    origin: Origin = "static",
    hint: str | None = None,
    code_list: str | None = None,
    type_inferred: bool = False,
) -> Finding:
    """A finding of `rule_id` with the severity, reference and (default) hint the rule table declares."""
    spec = RULES[rule_id]
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
        origin=origin,
        reference=spec.reference,
        hint=hint or spec.hint,
        code_list=code_list,
        type_inferred=type_inferred,
    )


# --- context -----------------------------------------------------------------------------------------------

_MISSING = object()
_NO_OCCURRENCES: list[TagOccurrence] = []


class RuleContext:
    """What a rule sees: the extracted page, the options, and memoised analyses shared between rules."""

    def __init__(self, page: ExtractedPage, options: ValidationOptions) -> None:
        self.page = page
        self.options = options
        self.page_types: list[str] = []
        self.page_types_inferred = False
        self._memo: dict[str, Any] = {}  # results of `per_page` analyses, by analysis
        # Per-page caches that every rule hits: the effective occurrence per tag, and item lists by tag and by
        # occurrence. Misses use dict.get, not try/except: a raised KeyError costs ~1 us, and most lookups
        # miss once per page.
        self._by_tag: dict[str, list[TagOccurrence]] | None = None
        self._distinct: dict[str | None, list[TagOccurrence]] | None = None
        self._items: dict[str, list[ValueItem]] = {}
        self._items_of: dict[int, list[ValueItem]] = {}

    def _occurrences_by_tag(self) -> dict[str, list[TagOccurrence]]:
        by_tag = self._by_tag
        if by_tag is None:
            by_tag = self._by_tag = {}
            for occ in self.page.occurrences:
                found = by_tag.get(occ.canonical)
                if found is None:
                    by_tag[occ.canonical] = [occ]
                else:
                    found.append(occ)
        return by_tag

    def occurrences(self, canonical: str) -> list[TagOccurrence]:
        """All occurrences of a tag in document order (do not modify the list)."""
        return self._occurrences_by_tag().get(canonical, _NO_OCCURRENCES)

    def distinct_occurrences(self, canonical: str | None = None) -> list[TagOccurrence]:
        """Occurrences (of one tag, or of all) whose value differs from every earlier one of the same tag.

        Value rules check these: a duplicate element repeating a value is reported once, by `tag-duplicate`,
        not again by every rule its value breaks.
        """
        distinct = self._distinct
        if distinct is None:
            distinct = self._distinct = {}
            everything: list[TagOccurrence] = []
            seen: set[tuple[str, str | None]] = set()
            for occ in self.page.occurrences:
                key = (occ.canonical, occ.raw)
                if key not in seen:
                    seen.add(key)
                    everything.append(occ)
                    distinct.setdefault(occ.canonical, []).append(occ)
            distinct[None] = everything
        return distinct.get(canonical, _NO_OCCURRENCES)

    def effective(self, canonical: str) -> TagOccurrence | None:
        """First occurrence in document order (SPEC §6.1 Duplicates)."""
        found = self._occurrences_by_tag().get(canonical)
        return found[0] if found else None

    def raw(self, canonical: str) -> str | None:
        occ = self.effective(canonical)
        return occ.raw if occ is not None else None

    def is_empty(self, canonical: str) -> bool:
        """Absent, no content attribute, or only whitespace/separators."""
        raw = self.raw(canonical)
        return raw is None or not raw.replace(";", "").strip()

    def items(self, canonical: str) -> list[ValueItem]:
        items = self._items.get(canonical)
        if items is None:
            items = self._items[canonical] = list(value_items(self.raw(canonical), canonical))
        return items

    def items_of(self, occurrence: TagOccurrence) -> list[ValueItem]:
        """Items of any occurrence (duplicates included), split once per page."""
        items = self._items_of.get(id(occurrence))
        if items is None:
            canonical = occurrence.canonical
            if occurrence is self.effective(canonical):
                items = self.items(canonical)
            else:
                items = list(value_items(occurrence.raw, canonical))
            self._items_of[id(occurrence)] = items
        return items

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
        if occurrence is not None:
            tag = tag or occurrence.canonical
            value = value if value is not None else occurrence.raw
            line = line if line is not None else occurrence.line
            column = column if column is not None else occurrence.column
        return rule_finding(
            rule_id,
            message,
            tag=tag,
            item=item,
            value=value,
            normalized=normalized,
            expected=expected,
            line=line,
            column=column,
            origin=occurrence.origin if occurrence is not None else self.page.origin,
            hint=hint,
            code_list=code_list,
            type_inferred=self.page_types_inferred,
        )


def per_page(analysis: Callable[[RuleContext], AnalysisT]) -> Callable[[RuleContext], AnalysisT]:
    """Run an analysis that several rules share (e.g. the classified policy-code items) once per page.

    Later calls on the same context are one dictionary lookup. A decorator rather than a memo call with a
    closure: rules call these analyses ~50 times per page, and building a closure each time costs more than
    the lookup.
    """
    key = f"{analysis.__module__}.{analysis.__qualname__}"

    @wraps(analysis)
    def once_per_page(ctx: RuleContext) -> AnalysisT:
        memo = ctx._memo
        value = memo.get(key, _MISSING)
        if value is _MISSING:
            value = memo[key] = analysis(ctx)
        return value

    return once_per_page


def page_rules() -> Iterator[Rule]:
    """Page-mode rules in table order (importing `validators.rules` fills the table)."""
    for rule_ in RULES.values():
        if rule_.mode == "page" and rule_.check is not None:
            yield rule_

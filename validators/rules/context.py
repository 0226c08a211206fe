"""What a rule's check function receives: the page, the options, and analyses shared between rules."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from sdg_tags.validators.models import (
    ExtractedPage,
    Finding,
    TagOccurrence,
    ValidationOptions,
)
from sdg_tags.validators.rules.table import rule_finding
from sdg_tags.validators.rules.values import ValueItem, value_items

AnalysisT = TypeVar("AnalysisT")


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

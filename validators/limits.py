"""What one page may cost: how much of its text a result quotes (docs/output-format.md), how many items of a
tag value the rules check, and which values the validator's caches may keep.

A hostile page (one value repeated 100,000 times, a 4 MB title) must not turn into gigabytes of JSON, text,
SARIF or database rows: every surface serialises the same `PageResult`, so the engine bounds it once, here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, TypeVar

# Characters of a value quoted in a finding (`value`, `normalized`, `expected`) or a tag view (`raw`, each item).
# Real values stay whole: the longest Annex title is 455 characters, and a DC.Policy may name two.
QUOTE_CHARS = 1000
# Characters of a finding's `message` and `hint`, which quote values inside a sentence.
TEXT_CHARS = 1500
# Characters of `target`, `url` and `canonical_url` (a URL longer than this is not a page address anyway).
URL_CHARS = 2048
# Characters of `suggested_tags` (a corrected tag block; longer ones come from pages with thousands of items).
SUGGESTION_CHARS = 8192
# Findings one rule reports on one page; the rest are counted in one more finding of the same rule.
FINDINGS_PER_RULE = 20
# Items of a tag listed in `tags.*.values`; one more item says how many were left out (real pages list at most
# a few dozen locations).
TAG_ITEMS = 100
# Bytes of the compact JSON of one page result (`PageResult.model_dump_json()`, as stored in the repository),
# whatever the page. Past the limits above it is met by the tight limits below.
RESULT_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    quote_chars: int
    text_chars: int
    url_chars: int
    suggestion_chars: int
    findings_per_rule: int
    tag_items: int


NORMAL = Limits(QUOTE_CHARS, TEXT_CHARS, URL_CHARS, SUGGESTION_CHARS, FINDINGS_PER_RULE, TAG_ITEMS)
# When a result is still larger than RESULT_BYTES (every rule firing with long, escaped values): no finding is
# shown in full, each rule that fired is one counting finding, and quotes are short.
TIGHT = Limits(
    quote_chars=40, text_chars=200, url_chars=256, suggestion_chars=0, findings_per_rule=0, tag_items=0
)

ABRIDGED_MARK = "… (abridged, {count} {unit})"


def abridge(text: str, limit: int) -> str:
    """`text` itself when it has at most `limit` characters, else its first `limit` characters followed by
    `… (abridged, N characters)`, N being the full length."""
    if len(text) <= limit:
        return text
    return text[:limit] + ABRIDGED_MARK.format(count=len(text), unit="characters")


def abridge_optional(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else abridge(text, limit)


def abridged_items(items: list[str], limit: int, quote_chars: int, total: int | None = None) -> list[str]:
    """At most `limit` items, each abridged, then one item `… (abridged, N items)` when some were left out
    (N: `total`, when `items` is itself only the start of the list)."""
    total = len(items) if total is None else total
    shown = [item if len(item) <= quote_chars else abridge(item, quote_chars) for item in items[:limit]]
    if total > len(shown):
        shown.append(ABRIDGED_MARK.format(count=total, unit="items"))
    return shown


# Items of one tag value that the rules split and check; a value with more (no real page has a hundred) is
# checked on its first ITEMS_CHECKED items, so a 5 MB value costs megabytes of memory, not a gigabyte.
ITEMS_CHECKED = 10_000
# Texts longer than this are never kept in the validator's caches: a cache of 4096 entries must not hold
# 4096 hostile 5 MB values (or their 10,000 split items each) after the pages are gone.
CACHED_TEXT_CHARS = 1024

CallableT = TypeVar("CallableT", bound=Callable[..., Any])


def short_text_cache(maxsize: int) -> Callable[[CallableT], CallableT]:
    """`functools.lru_cache(maxsize)` for calls whose text arguments are all at most CACHED_TEXT_CHARS long;
    longer ones are computed each time and not kept."""

    def decorate(function: CallableT) -> CallableT:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(*args: Any) -> Any:
            for argument in args:
                if argument.__class__ is str and len(argument) > CACHED_TEXT_CHARS:
                    return function(*args)
            return cached(*args)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate

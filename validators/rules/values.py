"""A tag value as rules read it: its `;`-separated items with their positions, wrong separators and markup debris.

Sites repeat their values page after page, so a value is split once per distinct text (cached)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdg_tags.validators.extraction import STRAY_QUOTES
from sdg_tags.validators.limits import ITEMS_CHECKED, short_text_cache

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

"""Group A, presence and markup (SPEC §6.2 A): is there a tag set, are the elements written so a harvester
finds them, and are the values free of whitespace, empty or repeated items and wrong separators."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sdg_tags.validators.limits import short_text_cache
from sdg_tags.validators.models import (
    CANONICAL_TAGS,
    HTML_LANG_KEY,
    SCOPE_TAGS,
    ExtractedPage,
    Finding,
    TagOccurrence,
)
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.table import rule
from sdg_tags.validators.rules.values import (
    MARKUP_DEBRIS,
    QUOTE_DEBRIS,
    quotes_are_debris,
    strip_markup_debris,
    value_items,
)

_SCOPE = frozenset(SCOPE_TAGS)
# Optional tags whose empty content is a finding of its own (mandatory ones: the tag's `*-missing` rule).
_OPTIONAL_TAGS = frozenset({"DC.Location", "DC.Policy"})
# Tags whose items are codes or keywords: a `,` `:` `/` `|` or space between items is a wrong separator.
# policy-code has its own rule (`policy-code-separator`, group F).
_SEPARATED_TAGS = frozenset({"DC.Service", "DC.ISO3166", "DC.Location", "DC.Language"})
_DC_PREFIXED = frozenset(name for name in CANONICAL_TAGS if name.startswith("DC."))

# Characters that look like a space (or nothing) but are not one: editors paste them from word processors.
_INVISIBLE_SPACES = {
    "\u00a0": "no-break space",
    "\u202f": "narrow no-break space",
    "\u2007": "figure space",
    "\u200b": "zero-width space",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
}
_SPECIAL_WHITESPACE = re.compile("[\r\n\t" + "".join(_INVISIBLE_SPACES) + "]")
_DIGITS = re.compile(r"\d+")
_DEBRIS_CHARACTER = re.compile("[" + re.escape(QUOTE_DEBRIS) + "/<]")
_SEPARATORS = re.compile(r"[._:\-\s]")


def _attempts_tagging(ctx: RuleContext) -> bool:
    return any(ctx.effective(tag) is not None for tag in SCOPE_TAGS)


def _quoted(value: str | None) -> str:
    return "no content attribute" if value is None else repr(_excerpt(value))


def _excerpt(value: str, limit: int = 80) -> str:
    """A long value shortened for a message (the finding's `value` keeps it whole)."""
    return value if len(value) <= limit else value[: limit - 20] + "…" + value[-12:]


_WRONG_SEPARATOR = re.compile(r"[,:/|\s]")
_ITEM_SEPARATOR = re.compile(r"[;,:/|\s]")


@short_text_cache(maxsize=4096)
def _has_debris_character(text: str) -> bool:
    return _DEBRIS_CHARACTER.search(text) is not None


def _item_key(text: str) -> str:
    """What makes two items the same for `value-duplicate-item`: case-folded, whitespace unified."""
    return " ".join(text.casefold().split())


def _empty_pieces(raw: str, canonical: str | None = None) -> list[int]:
    """Indexes of the empty `;`-separated pieces of a value once markup debris is removed."""
    pieces = strip_markup_debris(raw, canonical).split(";")
    return [index for index, piece in enumerate(pieces) if not piece.strip()]


@short_text_cache(maxsize=4096)
def _value_suspicions(raw: str, canonical: str) -> tuple[str, ...]:
    """Value rules that a non-empty value of `canonical` may break (cached: sites repeat their values).

    The empty-item and duplicate-item tests are the rules' own, so on a clean value those rules do no work;
    the rules still check each suspect themselves.
    """
    rule_ids: list[str] = []
    if raw != raw.strip() or " ;" in raw or "; " in raw or _SPECIAL_WHITESPACE.search(raw):
        rule_ids.append("value-whitespace")
    if ";" in raw and _empty_pieces(raw, canonical):
        rule_ids.append("value-empty-item")
    separator = _ITEM_SEPARATOR.search(raw)
    if separator is not None:
        keys = [_item_key(item.text) for item in value_items(raw, canonical)]
        if len(set(keys)) < len(keys):
            rule_ids.append("value-duplicate-item")
        if canonical in _SEPARATED_TAGS and _WRONG_SEPARATOR.search(raw, separator.start()):
            rule_ids.append("value-separator")
    return tuple(rule_ids)


@per_page
def _suspects(ctx: RuleContext) -> dict[str, list[TagOccurrence]]:
    """Rule id -> occurrences that may break it, by cheap tests in one pass; each rule then checks its own.

    Most pages are clean: this keeps a dozen per-occurrence rules to one loop and a dictionary lookup each.
    Name, attribute and position rules look at every element; value rules at elements with a new value.
    """
    suspects: dict[str, list[TagOccurrence]] = {}
    for occ in ctx.page.occurrences:
        name, raw = occ.name_as_written, occ.raw
        if occ.match == "case":
            suspects.setdefault("tag-name-case", []).append(occ)
        elif occ.match == "variant" or name != name.strip():
            suspects.setdefault("tag-name-typo", []).append(occ)
        if occ.attribute != "name":
            suspects.setdefault("tag-property-attribute", []).append(occ)
        if not occ.in_head:
            suspects.setdefault("tag-outside-head", []).append(occ)
        if _has_debris_character(name) or (raw is not None and _has_debris_character(raw)):
            suspects.setdefault("markup-typographic-quotes", []).append(occ)
    for occ in ctx.distinct_occurrences():
        raw = occ.raw
        if occ.canonical in _OPTIONAL_TAGS or occ.canonical == "DC.Language":
            suspects.setdefault("tag-empty", []).append(occ)
        if raw:
            for rule_id in _value_suspicions(raw, occ.canonical):
                suspects.setdefault(rule_id, []).append(occ)
    return suspects


_NONE: list[TagOccurrence] = []


# --- presence ----------------------------------------------------------------------------------------------


@rule(
    "no-sdg-tags",
    "info",
    "A",
    "No SDG tagging attempt (no variant of sdg-tag, DC.ISO3166, DC.Service or policy-code; a lone DC.Language "
    "does not count) in the static HTML (and, if rendered, the rendered HTML). Verdict 'not self-describing', "
    "never non-compliant by itself: the registry entry may come from upload, manual entry or web service.",
    "IR 2020/1121 Art 2(2)(b); Guidance 2020 §registry upload",
    "Add the tags or make sure a registry entry exists",
    fail_example="""
<meta name="description" content="Driving licences in Brussels">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def no_sdg_tags(ctx: RuleContext) -> Iterator[Finding]:
    page = ctx.page
    # SDG data in another syntax is its own, more precise finding (tag-other-syntax-only).
    if page.other_syntax or _attempts_tagging(ctx):
        return
    present = sorted({occ.canonical for occ in page.occurrences}, key=CANONICAL_TAGS.index)
    found = f" (only {', '.join(present)}, which alone does not mark a gateway page)" if present else ""
    yield ctx.finding(
        "no-sdg-tags",
        f"the page carries no SDG tags{found}: it does not describe itself to the harvester; that is fine only "
        "if its entry in the repository for links comes from an upload, manual entry or the web service",
    )


@rule(
    "tag-other-syntax-only",
    "info",
    "A",
    "SDG tag names appear only in JSON-LD, microdata, RDFa or embedded JSON/script data, with no SDG <meta> "
    "element: the guidance describes only <meta name=... content=...>.",
    "Guidance 2020 §tag table",
    "Add meta tags",
    fail_example="""
<script type="application/ld+json">{"sdg-tag": "sdg", "DC.ISO3166": "BE", "DC.Service": "information", "policy-code": "C2"}</script>
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tag_other_syntax_only(ctx: RuleContext) -> Iterator[Finding]:
    page = ctx.page
    if not page.other_syntax or _attempts_tagging(ctx):
        return
    yield ctx.finding(
        "tag-other-syntax-only",
        f"SDG tag names appear only in {' and '.join(page.other_syntax)}, not in <meta> elements; the "
        'harvester reads only <meta name="..." content="..."> in the HTML',
        value=", ".join(page.other_syntax),
    )


# --- names and attributes ----------------------------------------------------------------------------------


@rule(
    "tag-name-case",
    "warning",
    "A",
    "A canonical tag name matched only case-insensitively (HTML compares meta names case-insensitively, the "
    "harvester's matching is undocumented) · seen: DC.location, DC.service (Commission pilot configuration), "
    "dc.service (ePortugal).",
    "Guidance 2020 §tag table; HTML meta",
    "Exact spelling",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tag_name_case(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("tag-name-case", _NONE):
        if occ.match == "case":
            yield ctx.finding(
                "tag-name-case",
                f"meta name {occ.name_as_written!r} differs from {occ.canonical!r} only in letter case; the "
                "harvester may match names exactly",
                occurrence=occ,
                value=occ.name_as_written,
                expected=occ.canonical,
            )


def _misspelling(written: str, canonical: str) -> str:
    """What differs between a near-miss name and the canonical one, in words.

    Quote characters around the name (`”DC.ISO03166”`) are named as such, and the rest is compared without
    them: they are not part of a prefix.
    """
    reasons: list[str] = []
    stripped = written.strip()
    unquoted = stripped.strip(QUOTE_DEBRIS).strip()
    if unquoted != stripped:
        quotes = "".join(dict.fromkeys(char for char in stripped if char in QUOTE_DEBRIS))
        reasons.append(f"it is wrapped in quote characters ({quotes}), which become part of the name")
    folded = unquoted.casefold()
    if canonical in _DC_PREFIXED:
        if not folded.startswith("dc"):
            reasons.append("the 'DC.' prefix is missing")
        elif not folded.startswith("dc."):
            reasons.append("the prefix is not written 'DC.'")
    elif folded.startswith("dc"):
        reasons.append(f"{canonical!r} carries no 'DC.' prefix")
    if _DIGITS.findall(folded) != _DIGITS.findall(canonical.casefold()):
        reasons.append(
            _digit_difference("".join(_DIGITS.findall(folded)), "".join(_DIGITS.findall(canonical)))
        )
    if len(reasons) == (unquoted != stripped) and _SEPARATORS.sub("", folded) == _SEPARATORS.sub(
        "", canonical.casefold()
    ):
        reasons.append("a separator ('_', '-', '.') differs")
    if len(reasons) == (unquoted != stripped) and folded != canonical.casefold():
        reasons.append("it is misspelt")
    return "; ".join(reasons)


def _digit_difference(written: str, canonical: str) -> str:
    """`03166` vs `3166` -> "an extra '0' in '03166'": one inserted or dropped digit is named."""
    if len(written) == len(canonical) + 1:
        for index in range(len(written)):
            if written[:index] + written[index + 1 :] == canonical:
                return f"an extra {written[index]!r} in {written!r} (the name has {canonical!r})"
    if len(canonical) == len(written) + 1:
        for index in range(len(canonical)):
            if canonical[:index] + canonical[index + 1 :] == written:
                return f"a {canonical[index]!r} is missing from {written!r} (the name has {canonical!r})"
    if not written:
        return f"the digits {canonical!r} are missing"
    return f"its digits {written!r} differ from {canonical!r}"


@rule(
    "tag-name-typo",
    "error",
    "A",
    "A known variant or near miss of a tag name (edit distance <= 2 after case-folding): wrong, missing or "
    "extra 'DC.' prefix, '_' '-' '.' swaps, stray digits, or whitespace around the name; real Dublin Core "
    "names (DC.Creator, dcterms.language) are not matched. The value is still checked under the intended tag "
    "· seen: DC.ISO03166 (Swedish guidance page), dc_policy-code (pilot crawler), ISO3166, policy_code, "
    "sdg_tag.",
    "Guidance 2020 §tag table, §DC prefix",
    "Rename; value still checked",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC_ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tag_name_typo(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("tag-name-typo", _NONE):
        written = occ.name_as_written
        if occ.match == "variant":
            reason = _misspelling(written, occ.canonical)
            yield ctx.finding(
                "tag-name-typo",
                f"meta name {written!r} is not a gateway tag name ({reason}); the harvester will not find it. "
                f"Its value was checked as {occ.canonical}",
                occurrence=occ,
                value=written,
                expected=occ.canonical,
            )
        elif written != written.strip() and written.strip()[:1] not in QUOTE_DEBRIS:
            yield ctx.finding(
                "tag-name-typo",
                f"meta name {written!r} has whitespace around {occ.canonical!r}; the harvester may not match "
                "it",
                occurrence=occ,
                value=written,
                expected=occ.canonical,
            )


@rule(
    "tag-property-attribute",
    "warning",
    "A",
    'A tag given with property= (or itemprop=) instead of name= · seen: ePortugal property="sdg-tag".',
    "Guidance 2020 §tag table",
    "Use `name=` (`property` may stay)",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta property="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" property="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tag_property_attribute(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("tag-property-attribute", _NONE):
        if occ.attribute != "name":
            yield ctx.finding(
                "tag-property-attribute",
                f'{occ.canonical} is given as {occ.attribute}="{occ.name_as_written}"; the guidance names '
                "tags with name=",
                occurrence=occ,
                value=occ.name_as_written,
                expected=f'name="{occ.canonical}"',
            )


@rule(
    "tag-duplicate",
    "warning",
    "A",
    "The same canonical tag on more than one element; the first in document order is the effective value, "
    "the others are validated too and listed in the finding.",
    "Guidance 2020 §multiple values",
    "One element, values joined by `;`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tag_duplicate(ctx: RuleContext) -> Iterator[Finding]:
    occurrences_on_page = ctx.page.occurrences
    if len({occ.canonical for occ in occurrences_on_page}) == len(occurrences_on_page):
        return
    for canonical in dict.fromkeys(occ.canonical for occ in occurrences_on_page):
        occurrences = ctx.occurrences(canonical)
        if len(occurrences) < 2:
            continue
        listed = ", ".join(
            f"line {occ.line} {_quoted(occ.raw)}" + (" (effective)" if index == 0 else "")
            for index, occ in enumerate(occurrences)
        )
        merged: dict[str, str] = {}
        for occ in occurrences:
            for item in ctx.items_of(occ):
                merged.setdefault(item.text.casefold(), item.text)
        yield ctx.finding(
            "tag-duplicate",
            f"{canonical} appears on {len(occurrences)} elements: {listed}; a reader taking the first sees "
            "only the first value",
            occurrence=occurrences[1],
            expected=";".join(merged.values()) or None,
        )


# --- emptiness, position, markup debris --------------------------------------------------------------------


@rule(
    "tag-empty",
    "warning",
    "A",
    "An optional tag (DC.Location, DC.Policy, or DC.Language when <html lang> is set) with empty content or "
    "no content attribute; an empty mandatory tag is reported by its *-missing rule instead.",
    "IR 2020/1121 Annex I",
    "Fill or remove",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE1">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tag_empty(ctx: RuleContext) -> Iterator[Finding]:
    lang = ctx.page.html_lang
    lang_set = lang is not None and bool(lang.value.strip())
    for occ in _suspects(ctx).get("tag-empty", _NONE):
        optional = occ.canonical in _OPTIONAL_TAGS or (occ.canonical == "DC.Language" and lang_set)
        if optional and not ctx.items_of(occ):
            what = "has no content attribute" if occ.raw is None else f"is empty ({occ.raw!r})"
            yield ctx.finding(
                "tag-empty",
                f"{occ.canonical} {what}; an empty optional tag says nothing to the harvester",
                occurrence=occ,
            )


@rule(
    "tag-outside-head",
    "warning",
    "A",
    "An SDG tag in <body> after HTML parsing (any non-head element or text before it closes <head>).",
    "IR 2020/1121 Art 2(2)(a)",
    "Move into `<head>`",
    fail_example="""
<html lang="en">
<head>
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
</head>
<body><meta name="sdg-tag" content="sdg"></body>
</html>
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tag_outside_head(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("tag-outside-head", _NONE):
        if not occ.in_head:
            yield ctx.finding(
                "tag-outside-head",
                f"{occ.canonical} is in the page body, not in <head>; page metadata belongs in the head",
                occurrence=occ,
            )


def _has_quote_debris(text: str, canonical: str | None = None) -> bool:
    """Quote characters at the ends of a name (`canonical` None) or of a value that are debris, not text.

    Names and code-list values never hold quotes; on free text (`DC.Policy`, assistance titles) a quote at an
    end is the editor's text unless the self-closing slash sticks to it (`title”/`).
    """
    stripped = text.strip()
    if not stripped:
        return False
    if stripped[-1] == "/" and len(stripped) > 1 and stripped[-2] in QUOTE_DEBRIS:
        return True  # `content=”sdg”/>`: the self-closing slash sticks to the unquoted value
    if stripped[0] not in QUOTE_DEBRIS and stripped[-1] not in QUOTE_DEBRIS:
        return False
    return quotes_are_debris(stripped.strip(QUOTE_DEBRIS).strip(), canonical)


@rule(
    "markup-typographic-quotes",
    "error",
    "A",
    "A name or a code-list value (sdg-tag, DC.ISO3166, DC.Location, DC.Service, policy-code codes, "
    "DC.Language) starts or ends with a typographic or stray quote (“ ” ″ ‘ ’ and the like), or any value "
    "holds markup debris (/>, <meta, <link) swallowed through an unclosed quote; the other rules check the "
    "value without the debris. Straight ' and \" and « » „ inside or at the ends of free text (DC.Policy, "
    "assistance titles) are ordinary text, never this finding · seen: hetcak.nl DC.Policy ending in ”/> plus "
    "the next <link; a national guidance page printing name=”sdg-tag”.",
    "IR 2020/1121 Art 2(2)(a)",
    "Straight quotes",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content=”BE”>
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def markup_typographic_quotes(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("markup-typographic-quotes", _NONE):
        problems: list[str] = []
        if _has_quote_debris(occ.name_as_written):
            problems.append(f"the name {occ.name_as_written!r} is wrapped in quote characters")
        raw = occ.raw
        expected: str | None = None
        if raw is not None:
            debris = MARKUP_DEBRIS.search(raw)
            if debris is not None:
                problems.append(
                    f"the value swallowed markup ({debris.group(0)!r}): a quote was not closed with a straight "
                    '" and the element ran into the next one'
                )
            elif _has_quote_debris(raw, occ.canonical):
                problems.append(f"the value {_excerpt(raw)!r} is wrapped in quote characters")
            if problems:
                expected = strip_markup_debris(raw, occ.canonical)
        if problems:
            yield ctx.finding(
                "markup-typographic-quotes",
                f"{occ.canonical}: {'; '.join(problems)}; HTML attributes need straight quotes "
                f'(name="{occ.canonical}" content="...")',
                occurrence=occ,
                normalized=expected,
                expected=expected,
            )


# --- rendered pages ----------------------------------------------------------------------------------------


@rule(
    "tags-only-after-javascript",
    "warning",
    "A",
    "Render mode: a tag is in the rendered DOM but not in the HTML the server sends (the harvester reads the "
    "server HTML) · seen: Finnish study portal (React), Commission pilot jQuery client. Reported by "
    "compare_rendered() when a page is rendered; a static-only check never reports it.",
    "IR 2020/1121 Art 2(2)(a), Art 2(4); Guidance 2020 §crawler access",
    "Emit server-side",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
--- rendered ---
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
--- rendered ---
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tags_only_after_javascript(ctx: RuleContext) -> Iterator[Finding]:
    return iter(())  # needs the rendered page: see compare_rendered


@rule(
    "tags-changed-by-javascript",
    "warning",
    "A",
    "Render mode: the static and rendered values of a tag differ (or a script removes it). Reported by "
    "compare_rendered() when a page is rendered; a static-only check never reports it.",
    "IR 2020/1121 Art 2(2)(a), Art 2(4); Guidance 2020 §crawler access",
    "Make server output final",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
--- rendered ---
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="NL">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
--- rendered ---
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tags_changed_by_javascript(ctx: RuleContext) -> Iterator[Finding]:
    return iter(())  # needs the rendered page: see compare_rendered


# Attributes that client-side head managers put on the elements they own: such a tag is written (or rewritten)
# by JavaScript, so the HTML the server sends may lack it on some pages or loads, and a saved or pasted page may
# show the browser's DOM rather than what the harvester reads.
SCRIPT_HEAD_MARKERS: dict[str, str] = {
    "data-react-helmet": "React Helmet",
    "data-rh": "react-helmet-async",
    "data-n-head": "Nuxt (vue-meta)",
    "data-hid": "Nuxt (vue-meta)",
    "data-vue-meta": "vue-meta",
    "data-vmid": "vue-meta",
    "data-gatsby-head": "Gatsby",
    "data-senna-track": "Liferay (SennaJS)",
}


@rule(
    "tags-managed-by-javascript",
    "info",
    "A",
    "An SDG tag carries the marker of a client-side head manager (data-react-helmet, data-rh, data-n-head, "
    "data-hid, data-vue-meta, data-vmid, data-gatsby-head, data-senna-track): JavaScript writes or rewrites it, "
    "so it may be missing from the HTML the server sends, which is what the harvester reads · seen: a national "
    "study portal written in React.",
    "IR 2020/1121 Art 2(2)(a), Art 2(4); Guidance 2020 §crawler access",
    "Check with `--render` (served HTML vs rendered DOM); emit the tags server-side",
    fail_example="""
<meta data-react-helmet="true" name="sdg-tag" content="sdg">
<meta data-react-helmet="true" name="DC.ISO3166" content="BE">
<meta data-react-helmet="true" name="DC.Service" content="information">
<meta data-react-helmet="true" name="policy-code" content="C2">
<meta data-react-helmet="true" name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def tags_managed_by_javascript(ctx: RuleContext) -> Iterator[Finding]:
    managed: dict[str, list[str]] = {}  # marker attribute -> tags carrying it
    first: TagOccurrence | None = None
    for occ in ctx.page.occurrences:
        for attribute in occ.kept_attributes:
            marker = attribute.lower()
            if marker in SCRIPT_HEAD_MARKERS:
                tags = managed.setdefault(marker, [])
                if occ.canonical not in tags:
                    tags.append(occ.canonical)
                first = first or occ
    if first is None:
        return
    listed = "; ".join(
        f"{', '.join(tags)} by {SCRIPT_HEAD_MARKERS[marker]} ({marker})" for marker, tags in managed.items()
    )
    yield ctx.finding(
        "tags-managed-by-javascript",
        f"SDG tags are managed by JavaScript ({listed}): they may be missing from the HTML the server sends, "
        "which is what the harvester reads; check the page with --render to compare the served HTML with the "
        "rendered DOM",
        occurrence=first,
        value=", ".join(managed),
    )


def compare_rendered(static: ExtractedPage, rendered: ExtractedPage, ctx: RuleContext) -> list[Finding]:
    """Findings of `tags-only-after-javascript` / `tags-changed-by-javascript` for one page in render mode.

    `ctx` is the context of either page (its options are used); the caller runs the result through
    `validators.engine.apply_options` like any other finding. Values are compared trimmed.
    """
    findings: list[Finding] = []
    for canonical in CANONICAL_TAGS:
        before, after = static.first(canonical), rendered.first(canonical)
        if after is not None and before is None:
            findings.append(
                ctx.finding(
                    "tags-only-after-javascript",
                    f"{canonical} {_quoted(after.raw)} appears only after JavaScript runs; the HTML the server "
                    "sends lacks it, so a harvester reading that HTML does not see it",
                    occurrence=after,
                )
            )
        elif before is not None and after is None:
            findings.append(
                ctx.finding(
                    "tags-changed-by-javascript",
                    f"{canonical} {_quoted(before.raw)} in the server HTML is removed by JavaScript",
                    occurrence=before,
                )
            )
        elif (
            before is not None
            and after is not None
            and (before.raw or "").strip() != (after.raw or "").strip()
        ):
            findings.append(
                ctx.finding(
                    "tags-changed-by-javascript",
                    f"JavaScript changes {canonical} from {_quoted(before.raw)} (server HTML) to "
                    f"{_quoted(after.raw)}; the harvester reads the server value",
                    occurrence=after,
                    expected=after.raw,
                )
            )
    lang_before = static.html_lang.value.strip() if static.html_lang is not None else ""
    lang_after = rendered.html_lang.value.strip() if rendered.html_lang is not None else ""
    if lang_after != lang_before and rendered.html_lang is not None:
        rule_id = "tags-changed-by-javascript" if lang_before else "tags-only-after-javascript"
        findings.append(
            ctx.finding(
                rule_id,
                f"<html lang> is {lang_after!r} only after JavaScript runs (server HTML: "
                f"{lang_before or 'none'!r})",
                tag=HTML_LANG_KEY,
                value=rendered.html_lang.value,
                line=rendered.html_lang.line,
                column=rendered.html_lang.column,
            )
        )
    for finding in findings:
        finding.origin = "rendered"
    return findings


# --- values ------------------------------------------------------------------------------------------------


def _clean_value(raw: str) -> str:
    """The value as it should be written: items trimmed, inner whitespace runs single spaces, no empty items."""
    pieces = (" ".join(piece.replace("\u200b", "").split()) for piece in raw.split(";"))
    return ";".join(piece for piece in pieces if piece)


@rule(
    "value-whitespace",
    "warning",
    "A",
    "A value (any tag, DC.Policy included) has leading or trailing whitespace, spaces around ';', line "
    "breaks or tabs, or no-break / zero-width spaces · seen: guidance example 2, whose DC.Policy begins with "
    "a space.",
    "Guidance 2020 §multiple values",
    "Trim",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content=" BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def value_whitespace(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("value-whitespace", _NONE):
        raw = occ.raw or ""
        value_items = ctx.items_of(occ)
        if not value_items:
            continue  # empty: the *-missing or tag-empty rule says so
        # `information\nprocedure`: the line break separates items, which is value-separator's finding.
        split_on_whitespace = any(item.separator == " " for item in value_items)
        # Debris from an unclosed quote (line break before the next <link) is markup-typographic-quotes'.
        debris = MARKUP_DEBRIS.search(raw) or _has_quote_debris(raw, occ.canonical)
        text = strip_markup_debris(raw, occ.canonical) if debris else raw
        problems: list[str] = []
        if text != text.strip():
            if text != text.lstrip():
                problems.append("leading whitespace")
            if text != text.rstrip():
                problems.append("trailing whitespace")
        pieces = text.split(";")
        if any(
            piece.strip()
            and (
                (index > 0 and piece != piece.lstrip())
                or (index < len(pieces) - 1 and piece != piece.rstrip())
            )
            for index, piece in enumerate(pieces)
        ):
            problems.append("spaces around ';'")
        # Line breaks and tabs at the ends are already "leading/trailing"; look-alike spaces are named anywhere.
        inner = text.strip(" \r\n\t")
        for special in dict.fromkeys(_SPECIAL_WHITESPACE.findall(inner)):
            if special in "\r\n\t" and split_on_whitespace:
                continue
            if special in "\r\n":
                name = "a line break"
            elif special == "\t":
                name = "a tab"
            else:
                name = f"a {_INVISIBLE_SPACES[special]} (U+{ord(special):04X})"
            if name not in problems:
                problems.append(name)
        if not problems:
            continue
        items = [piece for piece in pieces if piece.strip()]
        first = next((index for index, piece in enumerate(items) if piece != _clean_value(piece)), None)
        cleaned = _clean_value(text)
        yield ctx.finding(
            "value-whitespace",
            f"{occ.canonical} value {_excerpt(raw)!r} has {', '.join(problems)}",
            occurrence=occ,
            item=first,
            normalized=cleaned,
            expected=cleaned,
        )


@rule(
    "value-empty-item",
    "warning",
    "A",
    "A value has an empty item: 'J1;;J4', a leading or trailing ';'.",
    "Guidance 2020 §multiple values",
    "Remove stray `;`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2;">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def value_empty_item(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("value-empty-item", _NONE):
        raw = occ.raw
        if not raw or ";" not in raw or not ctx.items_of(occ):
            continue
        pieces = strip_markup_debris(raw, occ.canonical).split(";")
        empty = _empty_pieces(raw, occ.canonical)
        if not empty:
            continue
        where: list[str] = []
        if empty[0] == 0:
            where.append("a leading ';'")
        if empty[-1] == len(pieces) - 1:
            where.append("a trailing ';'")
        if any(0 < index < len(pieces) - 1 for index in empty):
            where.append("';;' (an empty item between two separators)")
        cleaned = _clean_value(strip_markup_debris(raw, occ.canonical))
        yield ctx.finding(
            "value-empty-item",
            f"{occ.canonical} value {_excerpt(raw)!r} has {' and '.join(where)}",
            occurrence=occ,
            normalized=cleaned,
            expected=cleaned,
        )


@rule(
    "value-duplicate-item",
    "warning",
    "A",
    "The same item twice in one value after normalisation (codes and keywords case-folded, whitespace "
    "unified): 'information;information', 'C2;c2'.",
    "Guidance 2020 §multiple values",
    "Remove repeat",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information;information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def value_duplicate_item(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("value-duplicate-item", _NONE):
        items = ctx.items_of(occ)
        if len(items) < 2:
            continue
        seen: dict[str, int] = {}
        repeats: list[tuple[int, str, int]] = []
        for item in items:
            key = _item_key(item.text)
            if key in seen:
                repeats.append((item.index, key, seen[key]))
            else:
                seen[key] = item.index
        if not repeats:
            continue
        deduplicated = ";".join(items[index].text for index in seen.values())
        for index, key, first in repeats:
            yield ctx.finding(
                "value-duplicate-item",
                f"{occ.canonical} item {index + 1} {_excerpt(items[index].text)!r} repeats item {first + 1}",
                occurrence=occ,
                item=index,
                normalized=key,
                expected=deduplicated,
            )


@rule(
    "value-separator",
    "error",
    "A",
    "Items of DC.Service, DC.ISO3166, DC.Location or DC.Language joined by ',' ':' '/' '|' or a space instead "
    "of ';' (policy-code: policy-code-separator) · seen: information,procedure.",
    "Guidance 2020 §multiple values",
    "Use `;`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE1,BE2">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE1;BE2">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def value_separator(ctx: RuleContext) -> Iterator[Finding]:
    for occ in _suspects(ctx).get("value-separator", _NONE):
        if occ.canonical not in _SEPARATED_TAGS:
            continue
        items = ctx.items_of(occ)
        separated = [item for item in items if item.separator is not None]
        if not separated:
            continue
        separators = ", ".join(repr(sep) for sep in dict.fromkeys(item.separator for item in separated))
        joined = ";".join(item.text for item in items)
        yield ctx.finding(
            "value-separator",
            f"{occ.canonical} value {occ.raw!r} separates its items with {separators}; the harvester splits "
            "multiple values on ';' only",
            occurrence=occ,
            item=separated[0].index,
            normalized=joined,
            expected=joined,
        )

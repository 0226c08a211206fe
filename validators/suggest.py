"""`check --suggest`: the corrected SDG tag block an editor can paste in place of the page's tags (SPEC §6.3).

The block must never be worse than what the page has:
* every repair that names one value is made: exact tag names with `name=`, upper-case country and location codes,
  `EL` for `GR`, `;` separators, no stray whitespace or quote debris around codes, unpadded and upper-case policy
  codes, the service keyword `service-type-invalid` names (`p` -> `procedure`), the full title an abbreviated
  service name stands for, `sdg-tag` added, a legacy Annex II code replaced by the code SPEC §5.3 names (or
  dropped where the page has it: `J1;W1` -> `J1`), `DC.Policy` titles for the codes, one element per tag;
* free text (`DC.Policy` items, assistance titles) keeps every character the editor wrote, apostrophes and quotes
  included; only whitespace is normalised, and markup debris (`…”/>` + a swallowed `<link`) and quotes that stood
  in for the attribute's own are removed; values are escaped for an attribute (`&amp;`, `&quot;`, `&lt;`);
* `property=` (beside the new `name=`) and `data-*` attributes of the page's elements are kept;
* whatever needs a person's decision (a value that is not a country, an unknown code, a missing service type) is
  left as an HTML comment naming the tag and what to decide, never an invented value.
tests/test_suggest_roundtrip.py checks this over the whole test corpus: suggest, paste, check again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sdg_tags.taxonomy import annexes, countries, languages, lau, nuts
from sdg_tags.taxonomy.countries import tag_code
from sdg_tags.validators.extraction import STRAY_QUOTES
from sdg_tags.validators.models import ExtractedPage, PageResult, TagOccurrence
from sdg_tags.validators.rules.context import RuleContext
from sdg_tags.validators.rules.policy_items import (
    LEGACY_REPLACEMENTS,
    check_date,
    code_title,
    match_service,
    policy_items,
)
from sdg_tags.validators.rules.policy_titles import analyse_titles, title_matches
from sdg_tags.validators.rules.service import suggested_keyword
from sdg_tags.validators.rules.values import MARKUP_DEBRIS, ValueItem, split_items

_CODE_SHAPE = re.compile(r"^([A-Za-z]{1,2})0*(\d{1,3})$")  # `C2`, `c02`, two-letter areas (`AJ1`)
_AREA_ONLY = re.compile(r"^[A-Xa-x]$")
_WHITESPACE = re.compile(r"\s+")
# Quotes that end up in a value when the attribute itself was quoted with them (`content=”…”/>`): removed only
# next to markup debris, never from free text as such (an editor's title may end in a quote, SPEC §6.3).
_DELIMITER_QUOTES = '"“”″‘’'
_OPENING_DELIMITERS = "“”″"
_LANGUAGE_SEPARATORS = re.compile(r"[-_]")
# Group keys of the Commission's registry export that people copy into policy-code (SPEC §5.2).
REGISTRY_KEYS = frozenset({"CITIZENS", "BUSINESSES"})


@dataclass
class _Suggestion:
    """The repaired items of one tag and what is left for a person to decide."""

    canonical: str
    items: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)  # property=, data-* the page's elements carry

    def add(self, item: str) -> None:
        if item not in self.items:  # a repeated item is dropped (value-duplicate-item)
            self.items.append(item)


def _comment_text(text: str) -> str:
    # "--" may not appear inside an HTML comment; ">" right after "<!--" would end it.
    return text.replace("--", "- -").replace("\n", " ")


def _quoted(text: str) -> str:
    return "'" + _WHITESPACE.sub(" ", text).strip() + "'"


def _clean_text(text: str) -> str:
    """A code as it should be written: one space between words, no quote debris at either end."""
    return _WHITESPACE.sub(" ", text).strip().strip(STRAY_QUOTES).strip()


def _free_text(text: str) -> str:
    """Free text (a `DC.Policy` title, an assistance service's title) as the editor wrote it: every character
    kept, quotes included; only whitespace is normalised (SPEC §6.3)."""
    return _WHITESPACE.sub(" ", text).strip()


def _without_markup_debris(raw: str) -> str:
    """The value up to swallowed markup (`…title”/>` + the next `<link`), with the quote and slash that closed
    the element removed; a value without debris is returned as written."""
    debris = MARKUP_DEBRIS.search(raw)
    if debris is None:
        return raw
    return raw[: debris.start()].rstrip().rstrip("/").rstrip().rstrip(_DELIMITER_QUOTES)


def _without_delimiter_quotes(raw: str) -> str:
    """The value without typographic quotes that stood in for the attribute's own (`content=”…”`): a quote
    opening the whole value, and the one closing it when it was opened so. Quotes inside, or only at the end
    (`Programmet ”Starta eget”`), are the editor's."""
    text = raw.strip()
    if text and text[0] in _OPENING_DELIMITERS:
        text = text[1:]
        if text and text[-1] in _OPENING_DELIMITERS:
            text = text[:-1]
    return text


def _free_items(raw: str | None) -> list[str]:
    """`;`-separated free-text items, markup and delimiter debris removed, each kept as written (whitespace
    normalised)."""
    if raw is None:
        return []
    value = _without_delimiter_quotes(_without_markup_debris(raw))
    return [text for text in map(_free_text, value.split(";")) if text]


# --- sources: the items a tag has on the page ----------------------------------------------------------------


def _kept_attributes(ctx: RuleContext, canonical: str) -> dict[str, str]:
    """`property=` and `data-*` attributes of the tag's elements, first occurrence first (SPEC §6.3): an element
    named with `property=` keeps it beside the new `name=`, since the site's scripts may read it."""
    kept: dict[str, str] = {}
    for occurrence in ctx.occurrences(canonical):
        if occurrence.attribute == "property":
            written = occurrence.name_as_written.strip()
            clean = written and written[0] not in STRAY_QUOTES and written[-1] not in STRAY_QUOTES
            kept.setdefault("property", written if clean else canonical)
        for key, value in occurrence.kept_attributes.items():
            kept.setdefault(key, value)
    return kept


def _items(ctx: RuleContext, canonical: str, suggestion: _Suggestion) -> tuple[list[ValueItem], bool]:
    """Items of the effective occurrence, else of the first non-empty duplicate; (items, tag present?).

    Duplicates with other values are a decision: which one is right cannot be known.
    """
    occurrences = ctx.occurrences(canonical)
    if not occurrences:
        return [], False
    values: list[tuple[TagOccurrence, list[ValueItem]]] = [
        (occurrence, split_items(occurrence.raw, canonical)) for occurrence in occurrences
    ]
    filled = [(occurrence, items) for occurrence, items in values if items]
    if not filled:
        return [], True
    chosen = filled[0][1]
    distinct = {tuple(item.text.casefold() for item in items) for _, items in filled}
    if len(distinct) > 1:
        written = ", ".join(_quoted(occurrence.raw or "") for occurrence, _ in filled)
        suggestion.decisions.append(
            f"the page has {len(filled)} elements with different values ({written}); the first is used "
            "here: keep the one that is right"
        )
    return chosen, True


# --- tags -------------------------------------------------------------------------------------------------------


def _country_by_name() -> dict[str, str]:
    return {country.name.casefold(): country.code for country in countries.eea_countries()}


def _suggest_country(ctx: RuleContext, location_hint: str | None) -> _Suggestion:
    suggestion = _Suggestion("DC.ISO3166")
    items, present = _items(ctx, "DC.ISO3166", suggestion)
    expected = ctx.options.expected_country
    for item in items:
        text = item.text.strip(STRAY_QUOTES)
        found = countries.classify_country(text)
        if found.kind in ("eea", "greece-iso") and found.country is not None:
            suggestion.add(found.country.code)
        elif found.code == "EU" and ctx.options.allow_country_eu:
            suggestion.add("EU")
        elif text.casefold() in _country_by_name():
            suggestion.add(_country_by_name()[text.casefold()])
        elif found.kind == "non-eea":
            suggestion.decisions.append(f"{_quoted(text)} is not an EEA country; set your EEA country code")
        elif len(text) == 2 and text.isalpha() and languages.iso639_1(text.lower()) is not None:
            # The wording of the SPEC's own example ('en' from a portal copying its UI language).
            suggestion.decisions.append(f"{_quoted(text)} is not a country; set your EEA country code")
        else:
            suggestion.decisions.append(f"{_quoted(text)} is not a country code; set your EEA country code")
    if not suggestion.items and not suggestion.decisions:
        if expected:
            suggestion.add(expected.upper())
        else:
            hint = f" (DC.Location suggests {location_hint})" if location_hint else ""
            state = "empty" if present else "missing"
            suggestion.decisions.append(f"{state}; set your EEA country code{hint}")
    elif suggestion.decisions and expected and not suggestion.items:
        # The user said which country the page belongs to (`check --country`): that settles it.
        suggestion.decisions.clear()
        suggestion.add(expected.upper())
    return suggestion


def _location_country_hint(ctx: RuleContext) -> str | None:
    """The country part of the first location item that is a known NUTS/SR region (for a comment only)."""
    for item in split_items(ctx.raw("DC.Location"), "DC.Location"):
        region = nuts.nuts_region(item.text.upper())
        if region is not None:
            return region.country
    return None


def _same_country(a: str, b: str) -> bool:
    greece = {countries.GREECE_TAG, countries.GREECE_ISO}
    return a == b or (a in greece and b in greece)


def _suggest_location(ctx: RuleContext, page_countries: list[str]) -> _Suggestion | None:
    suggestion = _Suggestion("DC.Location")
    items, present = _items(ctx, "DC.Location", suggestion)
    if not present or not items:
        return None  # optional tag: absent stays absent, an empty one is removed (tag-empty)
    country = page_countries[0] if len(page_countries) == 1 else None
    for item in items:
        text = item.text.strip(STRAY_QUOTES).upper()
        gisco = lau.GISCO_FORM.match(text)
        region = nuts.nuts_region(text)
        if region is not None:
            if region.extra_regio:
                suggestion.decisions.append(
                    f"{_quoted(item.text)} is an extra-regio code, not a place; use a region"
                )
            elif region.level == 0:
                continue  # a country as location means nationwide content: the tag is omitted
            elif country is not None and not _same_country(region.country, country):
                suggestion.decisions.append(
                    f"{_quoted(item.text)} lies in {region.country}, not in {country}; align DC.Location and "
                    "DC.ISO3166"
                )
            elif any(version in region.versions for version in ctx.options.nuts_versions):
                suggestion.add(region.code)
            else:
                later = nuts.successors(region.code)
                if len(later) == 1:
                    suggestion.add(later[0])
                else:
                    options = f": choose among {', '.join(later)}" if later else ""
                    suggestion.decisions.append(f"{_quoted(item.text)} is an outdated NUTS code{options}")
        elif gisco is not None:
            lau_country, code = gisco.group(1), gisco.group(2)
            lau_country = tag_code(lau_country)
            if country is not None and not _same_country(lau_country, country):
                suggestion.decisions.append(
                    f"{_quoted(item.text)} lies in {lau_country}, not in {country}; align DC.Location and "
                    "DC.ISO3166"
                )
            else:
                # An unknown LAU code is only a warning (LAU lists change every year): kept, case repaired.
                suggestion.add(f"{lau_country}_{code}")
        elif country is not None and text.isalnum() and lau.lau_unit(country, text) is not None:
            suggestion.add(f"{country}_{text}")  # bare LAU code: the prefixed form is preferred
        else:
            suggestion.decisions.append(
                f"{_quoted(item.text)} is not a NUTS or LAU code; use a NUTS 1-3 code or CC_LAUCODE "
                "(or remove the tag for nationwide content)"
            )
    if not suggestion.items and not suggestion.decisions:
        return None
    return suggestion


def _service_keyword(item: ValueItem) -> str | None:
    """The keyword an item means: itself, or what `service-type-invalid` says to write (`p` -> procedure)."""
    folded = item.text.strip(STRAY_QUOTES).casefold()
    return folded if folded in annexes.SERVICE_TYPES else suggested_keyword(folded)


def _suggest_service(ctx: RuleContext, code_types: list[str]) -> _Suggestion:
    suggestion = _Suggestion("DC.Service")
    items, present = _items(ctx, "DC.Service", suggestion)
    for item in items:
        keyword = _service_keyword(item)
        if keyword is not None:
            suggestion.add(keyword)
        else:
            suggestion.decisions.append(
                f"{_quoted(item.text)} is not a service type; use information, procedure and/or assistance"
            )
    if not suggestion.items and not suggestion.decisions:
        state = "empty" if present else "missing"
        hint = f" (policy-code suggests {';'.join(code_types)})" if code_types else ""
        suggestion.decisions.append(f"{state}; set information, procedure and/or assistance{hint}")
    return suggestion


@dataclass
class _PolicyItem:
    text: str  # the repaired item
    title: str  # the official title (the service's name for a service)
    kind: str  # "annex1" | "annex2" | "service"
    written_title: str | None = None  # the page's DC.Policy item for this code, as written


def _as_written(ctx: RuleContext, canonical: str, text: str) -> str:
    """The free-text item as the editor wrote it: `split_items` trims quote debris from a value's ends (right
    for codes), which would cut the apostrophe of a title ending in `'VA'`."""
    wanted = _free_text(text).strip(STRAY_QUOTES)
    for occurrence in ctx.occurrences(canonical):
        for piece in _free_items(occurrence.raw):
            if piece.strip(STRAY_QUOTES).strip() == wanted:
                return piece
    return _free_text(text)


def _suggest_policy_code(ctx: RuleContext, service_types: list[str]) -> tuple[_Suggestion, list[_PolicyItem]]:
    suggestion = _Suggestion("policy-code")
    items, present = _items(ctx, "policy-code", suggestion)
    resolved: list[_PolicyItem] = []
    assistance = "assistance" in service_types
    as_of = check_date(ctx)
    read_as = {policy.code: policy.kind for policy in policy_items(ctx) if policy.code}
    for item in items:
        text = _clean_text(item.text)
        shape = _CODE_SHAPE.match(text)
        if shape is not None:
            code = f"{shape.group(1).upper()}{int(shape.group(2))}"
            annex1, annex2 = annexes.annex1_item(code, as_of), annexes.annex2_item(code, as_of)
            # A code in both lists (`R1`) is read as the engine reads it (DC.Service, DC.Policy; SPEC §5.7).
            if annex1 is not None and (annex2 is None or read_as.get(code) != "annex2"):
                resolved.append(_PolicyItem(code, annex1.title, "annex1"))
            elif annex2 is not None:
                resolved.append(_PolicyItem(code, annex2.title, "annex2"))
            else:
                suggestion.decisions.append(
                    f"{_quoted(text)} is in neither SDGR Annex I nor Annex II; use an item code"
                )
            continue
        if _AREA_ONLY.match(text):
            area = text.upper()
            codes = [entry.code for entry in annexes.annex1_items(as_of) if entry.area_code == area]
            codes += [entry.code for entry in annexes.annex2_items(as_of) if entry.life_event_code == area]
            suggestion.decisions.append(
                f"{_quoted(text)} is a whole area; choose its item code(s): {', '.join(codes)}"
            )
            continue
        written = _as_written(ctx, "policy-code", item.text)
        known = match_service(written, ctx.options.title_match_threshold)
        if known is not None and (assistance or known.kind == "exact"):
            # A title that names the service (any case) is the editor's text; an abbreviation or a near miss
            # gets the official title, which `assistance-title-unknown` names.
            title = written if known.kind == "exact" else known.service.name
            resolved.append(_PolicyItem(title, title, "service"))
        elif text.upper() in REGISTRY_KEYS:
            suggestion.decisions.append(
                f"{_quoted(text)} is a registry group, not a code; use item codes (e.g. A1, J10)"
            )
        elif assistance:
            resolved.append(
                _PolicyItem(written, written, "service")
            )  # free text is valid on assistance pages
        else:
            suggestion.decisions.append(
                f"{_quoted(written)} is not an Annex I/II code; use item codes, or add assistance to DC.Service "
                "if it is the title of an assistance service"
            )
    resolved = list({entry.text: entry for entry in resolved}.values())
    if assistance and not any(entry.kind == "service" for entry in resolved):
        suggestion.decisions.append("an assistance page needs the full title of its service here")
    if not resolved and not suggestion.decisions:
        state = "empty" if present else "missing"
        suggestion.decisions.append(
            f"{state}; add Annex I item code(s) (e.g. C2) or the assistance service's title"
        )
    return suggestion, resolved


def _kind_of(code: str) -> str:
    return "annex1" if annexes.annex1_item(code) is not None else "annex2"


def _attach_written_titles(ctx: RuleContext, resolved: list[_PolicyItem]) -> int:
    """Pair the page's DC.Policy items with the codes (item n names code n); returns how many it has.

    Service titles in policy-code have no DC.Policy item (SPEC §3.1), but pages written under the older
    reading give them one: either count lines the titles up."""
    written = _free_items(ctx.raw("DC.Policy"))
    codes = [entry for entry in resolved if entry.kind != "service"]
    if len(written) == len(codes):
        for entry, title in zip(codes, written, strict=True):
            entry.written_title = title
    elif len(written) == len(resolved):
        for entry, title in zip(resolved, written, strict=True):
            if entry.kind != "service":
                entry.written_title = title
    return len(written)


def _apply_legacy_meanings(ctx: RuleContext, resolved: list[_PolicyItem]) -> list[str]:
    """Replace Annex II codes that `policy-legacy-annex2-meaning` finds titled with their draft-era meaning by the
    code SPEC §5.3 says the page should use (code and title), or drop them where that code is already there
    (`J1;W1` -> `J1`); a code the table gives no single replacement for stays, with a comment. Same correction
    as the finding's `expected` (`LEGACY_REPLACEMENTS`: a replacement in place, an Annex I fallback in front)."""
    codes = policy_items(ctx)
    legacy = {codes[index].code for index, _ in analyse_titles(ctx).legacy}
    notes: list[str] = []
    for entry in list(resolved):
        if entry.text not in legacy or entry.kind != "annex2":
            continue
        final = annexes.annex2_item(entry.text)
        replacement, fallback, _ = LEGACY_REPLACEMENTS.get(entry.text, (None, None, ""))
        target = replacement or fallback
        written = entry.written_title or ""
        if target is None:
            notes.append(
                f"{entry.text} is titled with its legacy meaning {_quoted(written)}; in the final Annex II "
                f"{entry.text} is {_quoted(final.title if final else '?')}: choose the code that fits the page"
            )
            continue
        position = resolved.index(entry)
        resolved.remove(entry)
        if any(other.text == target for other in resolved):
            continue  # the page already carries the code it should use
        title = code_title(target) or target
        replaced = _PolicyItem(target, title, _kind_of(target))
        resolved.insert(position if replacement is not None else 0, replaced)
    return notes


def _suggest_policy_titles(
    ctx: RuleContext,
    result: PageResult,
    code_decisions: bool,
    resolved: list[_PolicyItem],
    types: list[str],
    written_count: int,
) -> _Suggestion | None:
    suggestion = _Suggestion("DC.Policy")
    had_tag = bool(ctx.occurrences("DC.Policy"))
    if not (had_tag or "information" in types or "procedure" in types):
        return None  # recommended for information and procedure pages only
    if code_decisions:
        suggestion.decisions.append(
            "one title per policy-code item, in the same order, once the codes are decided"
        )
        return suggestion
    unknown = [e.text for e in resolved if e.kind != "service" and not e.title and e.written_title is None]
    if unknown:
        # A code whose label could not be confirmed (SPEC §5.7) has no title to offer, and DC.Policy item n
        # must name code n: no element rather than an empty or invented item.
        suggestion.decisions.append(
            f"the official title of {', '.join(unknown)} is not confirmed; add one title per "
            "policy-code item, in the same order, in the page's words"
        )
        return suggestion
    english = result.language in (None, "en")
    threshold = ctx.options.title_match_threshold
    untranslated = 0
    for entry in resolved:
        if entry.kind == "service":
            continue  # DC.Policy is not defined for assistance-service titles (SPEC §3.1)
        written = entry.written_title
        # Official titles may hold no-break spaces ("Article\u00a054"), which value-whitespace reports.
        official = _clean_text(entry.title)
        if written is not None and (not english or title_matches(written, entry.title, threshold)):
            suggestion.items.append(written)  # the editor's words, character for character
        elif written is not None and _is_legacy_kept(entry, written, threshold):
            suggestion.items.append(written)
        else:
            suggestion.items.append(official)
            untranslated += not english
    if untranslated and written_count:
        suggestion.decisions.append(
            f"the page has {written_count} title(s) for {len(suggestion.items)} code(s); the English titles are "
            "shown, translate them if the page uses its own language"
        )
    return suggestion


def _is_legacy_kept(entry: _PolicyItem, written: str, threshold: float) -> bool:
    """A legacy title left in place with its code (no single replacement): it stays as the editor wrote it."""
    item = annexes.annex2_item(entry.text) if entry.kind == "annex2" else None
    return bool(item and item.legacy_title and title_matches(written, item.legacy_title, threshold))


def _language_code(text: str) -> str | None:
    """An ISO 639-1 code for what people write as a language: `EN`, `en-GB`, `en_GB`, `eng`, `English`, `iw`."""
    cleaned = text.strip().strip(STRAY_QUOTES)
    primary = _LANGUAGE_SEPARATORS.split(cleaned, maxsplit=1)[0].lower()
    if len(primary) == 2:
        primary = languages.DEPRECATED_639_1.get(primary, primary)
        return primary if languages.iso639_1(primary) is not None else None
    if len(primary) == 3:
        return languages.from_iso639_2(primary)
    return languages.language_code_for_name(cleaned)


def _html_lang_state(page: ExtractedPage) -> tuple[str | None, str | None]:
    """(primary language of a valid `<html lang>`, a comment when lang is present but unusable)."""
    if page.html_lang is None or not page.html_lang.value.strip():
        return None, None
    value = page.html_lang.value.strip()
    tag = languages.parse_bcp47(value)
    if tag is not None and tag.well_formed and languages.iso639_1(tag.primary) is not None:
        return tag.primary, None
    code = _language_code(value)
    fix = f'write <html lang="{code}">' if code else "set a BCP 47 language tag such as en or en-GB"
    return None, f'<html lang="{value}"> is not a usable language tag; {fix} (the block cannot set it)'


def _suggest_language(ctx: RuleContext) -> _Suggestion | None:
    suggestion = _Suggestion("DC.Language")
    html_primary, html_problem = _html_lang_state(ctx.page)
    if html_problem:
        suggestion.decisions.append(html_problem)
    items, present = _items(ctx, "DC.Language", suggestion)
    codes = list(dict.fromkeys(code for code in (_language_code(item.text) for item in items) if code))
    unreadable = [item.text for item in items if _language_code(item.text) is None]
    if html_primary is not None:
        if not present or not items:
            return suggestion if suggestion.decisions else None  # lang is set: DC.Language is not needed
        if codes == [html_primary] and not unreadable:
            suggestion.add(html_primary)
        else:
            written = _quoted(";".join(item.text for item in items))
            suggestion.decisions.append(
                f"{written} disagrees with <html lang> ({html_primary}); remove DC.Language or set it to "
                f"{html_primary} if that is the page's language"
            )
        return suggestion
    if len(codes) == 1 and not unreadable:
        suggestion.add(codes[0])
    elif len(codes) > 1:
        suggestion.decisions.append(
            f"several languages ({', '.join(codes)}); give the page's one language, preferably as <html lang>"
        )
    elif items:
        written = _quoted(";".join(item.text for item in items))
        suggestion.decisions.append(f"{written} is not a language; set <html lang> to the page's language")
    elif not html_problem:
        suggestion.decisions.append(
            'the page declares no language; set <html lang="xx"> (or add this tag with the ISO 639-1 code)'
        )
    return suggestion


# --- the block ---------------------------------------------------------------------------------------------------


def _types_from_codes(resolved: list[_PolicyItem]) -> list[str]:
    kinds = {entry.kind for entry in resolved}
    types = []
    if "annex1" in kinds:
        types.append("information")
    if "annex2" in kinds:
        types.append("procedure")
    if "service" in kinds:
        types.append("assistance")
    return types


def _attribute(value: str) -> str:
    """A value escaped for a double-quoted attribute, nothing more (SPEC §6.3: `&quot;`, `&amp;`, `&lt;`):
    apostrophes stay readable as written."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _render(suggestion: _Suggestion) -> list[str]:
    lines = []
    if suggestion.items:
        content = _attribute(";".join(suggestion.items))
        kept = "".join(f' {key}="{_attribute(value)}"' for key, value in suggestion.attributes.items())
        lines.append(f'<meta name="{suggestion.canonical}"{kept} content="{content}">')
    lines += [f"<!-- {suggestion.canonical}: {_comment_text(text)} -->" for text in suggestion.decisions]
    return lines


def suggest_tag_block(page: ExtractedPage, result: PageResult, ctx: RuleContext) -> str:
    """The corrected tag block for a page that attempts SDG tagging; open decisions as HTML comments."""
    country = _suggest_country(ctx, _location_country_hint(ctx))
    location = _suggest_location(ctx, country.items)
    # Service types decide how free text in policy-code is read, and codes hint at missing types: resolve the
    # codes against the written types first, then fill a missing DC.Service hint from the codes.
    written_types = [
        keyword
        for keyword in map(_service_keyword, split_items(ctx.raw("DC.Service"), "DC.Service"))
        if keyword is not None
    ]
    policy, resolved = _suggest_policy_code(ctx, written_types)
    written_count = _attach_written_titles(ctx, resolved)
    undecided_codes = bool(policy.decisions)
    policy.decisions += _apply_legacy_meanings(ctx, resolved)
    policy.items = [entry.text for entry in resolved]
    service = _suggest_service(ctx, _types_from_codes(resolved))
    titles = _suggest_policy_titles(ctx, result, undecided_codes, resolved, service.items, written_count)
    language = _suggest_language(ctx)
    marker = _Suggestion("sdg-tag", ["sdg"])
    suggestions = [marker, country, location, service, policy, titles, language]
    lines: list[str] = []
    for suggestion in suggestions:
        if suggestion is not None:
            suggestion.attributes = _kept_attributes(ctx, suggestion.canonical)
            lines += _render(suggestion)
    return "\n".join(lines)

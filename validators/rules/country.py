"""Group C, the country `DC.ISO3166` (SPEC §6.2 C, §5.5; IR 2020/1121 Art 2(3)(a)).

Each item is classified once (`_classified`) and every rule picks its category, so a value gets exactly one
finding: `GR` only `country-gr-instead-of-el`, `se` only `country-case`, `en` only `country-not-eea`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal
from urllib.parse import urlsplit

from sdg_tags.taxonomy.countries import (
    GREECE_TAG,
    classify_country,
    eea_country,
    iso_countries,
    tag_code,
)
from sdg_tags.taxonomy.languages import iso639_1
from sdg_tags.taxonomy.versions import CODE_LIST_VERSIONS
from sdg_tags.validators.models import Finding, TagOccurrence
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.language import effective_language
from sdg_tags.validators.rules.table import rule
from sdg_tags.validators.rules.values import ValueItem

TAG = "DC.ISO3166"
COUNTRIES_LIST = CODE_LIST_VERSIONS["countries"]
GREECE = GREECE_TAG
EU = "EU"

_TWO_LETTERS = re.compile(r"^[A-Za-z]{2}$")
_SUBDIVISION = re.compile(r"^([A-Za-z]{2})-[A-Za-z0-9]{1,3}$")  # ISO 3166-2: ES-CT, FR-75, DE-BY

Category = Literal["ok", "case", "greece-iso", "not-eea", "invalid"]


@dataclass(slots=True)
class CountryItem:
    occurrence: TagOccurrence
    item: ValueItem
    category: Category
    code: str  # upper-cased item


def _classify(text: str, allow_eu: bool) -> tuple[Category, str]:
    if eea_country(text) is not None:
        return "ok", text  # the common case: one dictionary lookup
    if not _TWO_LETTERS.match(text):
        return "invalid", text.upper()
    code = text.upper()
    if code == EU and allow_eu:
        return ("ok" if text == code else "case"), code
    lookup = classify_country(code)
    if lookup.kind == "eea":
        return ("ok" if text == code else "case"), code
    if lookup.kind == "greece-iso":
        return "greece-iso", code
    return "not-eea", code


@per_page
def _classified(ctx: RuleContext) -> list[CountryItem]:
    allow_eu = ctx.options.allow_country_eu
    result: list[CountryItem] = []
    for occ in ctx.distinct_occurrences(TAG):
        for item in ctx.items_of(occ):
            category, code = _classify(item.text, allow_eu)
            result.append(CountryItem(occ, item, category, code))
    return result


def expected_country(ctx: RuleContext) -> str | None:
    """The country the page most likely means: `check --country`, else the EEA country of the URL's
    country-code top-level domain (`www.gov.gr` -> EL); None when neither says."""
    if ctx.options.expected_country:
        return ctx.options.expected_country.strip().upper()
    return _url_country(ctx)


@per_page
def _url_country(ctx: RuleContext) -> str | None:
    return _country_of_url(ctx.page.url)


def _country_of_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    suffix = host.rstrip(".").rsplit(".", 1)[-1].upper()
    if len(suffix) != 2:
        return None
    suffix = tag_code(suffix)
    return suffix if eea_country(suffix) is not None else None


@cache
def _codes_by_name() -> dict[str, str]:
    names = {country.name.casefold(): country.code for country in iso_countries()}
    names["greece"] = GREECE
    return names


@cache
def _alpha2_for_alpha3(code: str) -> str | None:
    # Only for the hint of an invalid value; pycountry is loaded on the first such page (~40 ms).
    try:
        import pycountry

        found = pycountry.countries.get(alpha_3=code)
    except (ImportError, LookupError, KeyError):
        return None
    return found.alpha_2 if found is not None else None


def _tag_code(iso_alpha2: str) -> str:
    return tag_code(iso_alpha2)


def _not_eea_advice(code: str, text: str, page_language: str | None) -> tuple[str, str | None]:
    """(what the value is, hint suffix) for a two-letter non-EEA item."""
    if code == EU:
        return "'EU' is not a country code; DC.ISO3166 names an EEA state", None
    lookup = classify_country(code)
    language = iso639_1(text.lower())
    # `UK` is also Ukrainian and `CH` Chamorro: call it a language code only when that is the likelier
    # reading (a gateway language, the page's own language, or no country has the code).
    if language is not None and (
        language.gateway or language.code == page_language or lookup.country is None
    ):
        country = f"; as a country code it is {lookup.country.name}'s" if lookup.country is not None else ""
        return (
            f"{text!r} looks like a language code ({language.name}), not the provider's country{country}",
            "looks like a language code: the page language goes in <html lang>",
        )
    if lookup.country is not None:
        return f"{text!r} is the code of {lookup.country.name}, which is not in the EEA", None
    return f"{text!r} is not an ISO 3166-1 country code", None


@rule(
    "country-missing",
    "error",
    "C",
    "DC.ISO3166 is absent, has no content attribute or is empty (the message says which).",
    "IR 2020/1121 Art 2(3)(a), Annex I",
    "Add the provider's country",
    fail_example="""
<meta name="sdg-tag" content="sdg">
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
def country_missing(ctx: RuleContext) -> Iterator[Finding]:
    occ = ctx.effective(TAG)
    if occ is None:
        yield ctx.finding(
            "country-missing",
            "the page carries SDG tags but no DC.ISO3166 country",
            tag=TAG,
            expected=expected_country(ctx),
        )
    elif not ctx.items(TAG):
        what = "has no content attribute" if occ.raw is None else f"is empty ({occ.raw!r})"
        yield ctx.finding(
            "country-missing", f"DC.ISO3166 {what}", occurrence=occ, expected=expected_country(ctx)
        )


@rule(
    "country-invalid",
    "error",
    "C",
    "A DC.ISO3166 item that is not two ASCII letters: a country name ('Sweden'), an alpha-3 code ('SWE'), a "
    "subdivision ('ES-CT').",
    "IR 2020/1121 Annex I; ISO 3166-1",
    "Two-letter code",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BEL">
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
def country_invalid(ctx: RuleContext) -> Iterator[Finding]:
    for entry in _classified(ctx):
        if entry.category != "invalid":
            continue
        text = entry.item.text
        expected: str | None = None
        what = "is not a two-letter country code"
        subdivision = _SUBDIVISION.match(text)
        by_name = _codes_by_name().get(" ".join(text.casefold().split()))
        if by_name is not None:
            expected = by_name
            what = f"is a country name; the tag takes its two-letter code {expected!r}"
        elif subdivision is not None:
            expected = _tag_code(subdivision.group(1).upper())
            what = (
                f"is a subdivision code (ISO 3166-2); DC.ISO3166 takes the country {expected!r} and a region "
                "goes in DC.Location as a NUTS code"
            )
        elif len(text) == 3 and text.isalpha():
            alpha2 = _alpha2_for_alpha3(text.upper())
            if alpha2 is not None:
                expected = _tag_code(alpha2)
                what = f"is a three-letter (alpha-3) code; the tag takes the two-letter {expected!r}"
        yield ctx.finding(
            "country-invalid",
            f"DC.ISO3166 {text!r} {what}",
            occurrence=entry.occurrence,
            item=entry.item.index,
            expected=expected or expected_country(ctx),
            code_list=CODE_LIST_VERSIONS["iso3166"],
        )


@rule(
    "country-case",
    "warning",
    "C",
    "A valid EEA code not in upper case · seen: se (konsumentverket.se).",
    "IR 2020/1121 Annex I",
    "Upper case",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="be">
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
def country_case(ctx: RuleContext) -> Iterator[Finding]:
    for entry in _classified(ctx):
        if entry.category == "case":
            yield ctx.finding(
                "country-case",
                f"DC.ISO3166 {entry.item.text!r} is not in upper case; country codes are written {entry.code!r}",
                occurrence=entry.occurrence,
                item=entry.item.index,
                normalized=entry.code,
                expected=entry.code,
                code_list=COUNTRIES_LIST,
            )


@rule(
    "country-gr-instead-of-el",
    "error",
    "C",
    "'GR' in any case: ISO 3166-1 names Greece GR, the IR and the gateway use EL · seen: the pilot tagging "
    "engine emitted GR.",
    "IR 2020/1121 Annex I (EL for Greece)",
    "`EL`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="GR">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="EL">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def country_gr_instead_of_el(ctx: RuleContext) -> Iterator[Finding]:
    for entry in _classified(ctx):
        if entry.category == "greece-iso":
            yield ctx.finding(
                "country-gr-instead-of-el",
                f"DC.ISO3166 {entry.item.text!r} is the ISO code for Greece; gateway tags use 'EL'",
                occurrence=entry.occurrence,
                item=entry.item.index,
                normalized=entry.code,
                expected=GREECE,
                code_list=COUNTRIES_LIST,
            )


@rule(
    "country-not-eea",
    "error",
    "C",
    "Two letters, but not an EEA country and not GR (EU only where SDG_ALLOW_COUNTRY_EU allows it); the hint "
    "says 'looks like a language code' when the item is an ISO 639-1 code · seen: en (www.gov.gr, 339 "
    "records; duo.nl), SV (jordbruksverket.se; El Salvador's code), EN/SV from a portal copying its UI "
    "language, EU, UK.",
    "IR 2020/1121 Annex I; Guidance 2020 §tag table",
    "Provider's EEA country",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="en">
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
def country_not_eea(ctx: RuleContext) -> Iterator[Finding]:
    for entry in _classified(ctx):
        if entry.category != "not-eea":
            continue
        what, hint_extra = _not_eea_advice(entry.code, entry.item.text, effective_language(ctx))
        expected = expected_country(ctx)
        hint = "Provider's EEA country" + (f" ({expected})" if expected else "")
        if hint_extra:
            hint += f"; {entry.item.text!r} {hint_extra}"
        yield ctx.finding(
            "country-not-eea",
            f"DC.ISO3166 {what}",
            occurrence=entry.occurrence,
            item=entry.item.index,
            normalized=entry.code,
            expected=expected,
            hint=hint,
            code_list=COUNTRIES_LIST,
        )


@rule(
    "country-multiple",
    "info",
    "C",
    "DC.ISO3166 holds more than one distinct country item.",
    "IR 2020/1121 Annex I",
    "National pages carry one country",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE;NL">
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
def country_multiple(ctx: RuleContext) -> Iterator[Finding]:
    occ = ctx.effective(TAG)
    if occ is None:
        return
    distinct: dict[str, ValueItem] = {}
    for entry in _classified(ctx):
        # Only items that are country codes at all; the rest are country-invalid.
        if entry.occurrence is occ and entry.category != "invalid":
            distinct.setdefault(entry.code, entry.item)
    if len(distinct) < 2:
        return
    second = list(distinct.values())[1]
    yield ctx.finding(
        "country-multiple",
        f"DC.ISO3166 names {len(distinct)} countries ({', '.join(distinct)}); a national page carries the "
        "country of its provider",
        occurrence=occ,
        item=second.index,
        normalized=";".join(distinct),
    )

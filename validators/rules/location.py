"""Rule family D: location, `DC.Location` (SPEC §5.6, §6.2 group D).

Each item is looked up as a NUTS or statistical-region code in every shipped version first, then as a LAU code
in the page's country: the `CC_CODE` form (`BE_21001`), or a bare code when `DC.ISO3166` holds exactly one
valid country. What it turned out to be is computed once per page (`location_items`); each rule reports one
aspect of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from sdg_tags.taxonomy.countries import GREECE_ISO, GREECE_TAG, classify_country
from sdg_tags.taxonomy.languages import iso639_1
from sdg_tags.taxonomy.lau import (
    GISCO_FORM,
    LAU_VINTAGES,
    LauUnit,
    countries_with_lau_code,
    lau_countries,
    lau_unit,
)
from sdg_tags.taxonomy.nuts import (
    NUTS_LATEST,
    NUTS_VERSIONS,
    NutsRegion,
    nuts_region,
    nuts_regions,
    nuts_status,
    successors,
)
from sdg_tags.taxonomy.versions import CODE_LIST_VERSIONS
from sdg_tags.validators.limits import short_text_cache
from sdg_tags.validators.models import Finding, TagOccurrence
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.table import rule
from sdg_tags.validators.rules.values import ValueItem, split_items

LocationForm = Literal["nuts", "country", "lau", "lau-bare", "lau-unknown", "unknown", "invalid"]

NUTS_LIST = CODE_LIST_VERSIONS["nuts"]
LAU_LIST = CODE_LIST_VERSIONS["lau"]

# NUTS/SR code shape: country prefix + 0-3 characters (`NL`, `BE1`, `EL30`, `NL329`, `IS001`).
_NUTS_SHAPE = re.compile(r"^([A-Za-z]{2})([A-Za-z0-9]{0,3})$")
# A bare LAU code: letters and digits with at least one digit (every shipped LAU code has one: `0114`,
# `21001`, `GM0363`); a word without digits (`Stockholm`) is a name, not a code.
_BARE_CODE = re.compile(r"^[A-Za-z0-9]*\d[A-Za-z0-9]*$")
_VINTAGES_TEXT = " or ".join(LAU_VINTAGES)
# A place name: words of letters (any script) joined by spaces, hyphens, apostrophes or dots, no digits
# (`Västra Götaland`, `Sample Location`, `Saint-Denis`). One item, never codes joined by spaces.
_PLACE_NAME = re.compile(r"^[^\W\d_]+(?:[\s\-'.’]+[^\W\d_]+)*\.?$")


@dataclass(frozen=True, slots=True)
class LocationMeaning:
    """What one `DC.Location` item is. `code` is its correct spelling (`BE1`, `BE_21001`), `country` the
    country it lies in (EL for Greece); `reason` says why an unknown or invalid item is so."""

    form: LocationForm
    code: str | None = None
    country: str | None = None
    region: NutsRegion | None = None
    unit: LauUnit | None = None
    wrong_case: bool = False
    reason: str = ""
    suggestion: str | None = None


@dataclass(slots=True)
class LocationItem:
    occurrence: TagOccurrence
    item: ValueItem
    meaning: LocationMeaning


@cache
def _nuts_countries() -> frozenset[str]:
    return frozenset(region.country for region in nuts_regions())


@per_page
def page_countries(ctx: RuleContext) -> tuple[str, ...]:
    """Valid countries of the effective `DC.ISO3166`, as tag codes (`gr` and `GR` -> `EL`), without repeats."""
    found: list[str] = []
    for item in ctx.items("DC.ISO3166"):
        lookup = classify_country(item.text)
        if lookup.kind in ("eea", "greece-iso") and lookup.country is not None:
            found.append(lookup.country.code)
    return tuple(dict.fromkeys(found))


@short_text_cache(maxsize=4096)
def classify_location(text: str, countries: tuple[str, ...], lau_forms: tuple[str, ...]) -> LocationMeaning:
    """Classify one trimmed `DC.Location` item given the page's valid countries and the accepted LAU forms."""
    upper = text.upper()
    region = nuts_region(upper)
    if region is not None:
        form: LocationForm = "country" if region.level == 0 else "nuts"
        return LocationMeaning(form, upper, region.country, region=region, wrong_case=text != upper)
    gisco = GISCO_FORM.match(text)
    if gisco:
        return _classify_gisco(text, gisco.group(1), gisco.group(2), lau_forms)
    if _BARE_CODE.match(text) and len(countries) == 1 and "bare" in lau_forms:
        unit = lau_unit(countries[0], text) or lau_unit(countries[0], upper)
        if unit is not None:
            return LocationMeaning("lau-bare", unit.gisco_id, unit.country, unit=unit)
    if len(text) == 2:
        lookup = classify_country(text)
        if lookup.kind == "greece-iso" and lookup.country is not None:
            return LocationMeaning("country", lookup.country.code, lookup.country.code)
    shaped = _NUTS_SHAPE.match(text)
    if shaped and (
        len(text) == 2 or shaped.group(1).upper() in _nuts_countries() or upper.startswith(GREECE_ISO)
    ):
        return _unknown_nuts(text, upper)
    if _BARE_CODE.match(text):
        return _bare_lau(text, upper, countries, lau_forms)
    if _PLACE_NAME.match(text):
        code = place_name_code(text, countries)
        named = f" (the NUTS {NUTS_LATEST} region of that name is {code})" if code else ""
        return LocationMeaning(
            "invalid",
            reason=f"it is a place name, not a code{named}; DC.Location takes the region's code",
            suggestion=code,
        )
    return LocationMeaning(
        "invalid",
        reason="it is not a NUTS code, a statistical-region code or a LAU code in the form CC_CODE",
    )


@cache
def _regions_by_name() -> dict[str, tuple[NutsRegion, ...]]:
    """Current NUTS 1-3 regions by case-folded name (`västra götalands län` -> SE232)."""
    index: dict[str, list[NutsRegion]] = {}
    for region in nuts_regions(version=NUTS_LATEST, classification="NUTS"):
        if region.label and region.level > 0 and not region.extra_regio:
            index.setdefault(" ".join(region.label.casefold().split()), []).append(region)
    return {name: tuple(regions) for name, regions in index.items()}


def place_name_code(name: str, countries: tuple[str, ...]) -> str | None:
    """The one current NUTS code whose name is `name` (or starts with it as a word: `Västra Götaland` ->
    `Västra Götalands län`), within the page's countries when known; None when none or several fit."""
    folded = " ".join(name.casefold().split())
    index = _regions_by_name()
    found = list(index.get(folded, ()))
    if not found:
        found = [
            region
            for label, regions in index.items()
            if label.startswith((folded + " ", folded + "s ", folded + "-"))
            for region in regions
        ]
    if countries:
        found = [region for region in found if region.country in countries]
    codes = {region.code for region in found}
    return codes.pop() if len(codes) == 1 else None


def _classify_gisco(text: str, prefix: str, code: str, lau_forms: tuple[str, ...]) -> LocationMeaning:
    country = prefix.upper()
    if "prefixed" not in lau_forms:
        return LocationMeaning("invalid", reason="the LAU form CC_CODE is not accepted here (SDG_LAU_FORMS)")
    if country not in lau_countries():
        greek = f"{GREECE_TAG}_{code.upper()}" if country == GREECE_ISO else None
        reason = (
            "Greek LAU codes are prefixed EL, not GR"
            if greek
            else f"'{prefix}' is not a country with LAU codes"
        )
        return LocationMeaning("invalid", reason=reason, suggestion=greek)
    unit = lau_unit(country, code) or lau_unit(country, code.upper())
    if unit is None:
        return LocationMeaning("lau-unknown", f"{country}_{code.upper()}", country)
    return LocationMeaning(
        "lau", unit.gisco_id, country, unit=unit, wrong_case=prefix != country or code != unit.code
    )


def _unknown_nuts(text: str, upper: str) -> LocationMeaning:
    suggestion = None
    notes = []
    if upper.startswith(GREECE_ISO) and nuts_region(GREECE_TAG + upper[2:]) is not None:
        suggestion = "EL" + upper[2:]
        notes.append(f"Greek NUTS codes start with EL ({suggestion})")
    if len(text) == 2 and iso639_1(text.lower()) is not None:
        notes.append(f"'{text}' looks like a language code")
    reason = f"it is NUTS-shaped but in no NUTS or statistical-region version ({', '.join(NUTS_VERSIONS)})"
    if notes:
        reason += "; " + "; ".join(notes)
    return LocationMeaning("unknown", reason=reason, suggestion=suggestion)


def _bare_lau(
    text: str, upper: str, countries: tuple[str, ...], lau_forms: tuple[str, ...]
) -> LocationMeaning:
    if "bare" not in lau_forms:
        return LocationMeaning(
            "invalid", reason="bare LAU codes are not accepted here (SDG_LAU_FORMS): use CC_CODE"
        )
    if len(countries) != 1:
        holders = countries_with_lau_code(text) or countries_with_lau_code(upper)
        where = f"; the code exists in {', '.join(holders)}" if holders else ""
        found = "none" if not countries else ", ".join(countries)
        return LocationMeaning(
            "invalid",
            reason=f"a bare LAU code needs exactly one valid country in DC.ISO3166 (found: {found}){where}",
            suggestion=f"{holders[0]}_{upper}" if len(holders) == 1 else None,
        )
    return LocationMeaning("lau-unknown", f"{countries[0]}_{upper}", countries[0])


@short_text_cache(maxsize=4096)
def classify_location_value(
    raw: str | None, countries: tuple[str, ...], lau_forms: tuple[str, ...]
) -> tuple[tuple[ValueItem, LocationMeaning], ...]:
    """Split and classify one `DC.Location` value (cached: sites repeat their values on every page)."""
    return tuple(
        (item, classify_location(item.text, countries, lau_forms)) for item in split_items(raw, "DC.Location")
    )


@per_page
def location_items(ctx: RuleContext) -> list[LocationItem]:
    """Every item of every `DC.Location` element (duplicates with a repeated value skipped), classified."""
    occurrences = ctx.occurrences("DC.Location")
    if not occurrences:
        return []
    countries = page_countries(ctx)
    forms = ctx.options.lau_forms
    result: list[LocationItem] = []
    seen: set[str | None] = set()
    for occ in occurrences:
        if occ.raw not in seen:
            seen.add(occ.raw)
            for item, meaning in classify_location_value(occ.raw, countries, forms):
                result.append(LocationItem(occ, item, meaning))
    return result


def _finding(
    ctx: RuleContext, rule_id: str, located: LocationItem, message: str, **fields: object
) -> Finding:
    return ctx.finding(
        rule_id,
        message,
        occurrence=located.occurrence,
        item=located.item.index,
        value=located.item.text,
        **fields,  # type: ignore[arg-type]
    )


@rule(
    "location-invalid",
    "error",
    "D",
    "Item fits no accepted form (§5.6), or bare LAU code without exactly one valid country. A value with "
    "inner spaces and no ';' (`Sample Location`, `Västra Götaland`) is one item, a place name: the hint says "
    "to use the region's code (named when one current NUTS region has that name), and no separator finding "
    "is given for it · seen: region names instead of codes (pilot engine)",
    "IR 2020/1121 Annex I; Guidance 2020 §tag table",
    "NUTS code or `CC_LAUCODE`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="Brussels Region">
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
def location_invalid(ctx: RuleContext) -> Iterator[Finding]:
    for located in location_items(ctx):
        meaning = located.meaning
        if meaning.form != "invalid":
            continue
        if _PLACE_NAME.match(located.item.text):
            hint = (
                f"Use the code, not the name: `{meaning.suggestion}`"
                if meaning.suggestion
                else "Use the code of the place, not its name: a NUTS 1-3 code (`BE1`) or a LAU code with its "
                "country (`BE_21001`)"
            )
        else:
            hint = "Use a NUTS 1-3 code (`BE1`) or a LAU code with its country (`BE_21001`)"
        yield _finding(
            ctx,
            "location-invalid",
            located,
            f"DC.Location item '{located.item.text}' is not a usable location: {meaning.reason}",
            expected=meaning.suggestion,
            hint=hint,
        )


@rule(
    "location-unknown",
    "error",
    "D",
    "NUTS/SR-shaped, in no shipped version · seen: `sv` (jordbruksverket.se)",
    "IR 2020/1121 Annex I; NUTS",
    "Check code",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE9">
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
def location_unknown(ctx: RuleContext) -> Iterator[Finding]:
    for located in location_items(ctx):
        meaning = located.meaning
        if meaning.form != "unknown":
            continue
        yield _finding(
            ctx,
            "location-unknown",
            located,
            f"DC.Location item '{located.item.text}' is not a known region code: {meaning.reason}",
            expected=meaning.suggestion,
            code_list=NUTS_LIST,
        )


@rule(
    "location-lau-unknown",
    "warning",
    "D",
    "LAU form, not in the shipped vintages for that country; message names the vintage",
    "IR 2020/1121 Annex I; LAU",
    "Check code; message names the vintage",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE_99999">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE_21004">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def location_lau_unknown(ctx: RuleContext) -> Iterator[Finding]:
    for located in location_items(ctx):
        meaning = located.meaning
        if meaning.form != "lau-unknown":
            continue
        national = (meaning.code or "").partition("_")[2]
        yield _finding(
            ctx,
            "location-lau-unknown",
            located,
            f"DC.Location item '{located.item.text}': LAU code {national} is not in the LAU {_VINTAGES_TEXT} "
            f"list for {meaning.country}",
            normalized=meaning.code,
            hint=f"Check the code against the current national LAU list (shipped: LAU {_VINTAGES_TEXT}); "
            "LAU lists change every year",
            code_list=LAU_LIST,
        )


@rule(
    "location-lau-unprefixed",
    "info",
    "D",
    "Bare LAU code resolved through `DC.ISO3166`",
    "IR 2020/1121 Annex I",
    "Prefer `BE_21001`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="21004">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE_21004">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def location_lau_unprefixed(ctx: RuleContext) -> Iterator[Finding]:
    for located in location_items(ctx):
        meaning = located.meaning
        if meaning.form != "lau-bare" or meaning.unit is None:
            continue
        yield _finding(
            ctx,
            "location-lau-unprefixed",
            located,
            f"DC.Location item '{located.item.text}' is a bare LAU code, read as {meaning.code} "
            f"({meaning.unit.name}) through DC.ISO3166; LAU codes repeat across countries",
            normalized=meaning.code,
            expected=meaning.code,
            hint=f"Prefer the prefixed form `{meaning.code}`",
            code_list=LAU_LIST,
        )


@rule(
    "location-country-mismatch",
    "error",
    "D",
    "Country part of location ≠ `DC.ISO3166` (EL and GR count as equal here); only when DC.ISO3166 is itself "
    "an EEA code, otherwise the country finding stands alone",
    "IR 2020/1121 Annex I",
    "Align both",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="FR10">
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
def location_country_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    countries = page_countries(ctx)
    if not countries:
        return  # no usable country to compare with: group C reports that
    for located in location_items(ctx):
        meaning = located.meaning
        if meaning.form not in ("nuts", "lau", "lau-bare", "lau-unknown") or meaning.country in countries:
            continue
        yield _finding(
            ctx,
            "location-country-mismatch",
            located,
            f"DC.Location item '{located.item.text}' lies in {meaning.country}, but DC.ISO3166 says "
            f"{';'.join(countries)}",
            normalized=meaning.country,
            expected=countries[0] if len(countries) == 1 else None,
            hint="Align DC.Location and DC.ISO3166: the location must lie in the page's country",
            code_list=LAU_LIST if meaning.form.startswith("lau") else NUTS_LIST,
        )


@rule(
    "location-outdated-nuts-version",
    "warning",
    "D",
    "Valid only in an older NUTS/SR version (current: SDG_NUTS_VERSIONS, default 2024)",
    "IR 2020/1121 Annex I; NUTS",
    "Hint lists successor codes",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE222">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE225">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def location_outdated_nuts_version(ctx: RuleContext) -> Iterator[Finding]:
    current = ctx.options.nuts_versions
    for located in location_items(ctx):
        region = located.meaning.region
        if located.meaning.form != "nuts" or region is None:
            continue
        if any(version in current for version in region.versions):
            continue
        later = successors(region.code)
        status = nuts_status(region.code)
        listed = ", ".join(later)
        hint = (
            f"Use the {NUTS_LATEST} successor code(s): {listed}"
            if later
            else f"No successor in NUTS {NUTS_LATEST}; use the current region that covers the content"
        )
        yield _finding(
            ctx,
            "location-outdated-nuts-version",
            located,
            f"DC.Location item '{located.item.text}' is an outdated "
            f"{'statistical-region' if region.classification == 'SR' else 'NUTS'} code: "
            f"{status.message if status else 'not valid in ' + ', '.join(current)}",
            normalized=region.code,
            expected=later[0] if len(later) == 1 else None,
            hint=hint,
            code_list=NUTS_LIST,
        )


@rule(
    "location-country-level",
    "warning",
    "D",
    "Country code (NUTS 0) as location · seen: `NL` (business.gov.nl, 142 records), `IT`",
    "IR 2020/1121 Annex I (NUTS 1–3)",
    "Omit for nationwide content",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE">
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
def location_country_level(ctx: RuleContext) -> Iterator[Finding]:
    for located in location_items(ctx):
        if located.meaning.form != "country":
            continue
        yield _finding(
            ctx,
            "location-country-level",
            located,
            f"DC.Location item '{located.item.text}' is a whole country (NUTS level 0); DC.Location is for "
            "content that applies only to a region or municipality",
            normalized=located.meaning.code,
            hint="Omit DC.Location for nationwide content; DC.ISO3166 already names the country",
            code_list=NUTS_LIST,
        )


@rule(
    "location-extra-regio",
    "warning",
    "D",
    "`xxZ`, `xxZZ`, `xxZZZ`",
    "NUTS",
    "Use a real region",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BEZ">
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
def location_extra_regio(ctx: RuleContext) -> Iterator[Finding]:
    for located in location_items(ctx):
        region = located.meaning.region
        if located.meaning.form != "nuts" or region is None or not region.extra_regio:
            continue
        yield _finding(
            ctx,
            "location-extra-regio",
            located,
            f"DC.Location item '{located.item.text}' is an extra-regio code (territory outside any region), "
            "not a place",
            normalized=region.code,
            code_list=NUTS_LIST,
        )


@rule(
    "location-case",
    "warning",
    "D",
    "Valid code in wrong case (`be1`, `be_21001`)",
    "IR 2020/1121 Annex I",
    "Upper-case country part",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="be1">
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
def location_case(ctx: RuleContext) -> Iterator[Finding]:
    for located in location_items(ctx):
        meaning = located.meaning
        if not meaning.wrong_case or meaning.form not in ("nuts", "lau"):
            continue
        yield _finding(
            ctx,
            "location-case",
            located,
            f"DC.Location item '{located.item.text}' is a valid code written in the wrong case",
            normalized=meaning.code,
            expected=meaning.code,
            hint=f"Write `{meaning.code}`",
            code_list=NUTS_LIST if meaning.form == "nuts" else LAU_LIST,
        )

"""Rule family F: subject of the page, `policy-code` and `DC.Policy` (SPEC §5.2-§5.4, §6.2 group F).

Every `policy-code` item is classified once per page (`policy_items`), in the order of SPEC §6.2 F: exact
Annex I/II code in force on the check date; code after upper-casing; code after dropping leading zeros; bare area
letter(s); other code shape; registry group key; else free text, matched against the known assistance services.
A code in both lists (`R1`: Annex I net-zero information, Annex II birth) is then read by `DC.Service` and
`DC.Policy` (SPEC §5.7). The rules here, the assistance rules (group G) and page-type inference
(`validators.page_types`) each pick what they need.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Literal

from sdg_tags.taxonomy.annexes import (
    LABEL_NOT_CONFIRMED,
    AssistanceService,
    annex1_areas,
    annex1_item,
    annex1_items,
    annex2_item,
    annex2_items,
    annex2_life_events,
    assistance_services,
    normalize_title,
    today,
)
from sdg_tags.taxonomy.versions import CODE_LIST_VERSIONS
from sdg_tags.validators.limits import short_text_cache
from sdg_tags.validators.models import TITLE_MATCH_THRESHOLD, Finding, TagOccurrence
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.language import effective_language
from sdg_tags.validators.rules.table import rule
from sdg_tags.validators.rules.values import ValueItem, split_items

PolicyKind = Literal["annex1", "annex2", "area-only", "unknown-code", "registry-key", "free-text"]
CodeForm = Literal["exact", "case", "zero-padded"]
ServiceMatchKind = Literal["exact", "abbreviation", "close"]

ANNEX1_LIST = CODE_LIST_VERSIONS["annex1"]
ANNEX2_LIST = CODE_LIST_VERSIONS["annex2"]
ANNEX3_LIST = CODE_LIST_VERSIONS["annex3"]
# Languages in which official Annex titles are shipped (SPEC §9 open point 3).
TITLE_LANGUAGES = frozenset({"en"})

# Area letters of Annex I (A-Q) and life-event letters of the Annex II numbering (R-X), SPEC §5.2-§5.3; the
# areas added since (`R` of Annex I, two-letter `AJ`, `AK`-`AM`) come from the lists (`area_letters`).
AREA_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWX")
# Registry group keys found in the Commission's export instead of item codes (SPEC §5.2).
REGISTRY_KEYS = frozenset({"CITIZENS", "BUSINESSES"})
_ZERO_PADDED = re.compile(r"^([A-Z]{1,2})0+([1-9]\d*)$")
# What counts as an attempt at a code rather than a title: a letter or two and digits (`J12`, `Y1`,
# `12345`), or one letter beyond the known ones (`Y`). Letters only (`PSC`, `SOLVIT`) is free text.
_CODE_SHAPE = re.compile(r"^[A-Za-z]{0,2}\d+$|^[A-Za-z]$")

# Final code and advice for each known legacy (draft-era) meaning of an Annex II code (SPEC §5.3 table):
# code -> (replacement code or None, Annex I fallback code or None, advice in words).
LEGACY_REPLACEMENTS: dict[str, tuple[str | None, str | None, str]] = {
    "U1": ("V1", None, "registering a change of address is V1 in the final Annex II"),
    "U2": (
        None,
        "A1",
        "no Annex II procedure covers ID cards or passports; use Annex I A1 for information on them",
    ),
    "W1": (
        None,
        "J1",
        "no Annex II procedure covers the general registration of a business (X1 excludes it); use J1",
    ),
    "X2": ("X6", None, "payment of social contributions for employees is X6 in the final Annex II"),
}

# Qualifying clauses that pages commonly drop from official titles: "(registration procedures …)",
# ", including …", ", excluding …". The part before them is accepted as the title too.
_TITLE_QUALIFIER = re.compile(r"\s*(?:\(|,\s*(?:including|excluding)\b)")
_MIN_CORE_WORDS = 3
# "European Network of Employment Services (EURES)" -> short name and abbreviation.
_NAME_WITH_ABBREVIATION = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
_INITIALS_SKIPPED = frozenset({"of", "for", "and", "the", "in", "on"})


# --- assistance services -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceMatch:
    """A free-text `policy-code` item that names a known assistance service.

    `exact`: the official name, or its short name / with its abbreviation in brackets (case, quotes and
    whitespace ignored), no finding; `abbreviation`: an abbreviation of it (`PSC`); `close`: a near miss.
    """

    service: AssistanceService
    kind: ServiceMatchKind


@dataclass(frozen=True, slots=True)
class _ServiceIndex:
    names: dict[str, AssistanceService]  # normalised official and short names
    abbreviations: dict[str, AssistanceService]  # normalised abbreviations: "eures", "psc", "een"
    official: tuple[tuple[str, AssistanceService], ...]  # for fuzzy matching


def _initials(name: str) -> str:
    words = [word for word in name.split() if word not in _INITIALS_SKIPPED]
    return "".join(word[0] for word in words) if len(words) >= 2 else ""


@cache
def _service_index() -> _ServiceIndex:
    names: dict[str, AssistanceService] = {}
    abbreviations: dict[str, AssistanceService] = {}
    official: list[tuple[str, AssistanceService]] = []
    for service in assistance_services():
        name = normalize_title(service.name)
        names[name] = service
        official.append((name, service))
        short = name
        bracketed = _NAME_WITH_ABBREVIATION.match(name)
        if bracketed:
            short = bracketed.group(1)
            names.setdefault(short, service)
            abbreviations.setdefault(bracketed.group(2), service)
        initials = _initials(short)
        if len(initials) >= 3:
            abbreviations.setdefault(initials, service)
    for name in names:
        abbreviations.pop(name, None)  # a name that is its own abbreviation (SOLVIT) is simply the name
    return _ServiceIndex(names, abbreviations, tuple(official))


@short_text_cache(maxsize=2048)
def match_service(text: str, threshold: float) -> ServiceMatch | None:
    """The known assistance service a free-text title names, and how closely (None: not a known service)."""
    index = _service_index()
    normalized = normalize_title(text)
    service = index.names.get(normalized)
    if service is None:
        bracketed = _NAME_WITH_ABBREVIATION.match(normalized)
        if bracketed:
            service = index.names.get(bracketed.group(1))
    if service is not None:
        return ServiceMatch(service, "exact")
    service = index.abbreviations.get(normalized)
    if service is not None:
        return ServiceMatch(service, "abbreviation")
    from rapidfuzz import fuzz  # only for unknown titles; keeps `sdg-tags check` start-up ~20 ms shorter

    best_score, best = 0.0, None
    for name, candidate in index.official:
        score = fuzz.ratio(normalized, name)
        if score > best_score:
            best_score, best = score, candidate
    if best is not None and best_score >= threshold * 100:
        return ServiceMatch(best, "close")
    return None


# --- classification of policy-code items -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyItem:
    """One `policy-code` item and what it is.

    `code` is the Annex code it resolves to (`Q1` for `q1`, `A1` for `A01`), or the upper-cased area letter(s)
    for `area-only`; `form` says how the code was written; `service` is set for free text naming a known
    service; `reading` says why a code of both lists (`R1`) was read as `kind` (SPEC §5.7), else None.
    """

    item: ValueItem
    kind: PolicyKind
    code: str | None = None
    form: CodeForm = "exact"
    service: ServiceMatch | None = None
    reading: str | None = None

    @property
    def is_annex_code(self) -> bool:
        return self.kind == "annex1" or self.kind == "annex2"


def check_date(ctx: RuleContext) -> date:
    """The date whose code lists the page is checked against (SPEC §5.7): the option, else today."""
    return ctx.options.as_of or today()


@cache
def area_letters() -> frozenset[str]:
    """Every area / life-event code the lists know, whatever the check date: a bare letter is never an item."""
    return AREA_LETTERS | frozenset(annex1_areas()) | frozenset(annex2_life_events())


@cache
def _life_event_letters() -> frozenset[str]:
    return frozenset("RSTUVWX") | frozenset(annex2_life_events())


def _annex_kind(code: str, as_of: date | None) -> PolicyKind | None:
    # Annex I first: `R1` in both lists is Annex I until `DC.Service` / `DC.Policy` say otherwise (`_readings`).
    if annex1_item(code, as_of) is not None:
        return "annex1"
    if annex2_item(code, as_of) is not None:
        return "annex2"
    return None


@short_text_cache(maxsize=4096)
def classify_policy_text(
    text: str, threshold: float, as_of: date | None = None
) -> tuple[PolicyKind, str | None, CodeForm, ServiceMatch | None]:
    """Classify one trimmed `policy-code` item against the lists in force on `as_of` (None: every known code):
    (kind, resolved code, form, known service)."""
    kind = _annex_kind(text, as_of)
    if kind is not None:
        return kind, text, "exact", None
    upper = text.upper()
    if upper != text:
        kind = _annex_kind(upper, as_of)
        if kind is not None:
            return kind, upper, "case", None
    padded = _ZERO_PADDED.match(upper)
    if padded:
        unpadded = padded.group(1) + padded.group(2)
        kind = _annex_kind(unpadded, as_of)
        if kind is not None:
            return kind, unpadded, "zero-padded", None
    if upper in area_letters():
        return "area-only", upper, "exact" if upper == text else "case", None
    if _CODE_SHAPE.match(text):
        return "unknown-code", None, "exact", None
    if upper in REGISTRY_KEYS:
        return "registry-key", None, "exact", None
    return "free-text", None, "exact", match_service(text, threshold)


@short_text_cache(maxsize=4096)
def classify_value(raw: str | None, threshold: float, as_of: date | None = None) -> tuple[PolicyItem, ...]:
    """Split and classify one `policy-code` value. Cached: crawled sites repeat the same values page after
    page, so most pages cost one dictionary lookup here."""
    return tuple(
        PolicyItem(item, *classify_policy_text(item.text, threshold, as_of))
        for item in split_items(raw, "policy-code")
    )


def _ambiguous(code: str | None, as_of: date) -> bool:
    return code is not None and annex1_item(code, as_of) is not None and annex2_item(code, as_of) is not None


@short_text_cache(maxsize=4096)
def resolve_value(
    raw: str | None, service: str | None, dc_policy: str | None, threshold: float, as_of: date
) -> tuple[PolicyItem, ...]:
    """`classify_value`, then each code of both lists read as SPEC §5.7 says: Annex I when `DC.Service` lacks
    `procedure` or a `DC.Policy` item names the Annex I title, else Annex II."""
    items = classify_value(raw, threshold, as_of)
    if not any(p.is_annex_code and _ambiguous(p.code, as_of) for p in items):
        return items
    types = {item.text.lower() for item in split_items(service, "DC.Service")}
    titles = split_items(dc_policy, "DC.Policy")
    resolved = []
    for policy in items:
        if not policy.is_annex_code or not _ambiguous(policy.code, as_of) or policy.code is None:
            resolved.append(policy)
            continue
        information = annex1_item(policy.code, as_of)
        assert information is not None
        if "procedure" not in types:
            kind, reading = "annex1", "DC.Service does not list `procedure`"
        elif any(title_matches(title.text, information.title, threshold) for title in titles):
            kind, reading = "annex1", "DC.Policy names the Annex I title"
        else:
            kind, reading = (
                "annex2",
                "DC.Service lists `procedure` and DC.Policy does not name the Annex I title",
            )
        resolved.append(replace(policy, kind=kind, reading=reading))
    return tuple(resolved)


@per_page
def policy_items(ctx: RuleContext) -> tuple[PolicyItem, ...]:
    """The classified items of the effective `policy-code`."""
    return resolve_value(
        ctx.raw("policy-code"),
        ctx.raw("DC.Service"),
        ctx.raw("DC.Policy"),
        ctx.options.title_match_threshold,
        check_date(ctx),
    )


@per_page
def policy_occurrences(ctx: RuleContext) -> list[tuple[TagOccurrence, tuple[PolicyItem, ...]]]:
    """Every `policy-code` element with its classified items: the effective one first, then duplicates whose
    value differs from all earlier ones (SPEC §6.1 Duplicates: the others are validated too)."""
    occurrences = ctx.occurrences("policy-code")
    if not occurrences:
        return []
    result = [(occurrences[0], policy_items(ctx))]
    seen = {occurrences[0].raw}
    threshold = ctx.options.title_match_threshold
    service, dc_policy, as_of = ctx.raw("DC.Service"), ctx.raw("DC.Policy"), check_date(ctx)
    for occ in occurrences[1:]:
        if occ.raw not in seen:
            seen.add(occ.raw)
            result.append((occ, resolve_value(occ.raw, service, dc_policy, threshold, as_of)))
    return result


def types_declared(ctx: RuleContext) -> bool:
    """True when the page types come from a usable `DC.Service` (not the registry or inference)."""
    return bool(ctx.page_types) and not ctx.page_types_inferred


def assistance_only(ctx: RuleContext) -> bool:
    """A page typed only `assistance`: Annex codes do not belong on it (group G reports them)."""
    return ctx.page_types == ["assistance"]


def free_text_is_assistance_title(ctx: RuleContext) -> bool:
    """Whether free text in `policy-code` is read as an assistance-service title: on assistance pages, and
    when the type is not declared (the page may be one; the missing `DC.Service` is the finding then)."""
    return "assistance" in ctx.page_types or not types_declared(ctx)


def code_title(code: str, kind: PolicyKind | None = None) -> str | None:
    """The official title of a code (of the list `kind` names, for a code of both); None when there is none
    to compare with, as for an Annex II code whose label is not confirmed (SPEC §5.7)."""
    item = annex1_item(code) if kind != "annex2" else None
    if item is not None:
        return item.title
    procedure = annex2_item(code)
    return procedure.title or None if procedure is not None else None


def _title_checked(policy: PolicyItem) -> bool:
    """Whether the title rules apply to this code: not to Annex II codes whose label is not confirmed."""
    if not policy.is_annex_code or policy.code is None:
        return False
    return code_title(policy.code, policy.kind) is not None


@cache
def _area_codes(letter: str, as_of: date | None) -> tuple[str, ...]:
    codes = [item.code for item in annex1_items(as_of) if item.area_code == letter]
    codes += [item.code for item in annex2_items(as_of) if item.life_event_code == letter]
    if not codes and as_of is not None:
        return _area_codes(letter, None)  # an area not yet in force: still name its codes
    return tuple(dict.fromkeys(codes))


@cache
def _area_name(letter: str) -> str:
    names = []
    if letter in annex1_areas():
        names.append(f"Annex I area {letter} ({annex1_areas()[letter]})")
    if letter in annex2_life_events() or not names:
        event = annex2_life_events().get(letter) or ("unknown" if letter not in annex2_life_events() else "")
        names.append(f"Annex II life event {letter} ({event or LABEL_NOT_CONFIRMED})")
    return " and ".join(names)


def _code_list(kind: PolicyKind) -> str:
    return ANNEX2_LIST if kind == "annex2" else ANNEX1_LIST


# --- DC.Policy titles --------------------------------------------------------------------------------------


@cache
def _title_forms(title: str) -> tuple[str, ...]:
    """Normalised forms a `DC.Policy` item may take for an official title: the whole title, and the part before
    a qualifying clause when that part still says something (>= 3 words)."""
    normalized = normalize_title(title)
    forms = [normalized]
    qualifier = _TITLE_QUALIFIER.search(normalized)
    if qualifier:
        core = normalized[: qualifier.start()].rstrip(" ,")
        if len(core.split()) >= _MIN_CORE_WORDS:
            forms.append(core)
    return tuple(forms)


@cache
def _codes_by_title() -> dict[str, str]:
    titles: dict[str, str] = {}
    for item in (*annex1_items(), *annex2_items()):
        if not item.title:
            continue  # label not confirmed
        for form in _title_forms(item.title):
            titles.setdefault(form, item.code)
    return titles


def code_for_title(text: str) -> str | None:
    """The Annex I/II code whose official title this is (case, quotes and whitespace ignored), if any."""
    return _codes_by_title().get(normalize_title(text))


@short_text_cache(maxsize=4096)
def title_score(text: str, title: str) -> float:
    """Similarity 0..1 of a `DC.Policy` item to an official title (case, quotes and whitespace ignored)."""
    from rapidfuzz import fuzz  # imported on first use: most titles match exactly and never need it

    normalized = normalize_title(text)
    best = 0.0
    for form in _title_forms(title):
        if normalized == form:
            return 1.0
        best = max(best, fuzz.ratio(normalized, form), fuzz.token_sort_ratio(normalized, form))
    return best / 100


def title_matches(text: str, title: str, threshold: float) -> bool:
    return title_score(text, title) >= threshold


@dataclass(frozen=True, slots=True)
class TitleAnalysis:
    """How the `DC.Policy` items relate to the `policy-code` items (computed once per page)."""

    legacy: tuple[tuple[int, int], ...] = ()  # (policy-code index, DC.Policy index) naming a legacy meaning
    mismatched: tuple[int, ...] = ()  # DC.Policy indexes that name no title of their code
    reordered: tuple[str, ...] | None = None  # DC.Policy items in code order, when only the order is wrong


def _legacy_title(code: str | None) -> str | None:
    procedure = annex2_item(code) if code else None
    return procedure.legacy_title if procedure is not None else None


@per_page
def analyse_titles(ctx: RuleContext) -> TitleAnalysis:
    """Compare `DC.Policy` with `policy-code`: legacy Annex II meanings, wrong titles, wrong order.

    A match is evidence in any page language (an English title on a French page still names its code), so
    legacy meanings and reordering are found everywhere; a mismatch is only meaningful where titles exist in
    the page language, which for the shipped titles is English.
    """
    return _analyse_titles(
        ctx.raw("policy-code"),
        ctx.raw("DC.Policy"),
        ctx.options.title_match_threshold,
        ctx.options.annex2_scheme == "legacy-tolerant",
        ctx.raw("DC.Service"),
        check_date(ctx),
    )


@short_text_cache(maxsize=4096)
def _analyse_titles(
    policy_code: str | None,
    dc_policy: str | None,
    threshold: float,
    tolerate_legacy: bool,
    service: str | None,
    as_of: date,
) -> TitleAnalysis:
    titles = split_items(dc_policy, "DC.Policy")
    codes = resolve_value(policy_code, service, dc_policy, threshold, as_of)
    if not titles or not codes:
        return TitleAnalysis()
    legacy: list[tuple[int, int]] = []
    annex = sum(1 for code in codes if code.is_annex_code)
    if len(titles) == annex < len(codes) and all(code.is_annex_code for code in codes[:annex]):
        # Assistance titles after the codes have no DC.Policy item (§3.1): the titles name the codes before them.
        codes = codes[:annex]
    if len(titles) != len(codes):
        # Positions do not line up (policy-count-mismatch); only a legacy meaning is still recognisable.
        for code_index, code in enumerate(codes):
            legacy_title = _legacy_title(code.code) if code.kind == "annex2" else None
            if legacy_title is None or tolerate_legacy:
                continue
            for title in titles:
                if title_matches(title.text, legacy_title, threshold):
                    legacy.append((code_index, title.index))
                    break
        return TitleAnalysis(tuple(legacy))
    mismatched: list[int] = []
    for title, code in zip(titles, codes, strict=True):
        if not _title_checked(code) or code.code is None:
            continue  # no annex code, or an Annex II code whose label is not confirmed: no title to compare
        official = code_title(code.code, code.kind)
        if official is not None and title_matches(title.text, official, threshold):
            continue
        legacy_title = _legacy_title(code.code)
        if legacy_title is not None and title_matches(title.text, legacy_title, threshold):
            if not tolerate_legacy:
                legacy.append((code.item.index, title.index))
            continue
        mismatched.append(title.index)
    reordered = _reorder(titles, codes, mismatched, threshold) if mismatched else None
    return TitleAnalysis(tuple(legacy), tuple(mismatched), reordered)


def _reorder(
    titles: list[ValueItem], codes: tuple[PolicyItem, ...], mismatched: list[int], threshold: float
) -> tuple[str, ...] | None:
    """The `DC.Policy` items rearranged into code order, if every mismatched item names another listed code's
    title and every such code is named once; None otherwise."""
    free_positions = set(mismatched)
    placement: dict[int, int] = {}  # code position -> title index
    for title_index in mismatched:
        for position in sorted(free_positions - set(placement)):
            code = codes[position]
            official = code_title(code.code, code.kind) if _title_checked(code) and code.code else None
            if (
                position != title_index
                and official
                and title_matches(titles[title_index].text, official, threshold)
            ):
                placement[position] = title_index
                break
        else:
            return None
    if len(placement) != len(mismatched):
        return None
    ordered = [title.text for title in titles]
    for position, title_index in placement.items():
        ordered[position] = titles[title_index].text
    return tuple(ordered)


def _legacy_pairs(ctx: RuleContext) -> set[int]:
    return {code_index for code_index, _ in analyse_titles(ctx).legacy}


def _not_yet_in_force(text: str) -> str | None:
    """What a code of the shipped lists that is not in force yet is, and from when (`N4` before 20 May 2026)."""
    for code in dict.fromkeys((text, text.upper())):
        item = annex1_item(code)
        if item is not None:
            return f"Annex I item {code} applies from {item.applies_from.isoformat()} ({item.act})"
        procedure = annex2_item(code)
        if procedure is not None:
            return (
                f"Annex II procedure code {code} applies from {procedure.applies_from.isoformat()} "
                f"({procedure.act})"
            )
    return None


# --- rules -------------------------------------------------------------------------------------------------


@rule(
    "policy-code-missing",
    "error",
    "F",
    "`policy-code` is absent or empty on a page that attempts SDG tagging",
    "IR 2020/1121 Art 2(3)(f), Annex I",
    "Add code(s) or service title",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def policy_code_missing(ctx: RuleContext) -> Iterator[Finding]:
    occ = ctx.effective("policy-code")
    if occ is None:
        yield ctx.finding(
            "policy-code-missing",
            "policy-code is missing: the page does not say which Annex I area or assistance service it is about",
            tag="policy-code",
        )
    elif not policy_items(ctx):
        yield ctx.finding(
            "policy-code-missing",
            "policy-code is empty: the page does not say which Annex I area or assistance service it is about",
            occurrence=occ,
        )


@rule(
    "policy-code-unknown",
    "error",
    "F",
    "Code-shaped item in no list in force on the check date (`J12`, `Y1`, `12345`; `N4` before 20 May 2026); "
    "registry keys `CITIZENS`/`BUSINESSES`; free text on a non-assistance page matching no known service · "
    "seen: `12345` (CMS plugin test data)",
    "Reg 2018/1724 Annex I, Annex II; Guidance 2020 §tag table",
    "Use an item code",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="J12">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def policy_code_unknown(ctx: RuleContext) -> Iterator[Finding]:
    free_text_is_title = free_text_is_assistance_title(ctx)
    as_of = check_date(ctx)
    for occ, items in policy_occurrences(ctx):
        for policy in items:
            text = policy.item.text
            expected = None
            if policy.kind == "unknown-code":
                message = (
                    f"policy-code item '{text}' is not an Annex I item code or Annex II procedure code in force "
                    f"on {as_of.isoformat()}"
                )
                hint = "Use an item code of SDGR Annex I (e.g. `C2`) or Annex II (e.g. `X1`)"
                later = _not_yet_in_force(text)
                if later is not None:
                    message += f": {later}"
                    hint = f"{hint}; {text.upper()} may be used from its date of application"
            elif policy.kind == "registry-key":
                message = f"policy-code item '{text}' is a registry group key, not an item code"
                hint = (
                    "Use the Annex I item codes of the page's subject (citizens: areas A-I, businesses: J-Q)"
                )
            elif policy.kind == "free-text" and policy.service is None and not free_text_is_title:
                message = (
                    f"policy-code item '{text}' is neither an item code nor a known assistance service, "
                    f"and DC.Service does not list `assistance`"
                )
                hint = "Use an item code; or, if the page describes an assistance service, add `assistance`"
                expected = code_for_title(text)
                if expected is not None:
                    message = f"policy-code item '{text}' is the title of {expected}, not its code"
                    hint = f"Write the code `{expected}` in policy-code (the title may go in DC.Policy)"
            else:
                continue
            yield ctx.finding(
                "policy-code-unknown",
                message,
                occurrence=occ,
                item=policy.item.index,
                value=text,
                expected=expected,
                hint=hint,
                code_list=ANNEX1_LIST,
            )


@rule(
    "policy-code-ambiguous",
    "info",
    "F",
    "`R1`, read as Annex I (net-zero) or Annex II (birth) by `DC.Service` and `DC.Policy` (SPEC §5.7): Annex I "
    "when `DC.Service` lacks `procedure` or a `DC.Policy` item names the Annex I title, else Annex II",
    "Reg 2018/1724 Annex I (as amended by Reg 2024/1735), Annex II",
    "Nothing to fix; the finding says which reading was taken",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="procedure">
<meta name="policy-code" content="A1;R1">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="procedure">
<meta name="policy-code" content="A1;T2">
""",
)
def policy_code_ambiguous(ctx: RuleContext) -> Iterator[Finding]:
    for occ, items in policy_occurrences(ctx):
        for policy in items:
            if policy.reading is None or policy.code is None:
                continue
            information = annex1_item(policy.code)
            procedure = annex2_item(policy.code)
            assert information is not None and procedure is not None
            if policy.kind == "annex1":
                taken = f"Annex I item {policy.code} ({information.area_title}: {information.title})"
                other = f"Annex II procedure {policy.code} ({procedure.life_event}: {procedure.title})"
            else:
                taken = f"Annex II procedure {policy.code} ({procedure.life_event}: {procedure.title})"
                other = f"Annex I item {policy.code} ({information.area_title}: {information.title})"
            yield ctx.finding(
                "policy-code-ambiguous",
                f"policy-code item '{policy.item.text}' is read as {taken}, not as {other}: {policy.reading}",
                occurrence=occ,
                item=policy.item.index,
                value=policy.item.text,
                normalized=policy.code,
                code_list=_code_list(policy.kind),
            )


@rule(
    "policy-code-area-only",
    "warning",
    "F",
    "Bare area or life-event letter · seen: `I` on 516 lansstyrelsen.se pages; `I`, `J` in registry data",
    "Guidance 2020 §tag table",
    "Item codes (`I1`)",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="I">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="I1">
""",
)
def policy_code_area_only(ctx: RuleContext) -> Iterator[Finding]:
    if assistance_only(ctx):
        return  # assistance-has-area-code: the fix there is to remove it
    for occ, items in policy_occurrences(ctx):
        for policy in items:
            if policy.kind != "area-only" or policy.code is None:
                continue
            codes = _area_codes(policy.code, check_date(ctx))
            listed = ", ".join(codes) if len(codes) <= 4 else f"{codes[0]}-{codes[-1]}"
            yield ctx.finding(
                "policy-code-area-only",
                f"policy-code item '{policy.item.text}' is the bare letter of {_area_name(policy.code)}, "
                "not an item code",
                occurrence=occ,
                item=policy.item.index,
                value=policy.item.text,
                normalized=policy.code,
                expected=codes[0] if len(codes) == 1 else None,
                hint=f"Use the item code(s) the page is about: {listed}",
                code_list=ANNEX2_LIST if policy.code in _life_event_letters() else ANNEX1_LIST,
            )


@rule(
    "policy-code-separator",
    "error",
    "F",
    "Codes joined by `:` `,` `/` `|` or space; the parts are still checked one by one · seen: `N1:W1`, "
    "`M2:W1` (lansstyrelsen.se)",
    "Guidance 2020 §multiple values",
    "`;`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2:J1">
<meta name="DC.Policy" content="acquiring and renewing a driving licence;registering, changing the legal form of or closing a business (registration procedures and legal forms for carrying out business)">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2;J1">
<meta name="DC.Policy" content="acquiring and renewing a driving licence;registering, changing the legal form of or closing a business (registration procedures and legal forms for carrying out business)">
""",
)
def policy_code_separator(ctx: RuleContext) -> Iterator[Finding]:
    for occ, items in policy_occurrences(ctx):
        separators = sorted({policy.item.separator for policy in items if policy.item.separator})
        if not separators:
            continue
        joined = ";".join(policy.item.text for policy in items)
        shown = " ".join(f"'{separator}'" for separator in separators)
        yield ctx.finding(
            "policy-code-separator",
            f"policy-code '{(occ.raw or '').strip()}' joins codes with {shown} instead of ';'",
            occurrence=occ,
            normalized=joined,
            expected=joined,
            hint=f"Separate items with ';' and no spaces: `{joined}`",
        )


@rule(
    "policy-code-case",
    "warning",
    "F",
    "Lower-case code · seen: `q1`, `b8`, `k3`, `m2`, `h6` (av.se)",
    "Guidance 2020 §examples",
    "`Q1`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="c2">
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
def policy_code_case(ctx: RuleContext) -> Iterator[Finding]:
    if assistance_only(ctx):
        return
    accept_padded = ctx.options.accept_zero_padded
    for occ, items in policy_occurrences(ctx):
        for policy in items:
            text = policy.item.text
            if not policy.is_annex_code or policy.code is None:
                continue
            if policy.form == "case":
                expected = policy.code
            elif policy.form == "zero-padded" and accept_padded and text != text.upper():
                expected = text.upper()  # padding accepted by configuration; the case is still wrong
            else:
                continue
            yield ctx.finding(
                "policy-code-case",
                f"policy-code item '{text}' is written in lower case; codes are upper case",
                occurrence=occ,
                item=policy.item.index,
                value=text,
                normalized=expected,
                expected=expected,
                hint=f"Write `{expected}`",
                code_list=_code_list(policy.kind),
            )


@rule(
    "policy-code-zero-padded",
    "warning",
    "F",
    "Leading zero in the number (`A01`); no finding when SDG_ACCEPT_ZERO_PADDED is set",
    "IR 2020/1121 Annex I vs Guidance 2020 §examples",
    "`A1` (configurable, §9)",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C02">
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
def policy_code_zero_padded(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.options.accept_zero_padded or assistance_only(ctx):
        return
    for occ, items in policy_occurrences(ctx):
        for policy in items:
            if policy.form != "zero-padded" or policy.code is None:
                continue
            text = policy.item.text
            also_case = " and in lower case" if text != text.upper() else ""
            yield ctx.finding(
                "policy-code-zero-padded",
                f"policy-code item '{text}' pads the number with zeros{also_case}; codes are written "
                f"'{policy.code}'",
                occurrence=occ,
                item=policy.item.index,
                value=text,
                normalized=policy.code,
                expected=policy.code,
                hint=f"Write `{policy.code}` (the guidance and the registry use unpadded codes)",
                code_list=_code_list(policy.kind),
            )


@rule(
    "policy-code-annex2-without-procedure",
    "warning",
    "F",
    "Annex II code, `DC.Service` lacks `procedure` (not reported when the code carries a legacy meaning, "
    "see policy-legacy-annex2-meaning)",
    "Reg 2018/1724 Annex II; Guidance 2020 §tag table",
    "Add `procedure` or drop the code",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="X1">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information;procedure">
<meta name="policy-code" content="J1;X1">
""",
)
def policy_code_annex2_without_procedure(ctx: RuleContext) -> Iterator[Finding]:
    if not types_declared(ctx) or "procedure" in ctx.page_types or assistance_only(ctx):
        return
    annex2 = [p for p in policy_items(ctx) if p.kind == "annex2"]
    if annex2:
        legacy = _legacy_pairs(ctx)
        annex2 = [p for p in annex2 if p.item.index not in legacy]
    if not annex2:
        return
    codes = ", ".join(p.code or p.item.text for p in annex2)
    declared = ";".join(ctx.page_types)
    yield ctx.finding(
        "policy-code-annex2-without-procedure",
        f"policy-code has Annex II procedure code(s) {codes}, but DC.Service '{declared}' does not list "
        "`procedure`",
        occurrence=ctx.effective("policy-code"),
        item=annex2[0].item.index,
        hint=f"Add `procedure` to DC.Service (`{';'.join([*ctx.page_types, 'procedure'])}`) if the page "
        f"covers the procedure, or drop {codes}",
        code_list=ANNEX2_LIST,
    )


@rule(
    "procedure-annex1-code-missing",
    "warning",
    "F",
    "`procedure` page whose valid policy-code items are all Annex II codes (no Annex I item beside them); "
    "unknown codes have their own finding and do not trigger this one · seen: registry entries with only `X1`",
    "IR 2020/1121 Annex I",
    "Add the Annex I item",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="procedure">
<meta name="policy-code" content="X1">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="procedure">
<meta name="policy-code" content="J1;X1">
""",
)
def procedure_annex1_code_missing(ctx: RuleContext) -> Iterator[Finding]:
    if "procedure" not in ctx.page_types:
        return
    items = policy_items(ctx)
    if any(p.kind == "annex1" for p in items):
        return
    annex2 = [p.code for p in items if p.kind == "annex2" and p.code]
    if not annex2:
        return
    yield ctx.finding(
        "procedure-annex1-code-missing",
        f"procedure page with only Annex II code(s) {', '.join(annex2)}: the IR asks procedure pages for the "
        "Annex I item the procedure belongs to as well",
        occurrence=ctx.effective("policy-code"),
        hint=f"Add the Annex I item code(s) the procedure belongs to, before the Annex II code(s): "
        f"`<Annex I code>;{';'.join(annex2)}`",
        code_list=ANNEX1_LIST,
    )


@rule(
    "policy-name-missing",
    "info",
    "F",
    "No `DC.Policy` on an information/procedure page",
    "Guidance 2020 §tag table",
    "Recommended",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def policy_name_missing(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.effective("DC.Policy") is not None:
        return  # an empty one is tag-empty's
    if not ("information" in ctx.page_types or "procedure" in ctx.page_types):
        return
    items = policy_items(ctx)
    codes = [p.code for p in items if p.is_annex_code and p.code]
    if not codes:
        return  # no item code to name yet: policy-code-missing or -unknown says why
    titles = [code_title(p.code, p.kind) for p in items if p.is_annex_code and p.code]
    complete = len(codes) == len(items) and all(titles)  # no title to offer for an unconfirmed label
    yield ctx.finding(
        "policy-name-missing",
        "no DC.Policy: the titles of the policy-code items are recommended for information and procedure pages",
        tag="DC.Policy",
        expected=";".join(title or "" for title in titles) if complete else None,
        hint="Recommended: add DC.Policy with the official title of each policy-code item, in the same order",
        code_list=ANNEX1_LIST if codes else None,
    )


@rule(
    "policy-count-mismatch",
    "warning",
    "F",
    "Item count of `DC.Policy` ≠ number of policy-code items that are Annex I/II codes (assistance-service "
    "titles and other free text are not counted: DC.Policy is not defined for them, §3.1). A page that also "
    "names its assistance service in DC.Policy, or a title written for an unknown code or bare area letter "
    "(their own findings), is not reported: the count fits with or without those items",
    "Guidance 2020 §examples",
    "One title per code, same order",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2;J1">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2;J1">
<meta name="DC.Policy" content="acquiring and renewing a driving licence;registering, changing the legal form of or closing a business (registration procedures and legal forms for carrying out business)">
""",
)
def policy_count_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    titles = ctx.items("DC.Policy")
    items = policy_items(ctx)
    codes = sum(1 for p in items if p.is_annex_code)
    # Items that may but need not have a title: assistance titles (a page may repeat them in DC.Policy) and
    # botched codes (`J12`, `J`), which have their own finding; a title written for one is not a problem.
    optional = len(items) - codes
    if not titles or not codes or codes <= len(titles) <= codes + optional:
        return
    yield ctx.finding(
        "policy-count-mismatch",
        f"DC.Policy has {len(titles)} item(s) but policy-code has {codes} Annex I/II code(s): item n of "
        "DC.Policy must name code n of policy-code (assistance titles are not counted)",
        occurrence=ctx.effective("DC.Policy"),
        normalized=str(len(titles)),
        expected=str(codes),
    )


@rule(
    "policy-title-mismatch",
    "warning",
    "F",
    "`DC.Policy` item n ≠ title of code n (case-folded, quotes/whitespace unified, fuzzy score < "
    f"SDG_TITLE_MATCH_THRESHOLD, {TITLE_MATCH_THRESHOLD}; the part before a bracketed or `including`/`excluding` clause also "
    "counts), no legacy rule applies; only if titles exist in the page language (English shipped); case "
    "differences not reported · seen: free-text descriptions (jordbruksverket.se)",
    "Guidance 2020 §tag table",
    "Official title",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="Driving licence exchange for residents">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def policy_title_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    analysis = analyse_titles(ctx)
    if not analysis.mismatched or analysis.reordered is not None:
        return
    if effective_language(ctx) not in TITLE_LANGUAGES:
        return  # not checked: no titles shipped in the page language
    titles = ctx.items("DC.Policy")
    codes = policy_items(ctx)
    occ = ctx.effective("DC.Policy")
    for index in analysis.mismatched:
        code = codes[index].code or ""
        official = code_title(code, codes[index].kind) or ""
        score = title_score(titles[index].text, official)
        yield ctx.finding(
            "policy-title-mismatch",
            f"DC.Policy item {index + 1} '{titles[index].text}' does not name the title of policy-code item "
            f"{index + 1} '{code}' (similarity {score:.2f})",
            occurrence=occ,
            item=index,
            value=titles[index].text,
            expected=official,
            hint=f"Use the official title of {code}: '{official}'",
            code_list=_code_list(codes[index].kind),
        )


@rule(
    "policy-title-order",
    "info",
    "F",
    "Titles match the codes, other order (found in any page language: a match is evidence)",
    "Guidance 2020 §examples",
    "Reorder",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2;J1">
<meta name="DC.Policy" content="registering, changing the legal form of or closing a business (registration procedures and legal forms for carrying out business);acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2;J1">
<meta name="DC.Policy" content="acquiring and renewing a driving licence;registering, changing the legal form of or closing a business (registration procedures and legal forms for carrying out business)">
""",
)
def policy_title_order(ctx: RuleContext) -> Iterator[Finding]:
    analysis = analyse_titles(ctx)
    if analysis.reordered is None:
        return
    expected = ";".join(analysis.reordered)
    yield ctx.finding(
        "policy-title-order",
        "DC.Policy names the policy-code items in another order: item n of DC.Policy must name item n of "
        "policy-code",
        occurrence=ctx.effective("DC.Policy"),
        expected=expected,
        hint="Reorder the DC.Policy items to follow policy-code",
    )


@rule(
    "policy-legacy-annex2-meaning",
    "warning",
    "F",
    "Annex II code whose `DC.Policy` item matches that code's `legacy_title` (draft-era numbering, SPEC §5.3); "
    "found in any page language; not reported under SDG_ANNEX2_SCHEME=legacy-tolerant · seen: guidance "
    "example `J1;W1`; skatteverket.se `U1`, `U2`, `W1`, `X2`",
    "Reg 2018/1724 Annex II",
    "Hint gives the final code (§5.3)",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information;procedure">
<meta name="policy-code" content="J1;W1">
<meta name="DC.Policy" content="registering, changing the legal form of or closing a business (registration procedures and legal forms for carrying out business);General registration of business activity, excluding procedures concerning the constitution of companies or firms within the meaning of the second paragraph of Article 54 TFEU">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information;procedure">
<meta name="policy-code" content="J1">
<meta name="DC.Policy" content="registering, changing the legal form of or closing a business (registration procedures and legal forms for carrying out business)">
""",
)
def policy_legacy_annex2_meaning(ctx: RuleContext) -> Iterator[Finding]:
    analysis = analyse_titles(ctx)
    if not analysis.legacy:
        return
    codes = policy_items(ctx)
    titles = ctx.items("DC.Policy")
    occ = ctx.effective("policy-code")
    for code_index, title_index in analysis.legacy:
        code = codes[code_index].code or ""
        final = annex2_item(code)
        replacement, fallback, advice = LEGACY_REPLACEMENTS.get(
            code, (None, None, "check the final Annex II")
        )
        yield ctx.finding(
            "policy-legacy-annex2-meaning",
            f"policy-code '{code}' is described by DC.Policy as '{titles[title_index].text}', the draft-era "
            f"meaning of {code}; in the final Annex II {code} is "
            f"'{final.title if final else '?'}'",
            occurrence=occ,
            item=code_index,
            value=codes[code_index].item.text,
            expected=_legacy_corrected(codes, code_index, replacement, fallback),
            hint=f"{code} carries a legacy meaning: {advice}",
            code_list=ANNEX2_LIST,
        )


def _legacy_corrected(
    codes: tuple[PolicyItem, ...], index: int, replacement: str | None, fallback: str | None
) -> str | None:
    """The `policy-code` value with the legacy code replaced (or dropped, adding the Annex I fallback)."""
    written = [p.code if p.is_annex_code and p.code else p.item.text for p in codes]
    if replacement is not None:
        written[index] = replacement
    else:
        del written[index]
        if fallback is not None and fallback not in written:
            written.insert(0, fallback)
    result = ";".join(dict.fromkeys(written))
    return result or None

"""policy-code items classified: Annex I/II codes in force on the check date, their forms (case, zero padding, area
letters), the R1 reading, and assistance-service names matched against the known list (SPEC §5, §6.2 F/G)."""

from __future__ import annotations

import re
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
from sdg_tags.taxonomy.versions import annex_version
from sdg_tags.validators.limits import short_text_cache
from sdg_tags.validators.models import TagOccurrence
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.values import ValueItem, split_items

PolicyKind = Literal["annex1", "annex2", "area-only", "unknown-code", "registry-key", "free-text"]
CodeForm = Literal["exact", "case", "zero-padded"]
ServiceMatchKind = Literal["exact", "abbreviation", "close"]

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
    # The title engine classifies DC.Policy with these items in turn: imported here, not at the top.
    from sdg_tags.validators.rules.policy_titles import title_matches

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


def annex_list(annex: str, ctx: RuleContext) -> str:
    """The version of the annex's list the page is checked against (`annex1:2026-05-20`), for findings."""
    return annex_version(annex, check_date(ctx))


def _code_list(kind: PolicyKind, ctx: RuleContext) -> str:
    return annex_list("annex2" if kind == "annex2" else "annex1", ctx)

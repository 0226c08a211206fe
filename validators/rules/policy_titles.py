"""DC.Policy titles against the official titles of their codes: fuzzy scores, order, legacy Annex II meanings
(SPEC §5.3, §6.2 F). The rules that report them are in policy.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sdg_tags.taxonomy.annexes import (
    annex1_item,
    annex1_items,
    annex2_item,
    annex2_items,
    normalize_title,
)
from sdg_tags.validators.limits import short_text_cache
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.policy_items import (
    _MIN_CORE_WORDS,
    _TITLE_QUALIFIER,
    PolicyItem,
    _title_checked,
    check_date,
    code_title,
    resolve_value,
)
from sdg_tags.validators.rules.values import ValueItem, split_items

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

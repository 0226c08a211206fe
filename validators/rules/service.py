"""Rule family E: type of service, `DC.Service` (SPEC §3.1, §4, §6.2 group E)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from sdg_tags.validators.models import PAGE_TYPES, Finding, TagOccurrence
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.table import rule
from sdg_tags.validators.rules.values import ValueItem, split_items

_KEYWORDS = frozenset(PAGE_TYPES)

# What people write instead of the three keywords -> the keyword they mean. Keys are case-folded without
# diacritics (`procédure` -> `procedure`). Translations cover the EU languages and Icelandic/Norwegian; the
# registry's own types (`Database` once in the 2021 export) map to what such a page informs about.
KEYWORD_FOR: dict[str, str] = {
    # information
    "info": "information",
    "infos": "information",
    "informations": "information",
    "informatie": "information",  # nl
    "informationen": "information",  # de
    "informazione": "information",  # it
    "informazioni": "information",
    "informacion": "information",  # es
    "informacao": "information",  # pt
    "informacja": "information",  # pl
    "informace": "information",  # cs
    "informacia": "information",  # sk
    "informacija": "information",  # sl, hr, lt
    "informacijos": "information",
    "informacio": "information",  # hu "információ"
    "informatsioon": "information",  # et
    "teave": "information",  # et
    "tiedot": "information",  # fi
    "informaatio": "information",
    "informatii": "information",  # ro "informații"
    "informazzjoni": "information",  # mt
    "faisneis": "information",  # ga
    "upplysingar": "information",  # is
    "informasjon": "information",  # no
    "oplysninger": "information",  # da
    "информация": "information",  # bg
    "πληροφοριες": "information",  # el
    "database": "information",  # registry type, not a DC.Service keyword
    "databases": "information",
    # procedure
    "procedures": "procedure",
    "procedimiento": "procedure",  # es
    "procedimento": "procedure",  # pt
    "procedura": "procedure",  # it, pl, ro, mt
    "procedury": "procedure",
    "procedur": "procedure",  # sv, da
    "forfarande": "procedure",  # sv "förfarande"
    "forfaranden": "procedure",
    "verfahren": "procedure",  # de
    "proceduur": "procedure",  # nl
    "postup": "procedure",  # cs, sk
    "postopek": "procedure",  # sl
    "postupak": "procedure",  # hr
    "proceduros": "procedure",  # lt
    "proceduras": "procedure",  # lv
    "eljaras": "procedure",  # hu
    "menettely": "procedure",  # fi
    "menetlus": "procedure",  # et
    "procedure administrative": "procedure",
    "prosedyre": "procedure",  # no
    "процедура": "procedure",  # bg
    "διαδικασια": "procedure",  # el
    "e-service": "procedure",
    "eservice": "procedure",
    "e-tjanst": "procedure",  # sv "e-tjänst"
    # assistance
    "assist": "assistance",
    "hilfe": "assistance",  # de
    "unterstutzung": "assistance",
    "beratung": "assistance",
    "bijstand": "assistance",  # nl
    "hulp": "assistance",
    "ondersteuning": "assistance",
    "assistenza": "assistance",  # it, mt
    "asistencia": "assistance",  # es
    "assistencia": "assistance",  # pt
    "pomoc": "assistance",  # pl, cs, sk, sl, hr
    "pagalba": "assistance",  # lt
    "palidziba": "assistance",  # lv
    "segitseg": "assistance",  # hu
    "neuvonta": "assistance",  # fi
    "apu": "assistance",
    "abi": "assistance",  # et
    "asistenta": "assistance",  # ro
    "cunamh": "assistance",  # ga
    "hjalp": "assistance",  # sv
    "stod": "assistance",  # sv "stöd"
    "hjælp": "assistance",  # da
    "bistand": "assistance",  # da, no
    "hjelp": "assistance",  # no
    "aðstoð": "assistance",  # is
    "помощ": "assistance",  # bg
    "βοηθεια": "assistance",  # el
    "support": "assistance",
    "help": "assistance",
    "helpdesk": "assistance",
    "advice": "assistance",
}
_TYPO_SCORE = 80  # rapidfuzz ratio: `procedures`, `informaton`, `assistence` land above it


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def suggested_keyword(text: str) -> str | None:
    """The keyword an invalid `DC.Service` item most likely means (`info`, `procédure`, `p`, `Database`), or None."""
    folded = _fold(text)
    if not folded:
        return None
    keyword = KEYWORD_FOR.get(folded)
    if keyword is not None:
        return keyword
    prefixed = [keyword for keyword in PAGE_TYPES if keyword.startswith(folded)]
    if len(prefixed) == 1:
        return prefixed[0]  # `p` (hetcak.nl), `proc`, `inf`
    from rapidfuzz import fuzz  # only for invalid items; keeps start-up short

    best = max(PAGE_TYPES, key=lambda keyword: fuzz.ratio(folded, keyword))
    return best if fuzz.ratio(folded, best) >= _TYPO_SCORE else None


@per_page
def service_occurrences(ctx: RuleContext) -> list[tuple[TagOccurrence, list[ValueItem]]]:
    """Every `DC.Service` element with its items: the effective one, then duplicates with a different value."""
    occurrences = ctx.occurrences("DC.Service")
    if not occurrences:
        return []
    result = [(occurrences[0], ctx.items("DC.Service"))]
    seen = {occurrences[0].raw}
    for occ in occurrences[1:]:
        if occ.raw not in seen:
            seen.add(occ.raw)
            result.append((occ, split_items(occ.raw, "DC.Service")))
    return result


@rule(
    "service-type-missing",
    "error",
    "E",
    "Absent or empty",
    "IR 2020/1121 Art 2(3)(e), Annex I",
    "Add `information`, `procedure` and/or `assistance`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
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
def service_type_missing(ctx: RuleContext) -> Iterator[Finding]:
    occ = ctx.effective("DC.Service")
    if occ is not None and ctx.items("DC.Service"):
        return
    state = "missing" if occ is None else "empty"
    if ctx.page_types_inferred and ctx.page_types:
        expected = ";".join(ctx.page_types)
        hint = f"Add DC.Service; the page's codes or registry entry suggest `{expected}`"
    else:
        expected = None
        hint = None
    yield ctx.finding(
        "service-type-missing",
        f"DC.Service is {state}: the page does not say whether it is information, procedure or assistance",
        occurrence=occ,
        tag="DC.Service",
        expected=expected,
        hint=hint,
    )


@rule(
    "service-type-invalid",
    "error",
    "E",
    "Case-folded item not one of the three (`information`, `procedure`, `assistance`) · seen: `p` (hetcak.nl)",
    "IR 2020/1121 Annex I; Guidance 2020 §tag table",
    "Hint maps `info`, `procedures`, translations, `database`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="info">
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
def service_type_invalid(ctx: RuleContext) -> Iterator[Finding]:
    for occ, items in service_occurrences(ctx):
        for item in items:
            if item.text.lower() in _KEYWORDS:
                continue
            keyword = suggested_keyword(item.text)
            if keyword is not None:
                hint = f"Write `{keyword}`: '{item.text}' is read as {keyword}"
                if _fold(item.text) in ("database", "databases"):
                    hint = f"Write `{keyword}`: Database is a registry type, not a DC.Service keyword"
            else:
                hint = "Use `information`, `procedure` and/or `assistance`, separated by ';'"
            yield ctx.finding(
                "service-type-invalid",
                f"DC.Service item '{item.text}' is not a type of service (information, procedure, assistance)",
                occurrence=occ,
                item=item.index,
                value=item.text,
                expected=keyword,
                hint=hint,
            )


@rule(
    "service-type-case",
    "warning",
    "E",
    "Keyword not lower case · seen: `Information` (170 crawl records; the registry itself stores it so)",
    "Guidance 2020 §tag table",
    "`information`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="Information">
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
def service_type_case(ctx: RuleContext) -> Iterator[Finding]:
    for occ, items in service_occurrences(ctx):
        for item in items:
            lower = item.text.lower()
            if lower == item.text or lower not in _KEYWORDS:
                continue
            yield ctx.finding(
                "service-type-case",
                f"DC.Service item '{item.text}' is not in lower case",
                occurrence=occ,
                item=item.index,
                value=item.text,
                normalized=lower,
                expected=lower,
                hint=f"Write `{lower}`",
            )

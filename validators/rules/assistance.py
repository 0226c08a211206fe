"""Rule family G: assistance pages (SPEC §5.4, §6.2 group G).

Assistance pages name their service by its full title in `policy-code`. No official list of the names exists,
so free text is valid; the known list (SDGR Annex III as amended, points (7)-(9) included, with the ODR platform
kept as an older name, and EU-level Art 7 services) only produces hints. The items come classified from
`validators.rules.policy`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sdg_tags.validators.models import Finding
from sdg_tags.validators.rules.context import RuleContext
from sdg_tags.validators.rules.policy_items import (
    annex_list,
    assistance_only,
    free_text_is_assistance_title,
    policy_items,
    policy_occurrences,
    types_declared,
)
from sdg_tags.validators.rules.table import rule


@rule(
    "assistance-title-missing",
    "error",
    "G",
    "`DC.Service` has `assistance`, `policy-code` has no free-text title",
    "IR 2020/1121 Art 2(3)(f), Annex I",
    "Add the full service title",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information;assistance">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information;assistance">
<meta name="policy-code" content="C2;SOLVIT">
""",
)
def assistance_title_missing(ctx: RuleContext) -> Iterator[Finding]:
    if "assistance" not in ctx.page_types or not types_declared(ctx):
        return
    items = policy_items(ctx)
    if not items or any(p.kind == "free-text" for p in items):
        return  # an empty policy-code is policy-code-missing's
    yield ctx.finding(
        "assistance-title-missing",
        f"DC.Service lists `assistance` but policy-code '{ctx.raw('policy-code') or ''}' holds no service "
        "title: assistance pages name their service by its full title",
        occurrence=ctx.effective("policy-code"),
        hint="Add the full title of the assistance service to policy-code (e.g. `Points of single contact`)",
        code_list=annex_list("annex3", ctx),
    )


@rule(
    "assistance-has-area-code",
    "warning",
    "G",
    "Page typed only `assistance` carries Annex I/II codes (bare area letters included)",
    "IR 2020/1121 Annex I (area not applicable)",
    "Remove codes, or add `information` if the page also informs",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="assistance">
<meta name="policy-code" content="SOLVIT;C2">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="assistance">
<meta name="policy-code" content="SOLVIT">
""",
)
def assistance_has_area_code(ctx: RuleContext) -> Iterator[Finding]:
    if not assistance_only(ctx):
        return
    items = policy_items(ctx)
    codes = [p for p in items if p.is_annex_code or p.kind == "area-only"]
    if not codes:
        return
    remaining = [p.item.text for p in items if p not in codes]
    listed = ", ".join(p.item.text for p in codes)
    yield ctx.finding(
        "assistance-has-area-code",
        f"assistance page carries area code(s) {listed} in policy-code: area codes do not apply to assistance "
        "pages",
        occurrence=ctx.effective("policy-code"),
        item=codes[0].item.index,
        expected=";".join(remaining) or None,
        hint="Remove the code(s), or add `information` to DC.Service if the page also informs about the area",
    )


@rule(
    "assistance-title-unknown",
    "info",
    "G",
    "Title not in the known list (abbreviations like `PSC`, `EEN` land here); the known list matches "
    "case-insensitively with whitespace and quotes normalised · seen: `Product Contact Points for Construction` "
    "(boverket.se) matches: no finding",
    "Reg 2018/1724 Annex III, Art 7",
    "Full official title; free text stays valid",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="assistance">
<meta name="policy-code" content="PSC">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="assistance">
<meta name="policy-code" content="Points of single contact">
""",
)
def assistance_title_unknown(ctx: RuleContext) -> Iterator[Finding]:
    if not free_text_is_assistance_title(ctx):
        return  # on a declared non-assistance page, policy-code-unknown reports free text
    for occ, items in policy_occurrences(ctx):
        for policy in items:
            if policy.kind != "free-text":
                continue
            text = policy.item.text
            match = policy.service
            if match is None:
                message = f"policy-code title '{text}' is not in the list of known assistance services"
                expected = None
                hint = (
                    "Use the service's full official title; a national service not in the known list stays "
                    "valid"
                )
            elif match.kind == "abbreviation":
                message = f"policy-code title '{text}' abbreviates '{match.service.name}'"
                expected = match.service.name
                hint = f"Write the full title: `{expected}`"
            elif match.kind == "close":
                message = f"policy-code title '{text}' is close to, but not, '{match.service.name}'"
                expected = match.service.name
                hint = f"Write the official title: `{expected}`"
            else:
                continue
            if match is not None and match.service.note:
                hint += f" ({match.service.name}: {match.service.note})"  # an older name (ODR)
            yield ctx.finding(
                "assistance-title-unknown",
                message,
                occurrence=occ,
                item=policy.item.index,
                value=text,
                expected=expected,
                hint=hint,
                code_list=annex_list("annex3", ctx),
            )


@rule(
    "assistance-title-without-type",
    "warning",
    "G",
    "Known service title in `policy-code`, no `assistance` in `DC.Service`",
    "IR 2020/1121 Annex I",
    "Add `assistance`",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2;SOLVIT">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information;assistance">
<meta name="policy-code" content="C2;SOLVIT">
""",
)
def assistance_title_without_type(ctx: RuleContext) -> Iterator[Finding]:
    if not types_declared(ctx) or "assistance" in ctx.page_types:
        return  # a missing or unusable DC.Service is the finding of group E
    known = [p for p in policy_items(ctx) if p.kind == "free-text" and p.service is not None]
    if not known:
        return
    names = ", ".join(
        f"'{p.item.text}'" if p.service.kind == "exact" else f"'{p.item.text}' ({p.service.service.name})"
        for p in known
        if p.service is not None
    )
    declared = ";".join(ctx.page_types)
    expected = ";".join([*ctx.page_types, "assistance"])
    yield ctx.finding(
        "assistance-title-without-type",
        f"policy-code names the assistance service {names}, but DC.Service '{declared}' does not list "
        "`assistance`",
        occurrence=ctx.effective("DC.Service"),
        expected=expected,
        hint=f"Add `assistance` to DC.Service: `{expected}`",
        code_list=annex_list("annex3", ctx),
    )

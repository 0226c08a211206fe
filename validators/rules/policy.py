"""Rule family F: subject of the page, `policy-code` and `DC.Policy` (SPEC §5.2-§5.4, §6.2 group F).

The rules only. Every `policy-code` item is classified once per page by `policy_items.py`, in the order of
SPEC §6.2 F (exact Annex I/II code in force on the check date; upper-cased; without leading zeros; bare area
letter(s); other code shape; registry group key; else free text, matched against the known assistance services;
`R1` read by `DC.Service` and `DC.Policy`, SPEC §5.7); `DC.Policy` titles are matched by `policy_titles.py`.
The rules here, the assistance rules (group G) and page-type inference (`validators.page_types`) each pick what
they need.
"""

from __future__ import annotations

from collections.abc import Iterator

from sdg_tags.taxonomy.annexes import (
    annex1_item,
    annex2_item,
)
from sdg_tags.validators.models import TITLE_MATCH_THRESHOLD, Finding
from sdg_tags.validators.rules.context import RuleContext
from sdg_tags.validators.rules.language import effective_language
from sdg_tags.validators.rules.policy_items import (
    LEGACY_REPLACEMENTS,
    TITLE_LANGUAGES,
    PolicyItem,
    _area_codes,
    _area_name,
    _code_list,
    _life_event_letters,
    annex_list,
    assistance_only,
    check_date,
    code_title,
    free_text_is_assistance_title,
    policy_items,
    policy_occurrences,
    types_declared,
)
from sdg_tags.validators.rules.policy_titles import (
    _legacy_pairs,
    _not_yet_in_force,
    analyse_titles,
    code_for_title,
    title_score,
)
from sdg_tags.validators.rules.table import rule

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
                code_list=annex_list("annex1", ctx),
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
                code_list=_code_list(policy.kind, ctx),
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
                code_list=annex_list("annex2" if policy.code in _life_event_letters() else "annex1", ctx),
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
                code_list=_code_list(policy.kind, ctx),
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
                code_list=_code_list(policy.kind, ctx),
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
        code_list=annex_list("annex2", ctx),
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
        code_list=annex_list("annex1", ctx),
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
        code_list=annex_list("annex1", ctx) if codes else None,
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
            code_list=_code_list(codes[index].kind, ctx),
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
            code_list=annex_list("annex2", ctx),
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

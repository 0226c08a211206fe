"""Group B, the gateway marker `sdg-tag` (SPEC §6.2 B; IR 2020/1121 Art 2(3)(d)): present, and exactly `sdg`."""

from __future__ import annotations

from collections.abc import Iterator

from sdg_tags.validators.models import Finding
from sdg_tags.validators.rules.context import RuleContext
from sdg_tags.validators.rules.table import rule

MARKER = "sdg"


@rule(
    "sdg-marker-missing",
    "error",
    "B",
    "The page attempts SDG tagging but sdg-tag is absent, has no content attribute or is empty (the message "
    "says which) · seen: 261 crawl records with an empty marker.",
    "IR 2020/1121 Art 2(3)(d), Annex I",
    "Add `sdg-tag` = `sdg`",
    fail_example="""
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
def sdg_marker_missing(ctx: RuleContext) -> Iterator[Finding]:
    occ = ctx.effective("sdg-tag")
    if occ is None:
        yield ctx.finding(
            "sdg-marker-missing",
            "the page carries SDG tags but no sdg-tag marker; without it the harvester does not know the page "
            "belongs to the gateway",
            tag="sdg-tag",
            expected=MARKER,
        )
    elif not ctx.items("sdg-tag"):
        what = "has no content attribute" if occ.raw is None else f"is empty ({occ.raw!r})"
        yield ctx.finding(
            "sdg-marker-missing",
            f"the sdg-tag marker {what}; its value must be 'sdg'",
            occurrence=occ,
            expected=MARKER,
        )


@rule(
    "sdg-marker-invalid",
    "error",
    "B",
    "An sdg-tag item that, trimmed and case-folded, is not 'sdg' · seen: singledigitalgateway (duo.nl).",
    "IR 2020/1121 Annex I; Guidance 2020 §tag table",
    "`sdg`",
    fail_example="""
<meta name="sdg-tag" content="singledigitalgateway">
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
def sdg_marker_invalid(ctx: RuleContext) -> Iterator[Finding]:
    for occ in ctx.distinct_occurrences("sdg-tag"):
        for item in ctx.items_of(occ):
            if item.text.casefold() != MARKER:
                yield ctx.finding(
                    "sdg-marker-invalid",
                    f"sdg-tag {item.text!r} is not the gateway marker; the value is the literal 'sdg'",
                    occurrence=occ,
                    item=item.index,
                    normalized=item.text.casefold(),
                    expected=MARKER,
                )


@rule(
    "sdg-marker-case",
    "warning",
    "B",
    "The marker written in another case: 'SDG', 'Sdg'.",
    "Guidance 2020 §tag table",
    "Lower case",
    fail_example="""
<meta name="sdg-tag" content="SDG">
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
def sdg_marker_case(ctx: RuleContext) -> Iterator[Finding]:
    for occ in ctx.distinct_occurrences("sdg-tag"):
        for item in ctx.items_of(occ):
            if item.text != MARKER and item.text.casefold() == MARKER:
                yield ctx.finding(
                    "sdg-marker-case",
                    f"sdg-tag {item.text!r} is not in lower case; the marker is written 'sdg'",
                    occurrence=occ,
                    item=item.index,
                    normalized=MARKER,
                    expected=MARKER,
                )

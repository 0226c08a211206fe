"""Validation: extracted tags + taxonomy -> findings and a page verdict (SPEC §6.1)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from itertools import chain

from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.limits import (
    ITEMS_CHECKED,
    NORMAL,
    RESULT_BYTES,
    TIGHT,
    Limits,
    abridge_optional,
    abridged_items,
)
from sdg_tags.validators.models import (
    CANONICAL_TAGS,
    HTML_LANG_KEY,
    SCOPE_TAGS,
    ExtractedPage,
    Finding,
    PageResult,
    TagOccurrence,
    TagView,
    ValidationOptions,
    Verdict,
    construct_trusted,
    not_evaluated_result,
)
from sdg_tags.validators.page_types import determine_page_types
from sdg_tags.validators.rules import RULES, RuleContext, page_rules
from sdg_tags.validators.rules.language import effective_language
from sdg_tags.validators.rules.table import CheckFunction

# In the strict profile only exact `name=` spelling in static HTML counts: these deviations become errors.
STRICT_ESCALATED: frozenset[str] = frozenset(
    {"tag-name-case", "tag-property-attribute", "tags-only-after-javascript", "tags-changed-by-javascript"}
)
# Findings that are reported even on pages that do not attempt SDG tagging.
OUT_OF_SCOPE_RULES: frozenset[str] = frozenset({"no-sdg-tags", "tag-other-syntax-only"})

DEFAULT_OPTIONS = ValidationOptions()


def attempts_sdg_tagging(page: ExtractedPage) -> bool:
    """SPEC §6.1 Scope: any variant of sdg-tag, DC.ISO3166, DC.Service or policy-code (not a lone DC.Language)."""
    return any(occ.canonical in SCOPE_TAGS for occ in page.occurrences)


def is_enabled(rule_id: str, ignore: frozenset[str], enable: frozenset[str]) -> bool:
    """Switched on: not ignored, and on by default or explicitly enabled."""
    return rule_id not in ignore and (RULES[rule_id].enabled_by_default or rule_id in enable)


@cache
def enabled_checks(
    ignore: frozenset[str], enable: frozenset[str], in_scope: bool
) -> tuple[CheckFunction, ...]:
    """The check functions to run, in table order; resolved once per option set, not per rule per page."""
    checks: list[CheckFunction] = []
    for spec in page_rules():
        if spec.check is None or (not in_scope and spec.id not in OUT_OF_SCOPE_RULES):
            continue
        if is_enabled(spec.id, ignore, enable):
            checks.append(spec.check)
    return tuple(checks)


def with_options(findings: Iterable[Finding], options: ValidationOptions) -> Iterator[Finding]:
    """Drop ignored rules, then apply per-rule severity overrides and the strict profile's escalations."""
    for finding in findings:
        if not is_enabled(finding.rule, options.ignore, options.enable):
            continue
        override = options.severity_overrides.get(finding.rule)
        if override is not None:
            finding.severity = override
        elif options.profile == "strict" and finding.rule in STRICT_ESCALATED:
            finding.severity = "error"
        yield finding


def apply_options(findings: Iterable[Finding], options: ValidationOptions) -> list[Finding]:
    """`with_options` as a list, each finding's quotes abridged (`validators.limits`): for the few findings
    that the crawl and rendering add to a validated page."""
    return [abridge_finding(finding, NORMAL) for finding in with_options(findings, options)]


_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def abridge_finding(finding: Finding, limits: Limits) -> Finding:
    """The finding with its quotes cut to `limits` (in place: findings are built per page, never shared)."""
    fields = finding.__dict__
    for key in ("value", "normalized", "expected"):
        text = fields[key]
        if text is not None and len(text) > limits.quote_chars:
            fields[key] = abridge_optional(text, limits.quote_chars)
    for key in ("message", "hint"):
        if len(fields[key]) > limits.text_chars:
            fields[key] = abridge_optional(fields[key], limits.text_chars)
    return finding


def _counting_finding(first_left_out: Finding) -> Finding:
    """The one finding that stands for a rule's findings past the per-rule limit (its message is set once
    they are counted): where the first left-out one is, no quotes."""
    return construct_trusted(
        Finding,
        rule=first_left_out.rule,
        severity=first_left_out.severity,
        message="",
        tag=first_left_out.tag,
        item=None,
        value=None,
        normalized=None,
        expected=None,
        line=first_left_out.line,
        column=first_left_out.column,
        origin=first_left_out.origin,
        reference=first_left_out.reference,
        hint=RULES[first_left_out.rule].hint if first_left_out.rule in RULES else first_left_out.hint,
        code_list=None,
        type_inferred=first_left_out.type_inferred,
    )


def limit_per_rule(findings: Iterable[Finding], per_rule: int) -> tuple[list[Finding], dict[str, int]]:
    """At most `per_rule` findings of each rule, in the order given; the rest of a rule become one counting
    finding of the same rule (at the place of the first left out, with the most severe left-out severity),
    so the verdict and the rule ids of a page stay what they were. Memory is bounded by the kept findings.
    Also returns how many findings each rule gave in all."""
    kept: list[Finding] = []
    shown: dict[str, int] = {}
    counting: dict[str, tuple[Finding, list[int]]] = {}
    for finding in findings:
        rule_id = finding.rule
        count = shown.get(rule_id, 0)
        if count < per_rule:
            shown[rule_id] = count + 1
            kept.append(finding)
            continue
        found = counting.get(rule_id)
        if found is None:
            summary = _counting_finding(finding)
            kept.append(summary)
            counting[rule_id] = (summary, [1])
        else:
            summary, left_out = found
            left_out[0] += 1
            if _SEVERITY_RANK[finding.severity] > _SEVERITY_RANK[summary.severity]:
                summary.severity = finding.severity
    for rule_id, (summary, (left_out,)) in counting.items():
        noun = "finding" if left_out == 1 else "findings"
        shown_part = f"after the {shown.get(rule_id, 0)} shown " if shown.get(rule_id) else ""
        summary.message = (
            f"{left_out} more {rule_id} {noun} on this page {shown_part}were left out to bound the output"
        )
    totals = {
        rule_id: count + (counting[rule_id][1][0] if rule_id in counting else 0)
        for rule_id, count in shown.items()
    }
    for rule_id, (_, (left_out,)) in counting.items():
        totals.setdefault(rule_id, left_out)
    return kept, totals


def verdict_of(findings: Iterable[Finding], *, self_describing: bool = True) -> Verdict:
    if not self_describing:
        return "not-self-describing"
    severities = {finding.severity for finding in findings}
    if "error" in severities:
        return "non-compliant"
    if "warning" in severities:
        return "compliant-with-warnings"
    return "compliant"


_ITEM = re.compile(r"[^;]*[^;\s][^;]*")


def _item_count(raw: str | None, values: list[str]) -> int:
    """How many non-empty items a value has; extraction lists only the first ITEMS_CHECKED of them."""
    if raw is None or len(values) < ITEMS_CHECKED:
        return len(values)
    return sum(1 for _ in _ITEM.finditer(raw))  # one match at a time: no list of a million items


def tag_views(page: ExtractedPage, limits: Limits = NORMAL) -> dict[str, TagView]:
    # The effective (first) occurrence of every tag in one pass, rather than one `page.first` scan per tag.
    effective: dict[str, TagOccurrence] = {}
    for occ in page.occurrences:
        effective.setdefault(occ.canonical, occ)
    views: dict[str, TagView] = {}
    for canonical in CANONICAL_TAGS:
        occ = effective.get(canonical)
        if occ is not None:
            values = occ.values
            views[canonical] = construct_trusted(
                TagView,
                raw=abridge_optional(occ.raw, limits.quote_chars),
                values=values
                if len(values) <= limits.tag_items and all(len(v) <= limits.quote_chars for v in values)
                else abridged_items(
                    values, limits.tag_items, limits.quote_chars, total=_item_count(occ.raw, values)
                ),
                attribute=occ.attribute,
                name_as_written=occ.name_as_written,
                line=occ.line,
                column=occ.column,
                origin=occ.origin,
            )
    if page.html_lang is not None:
        lang = page.html_lang
        views[HTML_LANG_KEY] = construct_trusted(
            TagView,
            raw=abridge_optional(lang.value, limits.quote_chars),
            values=abridged_items([lang.value.strip()] if lang.value.strip() else [], 1, limits.quote_chars),
            attribute=lang.source.removeprefix("html "),
            name_as_written=lang.source.removeprefix("html "),
            line=lang.line,
            column=lang.column,
            origin=page.origin,
        )
    return views


def sort_key(finding: Finding) -> tuple[int, int, str]:
    return (finding.line or 0, finding.column or 0, finding.rule)


def validate(
    page: ExtractedPage,
    options: ValidationOptions = DEFAULT_OPTIONS,
    *,
    target: str | None = None,
) -> PageResult:
    """Run every enabled page rule on an extracted page and return the page's result with its verdict."""
    target = target or page.url or "-"
    if not page.readable:
        return not_evaluated_result(
            target=target,
            url=page.url,
            status_detail="; ".join(page.problems) or "page could not be read",
            profile=options.profile,
        )

    ctx = RuleContext(page, options)
    in_scope = attempts_sdg_tagging(page)
    if in_scope:
        ctx.page_types, ctx.page_types_inferred = determine_page_types(ctx)
    checks = enabled_checks(options.ignore, options.enable, in_scope)
    # Streamed through the per-rule limit: a page of 100,000 bad items never holds 100,000 findings.
    findings, totals = limit_per_rule(
        with_options(chain.from_iterable(check(ctx) for check in checks), options), NORMAL.findings_per_rule
    )
    for finding in findings:
        abridge_finding(finding, NORMAL)
    findings.sort(key=sort_key)

    canonical = page.canonical_links[0].href if page.canonical_links else None
    result = construct_trusted(
        PageResult,
        target=target,
        url=page.url,
        verdict=verdict_of(findings, self_describing=in_scope),
        page_types=ctx.page_types,
        page_types_inferred=ctx.page_types_inferred,
        tags=tag_views(page),
        language=effective_language(ctx),
        canonical_url=canonical,
        title=page.title,
        robots=page.robots,
        findings=findings,
        status_detail="; ".join(page.problems) or None,
        suggested_tags=None,
        structured_data=None,
        profile=options.profile,
    )
    if options.suggest and in_scope:
        from sdg_tags.validators.suggest import suggest_tag_block  # only editors ask for it

        result.suggested_tags = suggest_tag_block(page, result, ctx)
    abridge_page_fields(result, NORMAL)
    if _size_estimate(result) > RESULT_BYTES and serialised_bytes(result) > RESULT_BYTES:
        tighten(result, page, totals)
    return result


def abridge_page_fields(result: PageResult, limits: Limits) -> None:
    """Cut the page-level texts of a result (title, addresses, notes, the suggested block) to `limits`."""
    fields = result.__dict__
    for key in ("target", "url", "canonical_url"):
        fields[key] = abridge_optional(fields[key], limits.url_chars)
    for key in ("title", "robots", "language"):
        fields[key] = abridge_optional(fields[key], limits.quote_chars)
    fields["status_detail"] = abridge_optional(fields["status_detail"], limits.text_chars)
    fields["suggested_tags"] = abridge_optional(fields["suggested_tags"], limits.suggestion_chars)


# What a finding or tag view costs in JSON besides its texts (keys, punctuation, numbers), and a page result.
_FINDING_FRAME = 400
_TAG_FRAME = 200
_PAGE_FRAME = 1000
# The most bytes one character can take in JSON: `\u0001` for a control character.
_WORST_CHAR_BYTES = 6


def _size_estimate(result: PageResult) -> int:
    """An upper bound of `serialised_bytes` from string lengths only (no serialisation): O(fields)."""
    chars = 0
    for finding in result.findings:
        for text in (
            finding.message,
            finding.hint,
            finding.reference,
            finding.value,
            finding.normalized,
            finding.expected,
            finding.tag,
            finding.code_list,
        ):
            chars += len(text) if text is not None else 0
    for view in result.tags.values():
        chars += (
            len(view.raw or "") + len(view.name_as_written) + sum(len(value) + 3 for value in view.values)
        )
    for text in (
        result.target,
        result.url,
        result.canonical_url,
        result.title,
        result.robots,
        result.status_detail,
        result.suggested_tags,
        result.language,
    ):
        chars += len(text) if text is not None else 0
    return (
        _WORST_CHAR_BYTES * chars
        + _FINDING_FRAME * len(result.findings)
        + _TAG_FRAME * len(result.tags)
        + _PAGE_FRAME
    )


def serialised_bytes(result: PageResult) -> int:
    """Bytes of the result's compact JSON, the measure of `validators.limits.RESULT_BYTES`."""
    return len(result.model_dump_json().encode("utf-8", "surrogatepass"))


def tighten(result: PageResult, page: ExtractedPage, totals: Mapping[str, int]) -> None:
    """Bring a result that is still over RESULT_BYTES within it: every rule becomes one counting finding with
    its total (at its first finding's place, with its most severe severity), tags and texts get TIGHT quotes."""
    by_rule: dict[str, Finding] = {}
    for finding in result.findings:
        first = by_rule.get(finding.rule)
        if first is None:
            by_rule[finding.rule] = summary = _counting_finding(finding)
            total = totals.get(finding.rule, 1)
            noun = "finding" if total == 1 else "findings"
            summary.message = f"{total} {finding.rule} {noun} on this page were left out to bound the output"
        elif _SEVERITY_RANK[finding.severity] > _SEVERITY_RANK[first.severity]:
            first.severity = finding.severity
    result.findings = sorted((abridge_finding(f, TIGHT) for f in by_rule.values()), key=sort_key)
    result.tags = tag_views(page, TIGHT)
    abridge_page_fields(result, TIGHT)


def check_page(
    body: bytes,
    *,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    options: ValidationOptions = DEFAULT_OPTIONS,
    target: str | None = None,
) -> PageResult:
    """Extract and validate one page from its bytes: the single entry point for CLI, crawler and web app."""
    page = extract_tags(body, url=url, headers=headers)
    return validate(page, options, target=target or url)

"""Validation: extracted tags + taxonomy -> findings and a page verdict (SPEC §6.1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from sdg_tags.validators.extraction import extract_tags
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


def apply_options(findings: Iterable[Finding], options: ValidationOptions) -> list[Finding]:
    """Drop ignored rules, then apply per-rule severity overrides and the strict profile's escalations."""
    kept: list[Finding] = []
    for finding in findings:
        if not is_enabled(finding.rule, options.ignore, options.enable):
            continue
        override = options.severity_overrides.get(finding.rule)
        if override is not None:
            finding.severity = override
        elif options.profile == "strict" and finding.rule in STRICT_ESCALATED:
            finding.severity = "error"
        kept.append(finding)
    return kept


def verdict_of(findings: Iterable[Finding], *, self_describing: bool = True) -> Verdict:
    if not self_describing:
        return "not-self-describing"
    severities = {finding.severity for finding in findings}
    if "error" in severities:
        return "non-compliant"
    if "warning" in severities:
        return "compliant-with-warnings"
    return "compliant"


def tag_views(page: ExtractedPage) -> dict[str, TagView]:
    # The effective (first) occurrence of every tag in one pass, rather than one `page.first` scan per tag.
    effective: dict[str, TagOccurrence] = {}
    for occ in page.occurrences:
        effective.setdefault(occ.canonical, occ)
    views: dict[str, TagView] = {}
    for canonical in CANONICAL_TAGS:
        occ = effective.get(canonical)
        if occ is not None:
            views[canonical] = construct_trusted(
                TagView,
                raw=occ.raw,
                values=occ.values,
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
            raw=lang.value,
            values=[lang.value.strip()] if lang.value.strip() else [],
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
    raw_findings: list[Finding] = []
    for check in enabled_checks(options.ignore, options.enable, in_scope):
        raw_findings.extend(check(ctx))
    findings = sorted(apply_options(raw_findings, options), key=sort_key)

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
    return result


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

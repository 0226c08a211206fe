"""One verdict from a page's served HTML and its rendered DOM (SPEC §9 point 7).

The served (static) HTML is authoritative: that is what the harvester reads. A tag that only JavaScript adds
still counts, with a `tags-only-after-javascript` warning (an error in the strict profile), so a page whose
tags are all script-made is diagnosed instead of looking untagged. A value that JavaScript changes or removes
keeps its served value, with `tags-changed-by-javascript`.
"""

from __future__ import annotations

from sdg_tags.validators.engine import apply_options, attempts_sdg_tagging, sort_key, validate, verdict_of
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import ExtractedPage, PageResult, ValidationOptions
from sdg_tags.validators.rules import RuleContext
from sdg_tags.validators.rules.presence import compare_rendered

# The rendered DOM is serialised by the browser as text; we hand extraction UTF-8 and say so, so that a
# `<meta charset>` left in the markup cannot make it decode the bytes differently.
RENDERED_HEADERS = {"content-type": "text/html; charset=utf-8"}
RENDER_HINT_RULE = "tags-managed-by-javascript"


def extract_rendered(html: str, *, url: str | None = None) -> ExtractedPage:
    """Tags of a rendered DOM (`page.content()`), each occurrence marked `origin="rendered"`."""
    return extract_tags(html.encode("utf-8"), url=url, headers=RENDERED_HEADERS, origin="rendered")


def merge_rendered(static: ExtractedPage, rendered: ExtractedPage) -> ExtractedPage:
    """The served page plus the tags (and `<html lang>`) that only the rendered DOM has."""
    present = {occ.canonical for occ in static.occurrences}
    added = [occ for occ in rendered.occurrences if occ.canonical not in present]
    return static.model_copy(
        update={
            "occurrences": [*static.occurrences, *added],
            "html_lang": static.html_lang if static.html_lang is not None else rendered.html_lang,
            "canonical_links": static.canonical_links or rendered.canonical_links,
        }
    )


def validate_with_rendering(
    static: ExtractedPage,
    rendered: ExtractedPage,
    options: ValidationOptions,
    *,
    target: str | None = None,
) -> PageResult:
    """Validate the served page with the script-only tags added, plus the static/rendered comparison."""
    if not static.readable:
        return validate(static, options, target=target)
    merged = merge_rendered(static, rendered)
    # The page has been rendered: the hint to render it (tags-managed-by-javascript) has done its job, and
    # the comparison below says what JavaScript actually changed.
    rendered_options = options.model_copy(update={"ignore": options.ignore | {RENDER_HINT_RULE}})
    result = validate(merged, rendered_options, target=target)
    comparison = apply_options(compare_rendered(static, rendered, RuleContext(merged, options)), options)
    if not comparison:
        return result
    result.findings = sorted([*result.findings, *comparison], key=sort_key)
    result.verdict = verdict_of(result.findings, self_describing=attempts_sdg_tagging(merged))
    return result

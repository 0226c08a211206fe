"""Evaluation of one fetch outcome: validation, crawl-mode findings, the page record to store.

Pure (no Scrapy): the validation pipeline runs it in the crawl process, the evaluation process
(crawler/evaluation_process.py) next to the repository writes.
Evaluated pages (`ok`, `noindex`) go through the same extraction and rules as `sdg-tags check`; then the
group I findings that only a crawl can know are added (canonical link vs the registered scope, noindex on the
page or its discovery path, registered pages the folder crawl never reached) and the verdict is recomputed.
Pages that could not be checked get `verdict="not-evaluated"` and no tag findings. A 304 carries the previous
result forward with its evaluation date.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.rendering.comparison import extract_rendered, validate_with_rendering
from sdg_tags.repository.records import PageRecord
from sdg_tags.repository.timestamps import iso_utc
from sdg_tags.validators.engine import apply_options, sort_key, validate, verdict_of
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import (
    EVALUATED_FETCH_STATUSES,
    Finding,
    PageResult,
    ValidationOptions,
    not_evaluated_result,
)
from sdg_tags.validators.rules.crawl import canonical_findings
from sdg_tags.validators.rules.table import rule_finding

if TYPE_CHECKING:
    from sdg_tags.repository.store import Repository


def not_evaluated(outcome: FetchOutcome, options: ValidationOptions, findings: list[Finding]) -> PageResult:
    return not_evaluated_result(
        target=outcome.url,
        url=outcome.final_url or outcome.url,
        status_detail=outcome.status_detail,
        profile=options.profile,
        findings=findings,
    )


def crawl_findings(outcome: FetchOutcome, links: Any, page_url: str, self_describing: bool) -> list[Finding]:
    """Group I findings of an evaluated page: for pages that attempt tagging, and for registered pages."""
    if not (self_describing or outcome.registered):
        return []
    found: list[Finding] = []
    if self_describing:
        found += canonical_findings(
            links, page_url=page_url, same_site=outcome.scope.same_site, in_scope=outcome.scope.contains
        )
    if outcome.noindex_source:
        found.append(
            rule_finding(
                "crawl-noindex",
                f"The page says noindex ({outcome.noindex_source}); the harvester skips it.",
                value=outcome.noindex_source,
            )
        )
    elif outcome.noindex_via:
        found.append(
            rule_finding(
                "crawl-noindex",
                f"The page was discovered via {outcome.noindex_via}, which says noindex; a harvester "
                "following links from the registered root stops there.",
                value=outcome.noindex_via,
            )
        )
    if outcome.not_reachable_from:
        why = ""
        if outcome.linked_via_other_host:
            why += (
                f" The crawl found a link to it only on another host ({outcome.linked_via_other_host}), which "
                "the harvester does not follow."
            )
        if outcome.folder_limited:
            why += " That folder crawl stopped at --max-pages-per-folder or --max-depth, so a deeper link may exist."
        found.append(
            rule_finding(
                "crawl-not-reachable",
                f"Registered page not reachable by links from the registered web folder "
                f"{outcome.not_reachable_from} within its scope (same host, under its path, excluded paths "
                f"honoured).{why}",
                value=outcome.linked_via_other_host,
                expected=outcome.not_reachable_from,
            )
        )
    return found


def carried_forward(outcome: FetchOutcome, options: ValidationOptions) -> PageRecord:
    """A 304: the previous evaluation, with its date, under this run."""
    previous = outcome.previous
    if previous is None:  # a 304 to a request that was not conditional: nothing to carry forward
        outcome.status_detail = "HTTP 304 Not Modified to an unconditional request; nothing to carry forward"
        return base_record(outcome, not_evaluated(outcome, options, []))
    earlier = previous.previous
    evaluated_at = earlier.evaluated_at or previous.fetched_at
    outcome.status_detail = (
        f"not modified since {iso_utc(evaluated_at)}; the result of that evaluation is carried forward"
    )
    record = base_record(outcome, earlier.result)
    record.evaluated_at = evaluated_at
    record.occurrences = list(earlier.occurrences)
    record.content_hash = previous.content_hash
    record.etag = record.etag or previous.etag
    record.last_modified = record.last_modified or previous.last_modified
    return record


def base_record(outcome: FetchOutcome, result: PageResult | None) -> PageRecord:
    headers = {name.lower(): value for name, value in outcome.headers.items()}
    return PageRecord.model_construct(
        url=outcome.url,
        final_url=outcome.final_url,
        redirects=outcome.redirects,
        fetch_status=outcome.fetch_status,
        http_status=outcome.http_status,
        status_detail=outcome.status_detail,
        content_hash=hashlib.sha256(outcome.body).hexdigest() if outcome.body is not None else None,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        fetched_at=outcome.fetched_at,
        render_mode="static",
        registry_url=outcome.registry_url,
        discovered=outcome.discovered,
        depth=outcome.depth,
        result=result,
        occurrences=[],
        evaluated_at=None,
    )


def build_record(outcome: FetchOutcome, options: ValidationOptions) -> PageRecord:
    """Validate an outcome (if it can be) and return the page record to store."""
    if outcome.fetch_status == "not-modified":
        return carried_forward(outcome, options)
    if outcome.fetch_status not in EVALUATED_FETCH_STATUSES or outcome.body is None:
        findings: list[Finding] = []
        if outcome.fetch_status == "robots-disallowed":
            where = f" ({outcome.robots_url})" if outcome.robots_url else ""
            findings = apply_options(
                [
                    rule_finding(
                        "crawl-robots-disallowed",
                        f"robots.txt{where} forbids this URL for the crawler or for all robots ('*'), so the "
                        "harvester cannot read its tags.",
                        value=outcome.robots_url,
                    )
                ],
                options,
            )
        return base_record(outcome, not_evaluated(outcome, options, findings))

    page_url = outcome.final_url or outcome.url
    page = extract_tags(outcome.body, url=page_url, headers=outcome.headers)
    if not page.readable:
        # The extractor names binary content "... not HTML"; anything else unreadable is a decoding problem.
        problems = "; ".join(page.problems) or "the page could not be decoded"
        outcome.fetch_status = "not-html" if "not HTML" in problems else "decode-error"
        outcome.status_detail = problems
        return base_record(outcome, not_evaluated(outcome, options, []))
    if outcome.registry_types:
        options = options.model_copy(update={"registry_types": outcome.registry_types})
    rendered = (
        extract_rendered(outcome.rendered_html, url=page_url) if outcome.rendered_html is not None else None
    )
    if rendered is not None:  # render mode: served tags authoritative, script-made ones with a warning
        result = validate_with_rendering(page, rendered, options, target=outcome.url)
    else:
        result = validate(page, options, target=outcome.url)
    self_describing = result.verdict != "not-self-describing"
    extra = apply_options(crawl_findings(outcome, page.canonical_links, page_url, self_describing), options)
    if extra:
        result.findings = sorted([*result.findings, *extra], key=sort_key)
        result.verdict = verdict_of(result.findings, self_describing=self_describing)
    details = [detail for detail in (result.status_detail, outcome.status_detail) if detail]
    if outcome.noindex_source:
        details.append(f"noindex ({outcome.noindex_source})")
    if outcome.nofollow_source:
        details.append(f"nofollow ({outcome.nofollow_source})")
    outcome.status_detail = "; ".join(details) or None
    record = base_record(outcome, result)
    record.occurrences = list(page.occurrences)
    if rendered is not None:  # both tag sets are stored, told apart by their origin
        record.render_mode = "rendered"
        record.occurrences += rendered.occurrences
    return record


def stat_keys(record: PageRecord) -> list[str]:
    """The crawl stats one stored page adds to (`sdg/pages/total`, `sdg/status/...`, `sdg/verdict/...`, ...)."""
    verdict = record.result.verdict if record.result is not None else "not-evaluated"
    keys = ["sdg/pages/total", f"sdg/status/{record.fetch_status}", f"sdg/verdict/{verdict}"]
    if verdict != "not-evaluated":
        keys.append("sdg/pages/evaluated")
    if record.result is not None:
        keys += [f"sdg/findings/{finding.severity}" for finding in record.result.findings]
    return keys


@dataclass(slots=True)
class StoredBatch:
    """What evaluating and storing a batch of outcomes did: the URLs committed, their stats, what failed."""

    urls: list[str] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)
    # (url, why) of outcomes whose evaluation raised: they are not stored, and the crawl log names them
    errors: list[tuple[str, str]] = field(default_factory=list)


def evaluate_and_store(
    repository: Repository, run_id: int, outcomes: list[FetchOutcome], options: ValidationOptions
) -> StoredBatch:
    """Validate a batch of outcomes and upsert their records in one transaction (repository errors raise)."""
    stored = StoredBatch()
    records: list[PageRecord] = []
    for outcome in outcomes:
        try:
            record = build_record(outcome, options)
        except Exception as exc:  # a validator bug must not take the batch (or the crawl) with it
            stored.errors.append((outcome.url, f"{type(exc).__name__}: {exc}"))
            continue
        records.append(record)
        stored.stats.update(stat_keys(record))
    repository.write_pages(run_id, records)
    stored.urls = [record.url for record in records]
    return stored

"""The pages of one run as reports see them: who they belong to, what they say, and what was found.

A page's country is its registry entry's country (the registered link, SPEC §7.4), else the first item of the
`DC.ISO3166` it carries; its provider is the registry entry's provider (discovered pages inherit the entry they
were crawled from). Strings that repeat on every page (rule ids, hints, references) are shared, so 100k pages
fit in memory comfortably.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sdg_tags.repository.queries import ObservedPage, iter_observed_pages
from sdg_tags.repository.store import Repository, policy_area
from sdg_tags.taxonomy.countries import tag_code
from sdg_tags.validators.models import CANONICAL_TAGS, HTML_LANG_KEY

TWO_LETTERS = re.compile(r"[A-Z]{2}")
TAG_KEYS: tuple[str, ...] = (*CANONICAL_TAGS, HTML_LANG_KEY)
# Annex letter assigned to pages typed `assistance`: they carry a service title, not an area code.
ASSISTANCE_AREA = "assistance"
UNKNOWN = "(unknown)"


# The fields of a finding as the validator serialises them (`validators.models.Finding`), in findings.csv order.
# Findings stay the dicts `json.loads` made: copying 200k of them into other objects cost more than the parse.
FINDING_KEYS: tuple[str, ...] = (
    "rule",
    "severity",
    "tag",
    "item",
    "value",
    "normalized",
    "expected",
    "line",
    "column",
    "origin",
    "message",
    "reference",
    "hint",
    "code_list",
    "type_inferred",
)


@dataclass(slots=True)
class ReportPage:
    """One page of the run, reduced to what reports show and count."""

    url: str
    final_url: str | None
    fetch_status: str
    http_status: int | None
    status_detail: str | None
    verdict: str
    country: str | None
    provider: str | None
    registry_url: str | None
    discovered: bool
    title: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    page_types: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()  # Annex letters of its policy-code items, plus "assistance"
    tags: dict[str, str | None] = field(default_factory=dict)  # canonical name -> raw value
    findings: list[dict[str, Any]] = field(default_factory=list)  # FINDING_KEYS, as the validator wrote them
    rule_ids: tuple[str, ...] = ()  # distinct rule ids in finding order
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @property
    def evaluated(self) -> bool:
        return self.verdict != "not-evaluated"

    def severity_counts(self) -> dict[str, int]:
        return {"error": self.errors, "warning": self.warnings, "info": self.infos}

    def rules(self) -> tuple[str, ...]:
        """Distinct rule ids in finding order."""
        return self.rule_ids


def string_pool() -> Callable[[Any], Any]:
    """A function returning a shared copy of equal strings (None stays None): rule ids, hints and references
    repeat on most pages, so 100k pages hold each once."""
    strings: dict[Any, Any] = {}

    def pool(value: Any) -> Any:
        return strings.setdefault(value, value)

    return pool


def page_country(registry_country: str | None, tag_country: str | None) -> str | None:
    """The registered link's country, else the page's first `DC.ISO3166` item when it is two letters."""
    if registry_country:
        return registry_country.strip().upper() or None
    if tag_country:
        first = tag_country.split(";", 1)[0].strip().upper()
        if TWO_LETTERS.fullmatch(first):
            return first
    return None


def normalize_country_filter(country: str) -> str:
    """`--country` value: upper case, `GR` read as `EL` (the code the SDG uses for Greece)."""
    code = country.strip().upper()
    return tag_code(code)


def same_country(page: str | None, wanted: str) -> bool:
    return page is not None and normalize_country_filter(page) == wanted


def same_provider(page: str | None, wanted: str) -> bool:
    return page is not None and page.strip().casefold() == wanted.strip().casefold()


def report_page(observed: ObservedPage, pool: Callable[[Any], Any]) -> ReportPage:
    """Turn a stored page into a ReportPage, parsing its PageResult JSON once."""
    page = ReportPage(
        url=observed.url,
        final_url=observed.final_url,
        fetch_status=pool(observed.fetch_status),
        http_status=observed.http_status,
        status_detail=observed.status_detail,
        verdict=pool(observed.verdict),
        country=pool(page_country(observed.registry_country, observed.tag_country)),
        provider=pool(observed.provider),
        registry_url=pool(observed.registry_url),
        discovered=bool(observed.discovered),
    )
    if observed.page_result is None:
        return page
    result: dict[str, Any] = json.loads(observed.page_result)
    if not page.status_detail:
        page.status_detail = result.get("status_detail")
    page.title = result.get("title")
    page.canonical_url = result.get("canonical_url")
    page.language = pool(result.get("language"))
    page.page_types = tuple(pool(page_type) for page_type in result.get("page_types") or ())
    tags = result.get("tags") or {}
    page.tags = {key: tags[key].get("raw") for key in TAG_KEYS if key in tags}
    areas: dict[str, None] = {}
    policy = tags.get("policy-code")
    for item in (policy or {}).get("values") or ():
        area = policy_area(item)
        if area is not None:
            areas[pool(area)] = None
    if "assistance" in page.page_types:
        areas[ASSISTANCE_AREA] = None
    page.areas = tuple(areas)
    findings: list[dict[str, Any]] = result.get("findings") or []
    page.findings = findings
    if findings:
        page.rule_ids = tuple(pool(rule) for rule in dict.fromkeys(finding["rule"] for finding in findings))
        severities = [finding["severity"] for finding in findings]
        page.errors = severities.count("error")
        page.warnings = severities.count("warning")
        page.infos = severities.count("info")
    return page


def iter_report_pages(
    repository: Repository, run_id: int, *, country: str | None = None, provider: str | None = None
) -> Iterator[ReportPage]:
    """The pages of a run, optionally only one country's (`EL`/`GR` alike) and/or one provider's."""
    wanted_country = normalize_country_filter(country) if country else None
    pool = string_pool()
    for observed in iter_observed_pages(repository, run_id):
        if provider is not None and not same_provider(observed.provider, provider):
            continue
        if wanted_country is not None and not same_country(
            page_country(observed.registry_country, observed.tag_country), wanted_country
        ):
            continue
        yield report_page(observed, pool)


def load_report_pages(
    repository: Repository,
    run_id: int,
    *,
    country: str | None = None,
    provider: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ReportPage]:
    """All (filtered) pages of a run in memory, in crawl order; `progress` gets the count read so far every
    PROGRESS_EVERY pages (a console's running count: a run of a million pages takes a while to read)."""
    pages: list[ReportPage] = []
    for page in iter_report_pages(repository, run_id, country=country, provider=provider):
        pages.append(page)
        if progress is not None and len(pages) % PROGRESS_EVERY == 0:
            progress(len(pages))
    return pages


PROGRESS_EVERY = 5000


def distinct(values: Iterable[str | None]) -> list[str]:
    """Sorted distinct non-empty values."""
    return sorted({value for value in values if value})

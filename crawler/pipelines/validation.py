"""Validation pipeline: FetchOutcome -> PageRecord (validated result, crawl-mode findings, fetch status).

Evaluated pages (`ok`, `noindex`) go through the same extraction and rules as `sdg-tags check`; then the
group I findings that only a crawl can know are added (canonical link vs the registered scope, noindex on the
page or its discovery path, registered pages the folder crawl never reached) and the verdict is recomputed.
Pages that could not be checked get `verdict="not-evaluated"` and no tag findings. A 304 carries the previous
result forward with its evaluation date. The body is dropped once validated.

The work itself is crawler/evaluation.py (no Scrapy in it). It runs in the crawl process: a worker-process
variant cost more CPU than it saved on the 2-core benchmark machine (pickling both ways, worker start-up).

Settings: `SDG_PROFILE` (harvester | strict), `SDG_IGNORE_RULES`, `SDG_ENABLE_RULES` (rule ids), and the SPEC
§9 knobs `SDG_ANNEX2_SCHEME`, `SDG_ACCEPT_ZERO_PADDED`, `SDG_TITLE_MATCH_THRESHOLD`, `SDG_NUTS_VERSIONS`,
`SDG_LAU_FORMS`, `SDG_ALLOW_COUNTRY_EU`. Stats: `sdg/pages/total`, `sdg/pages/evaluated`,
`sdg/status/<fetch status>`, `sdg/verdict/<verdict>`, `sdg/findings/<severity>`.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from crawler.evaluation import build_record
from crawler.items import FetchOutcome
from repository.records import PageRecord
from validators.models import ValidationOptions

# SPEC §9 settings and the ValidationOptions field each one sets.
OPTION_SETTINGS: dict[str, str] = {
    "SDG_ANNEX2_SCHEME": "annex2_scheme",
    "SDG_ACCEPT_ZERO_PADDED": "accept_zero_padded",
    "SDG_TITLE_MATCH_THRESHOLD": "title_match_threshold",
    "SDG_NUTS_VERSIONS": "nuts_versions",
    "SDG_LAU_FORMS": "lau_forms",
    "SDG_ALLOW_COUNTRY_EU": "allow_country_eu",
}


def options_from_settings(settings: BaseSettings) -> ValidationOptions:
    """The validation options of a crawl (profile, rule switches, SPEC §9 knobs that are set)."""
    values: dict[str, Any] = {
        "profile": settings.get("SDG_PROFILE", "harvester"),
        "ignore": frozenset(settings.getlist("SDG_IGNORE_RULES")),
        "enable": frozenset(settings.getlist("SDG_ENABLE_RULES")),
    }
    for name, field in OPTION_SETTINGS.items():
        if settings.get(name) is None:
            continue
        if field in ("nuts_versions", "lau_forms"):
            values[field] = tuple(settings.getlist(name))
        elif field in ("accept_zero_padded", "allow_country_eu"):
            values[field] = settings.getbool(name)
        elif field == "title_match_threshold":
            values[field] = settings.getfloat(name)
        else:
            values[field] = settings.get(name)
    return ValidationOptions(**values)


class ValidationPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.options = options_from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchOutcome):
            return item
        record = build_record(item, self.options)
        item.record = record
        item.body = None  # the bytes are not needed any more; items can queue up behind the writer
        self.count(record)
        item.rendered_html = None
        return item

    def count(self, record: PageRecord) -> None:
        stats = self.stats
        stats.inc_value("sdg/pages/total")
        stats.inc_value(f"sdg/status/{record.fetch_status}")
        verdict = record.result.verdict if record.result is not None else "not-evaluated"
        stats.inc_value(f"sdg/verdict/{verdict}")
        if verdict != "not-evaluated":
            stats.inc_value("sdg/pages/evaluated")
        if record.result is not None:
            for finding in record.result.findings:
                stats.inc_value(f"sdg/findings/{finding.severity}")

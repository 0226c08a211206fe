"""Validation pipeline: FetchOutcome -> PageRecord (validated result, crawl-mode findings, fetch status).

Evaluated pages (`ok`, `noindex`) go through the same extraction and rules as `sdg-tags check`; then the
group I findings that only a crawl can know are added (canonical link vs the registered scope, noindex on the
page or its discovery path, registered pages the folder crawl never reached) and the verdict is recomputed.
Pages that could not be checked get `verdict="not-evaluated"` and no tag findings. A 304 carries the previous
result forward with its evaluation date. The body is dropped once validated.

The work itself is crawler/evaluation.py (no Scrapy in it). With `SDG_EVALUATION_PROCESS` on (the default
when the machine has more than one CPU) this pipeline passes the outcome on untouched and the repository
writer has it validated in the evaluation process (crawler/evaluation_process.py), off the Scrapy thread.

Settings: `SDG_PROFILE` (harvester | strict), `SDG_IGNORE_RULES`, `SDG_ENABLE_RULES` (rule ids), and the SPEC
§9 knobs `SDG_ANNEX2_SCHEME`, `SDG_ACCEPT_ZERO_PADDED`, `SDG_TITLE_MATCH_THRESHOLD`, `SDG_NUTS_VERSIONS`,
`SDG_LAU_FORMS`, `SDG_ALLOW_COUNTRY_EU`. Stats: `sdg/pages/total`, `sdg/pages/evaluated`,
`sdg/status/<fetch status>`, `sdg/verdict/<verdict>`, `sdg/findings/<severity>`.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.evaluation import build_record, stat_keys
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.repository.records import PageRecord
from sdg_tags.taxonomy.annexes import today
from sdg_tags.validators.models import ValidationOptions

# SPEC §9 settings and the ValidationOptions field each one sets.
OPTION_SETTINGS: dict[str, str] = {
    "SDG_ANNEX2_SCHEME": "annex2_scheme",
    "SDG_ACCEPT_ZERO_PADDED": "accept_zero_padded",
    "SDG_TITLE_MATCH_THRESHOLD": "title_match_threshold",
    "SDG_NUTS_VERSIONS": "nuts_versions",
    "SDG_LAU_FORMS": "lau_forms",
    "SDG_ALLOW_COUNTRY_EU": "allow_country_eu",
}


def evaluation_in_child(settings: BaseSettings) -> bool:
    """Whether the repository writer's evaluation process validates (`SDG_EVALUATION_PROCESS`: true, false,
    or "auto" = when there is a second CPU for it), which needs a repository writer among the pipelines."""
    value = settings.get("SDG_EVALUATION_PROCESS", default_settings.SDG_EVALUATION_PROCESS)
    if isinstance(value, str) and value.strip().lower() == "auto":
        wanted = (os.cpu_count() or 1) > 1
    else:
        wanted = settings.getbool("SDG_EVALUATION_PROCESS")
    if not wanted:
        return False
    from sdg_tags.crawler.pipelines.repository_writer import RepositoryWriterPipeline

    pipelines = build_component_list(settings.get_component_priority_dict_with_base("ITEM_PIPELINES"))
    return any(
        isinstance(component := load_object(path) if isinstance(path, str) else path, type)
        and issubclass(component, RepositoryWriterPipeline)
        for path in pipelines
    )


def options_from_settings(settings: BaseSettings) -> ValidationOptions:
    """The validation options of a crawl (profile, rule switches, SPEC §9 knobs that are set)."""
    values: dict[str, Any] = {
        "profile": settings.get("SDG_PROFILE", default_settings.SDG_PROFILE),
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
    values["as_of"] = run_check_date(settings)
    return ValidationOptions(**values)


def run_check_date(settings: BaseSettings) -> date:
    """The date whose code lists a crawl checks against: its start date, so that re-reading a stored run gives
    the same findings (SPEC §5.7). `SDG_AS_OF` is set by `sdg-tags crawl` when it resumes a run of an earlier
    day, and by `enqueue` for every worker of a distributed run."""
    as_of = settings.get("SDG_AS_OF")
    return date.fromisoformat(as_of) if as_of else today()


class ValidationPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.options = options_from_settings(crawler.settings)
        self.deferred = evaluation_in_child(crawler.settings)  # the repository writer's child validates

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchOutcome) or self.deferred:
            return item
        record = build_record(item, self.options)
        item.record = record
        item.body = None  # the bytes are not needed any more; items can queue up behind the writer
        self.count(record)
        item.rendered_html = None
        return item

    def count(self, record: PageRecord) -> None:
        for key in stat_keys(record):
            self.stats.inc_value(key)

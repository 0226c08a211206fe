"""The Scrapy settings of a worker: the project's, with the distributed components swapped in.

`worker_settings(...)` starts from crawler/settings.py, applies the crawl settings the run was enqueued with
(the same for every worker: timeouts, size limit, user agent, profile...), then the worker's own overrides,
then the wiring below (which nothing may override: a worker without it would not share the frontier).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scrapy.settings import Settings
from sdg_tags.crawler.distributed.frontier import DEFAULT_NAME

# Crawl settings that belong to the run (enqueue) rather than to one worker; workers take them from Redis.
# Each process's own: where it writes, and its console (the quiet console of `crawl --distributed` turned
# Scrapy's log off, and the workers it started, which took it from Redis, then printed nothing at all).
RUN_SETTINGS_EXCLUDED: frozenset[str] = frozenset(
    {
        "SDG_DB_URL",
        "LOG_LEVEL",
        "SDG_JOB_DIR",
        "SDG_REGISTRY_SOURCE",
        "LOG_ENABLED",
        "SDG_CONSOLE_QUIET",
        "SDG_LOG_FILE",
        "SDG_PROGRESS",
    }
)
# Each worker's local download slots need room for the tokens Redis grants it; Redis caps the real number.
LOCAL_SLOT_CONCURRENCY = 64


def run_settings(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a crawl's command-line settings that every worker of the run must share."""
    return {name: value for name, value in overrides.items() if name not in RUN_SETTINGS_EXCLUDED}


def worker_settings(
    *,
    redis_url: str,
    name: str = DEFAULT_NAME,
    db_url: str,
    run: Mapping[str, Any] | None = None,
    local: Mapping[str, Any] | None = None,
) -> Settings:
    """Project settings + the run's settings + this worker's settings + the distributed wiring."""
    settings = Settings()
    settings.setmodule("sdg_tags.crawler.settings", priority="project")
    # Workers are the unit of parallelism here (one per core): each validates on its own thread unless told.
    settings.set("SDG_EVALUATION_PROCESS", False, priority="project")
    settings.setdict(dict(run or {}), priority="cmdline")
    settings.setdict(dict(local or {}), priority="cmdline")
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["sdg_tags.crawler.middlewares.politeness.PolitenessMiddleware"] = None
    middlewares["sdg_tags.crawler.distributed.politeness.SharedPolitenessMiddleware"] = 950
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines["sdg_tags.crawler.pipelines.repository_writer.RepositoryWriterPipeline"] = None
    pipelines["sdg_tags.crawler.distributed.writer.DistributedRepositoryWriter"] = 800
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["sdg_tags.crawler.extensions.progress.ProgressLog"] = None
    extensions["sdg_tags.crawler.distributed.progress.SharedProgressLog"] = 500
    wiring: dict[str, Any] = {
        "SDG_DB_URL": db_url,
        "SDG_REDIS_URL": redis_url,
        "SDG_REDIS_NAME": name,
        "SDG_JOB_DIR": None,  # the frontier is in Redis; a local resume journal would only disagree
        "REDIS_URL": redis_url,
        "SCHEDULER": "sdg_tags.crawler.distributed.scheduler.SharedScheduler",
        "SCHEDULER_QUEUE_CLASS": "sdg_tags.crawler.distributed.scheduler.HostQueue",
        "SCHEDULER_QUEUE_KEY": f"sdg:{name}:q",
        "DUPEFILTER_CLASS": "sdg_tags.crawler.distributed.scheduler.SharedDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": f"sdg:{name}:seen",
        "SCHEDULER_PERSIST": True,  # never flush the shared queue when one worker stops
        "SCHEDULER_FLUSH_ON_START": False,
        # Politeness is the reserved slot in Redis (politeness.py); local slots add no delay of their own.
        "DOWNLOAD_DELAY": 0.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": LOCAL_SLOT_CONCURRENCY,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "ITEM_PIPELINES": pipelines,
        "EXTENSIONS": extensions,
    }
    settings.setdict(wiring, priority="cmdline")
    return settings

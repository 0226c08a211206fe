"""Scrapy settings of the registry crawl (`scrapy crawl registry`, `sdg-tags crawl`).

Scrapy's defaults suit a scraper, not a nightly harvester-like crawl of public-sector sites: 8 parallel
requests per domain and no delay is too much for small authority servers, the telnet console and the remote
control listen on ports, and DEBUG logging drowns the progress lines. The `SDG_*` settings are ours; each
component documents the ones it reads. `sdg-tags crawl` options override them (`docs/crawling.md`).
"""

from __future__ import annotations

from sdg_tags.sizes import MAX_PAGE_BYTES
from sdg_tags.version import user_agent

BOT_NAME = "sdg-tags"
SPIDER_MODULES = ["sdg_tags.crawler.spiders"]
NEWSPIDER_MODULE = "sdg_tags.crawler.spiders"

# A truthful crawler name with a contact URL (SPEC §7.3); robots.txt groups match the token "sdg-tags".
USER_AGENT = user_agent("sdg-tags")
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "sdg-tags"

# --- politeness: per host (download slot = host[:port]), see crawler/middlewares/politeness.py -------------
CONCURRENT_REQUESTS = 32  # across all hosts
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # also sizes the connection pool per host
DOWNLOAD_DELAY = 1.0
# Delays are minimum gaps (a robots Crawl-delay is a promise); Scrapy's default ±50 % jitter would break it.
DOWNLOAD_DELAY_JITTER = 0.0
SDG_HOST_DELAY = 1.0  # seconds between requests to one host
SDG_HOST_CONCURRENCY = 2  # parallel requests to one host
SDG_POLITENESS_ENABLED = (
    True  # per-host delay, robots Crawl-delay and back-off (crawler/middlewares/politeness.py)
)
SDG_CRAWL_DELAY_MAX = 60.0  # a robots Crawl-delay above this is capped (and logged)
SDG_BACKOFF_MAX_DELAY = 60.0  # adaptive back-off after errors / slow responses never waits longer
SDG_SLOW_RESPONSE = 5.0  # a response slower than this (seconds) widens the host's delay to its latency
SDG_RETRY_AFTER_MAX = 300.0  # Retry-After values above this are not waited for (the host pauses this long)
# Enforces the per-host concurrency also without delay, and counts a host's delay from the moment the previous
# request reached the network, which the HTTP handler reports (see crawler/downloader.py).
DOWNLOADER = "sdg_tags.crawler.downloader.HostConcurrencyDownloader"
DOWNLOAD_HANDLERS = {
    "http": "sdg_tags.crawler.downloader.SendTimingHandler",
    "https": "sdg_tags.crawler.downloader.SendTimingHandler",
}
# Fair across hosts: the next request goes to the host with the fewest requests in the downloader.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# Breadth-first within a host, so a page is reached on its shortest discovery path (depth, noindex path).
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
# The spider de-duplicates by canonical URL itself (ignored parameters, canonical links, resume journal).
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"

# --- fetch limits --------------------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 20
DOWNLOAD_MAXSIZE = MAX_PAGE_BYTES  # also bounds decompressed bodies (HttpCompressionMiddleware)
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
RETRY_TIMES = 2
# 429/503 with Retry-After are retried by crawler.middlewares.retry_after after the requested pause.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# The harvester reads the HTML the server returns; a meta refresh is not a redirect to it.
METAREFRESH_ENABLED = False
COOKIES_ENABLED = False
# The spider classifies every response itself (4xx/5xx are fetch statuses, not errors to drop).
HTTPERROR_ALLOW_ALL = True

# Scrapy starts CONCURRENT_ITEMS asyncio tasks for the output of every response (100 by default: ~1.7 ms of
# CPU per page); a page yields one item and a few requests, so a handful is plenty.
CONCURRENT_ITEMS = 8

# --- components ----------------------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Every request of a robots.txt burst gets the parser; a forbidden URL ends as robots-disallowed.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "sdg_tags.crawler.middlewares.robots.SharedRobotsTxtMiddleware": 100,
    "sdg_tags.crawler.middlewares.conditional.ConditionalGetMiddleware": 450,
    "sdg_tags.crawler.middlewares.retry_after.RetryAfterMiddleware": 560,
    # Replaces Scrapy's redirect handling: scope-aware, keeps the chain, classifies loops and off-site hops.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "sdg_tags.crawler.middlewares.scoped_redirect.ScopedRedirectMiddleware": 600,
    # Next to the downloader: sees every response and exception before retries are made of them.
    "sdg_tags.crawler.middlewares.politeness.PolitenessMiddleware": 950,
}
ITEM_PIPELINES = {
    "sdg_tags.crawler.pipelines.validation.ValidationPipeline": 300,
    "sdg_tags.crawler.pipelines.repository_writer.RepositoryWriterPipeline": 800,
}
EXTENSIONS = {
    "sdg_tags.crawler.extensions.progress.ProgressLog": 500,
    "sdg_tags.crawler.extensions.garbage_collection.TuneGarbageCollection": 0,
}

# --- crawl behaviour (SDG_*) ---------------------------------------------------------------------------------
SDG_DB_URL = "sqlite:///sdg-tags.db"
SDG_JOB_DIR = None  # resume journal folder (`--job-dir`); None = not resumable
SDG_PROFILE = "harvester"  # validation profile: harvester | strict
SDG_AS_OF = None  # check date of the code lists (YYYY-MM-DD); None = today, a resumed run gets its start date
SDG_HARVESTER_EMULATION = False  # do not follow links of noindex/nofollow pages nor rel=nofollow links
SDG_MAX_PAGES_PER_FOLDER = 10_000  # pages fetched per web-folder entry; 0 = no limit
SDG_MAX_DEPTH = 0  # link levels below a web-folder root; 0 = no limit (as Scrapy's DEPTH_LIMIT)
SDG_CONDITIONAL = False  # If-None-Match / If-Modified-Since from the previous run (`--conditional`)
SDG_WRITE_BATCH_SIZE = 200  # records per repository transaction
# Validation and repository writes in a child process beside Scrapy (crawler/evaluation_process.py):
# "auto" = when the machine has a second CPU; true / false.
SDG_EVALUATION_PROCESS = "auto"
SDG_WRITE_INTERVAL = 2.0  # seconds: a partial batch is written at least this often
SDG_TUNE_GC = True  # freeze start-up objects, collect less often (crawler/garbage_collection.py)
SDG_CONSOLE_QUIET = False  # hide Scrapy's own INFO lines (`sdg-tags crawl` sets it unless -v/--log-level)
SDG_LOG_FILE = None  # also write the full log here (`sdg-tags crawl --log-file`)
SDG_PROGRESS_INTERVAL = 30.0  # seconds between progress log lines; 0 = off
SDG_PROGRESS = "lines"  # or "live" (also the console's live line, `crawl --progress`) or "off"
SDG_LOCK_TIMEOUT_HOURS = 24.0  # a run lock without heartbeat for this long is broken (`--lock-timeout`)
# Render mode (crawler/render_mode.py, scrapy-playwright): hosts whose pages are also loaded in headless
# Chromium, or all of them; a page must settle within SDG_RENDER_TIMEOUT seconds.
SDG_RENDER_HOSTS: list[str] = []
SDG_RENDER_ALL = False
SDG_RENDER_TIMEOUT = 20.0

# --- operations ----------------------------------------------------------------------------------------------
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 0  # replaced by crawler.extensions.progress (pages done / queued / rate / ETA)
TELNETCONSOLE_ENABLED = False  # no listening ports on a crawl server
REMOTE_CONTROL_ENABLED = False

"""`sdg-tags crawl`: crawl the registered pages and folders politely, validate every page, store the run."""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # type hints only: the module must import nothing heavy when the CLI starts
    from sdg_tags.crawler.registry import RegistryLoad

EPILOG = """\
exit codes:
  0  the crawl finished (pages that could not be fetched are results, not failures)
  1  the crawl stopped early (repository errors, internal error); see the log
  2  bad input: options, registry file, database URL
  3  another run holds the repository's run lock (the message names it)
  130  interrupted (Ctrl-C / SIGTERM); with --job-dir, run the same command again to resume
  (a --job-dir whose run has finished crawls nothing: exit 0, nothing stored again)

Also available as `scrapy crawl registry -a registry=FILE -s SDG_DB_URL=...` from the project folder.
Details: docs/crawling.md"""

EXIT_OK = 0
EXIT_STOPPED = 1
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl registered pages and folders, validate every page, store the run",
        description="Fetch every registered web page, crawl every registered web folder (same host, under "
        "its path, robots.txt and noindex honoured), validate each page and store the results as one run.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--registry", required=True, metavar="FILE", help="registry file (CSV, Excel, JSON, URL list)"
    )
    parser.add_argument(
        "--db", default="sqlite:///sdg-tags.db", metavar="URL", help="repository (default: %(default)s)"
    )
    parser.add_argument(
        "--job-dir",
        metavar="DIR",
        help="resume journal: a killed or interrupted crawl continues from here; once its run has "
        "finished, running it again crawls and stores nothing",
    )
    parser.add_argument(
        "--max-pages-per-folder",
        type=int,
        metavar="N",
        help="pages per web folder (0 = no limit; default 10000)",
    )
    parser.add_argument(
        "--max-depth",
        type=int,
        metavar="N",
        help="link levels below a folder root (0 = no limit, the default)",
    )
    parser.add_argument(
        "--delay",
        type=float,
        metavar="SECONDS",
        help="minimum gap between requests to one host (default 1.0)",
    )
    parser.add_argument(
        "--concurrency-per-host", type=int, metavar="N", help="parallel requests per host (default 2)"
    )
    parser.add_argument(
        "--timeout", type=float, metavar="S", help="download timeout per request (default 30)"
    )
    parser.add_argument(
        "--max-size",
        metavar="BYTES",
        help="largest body, also after decompression (e.g. 5M; binary units, 1k = 1024; default 5M)",
    )
    parser.add_argument(
        "--user-agent", metavar="UA", help="User-Agent header (default: sdg-tags/<version> (+contact URL))"
    )
    parser.add_argument(
        "--conditional",
        action="store_true",
        help="If-None-Match/If-Modified-Since from the previous run; a 304 keeps its result",
    )
    parser.add_argument(
        "--profile", choices=("harvester", "strict"), default="harvester", help="validation profile"
    )
    parser.add_argument(
        "--harvester-emulation",
        action="store_true",
        help="do not follow links of noindex/nofollow pages nor rel=nofollow links, as the harvester",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="also load every page in headless Chromium (/usr/bin/chromium) and report tags that only "
        "JavaScript adds or changes; both tag sets are stored",
    )
    parser.add_argument(
        "--render-hosts",
        action="append",
        default=[],
        metavar="HOST[,HOST]",
        help="render only the pages of these host names (repeatable)",
    )
    parser.add_argument(
        "--render-timeout",
        type=float,
        metavar="S",
        help="seconds a rendered page may take to settle (default 20); then its status is timeout",
    )
    parser.add_argument(
        "--progress-interval",
        type=float,
        metavar="S",
        help="seconds between progress lines (0 = none; default 30); they also go to --log-file in live mode",
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        metavar="H",
        help="break another run's lock after H hours without heartbeat (default 24)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any Scrapy or SDG_* setting (repeatable; VALUE is JSON or text)",
    )
    add_console_options(parser, "crawl")
    parser.add_argument(
        "--log-file", metavar="PATH", help="also write the full log (Scrapy's included, INFO and up) to PATH"
    )
    # Distributed mode (docs/distributed.md): enqueue into Redis, then --workers local `sdg-tags worker`s.
    distributed = parser.add_argument_group("distributed mode")
    distributed.add_argument(
        "--distributed",
        action="store_true",
        help="share the frontier in Redis: enqueue, then run --workers worker processes (more can join "
        "from other machines with `sdg-tags worker`)",
    )
    distributed.add_argument(
        "--redis", metavar="URL", help="Redis of the distributed run (redis://host:6379/0)"
    )
    distributed.add_argument(
        "--workers",
        type=int,
        default=2,
        metavar="N",
        help="local worker processes (default 2; 0 = enqueue only)",
    )
    distributed.add_argument(
        "--name",
        default="sdg",
        metavar="NAME",
        help="distributed run name: Redis keys sdg:NAME:* (default sdg)",
    )
    parser.set_defaults(handler=run)


def add_console_options(parser: argparse.ArgumentParser, who: str) -> None:
    """`--progress`, `-v`/`--verbose` and `--log-level` of a crawling command (`crawl`, `worker`); what they
    mean for its settings: `console_settings`."""
    parser.add_argument(
        "--progress",
        choices=("auto", "live", "lines", "off"),
        default="auto",
        help="progress display: one line redrawn in place (live), a log line every --progress-interval "
        "seconds (lines), or none; auto (the default) is live when standard error is a terminal, else lines. "
        "With -v/--log-level, live gives way to lines (Scrapy's log would tear it)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show Scrapy's own log (start-up banner, settings, middlewares, stats); by default only the "
        f"{who}'s own lines, warnings and errors are shown",
    )
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level of the whole log, Scrapy's included (implies --verbose)",
    )


def console_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The console of a crawling process: an operator reads its own lines, warnings and errors (the quiet
    console, cli/crawl_console.py); Scrapy's start-up and stats dump come back with -v or --log-level.
    (`enqueue` shares `crawl`'s settings without these options, and keeps its own console.)"""
    quiet = hasattr(args, "verbose") and not (args.verbose or args.log_level)
    settings: dict[str, Any] = {
        "LOG_LEVEL": getattr(args, "log_level", None) or "INFO",
        "SDG_CONSOLE_QUIET": quiet,
    }
    if quiet:
        settings["LOG_ENABLED"] = False  # Scrapy's handler does nothing; the quiet console shows the crawl
    return settings


def setting_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Scrapy/SDG settings from the command line (only what was given, so settings.py keeps its defaults)."""
    from sdg_tags.cli.main import CommandLineError

    def non_negative(name: str, value: float | None) -> None:
        if value is not None and value < 0:
            raise CommandLineError(f"{name} must be 0 or more, not {value:g}")

    for name, value in (
        ("--max-pages-per-folder", args.max_pages_per_folder),
        ("--max-depth", args.max_depth),
        ("--delay", args.delay),
        ("--progress-interval", args.progress_interval),
    ):
        non_negative(name, value)
    for name, value in (
        ("--concurrency-per-host", args.concurrency_per_host),
        ("--timeout", args.timeout),
        ("--lock-timeout", args.lock_timeout),
        ("--render-timeout", getattr(args, "render_timeout", None)),
    ):
        if value is not None and value <= 0:
            raise CommandLineError(f"{name} must be more than 0, not {value:g}")

    settings: dict[str, Any] = {
        "SDG_DB_URL": args.db,
        "SDG_PROFILE": args.profile,
        "SDG_REGISTRY_SOURCE": str(args.registry),
        **console_settings(args),
    }
    if args.job_dir:
        settings["SDG_JOB_DIR"] = str(Path(args.job_dir).resolve())
    if getattr(args, "log_file", None):
        log_file = Path(args.log_file).resolve()
        try:  # before any work: an unusable log file is one line, not a traceback once the crawl starts
            log_file.open("a", encoding="utf-8").close()
        except OSError as exc:
            raise CommandLineError(f"--log-file {args.log_file}: {exc.strerror or exc}") from None
        settings["SDG_LOG_FILE"] = str(log_file)
    if args.max_pages_per_folder is not None:
        settings["SDG_MAX_PAGES_PER_FOLDER"] = args.max_pages_per_folder
    if args.max_depth is not None:
        settings["SDG_MAX_DEPTH"] = args.max_depth
    if args.delay is not None:
        settings["SDG_HOST_DELAY"] = settings["DOWNLOAD_DELAY"] = args.delay
    if args.concurrency_per_host is not None:
        settings["SDG_HOST_CONCURRENCY"] = settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = (
            args.concurrency_per_host
        )
    if args.timeout is not None:
        settings["DOWNLOAD_TIMEOUT"] = args.timeout
        settings["DNS_TIMEOUT"] = args.timeout
    if args.max_size is not None:
        from sdg_tags.sizes import parse_size

        try:
            size = parse_size(args.max_size)
        except ValueError as exc:
            raise CommandLineError(f"--max-size: {exc}") from None
        settings["DOWNLOAD_MAXSIZE"] = size
        settings["DOWNLOAD_WARNSIZE"] = 0  # the limit itself is reported; no second warning below it
    if args.user_agent:
        settings["USER_AGENT"] = args.user_agent
        # robots.txt groups name the product token: "ExampleBot/1.0 (+url)" -> "ExampleBot"
        settings["ROBOTSTXT_USER_AGENT"] = re.split(r"[/\s]", args.user_agent.strip(), maxsplit=1)[0]
    if args.conditional:
        settings["SDG_CONDITIONAL"] = True
    if args.harvester_emulation:
        settings["SDG_HARVESTER_EMULATION"] = True
    render_hosts = [
        host.strip().lower() for value in getattr(args, "render_hosts", []) for host in value.split(",")
    ]
    if getattr(args, "render", False):
        settings["SDG_RENDER_ALL"] = True
    if any(render_hosts):
        settings["SDG_RENDER_HOSTS"] = [host for host in render_hosts if host]
    if getattr(args, "render_timeout", None) is not None:
        settings["SDG_RENDER_TIMEOUT"] = args.render_timeout
    if settings.get("SDG_RENDER_ALL") or settings.get("SDG_RENDER_HOSTS"):
        from sdg_tags.rendering.browser import CHROMIUM_PATH

        if not os.path.exists(CHROMIUM_PATH):
            raise CommandLineError(
                f"--render needs Chromium at {CHROMIUM_PATH}; install the Debian package 'chromium' "
                "or set SDG_CHROMIUM to the browser's path"
            )
    if args.progress_interval is not None:
        settings["SDG_PROGRESS_INTERVAL"] = args.progress_interval
    if args.lock_timeout is not None:
        settings["SDG_LOCK_TIMEOUT_HOURS"] = args.lock_timeout
    settings.update(parse_set_options(args.set))
    return settings


def progress_mode(option: str, *, quiet: bool) -> str:
    """`--progress` on this standard error: live, lines or off."""
    from sdg_tags.cli.progress_line import resolve_mode

    mode = resolve_mode(option, sys.stderr)
    if mode == "live" and not quiet:
        return "lines"  # Scrapy's own handler writes past the live line and would tear it
    return mode


def parse_set_options(assignments: list[str]) -> dict[str, Any]:
    """`--set NAME=VALUE` Scrapy settings; VALUE is read as JSON when it is JSON (numbers, lists), else text."""
    from sdg_tags.cli.main import CommandLineError

    settings: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise CommandLineError(f"--set {assignment!r}: expected NAME=VALUE")
        try:
            settings[name.strip()] = json.loads(value)
        except json.JSONDecodeError:
            settings[name.strip()] = value
    return settings


def load_registry_file(path: Path, command: str) -> RegistryLoad:
    """The registry file (a RegistryLoad); each unusable row is printed once (file:row column: why)."""
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.crawler.registry import RegistryFileError, load_registry

    try:
        loaded = load_registry(path)
    except RegistryFileError as exc:
        raise CommandLineError(str(exc)) from None
    for error in loaded.errors:
        print(f"sdg-tags {command}: skipped row: {error}", file=sys.stderr)
    return loaded


def load_entries(path: Path, command: str = "crawl") -> RegistryLoad:
    """The registry file (a RegistryLoad) with something to crawl; each skipped row printed once."""
    from sdg_tags.cli.main import CommandLineError

    loaded = load_registry_file(path, command)
    crawlable = [entry for entry in loaded.entries if not entry.delete]
    if not crawlable:
        skipped = f" ({len(loaded.errors)} rows skipped, see above)" if loaded.errors else ""
        raise CommandLineError(f"{path}: no registry entry to crawl{skipped}")
    return loaded


def counts_line(title: str, counts: dict[str, int], order: tuple[str, ...]) -> str:
    parts = [f"{name} {counts[name]}" for name in order if counts.get(name)]
    parts += [f"{name} {count}" for name, count in sorted(counts.items()) if name not in order and count]
    return f"{title}: " + (", ".join(parts) if parts else "none")


def print_summary(stats: dict[str, Any], counts: dict[str, Any] | None, *, db: str) -> None:
    """The closing summary: the run's pages by fetch status and verdict as stored (`counts`, the whole run also
    after a resume), else this session's crawl stats."""
    from sdg_tags.validators.models import FETCH_STATUSES, VERDICTS

    if counts is not None:
        pages = counts.get("pages", 0)
        by_status = dict(counts.get("fetch_status", {}))
        by_verdict = dict(counts.get("verdict", {}))
    else:
        pages = stats.get("sdg/pages/total", 0)
        by_status = {
            key.removeprefix("sdg/status/"): value
            for key, value in stats.items()
            if key.startswith("sdg/status/")
        }
        by_verdict = {
            key.removeprefix("sdg/verdict/"): value
            for key, value in stats.items()
            if key.startswith("sdg/verdict/")
        }
    elapsed = stats.get("elapsed_time_seconds")
    took = f" in {elapsed:.1f} s" if isinstance(elapsed, (int, float)) else ""
    run_id = stats.get("sdg/run_id", "?")
    reason = stats.get("finish_reason", "unknown")
    print(f"Run {run_id} ({reason}): {pages} pages{took}; database {db}")
    print(counts_line("  fetch status", by_status, FETCH_STATUSES))
    print(counts_line("  verdict", by_verdict, VERDICTS))


def stored_counts(repository: Any, run_id: Any) -> dict[str, Any] | None:
    """The run's counts as stored (every session of a resumed run), or None when they cannot be read."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(run_id, int):
        return None
    try:
        with repository.engine.connect() as conn:
            return repository.run_counts(conn, run_id)
    except DBAPIError:  # the crawl already logged the repository's trouble; the session's stats will do
        return None


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError

    if getattr(args, "distributed", False) or getattr(args, "redis", None):
        from sdg_tags.cli.commands.worker import run_distributed_crawl

        return run_distributed_crawl(args)

    overrides = setting_overrides(args)
    overrides.setdefault("SDG_PROGRESS", progress_mode(args.progress, quiet=overrides["SDG_CONSOLE_QUIET"]))
    loaded = load_entries(Path(args.registry))

    from sdg_tags.repository.errors import RepositoryError, RunLockedError
    from sdg_tags.repository.store import Repository

    try:
        repository = Repository(args.db)
        lock = repository.run_lock(
            owner=f"sdg-tags crawl (pid {os.getpid()} on {socket.gethostname()})",
            **({"timeout_hours": args.lock_timeout} if args.lock_timeout is not None else {}),
        )
        lock.__enter__()
    except RunLockedError as exc:
        print(f"sdg-tags crawl: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except RepositoryError as exc:
        raise CommandLineError(str(exc)) from None
    try:
        if lock.broken:
            print(f"sdg-tags crawl: {lock.broken}", file=sys.stderr)
        job_dir = overrides.get("SDG_JOB_DIR")
        latest = repository.latest_job_run(job_dir) if job_dir else None
        if latest is not None and latest.finished_at is not None:
            from sdg_tags.crawler.frontier import nothing_to_resume

            print(f"sdg-tags crawl: {nothing_to_resume(latest, job_dir)}")
            return EXIT_OK
        if latest is not None:
            # A resumed run is checked against the code lists of its first session's date (SPEC §5.7), so
            # the pages of one run never get two readings of the same code.
            overrides["SDG_AS_OF"] = latest.started_at.date().isoformat()
        hosts = len({site_of(entry.url) for entry in loaded.entries})
        print(
            f"sdg-tags crawl: {args.registry}: {len(loaded.entries)} entries on {hosts} "
            f"host{'s' if hosts != 1 else ''} -> {repository.display_url}"
            + (f" (job dir {job_dir})" if job_dir else ""),
            file=sys.stderr,
            flush=True,
        )
        try:
            stats = crawl(loaded, repository, overrides, registry=str(args.registry))
        finally:
            from sdg_tags.cli.crawl_console import close_console_line

            close_console_line()  # the summary and any last message start on a clean line
        counts = stored_counts(repository, stats.get("sdg/run_id"))
    finally:
        lock.release()
        repository.close()
    print_summary(stats, counts, db=repository.display_url)
    if loaded.errors:
        print(f"  registry: {len(loaded.errors)} rows unusable (listed on standard error)")
    reason = stats.get("finish_reason")
    if reason == "finished":
        return EXIT_OK
    if reason == "shutdown":
        return EXIT_INTERRUPTED
    return EXIT_STOPPED


def site_of(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return url


def crawl(
    loaded: RegistryLoad, repository: Any, overrides: dict[str, Any], *, registry: str
) -> dict[str, Any]:
    """Run the registry spider on a RegistryLoad in this process (the Twisted reactor starts and stops once);
    return its stats. The rows with an unusable address are stored with the run as `invalid-url`."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from sdg_tags.crawler.evaluation import stat_keys
    from sdg_tags.crawler.registry import invalid_url_records
    from sdg_tags.crawler.spiders.registry import RegistrySpider
    from sdg_tags.repository.timestamps import utc_now

    settings = Settings()
    settings.setmodule("sdg_tags.crawler.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    from sdg_tags.cli.crawl_console import console_log

    console_log(settings)  # before Scrapy's start-up banner, so that --log-file has it too
    process = CrawlerProcess(settings)  # installs Scrapy's own handler (a null one on the quiet console)
    crawler = process.create_crawler(RegistrySpider)

    def store_invalid_rows() -> None:
        # spider_opened comes after the repository writer opened the run; a resumed run rewrites the same rows.
        run_id = crawler.stats.get_value("sdg/run_id") if crawler.stats is not None else None
        records = invalid_url_records(loaded, utc_now())
        if run_id is None or not records:
            return
        repository.write_pages(run_id, records)
        for record in {record.url: record for record in records}.values():
            for key in stat_keys(record):
                crawler.stats.inc_value(key)

    crawler.signals.connect(store_invalid_rows, signal=signals.spider_opened, weak=False)
    process.crawl(crawler, entries=loaded.entries, repository=repository, lock_held=True, registry=registry)
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats is not None else {}

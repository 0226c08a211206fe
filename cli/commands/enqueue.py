"""`sdg-tags enqueue`: load a registry into a distributed run's shared queue in Redis (and into the repository)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sdg_tags.cli.progress_line import Progress

EPILOG = """\
exit codes:
  0  the run is enqueued; start workers with `sdg-tags worker --redis URL --db URL`
  2  bad input: options, registry file, database or Redis URL, Redis or the database unreachable
  3  a distributed run under this --name is still running (or --reset to discard it)

The crawl settings given here (delay, timeouts, size limit, profile...) are stored with the run in Redis and
apply to every worker. Details: docs/distributed.md"""

EXIT_OK = 0
EXIT_BUSY = 3
DEFAULT_NAME = "sdg"  # as crawler.distributed.frontier.DEFAULT_NAME (not imported: keep this module light)

# What crawl.setting_overrides reads that `enqueue` does not offer: the single-process defaults.
CRAWL_ARGUMENT_DEFAULTS: dict[str, Any] = {
    "job_dir": None,
    "max_pages_per_folder": None,
    "max_depth": None,
    "delay": None,
    "concurrency_per_host": None,
    "timeout": None,
    "max_size": None,
    "user_agent": None,
    "conditional": False,
    "profile": "harvester",
    "harvester_emulation": False,
    "render": False,
    "render_hosts": [],
    "render_timeout": None,
    "progress_interval": None,
    "lock_timeout": None,
    "set": [],
    "log_level": "INFO",
}


def add_redis_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redis", required=True, metavar="URL", help="Redis of the run (redis://host:6379/0)"
    )
    parser.add_argument(
        "--name",
        default=DEFAULT_NAME,
        metavar="NAME",
        help="run name: Redis keys sdg:NAME:* (default %(default)s; one name per concurrent run)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "enqueue",
        help="load a registry into a distributed run's shared queue (Redis) and the repository",
        description="Plan a registry (scopes, seeds, registered pages inside folders) into Redis, import it "
        "into the repository and open a run there; `sdg-tags worker` processes then crawl it together.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--registry", required=True, metavar="FILE", help="registry file (CSV, Excel, JSON, URL list)"
    )
    add_redis_options(parser)
    parser.add_argument(
        "--db",
        required=True,
        metavar="URL",
        help="repository every worker writes to (postgresql+psycopg://...)",
    )
    parser.add_argument(
        "--reset", action="store_true", help="discard an unfinished run under --name (its queue and leases)"
    )
    parser.add_argument(
        "--delay", type=float, metavar="SECONDS", help="minimum gap between requests to one host"
    )
    parser.add_argument("--concurrency-per-host", type=int, metavar="N", help="parallel requests per host")
    parser.add_argument(
        "--timeout", type=float, metavar="S", help="download timeout per request (default 30)"
    )
    parser.add_argument(
        "--max-size", metavar="BYTES", help="largest body, also after decompression (e.g. 5M)"
    )
    parser.add_argument("--user-agent", metavar="UA", help="User-Agent header")
    parser.add_argument("--profile", choices=("harvester", "strict"), default="harvester")
    parser.add_argument("--harvester-emulation", action="store_true", help="as `sdg-tags crawl`")
    parser.add_argument("--max-pages-per-folder", type=int, metavar="N", help="as `sdg-tags crawl`")
    parser.add_argument("--max-depth", type=int, metavar="N", help="as `sdg-tags crawl`")
    parser.add_argument("--conditional", action="store_true", help="as `sdg-tags crawl`")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any Scrapy or SDG_* setting of the run",
    )
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    parser.set_defaults(handler=run)


def crawl_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The crawl settings of these arguments, as `sdg-tags crawl` computes them."""
    from sdg_tags.cli.commands.crawl import setting_overrides

    return setting_overrides(argparse.Namespace(**{**CRAWL_ARGUMENT_DEFAULTS, **vars(args)}))


def connect(url: str, name: str) -> Any:
    """The run's frontier; a CommandLineError saying what to do when Redis is not there."""
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.crawler.distributed.frontier import FrontierError, SharedFrontier

    try:
        return SharedFrontier.connect(url, name)
    except FrontierError as exc:
        raise CommandLineError(str(exc)) from None


def enqueue(
    args: argparse.Namespace, overrides: dict[str, Any], shown: Progress | None = None
) -> tuple[int, Any]:
    """Stream the registry into Redis and the repository, open the run: (exit code, summary or None). `shown`
    says how far it is, once per batch of rows (a live line on a terminal, a line every 10 s elsewhere)."""
    import logging
    from contextlib import nullcontext

    import redis
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.crawler.distributed.enqueue import (
        NothingToCrawlError,
        RunInProgressError,
        enqueue_registry_file,
        scan_registry,
    )
    from sdg_tags.crawler.distributed.frontier import display_url
    from sdg_tags.crawler.forked_process import WorkerFailed
    from sdg_tags.crawler.garbage_collection import tune_for_crawl
    from sdg_tags.crawler.registry import RegistryFileError
    from sdg_tags.repository.errors import RepositoryError
    from sdg_tags.repository.store import Repository

    logging.basicConfig(level=getattr(logging, args.log_level or "INFO"), format="%(levelname)s: %(message)s")
    # Alembic says which dialect it uses each time the repository is opened: noise for an operator.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    # Each batch in flight is ~100,000 objects: default collections walked them again and again.
    tune_for_crawl()
    try:  # the whole file is read once here: an unusable file is exit 2 before Redis is touched
        registry = scan_registry(Path(args.registry))
    except RegistryFileError as exc:
        raise CommandLineError(str(exc)) from None
    frontier = connect(args.redis, args.name)
    if getattr(args, "reset", False):  # `crawl --distributed` has no --reset
        frontier.reset()

    def report(errors: list[Any]) -> None:
        with shown.suspended() if shown is not None else nullcontext():
            for error in errors:
                print(f"sdg-tags {args.command}: skipped row: {error}", file=sys.stderr)

    try:
        with Repository(args.db) as repository:
            summary = enqueue_registry_file(
                registry,
                frontier,
                repository,
                overrides,
                source=str(args.registry),
                on_errors=report,
                progress=None
                if shown is None
                else lambda rows, urls: shown.update(f"{rows:,} rows read, {urls:,} URLs queued"),
            )
    except RunInProgressError as exc:
        print(f"sdg-tags {args.command}: {exc}", file=sys.stderr)
        return EXIT_BUSY, None
    except (RepositoryError, NothingToCrawlError, RegistryFileError, WorkerFailed) as exc:
        raise CommandLineError(str(exc)) from None
    except redis.RedisError as exc:  # Redis went away (or refused a write) while the registry streamed in
        raise CommandLineError(
            f"Redis at {display_url(args.redis)} stopped answering during the enqueue ({exc}); the run was not "
            "opened: start the enqueue again once Redis is back"
        ) from None
    return EXIT_OK, summary


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.progress_line import Progress
    from sdg_tags.crawler.distributed.progress import plural

    overrides = crawl_overrides(args)
    with Progress("sdg-tags enqueue").start_ticking() as shown:
        code, summary = enqueue(args, overrides, shown)
    if summary is None:
        return code
    print(
        f"Run {summary.run_id} enqueued in Redis namespace '{args.name}': {summary.queued} URLs queued on "
        f"{plural(summary.hosts, 'host')}, {summary.held} registered pages held back until the folder crawls "
        "are done"
        + (f", {summary.duplicates} duplicate URLs skipped" if summary.duplicates else "")
        + (f", {summary.invalid_urls} registry rows stored as invalid-url" if summary.invalid_urls else "")
    )
    print("Start workers (any number, any machine): sdg-tags worker --redis URL --db URL (the same URLs)")
    return code

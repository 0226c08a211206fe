"""`sdg-tags worker`: one worker of a distributed run (Redis frontier, shared repository); `--status`.

Also runs `sdg-tags crawl --distributed` (`run_distributed_crawl`): enqueue, then N local worker processes.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
from typing import Any

from sdg_tags.cli.commands.crawl import (
    add_console_options,
    console_settings,
    parse_set_options,
    progress_mode,
)
from sdg_tags.cli.commands.enqueue import add_redis_options

EPILOG = """\
exit codes:
  0  the run is finished, or this worker stopped at --max-pages / --max-seconds (the rest stays queued)
  1  the worker stopped early (repository or Redis errors, internal error); its requests go back to the queue
  2  bad input: options, Redis or database unreachable, no run enqueued under --name, another --db than the run's
  130  interrupted (Ctrl-C / SIGTERM); what the worker held goes back to the queue for the others

A worker killed outright (SIGKILL, power loss) is noticed by the others after --lease-ttl seconds without
heartbeat; its requests are queued again. Details: docs/distributed.md"""

EXIT_OK = 0
EXIT_STOPPED = 1
EXIT_INTERRUPTED = 130
# Close reasons that mean "stopped where it was asked to", not a failure.
BOUNDED_REASONS = frozenset(
    {"finished", "closespider_pagecount", "closespider_timeout", "closespider_itemcount"}
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="crawl a distributed run together with other workers (Redis queue, shared repository)",
        description="Take requests of an enqueued run from Redis (politely: per-host slots shared by all "
        "workers), fetch and validate them, write to the run's repository; exit when the run is done.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_redis_options(parser)
    parser.add_argument("--db", metavar="URL", help="the run's repository (the URL given to enqueue)")
    parser.add_argument("--status", action="store_true", help="print the run's progress and exit")
    parser.add_argument(
        "--max-pages", type=int, metavar="N", help="stop after N responses (the rest stays queued)"
    )
    parser.add_argument("--max-seconds", type=float, metavar="S", help="stop after S seconds")
    parser.add_argument(
        "--lease-ttl",
        type=float,
        metavar="S",
        help="seconds without heartbeat after which a worker counts as dead and its requests are requeued "
        "(default 15)",
    )
    parser.add_argument(
        "--progress-interval",
        type=float,
        metavar="S",
        help="seconds between progress lines (0 = off; default 30)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy or SDG_* setting of this worker (e.g. CONCURRENT_REQUESTS=64)",
    )
    add_console_options(parser, "worker")
    parser.set_defaults(handler=run)


def local_settings(args: argparse.Namespace) -> dict[str, Any]:
    """This worker's own settings (the run's crawl settings come from Redis)."""

    from sdg_tags.cli.main import CommandLineError

    settings = console_settings(args)  # as `sdg-tags crawl`'s
    settings["SDG_PROGRESS"] = progress_mode(args.progress, quiet=settings["SDG_CONSOLE_QUIET"])
    for name, value, minimum in (
        ("--max-pages", args.max_pages, 1),
        ("--max-seconds", args.max_seconds, 0.001),
        ("--lease-ttl", args.lease_ttl, 0.3),
        ("--progress-interval", args.progress_interval, 0),
    ):
        if value is not None and value < minimum:
            raise CommandLineError(f"{name} must be at least {minimum:g}, not {value:g}")
    if args.max_pages is not None:
        settings["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if args.max_seconds is not None:
        settings["CLOSESPIDER_TIMEOUT"] = args.max_seconds
    if args.lease_ttl is not None:
        settings["SDG_LEASE_TTL"] = args.lease_ttl
    if args.progress_interval is not None:
        settings["SDG_PROGRESS_INTERVAL"] = args.progress_interval
    settings.update(parse_set_options(args.set))
    return settings


def print_status(frontier: Any) -> None:
    from sdg_tags.crawler.distributed.frontier import display_url
    from sdg_tags.crawler.distributed.progress import live_workers, silence_line

    state = frontier.state()
    run = state.run
    if not run.get("run_id"):
        print(f"No distributed run named '{frontier.name}' in Redis")
        return
    views = frontier.workers()
    stats = state.stats
    print(
        f"Run {run['run_id']} ({run.get('state', '?')}) in Redis namespace '{frontier.name}', "
        f"database {display_url(run.get('database', '?'))}, enqueued {run.get('created_at', '?')}"
    )
    print(
        f"  queued {state.queued}, in flight {state.leased}, held back {state.held}, "
        f"stored {stats.get('pages', 0)} pages, workers alive {live_workers(views)}"
    )
    silence = silence_line(views)
    if silence:
        print(f"  {silence}")
    print(
        f"  requeued after lost workers {stats.get('requeued', 0)}, workers lost {stats.get('workers_lost', 0)}, "
        f"pages without record {stats.get('unrecorded', 0)}"
    )


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.commands.enqueue import connect
    from sdg_tags.cli.main import CommandLineError

    frontier = connect(args.redis, args.name)
    if args.status:
        print_status(frontier)
        return EXIT_OK
    if not args.db:
        raise CommandLineError("--db is required (the repository the run was enqueued with)")
    overrides = local_settings(args)
    info = frontier.run_info()
    if not info.get("run_id"):
        raise CommandLineError(
            f"no distributed run named '{args.name}' in Redis; run 'sdg-tags enqueue --registry FILE "
            f"--redis URL --db URL' first"
        )
    if info.get("state") == "finished":
        print(f"Run {info['run_id']} is finished; nothing to do")
        return EXIT_OK

    from sdg_tags.repository.errors import RepositoryError
    from sdg_tags.repository.store import Repository

    try:
        with Repository(args.db) as repository:
            shown = repository.display_url
            repository.runs()  # opens (and checks) the database before the crawl starts
    except RepositoryError as exc:
        raise CommandLineError(str(exc)) from None
    if info.get("database") and info["database"] != shown:
        raise CommandLineError(
            f"run {info['run_id']} writes to {info['database']}, not {shown}; pass that --db"
        )
    stats = work(args.redis, args.name, args.db, frontier.run_config().get("settings", {}), overrides)
    reason = stats.get("finish_reason", "unknown")
    from sdg_tags.crawler.distributed.progress import remaining_line

    # Read after this worker left: the run's state now, not when this worker last looked.
    print(
        f"Worker stopped ({reason}): {stats.get('sdg/pages/total', 0)} pages; "
        + remaining_line(frontier.state(), frontier.workers())
        + (" (this worker finished it)" if stats.get("sdg/distributed/finished_run") else "")
    )
    if reason == "shutdown":
        return EXIT_INTERRUPTED
    return EXIT_OK if reason in BOUNDED_REASONS else EXIT_STOPPED


def work(
    redis_url: str, name: str, db_url: str, run: dict[str, Any], local: dict[str, Any]
) -> dict[str, Any]:
    """Run one worker in this process until the run is drained (or a bound is hit); return its stats."""
    from scrapy.crawler import CrawlerProcess
    from sdg_tags.cli.crawl_console import close_console_line, console_log
    from sdg_tags.crawler.distributed.settings import worker_settings
    from sdg_tags.crawler.distributed.spider import DistributedRegistrySpider

    settings = worker_settings(redis_url=redis_url, name=name, db_url=db_url, run=run, local=local)
    if settings.get("LOG_LEVEL") != "DEBUG":  # Alembic names its dialect each time the repository opens
        logging.getLogger("alembic").setLevel(logging.WARNING)
    console_log(settings)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DistributedRegistrySpider)
    process.crawl(crawler)
    try:
        process.start()
    finally:
        close_console_line()  # the closing lines start on a clean line
    return dict(crawler.stats.get_stats()) if crawler.stats is not None else {}


def run_distributed_crawl(args: argparse.Namespace) -> int:
    """`sdg-tags crawl --distributed`: enqueue the registry, run --workers local worker processes, summarise."""
    from sdg_tags.cli.commands.crawl import counts_line, setting_overrides
    from sdg_tags.cli.commands.enqueue import connect, enqueue
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.crawler.distributed.progress import plural, remaining_line

    if not args.redis:
        raise CommandLineError("--distributed needs --redis URL (the run's Redis)")
    if not args.distributed:
        raise CommandLineError("--redis is only used with --distributed")
    if args.workers < 0:
        raise CommandLineError(f"--workers must be 0 or more, not {args.workers}")
    if args.job_dir:
        raise CommandLineError("--job-dir does not apply to --distributed: the frontier is in Redis")
    overrides = setting_overrides(args)
    code, summary = enqueue(args, overrides)
    if summary is None:
        return code
    print(
        f"Run {summary.run_id}: {summary.queued} URLs queued on {plural(summary.hosts, 'host')} in Redis namespace "
        f"'{args.name}'; starting {plural(args.workers, 'worker')}"
    )
    if args.workers == 0:
        return EXIT_OK
    command = [
        sys.executable,
        "-m",
        "sdg_tags.cli.main",
        "worker",
        "--redis",
        args.redis,
        "--name",
        args.name,
        "--db",
        args.db,
    ]
    if args.log_level:
        command += ["--log-level", args.log_level]
    if getattr(args, "verbose", False):
        command.append("--verbose")
    # The workers share this terminal: one live line each would overwrite the others'.
    command += ["--progress", "off" if getattr(args, "progress", "auto") == "off" else "lines"]
    if args.progress_interval is not None:
        command += ["--progress-interval", str(args.progress_interval)]
    workers = [subprocess.Popen(command) for _ in range(args.workers)]
    interrupted = False
    codes: list[int] = []
    for process in workers:
        while True:
            try:
                codes.append(process.wait())
                break
            except KeyboardInterrupt:  # Ctrl-C reached the workers too; wait for them to hand back their work
                interrupted = True
                for other in workers:
                    if other.poll() is None:
                        other.send_signal(signal.SIGINT)
    from sdg_tags.repository.store import Repository

    with Repository(args.db) as repository:
        run = next((info for info in repository.runs() if info.id == summary.run_id), None)
    if run is None or run.finished_at is None:
        frontier = connect(args.redis, args.name)
        print(
            f"Run {summary.run_id} is not finished (worker exit codes {codes}): "
            + remaining_line(frontier.state(), frontier.workers()),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED if interrupted else EXIT_STOPPED
    from sdg_tags.validators.models import FETCH_STATUSES, VERDICTS

    print(f"Run {run.id} (finished): {run.counts.get('pages', 0)} pages by {plural(args.workers, 'worker')}")
    print(counts_line("  fetch status", run.counts.get("fetch_status", {}), FETCH_STATUSES))
    print(counts_line("  verdict", run.counts.get("verdict", {}), VERDICTS))
    return EXIT_OK if all(code == 0 for code in codes) else EXIT_STOPPED

"""Distributed crawls: real workers (processes) on Redis and PostgreSQL, loopback hosts, exact outcomes.

* two workers share one frontier: every URL once in the repository and fetched once, folder crawl, held-back
  registered pages, per-host gaps, robots Crawl-delay and Retry-After pauses hold across both workers;
* a worker killed with SIGKILL mid-run: a new worker and the survivor finish its URLs, each stored once;
* `sdg-tags crawl --distributed` end to end; the command-line errors of enqueue and worker.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sdg_tags.crawler.scope import site_key
from sdg_tags.taxonomy.versions import code_list_versions

from tests.faults.distributed_run import (
    PROJECT_ROOT,
    cli,
    enqueue,
    run_info,
    run_workers,
    start_worker,
    stored_records,
    stored_urls,
    write_registry,
)
from tests.faults.server import FaultServer, Page, RetryAfter, SlowHeaders, html, robots, tagged_page
from tests.faults.services import create_database, free_port
from tests.sites.crawl_run import FAST_OPTIONS

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

DELAY = 0.15
CRAWL_DELAY = 0.3
FOLDER_PAGES = 40
LIST_PAGES = 15
# Gaps are measured where the host feels them (kernel receive times, tests/faults/server.py) and the gap counts
# from each request's send, so every gap is at least the delay; 0.1 d covers the scheduling jitter.
SHARE = 0.9
# time.time() - time.monotonic() is read once, after the run: NTP may have slewed the clock a little since.
CLOCK_SLACK = 0.05


def gaps(server: FaultServer) -> list[float]:
    """Seconds between consecutive page requests to a host (robots.txt is fetched outside the slots)."""
    return [after - before for before, after in itertools.pairwise(server.arrivals())]


def pages_of(worker_output: str) -> int:
    return int(worker_output.rsplit("Worker stopped (", 1)[1].split(": ", 1)[1].split()[0])


@pytest.fixture
def fresh_pg(pg_db_url: str) -> str:
    return pg_db_url


# -- two workers, one frontier ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder_host() -> Iterator[FaultServer]:
    """A web folder /page/ of 40 linked pages (a tree, each also linking back), one registered orphan, and a
    page that answers its first request with 429 Retry-After: 1."""
    faults = {
        "/page/": Page(html('<a href="/page/0">start</a>')),
        "/page/orphan": Page(),
        "/page/7": RetryAfter(1, then=Page(tagged_page(7, links=3, total=FOLDER_PAGES))),
    }
    with FaultServer(faults, host="127.0.0.41", pages=FOLDER_PAGES, links=3) as server:
        yield server


@pytest.fixture(scope="module")
def list_host() -> Iterator[FaultServer]:
    """Fifteen registered pages on a host whose robots.txt asks for Crawl-delay 0.3."""
    faults = {"/robots.txt": robots(f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\n")}
    with FaultServer(faults, host="127.0.0.42", pages=LIST_PAGES) as server:
        yield server


@pytest.fixture(scope="module")
def shared_run(
    tmp_path_factory: pytest.TempPathFactory,
    redis_server: Any,
    postgres_server: Any,
    folder_host: FaultServer,
    list_host: FaultServer,
) -> dict[str, Any]:

    folder = tmp_path_factory.mktemp("shared-run")
    redis.Redis.from_url(redis_server.url).flushall()
    db_url = create_database(postgres_server.url, "shared_run")
    entries = [
        {"url": folder_host.url("/page/"), "urlType": "web folder", "type": ["Information"]},
        {"url": folder_host.url("/page/5"), "type": ["Procedure"]},  # inside the folder, reached by it
        {"url": folder_host.url("/page/orphan")},  # inside the folder, linked from nowhere
    ] + [{"url": list_host.url(f"/page/{n}")} for n in range(LIST_PAGES)]
    registry = write_registry(folder / "registry.json", entries)
    enqueued = enqueue(registry, redis_server.url, db_url, "--delay", str(DELAY))
    assert enqueued.returncode == 0, enqueued.stderr[-3000:]
    run_id = int(enqueued.stdout.split()[1])
    from sdg_tags.crawler.distributed.frontier import SharedFrontier

    run_config = SharedFrontier.connect(redis_server.url).run_config()
    workers = run_workers(2, redis_server.url, db_url, folder, timeout=120)
    # When each Retry-After pause ends (Redis's clock, wall time), read before another test clears Redis.
    pauses = redis.Redis.from_url(redis_server.url).hgetall("sdg:sdg:pause")
    return {
        "db_url": db_url,
        "run_id": run_id,
        "workers": workers,
        "redis_url": redis_server.url,
        "run_config": run_config,
        "pause_ends": {host.decode(): float(until) for host, until in pauses.items()},
        "wall_minus_monotonic": time.time() - time.monotonic(),
    }


def expected_urls(folder_host: FaultServer, list_host: FaultServer) -> set[str]:
    folder_pages = {folder_host.url(f"/page/{n}") for n in range(FOLDER_PAGES)}
    listed = {list_host.url(f"/page/{n}") for n in range(LIST_PAGES)}
    return folder_pages | listed | {folder_host.url("/page/"), folder_host.url("/page/orphan")}


def test_every_url_is_stored_once(
    shared_run: dict[str, Any], folder_host: FaultServer, list_host: FaultServer
) -> None:
    counts = stored_urls(shared_run["db_url"], shared_run["run_id"])
    assert set(counts) == expected_urls(folder_host, list_host)
    assert set(counts.values()) == {1}


def test_every_page_is_fetched_once_by_the_two_workers(
    shared_run: dict[str, Any], folder_host: FaultServer, list_host: FaultServer
) -> None:
    for server in (folder_host, list_host):
        paths = [hit.path for hit in server.hits() if hit.path not in ("/robots.txt", "/page/7")]
        assert len(paths) == len(set(paths)), sorted(paths)
    assert len(folder_host.hits("/page/7")) == 2  # the 429, then the retry
    assert 1 <= len(list_host.hits("/robots.txt")) <= 2  # once per worker at most


def test_both_workers_worked_and_the_run_finished(
    shared_run: dict[str, Any], folder_host: FaultServer, list_host: FaultServer
) -> None:
    outputs = [worker.output() for worker in shared_run["workers"]]
    assert [worker.process.returncode for worker in shared_run["workers"]] == [0, 0], outputs[0][-2000:]
    pages = [pages_of(output) for output in outputs]
    assert sum(pages) == len(expected_urls(folder_host, list_host))
    assert min(pages) > 0
    assert sum("(this worker finished it)" in output for output in outputs) == 1
    info = run_info(shared_run["db_url"], shared_run["run_id"])
    assert info.finished_at is not None
    assert info.counts["pages"] == len(expected_urls(folder_host, list_host))
    assert info.stats["distributed"]["pages"] == info.counts["pages"]
    # every worker, whenever it joins, validates against the code lists of the run's start date
    assert shared_run["run_config"]["settings"]["SDG_AS_OF"] == info.started_at.date().isoformat()
    assert info.code_lists == code_list_versions(info.started_at.date())
    assert info.code_lists["annex1"] == "annex1:2026-05-20"


def assert_polite(server: FaultServer, delay: float) -> None:
    between = gaps(server)
    assert min(between) >= SHARE * delay, between


def test_per_host_delay_holds_across_workers(shared_run: dict[str, Any], folder_host: FaultServer) -> None:
    assert_polite(folder_host, DELAY)


def test_robots_crawl_delay_holds_across_workers(shared_run: dict[str, Any], list_host: FaultServer) -> None:
    assert_polite(list_host, CRAWL_DELAY)


def test_retry_after_pauses_the_host_for_every_worker(
    shared_run: dict[str, Any], folder_host: FaultServer
) -> None:
    """Retry-After: 1 pauses the host from the moment the worker that got the 429 tells Redis (how long after
    the 429 that is depends on the machine's load); during the pause no request reaches the host but the one
    that may already have been cleared to go (the send gate clears one request of a host at a time)."""
    offset = shared_run["wall_minus_monotonic"]
    pause_ends = shared_run["pause_ends"][site_key(folder_host.url("/"))] - offset  # as time.monotonic()
    paused_at = pause_ends - 1.0
    throttled = folder_host.hits("/page/7")[0].at
    assert paused_at > throttled  # the worker paused the host once the 429 had been answered
    hits = sorted(hit.at for hit in folder_host.hits())
    assert [at for at in hits if at > pause_ends], "nothing was requested after the pause"
    during = [at for at in hits if paused_at < at < pause_ends - CLOCK_SLACK]
    assert len(during) <= 1, (paused_at, during)


def test_folder_crawl_and_held_back_registered_pages(
    shared_run: dict[str, Any], folder_host: FaultServer
) -> None:
    records = stored_records(shared_run["db_url"], shared_run["run_id"])
    orphan = records[folder_host.url("/page/orphan")]
    assert orphan["discovered"] is False
    assert [finding["rule"] for finding in orphan["findings"]].count("crawl-not-reachable") == 1
    reached = records[folder_host.url("/page/5")]
    assert reached["discovered"] is True
    assert "crawl-not-reachable" not in [finding["rule"] for finding in reached["findings"]]
    assert records[folder_host.url("/page/39")]["fetch_status"] == "ok"


def test_redis_is_left_drained(shared_run: dict[str, Any]) -> None:
    from sdg_tags.crawler.distributed.frontier import SharedFrontier

    state = SharedFrontier.connect(shared_run["redis_url"]).state()
    assert (state.queued, state.leased, state.held, state.workers) == (0, 0, 0, 0)
    assert state.run["state"] == "finished"


# -- SIGKILL ----------------------------------------------------------------------------------------------------


KILL_DELAY = 0.1


def test_a_killed_workers_urls_are_finished_by_the_others_and_counted_once(
    tmp_path: Path, redis_url: str, fresh_pg: str
) -> None:
    from sdg_tags.crawler.distributed.frontier import SharedFrontier

    slow_pages = {f"/slow/{n}": SlowHeaders(0.4) for n in range(40)}
    with FaultServer(slow_pages, host="127.0.0.43") as server:
        urls = [server.url(path) for path in slow_pages]
        registry = write_registry(tmp_path / "registry.json", [{"url": url} for url in urls])
        enqueued = enqueue(
            registry, redis_url, fresh_pg, "--concurrency-per-host", "4", "--delay", str(KILL_DELAY)
        )
        assert enqueued.returncode == 0, enqueued.stderr[-3000:]
        run_id = int(enqueued.stdout.split()[1])
        frontier = SharedFrontier.connect(redis_url)
        # The victim starts alone, so it is the one holding leased requests when it dies (started together,
        # a loaded machine let the survivor take every request first).
        victim = start_worker(redis_url, fresh_pg, tmp_path / "victim.log", "--lease-ttl", "1")
        held: set[bytes] = set()
        deadline = time.monotonic() + 60
        while not held and time.monotonic() < deadline:  # kill it while it holds leased requests in flight
            for worker_id in frontier.client.hkeys(frontier.key("workers")):
                if f":{victim.pid}:".encode() in worker_id:
                    held = frontier.client.smembers(frontier.key("worker_leases", worker_id.decode()))
            time.sleep(0.02)
        assert held, victim.output()[-3000:]
        survivor = start_worker(redis_url, fresh_pg, tmp_path / "survivor.log", "--lease-ttl", "1")
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
        replacement = start_worker(redis_url, fresh_pg, tmp_path / "replacement.log", "--lease-ttl", "1")
        assert survivor.wait(120) == 0, survivor.output()[-3000:]
        assert replacement.wait(120) == 0, replacement.output()[-3000:]
        # The delay held on the wire through the kill, whatever the victim had claimed when it died.
        short = [
            round(later - earlier, 3)
            for earlier, later in itertools.pairwise(server.arrivals())
            if later - earlier < SHARE * KILL_DELAY
        ]
        assert not short, short

    counts = stored_urls(fresh_pg, run_id)
    assert sorted(counts) == sorted(urls)
    assert set(counts.values()) == {1}
    assert {url.decode() for url in held} <= set(counts)
    info = run_info(fresh_pg, run_id)
    assert info.finished_at is not None
    stats = frontier.state().stats
    assert stats["workers_lost"] == 1
    assert stats["requeued"] >= len(held) - 0  # what it held at the kill went back to the queue
    assert stats["pages"] >= len(urls)


# -- crawl --distributed, command-line errors -------------------------------------------------------------------


def test_crawl_distributed_end_to_end(tmp_path: Path, redis_url: str, fresh_pg: str) -> None:
    with FaultServer(host="127.0.0.44", pages=12) as server:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": server.url(f"/page/{n}")} for n in range(12)]
        )
        done = subprocess.run(
            [
                *cli(
                    "crawl",
                    "--distributed",
                    "--redis",
                    redis_url,
                    "--db",
                    fresh_pg,
                    "--registry",
                    str(registry),
                ),
                "--workers",
                "1",
                *FAST_OPTIONS,
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "12 URLs queued on 1 host in Redis namespace 'sdg'; starting 1 worker\n" in done.stdout
    assert "Worker stopped (finished): 12 pages; run 1 is finished (this worker finished it)" in done.stdout
    assert "Run 1 (finished): 12 pages by 1 worker\n" in done.stdout
    assert "fetch status: ok 12" in done.stdout
    # quiet start-up: no warning about scrapy-redis's internals, no Alembic dialect lines
    assert "Warning" not in done.stderr and "Context impl" not in done.stderr, done.stderr[-3000:]
    assert set(stored_urls(fresh_pg, 1).values()) == {1}


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*arguments), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)


def test_command_line_errors(tmp_path: Path, redis_url: str) -> None:
    db = f"sqlite:///{tmp_path / 'run.db'}"
    registry = write_registry(tmp_path / "registry.json", [{"url": "http://127.0.0.45:9/page"}])
    unreachable = f"redis://127.0.0.1:{free_port()}/0"

    no_redis = run_cli("enqueue", "--registry", str(registry), "--redis", unreachable, "--db", db)
    assert no_redis.returncode == 2
    assert f"cannot reach Redis at {unreachable}" in no_redis.stderr

    no_run = run_cli("worker", "--redis", redis_url, "--db", db)
    assert no_run.returncode == 2
    assert "no distributed run named 'sdg' in Redis; run 'sdg-tags enqueue" in no_run.stderr

    assert run_cli("enqueue", "--registry", str(registry), "--redis", redis_url, "--db", db).returncode == 0
    busy = run_cli("enqueue", "--registry", str(registry), "--redis", redis_url, "--db", db)
    assert busy.returncode == 3
    assert "distributed run 1 (Redis namespace 'sdg'" in busy.stderr and "--reset" in busy.stderr

    other_db = run_cli("worker", "--redis", redis_url, "--db", f"sqlite:///{tmp_path / 'other.db'}")
    assert other_db.returncode == 2
    assert f"run 1 writes to {db}, not sqlite:///{tmp_path / 'other.db'}; pass that --db" in other_db.stderr

    status = run_cli("worker", "--redis", redis_url, "--status")
    assert status.returncode == 0
    assert f"Run 1 (running) in Redis namespace 'sdg', database {db}" in status.stdout
    assert "queued 1, in flight 0, held back 0, stored 0 pages, workers alive 0" in status.stdout

    reset = run_cli("enqueue", "--registry", str(registry), "--redis", redis_url, "--db", db, "--reset")
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.startswith("Run 2 enqueued")

    crawl_redis_only = run_cli("crawl", "--registry", str(registry), "--db", db, "--redis", redis_url)
    assert crawl_redis_only.returncode == 2
    assert "--redis is only used with --distributed" in crawl_redis_only.stderr


def test_worker_progress_lines_name_verdicts_and_fetch_statuses(
    tmp_path: Path, redis_url: str, fresh_pg: str
) -> None:
    with FaultServer(host="127.0.0.44", pages=6) as server:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": server.url(f"/page/{n}")} for n in range(6)]
        )
        assert enqueue(registry, redis_url, fresh_pg, "--delay", "0.2").returncode == 0
        (worker,) = run_workers(1, redis_url, fresh_pg, tmp_path, "--progress-interval", "0.2")
    output = worker.output()
    lines = [line for line in output.splitlines() if "pages stored by all workers" in line]
    assert lines, output[-3000:]
    assert all("; this worker's verdicts: " in line and "; fetch status: " in line for line in lines), lines
    # The quiet console, as `sdg-tags crawl`'s: the worker's own lines, not Scrapy's banner, settings and stats.
    assert "Overridden settings" not in output and "Dumping Scrapy stats" not in output, output[-3000:]
    assert "Worker stopped (" in output

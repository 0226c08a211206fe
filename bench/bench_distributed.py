"""Scale-out: crawl throughput of 2 distributed workers against 1, on a multi-host loopback site.

The registry lists pages on 40 loopback hosts (127.0.0.100..139), ~20 KB tagged HTML each, served by two
server processes (one interpreter would cap the throughput at its GIL); no per-host delay (politeness must not
be the limit here: bench_politeness.py measures that). The same registry is crawled three times, each into a
fresh PostgreSQL database: by `sdg-tags crawl` (one process, the reference without Redis), by 1 distributed
worker, by 2. Throughput = pages / span between the first and last `fetched_at` stored; wall time includes
the workers' start (~2-3 s, in parallel). CPU seconds per page of the crawl processes (and of Redis) say where
the time goes: this machine's cores are shared by the workers, the servers, Redis and PostgreSQL, so a ratio
below 2 here can be the machine (workers on separate machines share nothing local but Redis and the database).

Writes bench/results/distributed.json. Run: `.venv/bin/python -m bench.bench_distributed [--pages N]`.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.results_file import run_header, write_result
from tests.faults.distributed_run import (
    PROJECT_ROOT,
    cli,
    enqueue,
    run_workers,
    stored_urls,
    write_registry,
)
from tests.faults.services import create_database, postgres_server, redis_server

HOSTS = 40
SERVER_PROCESSES = 2
PAGE_PADDING = 20_000  # bytes of text per page, on top of the tags


@contextmanager
def served_sites(pages_per_host: int) -> Iterator[list[str]]:
    """40 hosts in SERVER_PROCESSES processes; yields their origins."""
    per_process = HOSTS // SERVER_PROCESSES
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.server",
                "--first",
                str(100 + index * per_process),
                "--count",
                str(per_process),
                "--pages",
                str(pages_per_host),
                "--padding",
                str(PAGE_PADDING),
            ],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(SERVER_PROCESSES)
    ]
    try:
        yield [origin for process in processes for origin in json.loads(process.stdout.readline())]  # type: ignore[union-attr]
    finally:
        for process in processes:
            process.stdin.close()  # type: ignore[union-attr]
            process.wait(timeout=30)


def registry_of(origins: list[str], pages_per_host: int, folder: Path) -> tuple[Path, list[str]]:
    urls = [f"{origin}/page/{n}" for origin in origins for n in range(pages_per_host)]
    random.Random(2018).shuffle(urls)
    return write_registry(folder / "registry.json", [{"url": url} for url in urls]), urls


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def redis_cpu(redis_url: str) -> float:
    import redis

    info = redis.Redis.from_url(redis_url).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def redis_commands(redis_url: str) -> dict[str, int]:
    """Calls per Redis command so far (INFO commandstats): the scale model counts them per page."""
    import redis

    stats = redis.Redis.from_url(redis_url).info("commandstats")
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


def postgres_writes(admin: str, database: str) -> dict[str, int]:
    """Committed transactions and rows written in one database so far (pg_stat_database)."""
    import psycopg

    query = "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = %s"
    with psycopg.connect(admin.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        transactions, rows = conn.execute(query, (database,)).fetchone()
    return {"transactions": int(transactions), "rows_written": int(rows)}


def per_page(after: dict[str, int], before: dict[str, int], pages: int) -> dict[str, float]:
    return {key: round((after.get(key, 0) - before.get(key, 0)) / pages, 2) for key in after}


def fetch_span(db: str) -> float:
    from sdg_tags.repository.schema import observations
    from sdg_tags.repository.store import Repository
    from sqlalchemy import func, select

    with Repository(db) as repository, repository.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(observations.c.fetched_at), func.max(observations.c.fetched_at))
        ).one()
    return (last - first).total_seconds()


def figures(
    pages: int, span: float, wall: float, cpu: float, redis_cpu_s: float | None = None
) -> dict[str, Any]:
    result = {
        "pages": pages,
        "span_s": round(span, 2),
        "wall_s": round(wall, 2),
        "pages_per_s": round(pages / span, 1),
        "pages_per_s_wall": round(pages / wall, 1),
        "crawl_cpu_ms_per_page": round(cpu / pages * 1000, 2),
    }
    if redis_cpu_s is not None:
        result["redis_cpu_ms_per_page"] = round(redis_cpu_s / pages * 1000, 3)
    return result


def crawl_single(pages_per_host: int, folder: Path, admin: str) -> dict[str, Any]:
    with served_sites(pages_per_host) as origins:
        registry, urls = registry_of(origins, pages_per_host, folder)
        db = create_database(admin, "single")
        cpu, started = children_cpu(), time.perf_counter()
        done = subprocess.run(
            [
                *cli("crawl", "--registry", str(registry), "--db", db, "--delay", "0"),
                *("--progress-interval", "0", "--log-level", "WARNING"),
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        wall, cpu = time.perf_counter() - started, children_cpu() - cpu
        if done.returncode != 0:
            raise RuntimeError(f"sdg-tags crawl failed: {done.stderr[-2000:]}")
        return figures(len(urls), fetch_span(db), wall, cpu)


def crawl_workers(
    pages_per_host: int, folder: Path, admin: str, redis_url: str, workers: int
) -> dict[str, Any]:
    with served_sites(pages_per_host) as origins:
        registry, urls = registry_of(origins, pages_per_host, folder)
        db = create_database(admin, f"workers_{workers}")
        name = f"bench{workers}"
        enqueued = enqueue(registry, redis_url, db, "--log-level", "WARNING", name=name)
        if enqueued.returncode != 0:
            raise RuntimeError(f"enqueue failed: {enqueued.stderr[-2000:]}")
        database = db.rsplit("/", 1)[1]
        commands_before, writes_before = redis_commands(redis_url), postgres_writes(admin, database)
        cpu, redis_before, started = children_cpu(), redis_cpu(redis_url), time.perf_counter()
        run_workers(workers, redis_url, db, folder, "--name", name, "--log-level", "WARNING", timeout=900)
        wall, cpu = time.perf_counter() - started, children_cpu() - cpu
        result = figures(len(urls), fetch_span(db), wall, cpu, redis_cpu(redis_url) - redis_before)
        commands = per_page(redis_commands(redis_url), commands_before, len(urls))
        result["redis_commands_per_page"] = {name: calls for name, calls in sorted(commands.items()) if calls}
        result["redis_commands_per_page_total"] = round(sum(commands.values()), 2)
        result["postgres_per_page"] = per_page(postgres_writes(admin, database), writes_before, len(urls))
        counts = stored_urls(db, int(enqueued.stdout.split()[1]))
        result["stored_once"] = len(counts) == len(urls) and set(counts.values()) == {1}
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4000, help="pages in the registry (default 4000)")
    args = parser.parse_args(argv)
    per_host = max(1, args.pages // HOSTS)
    with (
        tempfile.TemporaryDirectory(prefix="sdg-bench-distributed-") as tmp,
        redis_server() as redis_url,
        postgres_server() as admin,
    ):
        folder = Path(tmp)
        single = crawl_single(per_host, folder, admin)
        print(f"sdg-tags crawl (1 process): {single['pages_per_s']} pages/s over {single['span_s']} s")
        one = crawl_workers(per_host, folder, admin, redis_url, 1)
        print(f"1 worker:  {one['pages_per_s']} pages/s over {one['span_s']} s")
        two = crawl_workers(per_host, folder, admin, redis_url, 2)
        print(f"2 workers: {two['pages_per_s']} pages/s over {two['span_s']} s")
    result = {
        **run_header("distributed"),
        "hosts": HOSTS,
        "pages": per_host * HOSTS,
        "page_padding_bytes": PAGE_PADDING,
        "single_process": single,
        "one_worker": one,
        "two_workers": two,
        "ratio_two_workers_to_one": round(two["pages_per_s"] / one["pages_per_s"], 2),
        "ratio_one_worker_to_single_process": round(one["pages_per_s"] / single["pages_per_s"], 2),
        "ratio_two_workers_to_one_wall": round(two["pages_per_s_wall"] / one["pages_per_s_wall"], 2),
    }
    write_result("distributed", result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Worker memory with a registry of 1,000,000 URLs: peak RSS of a distributed worker (budget 400 MB).

A registry of 1,000,000 pages of one loopback site (127.0.0.200, served by its own process) is enqueued into
Redis and PostgreSQL (`sdg-tags enqueue`); then one worker crawls it for a bounded time (`--max-seconds`; the
rest stays queued) while this script samples its RSS from /proc/<pid>/status every 0.2 s (a timeline every 5 s
shows whether it levels off). The reference is the same worker on a registry of 1,000 URLs: the frontier, the
dupefilter and the registry index are in Redis and records are written in batches, so the two peaks should be
about the same. Also reported:
the enqueue's time and peak RSS (bench_enqueue.py measures it alone) and Redis's memory for the run.

Writes bench/results/memory.json. Run: `.venv/bin/python -m bench.bench_memory [--urls N] [--seconds S]`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.results_file import run_header, write_result
from tests.faults.distributed_run import PROJECT_ROOT, cli, start_worker
from tests.faults.services import create_database, postgres_server, redis_server

BUDGET_MB = 400
HOST = "127.0.0.200"
SAMPLE_EVERY_S = 0.2


def rss_mb(pid: int) -> float | None:
    return status_mb(pid, "VmRSS")


def status_mb(pid: int, field: str, file: str = "status") -> float | None:
    """A `kB` figure of /proc/<pid>/<file> in MB (None once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += process_tree(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def tree_memory_mb(pid: int) -> tuple[float, float] | None:
    """(RSS, PSS) of a process and all its descendants, summed, or None once the process is gone. Pages a
    forked child still shares with its parent count twice in the RSS sum (an upper bound) and once in PSS
    (shared pages divided among their users)."""
    if rss_mb(pid) is None:
        return None
    rss = pss = 0.0
    for member in process_tree(pid):
        rss += rss_mb(member) or 0.0
        pss += status_mb(member, "Pss", "smaps_rollup") or 0.0
    return rss, pss


class RssSampler(threading.Thread):
    """Samples a process's RSS until it exits; keeps the peak and a coarse timeline. With `tree`, the RSS of
    the process and its descendants summed, and the peak of their PSS summed too (`peak_pss`)."""

    def __init__(self, pid: int, *, tree: bool = False) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.tree = tree
        self.peak = 0.0
        self.peak_pss = 0.0
        self.timeline: list[tuple[float, float]] = []
        self.started = time.monotonic()

    def sample(self) -> float | None:
        if not self.tree:
            return rss_mb(self.pid)
        measured = tree_memory_mb(self.pid)
        if measured is None:
            return None
        self.peak_pss = max(self.peak_pss, measured[1])
        return measured[0]

    def run(self) -> None:
        last_kept = -10.0
        while (rss := self.sample()) is not None:
            self.peak = max(self.peak, rss)
            elapsed = time.monotonic() - self.started
            if elapsed - last_kept >= 5:
                self.timeline.append((round(elapsed, 1), round(rss, 1)))
                last_kept = elapsed
            time.sleep(SAMPLE_EVERY_S)


@contextmanager
def served_site() -> Iterator[str]:
    """One host serving any /page/N (small tagged pages) in its own process; yields its origin."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.server",
            "--first",
            HOST.rsplit(".", 1)[1],
            "--count",
            "1",
            "--padding",
            "2000",
        ],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield json.loads(process.stdout.readline())[0]  # type: ignore[union-attr]
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(timeout=30)


def measured_enqueue(registry: Path, redis_url: str, db: str, name: str, *options: str) -> dict[str, Any]:
    """Run `sdg-tags enqueue` on `registry` (with `options`); its wall time, peak RSS (the process and its
    forked reader together) and summary line."""
    command = cli("enqueue", "--registry", str(registry), "--redis", redis_url, "--db", db, "--name", name)
    command += [*options, "--log-level", "WARNING"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = RssSampler(process.pid, tree=True)  # the enqueue's forked registry reader included
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"enqueue failed ({process.returncode}): {err[-2000:]}")
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(sampler.peak, 1),
        "peak_pss_mb": round(sampler.peak_pss, 1),
        "rss_timeline_s_mb": sampler.timeline,
        "skipped_rows_reported": sum(1 for line in err.splitlines() if "skipped row: " in line),
        "summary": out.splitlines()[0] if out else "",
    }


def enqueue_urls(origin: str, count: int, folder: Path, redis_url: str, db: str, name: str) -> dict[str, Any]:
    """Write a URL-list registry of `count` pages and enqueue it; time and peak RSS of the enqueue."""
    registry = folder / f"registry-{count}.txt"
    with registry.open("w", encoding="utf-8") as out:
        for number in range(count):
            out.write(f"{origin}/page/{number}\n")
    measured = measured_enqueue(registry, redis_url, db, name, "--delay", "0", "--concurrency-per-host", "16")
    return {"seconds": measured["seconds"], "peak_rss_mb": measured["peak_rss_mb"]}


def run_worker(redis_url: str, db: str, name: str, seconds: float, folder: Path) -> dict[str, Any]:
    worker = start_worker(
        redis_url,
        db,
        folder / f"worker-{name}.log",
        "--name",
        name,
        "--max-seconds",
        str(seconds),
        "--log-level",
        "WARNING",
        fast=False,
    )
    sampler = RssSampler(worker.pid)
    sampler.start()
    code = worker.wait(timeout=seconds + 300)
    sampler.join()
    output = worker.output()
    if code != 0:
        raise RuntimeError(f"worker failed ({code}): {output[-2000:]}")
    pages = int(output.rsplit("Worker stopped (", 1)[1].split(": ", 1)[1].split()[0])
    return {"pages": pages, "peak_rss_mb": round(sampler.peak, 1), "rss_timeline_s_mb": sampler.timeline}


def redis_memory_mb(redis_url: str) -> float:
    import redis

    return round(redis.Redis.from_url(redis_url).info("memory")["used_memory"] / 1024 / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--reference-urls", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=150.0, help="how long the worker crawls")
    parser.add_argument("--reference-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="sdg-bench-memory-") as tmp,
        served_site() as origin,
        redis_server() as redis_url,
        postgres_server() as admin,
    ):
        folder = Path(tmp)
        small_db = create_database(admin, "small")
        small_enqueue = enqueue_urls(origin, args.reference_urls, folder, redis_url, small_db, "small")
        small = run_worker(redis_url, small_db, "small", args.reference_seconds, folder)
        print(f"reference, {args.reference_urls} URLs: worker peak RSS {small['peak_rss_mb']} MB")
        before = redis_memory_mb(redis_url)
        big_db = create_database(admin, "big")
        big_enqueue = enqueue_urls(origin, args.urls, folder, redis_url, big_db, "big")
        redis_for_big = round(redis_memory_mb(redis_url) - before, 1)
        print(
            f"enqueued {args.urls} URLs in {big_enqueue['seconds']} s; Redis holds {redis_for_big} MB for them"
        )
        big = run_worker(redis_url, big_db, "big", args.seconds, folder)
        print(
            f"{args.urls} URLs: worker peak RSS {big['peak_rss_mb']} MB ({big['pages']} pages in {args.seconds} s)"
        )
    result = {
        **run_header("memory"),
        "budget_mb": BUDGET_MB,
        "worker_seconds": args.seconds,
        "reference_worker_seconds": args.reference_seconds,
        "registry_urls": args.urls,
        "worker": big,
        "enqueue": big_enqueue,
        "redis_used_mb_for_registry": redis_for_big,
        "reference_registry_urls": args.reference_urls,
        "reference_worker": small,
        "reference_enqueue": small_enqueue,
        "ratio_peak_rss_to_budget": round(big["peak_rss_mb"] / BUDGET_MB, 3),
        "ratio_peak_rss_to_reference": round(big["peak_rss_mb"] / small["peak_rss_mb"], 3),
    }
    write_result("memory", result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

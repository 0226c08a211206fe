"""Politeness-bound scheduling: how close a crawl of a skewed registry gets to the bound the delay imposes.

A registry is skewed (real data: 95 hosts, the biggest holds 13 % of the URLs). With a per-host delay d no
crawl can finish before the biggest host's URLs have gone one by one: bound = (URLs on the biggest host - 1) x d
between its first and last request. This benchmark serves a generated registry of that shape on loopback (one
server per host on 127.0.0.60.., URL order shuffled), crawls it with `sdg-tags crawl` (one process) and with
two distributed workers (Redis + PostgreSQL), and reports achieved span / bound (goal <= 1.1) and the smallest
gap any host saw, as a share of d (politeness: >= 1.0 up to transport jitter).

Writes bench/results/politeness.json. Run: `.venv/bin/python -m bench.bench_politeness [--urls N]`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import subprocess
import sys
import tempfile
import time
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
from tests.faults.server import FaultServer, LoopbackSites
from tests.faults.services import create_database, postgres_server, redis_server

HOSTS = 20
TOP_SHARE = 0.13
DELAY = 0.2
GOAL = 1.1


def skewed_sizes(hosts: int, total: int, top_share: float) -> list[int]:
    """URLs per host, Zipf-like, the biggest holding `top_share` of `total` (exponent found by bisection)."""
    low, high = 0.0, 3.0
    for _ in range(60):
        exponent = (low + high) / 2
        weights = [1 / (rank**exponent) for rank in range(1, hosts + 1)]
        if weights[0] / sum(weights) < top_share:
            low = exponent
        else:
            high = exponent
    shares = [weight / sum(weights) for weight in weights]
    sizes = [max(1, round(share * total)) for share in shares]
    sizes[-1] += total - sum(sizes)
    return sizes


def sites(sizes: list[int]) -> LoopbackSites:
    return LoopbackSites(
        len(sizes), first=60, make=lambda index: FaultServer(host=f"127.0.0.{60 + index}", pages=sizes[index])
    )


def registry_of(servers: LoopbackSites, sizes: list[int], folder: Path) -> Path:
    urls = [
        server.url(f"/page/{n}") for server, size in zip(servers, sizes, strict=True) for n in range(size)
    ]
    random.Random(1121).shuffle(urls)
    return write_registry(folder / "registry.json", [{"url": url} for url in urls])


def measure(servers: LoopbackSites, sizes: list[int], wall: float, bound: float) -> dict[str, Any]:
    """Span of the crawl (first to last page request, any host), the biggest host's span, smallest gaps."""
    hits = {server.host: [hit.at for hit in server.hits() if hit.path != "/robots.txt"] for server in servers}
    every = sorted(itertools.chain.from_iterable(hits.values()))
    biggest = sorted(hits[servers.servers[0].host])
    gaps = [after - before for times in hits.values() for before, after in itertools.pairwise(sorted(times))]
    fetched_twice = sum(len(times) - size for times, size in zip(hits.values(), sizes, strict=True))
    return {
        "wall_s": round(wall, 2),
        "span_s": round(every[-1] - every[0], 2),
        "biggest_host_span_s": round(biggest[-1] - biggest[0], 2),
        "ratio_span_to_bound": round((every[-1] - every[0]) / bound, 3),
        "smallest_gap_share_of_delay": round(min(gaps) / DELAY, 3),
        "mean_gap_biggest_host_s": round((biggest[-1] - biggest[0]) / (len(biggest) - 1), 4),
        "extra_fetches": fetched_twice,
    }


def crawl_single(sizes: list[int], folder: Path, bound: float) -> dict[str, Any]:
    with sites(sizes) as servers:
        registry = registry_of(servers, sizes, folder)
        db = f"sqlite:///{folder / 'single.db'}"
        started = time.perf_counter()
        done = subprocess.run(
            [
                *cli("crawl", "--registry", str(registry), "--db", db, "--delay", str(DELAY)),
                "--progress-interval",
                "0",
                "--log-level",
                "WARNING",
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"sdg-tags crawl failed: {done.stderr[-2000:]}")
        return measure(servers, sizes, wall, bound)


def crawl_distributed(sizes: list[int], folder: Path, bound: float, workers: int) -> dict[str, Any]:
    with sites(sizes) as servers, redis_server() as redis_url, postgres_server() as admin:
        registry = registry_of(servers, sizes, folder)
        db = create_database(admin, "politeness")
        enqueued = enqueue(registry, redis_url, db, "--delay", str(DELAY), "--log-level", "WARNING")
        if enqueued.returncode != 0:
            raise RuntimeError(f"enqueue failed: {enqueued.stderr[-2000:]}")
        started = time.perf_counter()
        run_workers(workers, redis_url, db, folder, "--log-level", "WARNING", timeout=600)
        wall = time.perf_counter() - started
        result = measure(servers, sizes, wall, bound)
        result["stored_once"] = set(stored_urls(db, int(enqueued.stdout.split()[1])).values()) == {1}
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1000, help="registry size (default 1000: bound ~26 s)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    sizes = skewed_sizes(HOSTS, args.urls, TOP_SHARE)
    bound = (sizes[0] - 1) * DELAY
    print(
        f"{HOSTS} hosts, {args.urls} URLs, biggest host {sizes[0]} ({sizes[0] / args.urls:.0%}), d = {DELAY} s"
    )
    print(f"bound: ({sizes[0]} - 1) x {DELAY} s = {bound:.1f} s")
    with tempfile.TemporaryDirectory(prefix="sdg-bench-politeness-") as tmp:
        single = crawl_single(sizes, Path(tmp), bound)
        print(
            f"sdg-tags crawl (1 process):   span {single['span_s']} s, ratio {single['ratio_span_to_bound']}"
        )
        distributed = crawl_distributed(sizes, Path(tmp), bound, args.workers)
        print(
            f"distributed ({args.workers} workers): span {distributed['span_s']} s, "
            f"ratio {distributed['ratio_span_to_bound']}"
        )
    result = {
        **run_header("politeness"),
        "hosts": HOSTS,
        "urls": args.urls,
        "urls_per_host": sizes,
        "biggest_host_share": round(sizes[0] / args.urls, 3),
        "delay_s": DELAY,
        "bound_s": round(bound, 2),
        "goal_ratio": GOAL,
        "single_process": single,
        f"distributed_{args.workers}_workers": distributed,
    }
    write_result("politeness", result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

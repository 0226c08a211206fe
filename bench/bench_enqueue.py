"""`sdg-tags enqueue` of 1,000,000 registry URLs: wall time and peak RSS of the enqueue process (goal ≤ 60 s,
≤ 300 MB, issue 15).

A registry CSV is generated (seeded, so every run plans the same file): 1,000,000 rows on 20,000 hosts, most of
them registered pages; on one host in twenty a registered web folder with some of its pages registered too,
before and after the folder row (held back until the folder crawl); 1 % repeated URLs, one row in 2,000 with an
unusable address (stored as invalid-url) and a few with an unknown type. Redis and PostgreSQL are started here
(tests/faults/services.py) and stopped by PID. `sdg-tags enqueue` runs as a subprocess while this script samples
its RSS from /proc/<pid>/status, summed with its forked registry reader's (an upper bound: pages the two still
share count twice). The CPU time of Redis and PostgreSQL during the run is in the results too.

Reference, measured in the same run: the same enqueue of a 100,000-row registry made the same way. The enqueue
streams the registry in batches, so its peak RSS should be about the same at both sizes and its time about ten
times the reference's (the ratios are in the results).

Writes bench/results/enqueue.json. Run: `.venv/bin/python -m bench.bench_enqueue [--urls N] [--reference-urls N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_memory import measured_enqueue, redis_memory_mb
from bench.results_file import run_header, write_result
from tests.faults.services import create_database, postgres_server, redis_server

GOAL_SECONDS = 60.0
GOAL_RSS_MB = 300.0
ROWS_PER_HOST = 50
FOLDER_HOST_EVERY = 20  # one host in twenty registers a web folder
PAGES_IN_FOLDER = 5  # registered pages inside each folder (half above the folder row, half below)
DUPLICATE_SHARE = 0.01
BAD_ROW_EVERY = 2000


def write_registry(path: Path, rows: int, seed: int = 15) -> dict[str, int]:
    """A registry CSV of `rows` data rows (see the module docstring); what it holds, by kind."""
    rnd = random.Random(seed)
    hosts = max(1, rows // ROWS_PER_HOST)
    kinds = {"pages": 0, "folders": 0, "pages_in_folders": 0, "duplicates": 0, "bad": 0}
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("url,title,type,url type,language,national code\n")
        while written < rows:
            host = rnd.randrange(hosts)
            origin = f"https://www.agency{host}.example.eu"
            draw = rnd.random()
            if written and written % BAD_ROW_EVERY == 0:
                line = f"ftp://files{host}.example.eu/{written},Bad row,Information,web page,en,"
                if written % (BAD_ROW_EVERY * 10) == 0:
                    line = f"{origin}/x{written},Unknown type,Assistance,web page,en,"
                kinds["bad"] += 1
            elif host % FOLDER_HOST_EVERY == 0 and draw < 0.15:
                if rnd.random() < 1 / (PAGES_IN_FOLDER + 1):
                    line = f"{origin}/services/,Services,Information,web folder,en;sv,F{host}"
                    kinds["folders"] += 1
                else:
                    number = rnd.randrange(PAGES_IN_FOLDER * 4)
                    line = f"{origin}/services/service-{number}.html,Service {number},Procedure,web page,en,"
                    kinds["pages_in_folders"] += 1
            elif draw < DUPLICATE_SHARE and written > 100:
                line = f"{origin}/page/{rnd.randrange(written)}.html,Repeated,Information,web page,en,"
                kinds["duplicates"] += 1
            else:
                line = f"{origin}/page/{written}.html,Page {written},Information;Procedure,web page,en,P{written}"
                kinds["pages"] += 1
            out.write(line + "\n")
            written += 1
    return kinds


def server_cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by the processes named redis-server and postgres (the servers this script
    started: nothing else runs them here), exited PostgreSQL backends included (their parent's cutime)."""
    used = {"redis": 0.0, "postgres": 0.0}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        server = "redis" if name.startswith("redis-server") else "postgres" if name == "postgres" else None
        if server is not None:
            fields = text[text.rindex(")") + 2 :].split()
            used[server] += sum(int(value) for value in fields[11:15]) / tick  # utime stime cutime cstime
    return used


def measure(rows: int, folder: Path, redis_url: str, admin: str, name: str) -> dict[str, Any]:
    registry = folder / f"registry-{rows}.csv"
    kinds = write_registry(registry, rows)
    before = redis_memory_mb(redis_url)
    cpu_before = server_cpu_seconds()
    result = measured_enqueue(registry, redis_url, create_database(admin, name), name)
    cpu_after = server_cpu_seconds()
    result["server_cpu_seconds"] = {
        server: round(cpu_after[server] - cpu_before[server], 1) for server in cpu_after
    }
    result["redis_used_mb"] = round(redis_memory_mb(redis_url) - before, 1)
    result["registry"] = {"rows": rows, "bytes": registry.stat().st_size, **kinds}
    print(f"{rows} rows: {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB; {result['summary']}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--reference-urls", type=int, default=100_000)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="sdg-bench-enqueue-") as tmp,
        redis_server() as redis_url,
        postgres_server() as admin,
    ):
        folder = Path(tmp)
        reference = measure(args.reference_urls, folder, redis_url, admin, "reference")
        big = measure(args.urls, folder, redis_url, admin, "big")
    result = {
        **run_header("enqueue"),
        "goal": {"seconds": GOAL_SECONDS, "peak_rss_mb": GOAL_RSS_MB},
        "registry_urls": args.urls,
        "enqueue": big,
        "reference_registry_urls": args.reference_urls,
        "reference_enqueue": reference,
        "ratio_seconds_to_goal": round(big["seconds"] / GOAL_SECONDS, 3),
        "ratio_peak_rss_to_goal": round(big["peak_rss_mb"] / GOAL_RSS_MB, 3),
        "ratio_seconds_to_reference": round(big["seconds"] / reference["seconds"], 2),
        "ratio_peak_rss_to_reference": round(big["peak_rss_mb"] / reference["peak_rss_mb"], 3),
        "urls_per_second": round(args.urls / big["seconds"]),
    }
    write_result("enqueue", result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

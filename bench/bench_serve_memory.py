"""`sdg-tags serve` under load: peak RSS while 400 clients post maximum-size pages at once (goal ≤ 500 MB).

Starts `sdg-tags serve` on 127.0.0.1 (ephemeral port) as its own process, then 400 threads each post one
`POST /api/check` body of just under the 5 MB limit at the same moment: a page whose `policy-code` holds ~1.6
million items, the most expensive page per byte known (before the bounds of issue 13, one such check peaked at
1.4 GB). The server's RSS is sampled from /proc/<pid>/status every 0.2 s, and its VmHWM (the kernel's own peak)
read before it stops. Every answer must be 200 or 503 with Retry-After; the counts are recorded.

Writes bench/results/serve_memory.json. Run: `.venv/bin/python -m bench.bench_serve_memory [--clients N]`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.bench_memory import RssSampler, rss_mb
from bench.results_file import run_header, write_result
from tests.browser.web_server import WebServer

GOAL_MB = 500
LIMIT = 5_000_000  # serve's default --max-upload-mb 5


def max_size_body() -> bytes:
    head = '<html lang="en"><head><meta name="sdg-tag" content="sdg"><meta name="policy-code" content="'
    tail = '"></head><body></body></html>'
    items = (LIMIT - 200 - len(head) - len(tail)) // 3
    return json.dumps({"html": head + ";".join(["C2"] * items) + tail}).encode()


def peak_hwm_mb(pid: int) -> float | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run(clients: int) -> dict[str, Any]:
    body = max_size_body()
    with WebServer() as server:
        assert server.process is not None
        pid = server.process.pid
        idle_mb = rss_mb(pid)
        sampler = RssSampler(pid)
        sampler.start()

        def post(_: int) -> tuple[int, str | None]:
            try:
                response = httpx.post(
                    f"{server.base_url}/api/check",
                    content=body,
                    headers={"content-type": "application/json"},
                    timeout=300,
                )
            except httpx.HTTPError as exc:
                return -1, type(exc).__name__
            return response.status_code, response.headers.get("retry-after")

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            answers = list(pool.map(post, range(clients)))
        seconds = time.monotonic() - started
        hwm = peak_hwm_mb(pid)
        alive = server.process.poll() is None
    statuses = Counter(status for status, _ in answers)
    return {
        **run_header("serve_memory"),
        "clients": clients,
        "body_bytes": len(body),
        "server_idle_rss_mb": round(idle_mb or 0, 1),
        "server_peak_rss_mb_sampled": round(sampler.peak, 1),
        "server_peak_rss_mb_vmhwm": round(hwm or 0, 1),
        "goal_mb": GOAL_MB,
        "within_goal": (hwm or sampler.peak) <= GOAL_MB,
        "seconds": round(seconds, 1),
        "answers": {str(status): count for status, count in sorted(statuses.items())},
        "every_503_has_retry_after": all(after for status, after in answers if status == 503),
        "server_alive_after": alive,
        "rss_timeline_mb": sampler.timeline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=400)
    args = parser.parse_args()
    result = run(args.clients)
    path = write_result("serve_memory", result)
    print(json.dumps({key: value for key, value in result.items() if key != "rss_timeline_mb"}, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()

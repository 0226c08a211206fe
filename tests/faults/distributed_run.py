"""Run `sdg-tags enqueue` and `sdg-tags worker` processes for tests and benchmarks, and read what they stored.

Workers are real processes (`python -m sdg_tags.cli.main worker`): the Twisted reactor runs once per process, and the
tests kill them with SIGKILL. Their output goes to files (a full pipe would block a chatty worker).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Fast, otherwise default runs: no per-host delay unless a test sets one, frequent batch writes.
FAST_RUN_OPTIONS: tuple[str, ...] = ("--delay", "0", "--set", "SDG_WRITE_INTERVAL=0.2")
FAST_WORKER_OPTIONS: tuple[str, ...] = ("--progress-interval", "0", "--lease-ttl", "3")


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "sdg_tags.cli.main", *arguments]


def write_registry(path: Path, entries: list[dict[str, Any]]) -> Path:
    """A JSON registry file (web-service field names: url, urlType, excludedPaths, ...)."""
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def enqueue(
    registry: Path, redis_url: str, db_url: str, *options: str, name: str = "sdg", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *cli(
                "enqueue", "--registry", str(registry), "--redis", redis_url, "--db", db_url, "--name", name
            ),
            *FAST_RUN_OPTIONS,
            *options,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_worker(
    redis_url: str, db_url: str, log: Path, *options: str, name: str = "sdg", fast: bool = True
) -> Worker:
    command = cli("worker", "--redis", redis_url, "--db", db_url, "--name", name)
    command += [*(FAST_WORKER_OPTIONS if fast else ()), *options]
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()  # the child has its own descriptor
    return Worker(process, log)


def run_workers(
    count: int, redis_url: str, db_url: str, folder: Path, *options: str, timeout: float = 120
) -> list[Worker]:
    """Start `count` workers, wait until all exit (TimeoutExpired after `timeout` s each)."""
    workers = [start_worker(redis_url, db_url, folder / f"worker-{n}.log", *options) for n in range(count)]
    for worker in workers:
        try:
            worker.wait(timeout)
        except subprocess.TimeoutExpired:
            for other in workers:
                other.process.kill()
            raise
    return workers


def stored_urls(db_url: str, run_id: int) -> Counter[str]:
    """How many observation rows each URL has in the run (exactly one each, if nothing was duplicated)."""
    from sdg_tags.repository.schema import observations
    from sdg_tags.repository.store import Repository
    from sqlalchemy import select

    with Repository(db_url) as repository, repository.engine.connect() as conn:
        return Counter(
            conn.execute(select(observations.c.url).where(observations.c.run_id == run_id)).scalars()
        )


def stored_records(db_url: str, run_id: int) -> dict[str, dict[str, Any]]:
    from sdg_tags.repository.store import Repository

    with Repository(db_url) as repository:
        return {record["url"]: record for record in repository.iter_results(run_id)}


def run_info(db_url: str, run_id: int) -> Any:
    from sdg_tags.repository.store import Repository

    with Repository(db_url) as repository:
        return next(info for info in repository.runs() if info.id == run_id)

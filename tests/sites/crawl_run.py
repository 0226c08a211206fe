"""Run `sdg-tags crawl` in a subprocess (the Twisted reactor cannot restart in one process) and read its run."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Fast but otherwise default crawls: no per-host delay unless a test sets one, frequent writes.
FAST_OPTIONS: tuple[str, ...] = (
    "--delay",
    "0",
    "--progress-interval",
    "0",
    "--set",
    "SDG_WRITE_INTERVAL=0.2",
)


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str
    db_url: str

    def runs(self) -> list[Any]:
        from sdg_tags.repository.store import Repository

        with Repository(self.db_url) as repository:
            return repository.runs()

    def pages(self, run_id: int | None = None) -> dict[str, dict[str, Any]]:
        """The results records of a run (default: the newest), by URL."""
        from sdg_tags.repository.store import Repository

        with Repository(self.db_url) as repository:
            if run_id is None:
                run_id = repository.latest_run_id(finished_only=False)
            assert run_id is not None, f"no run stored; stderr:\n{self.stderr[-3000:]}"
            return {record["url"]: record for record in repository.iter_results(run_id)}


def write_registry(path: Path, entries: list[dict[str, Any]]) -> Path:
    """A JSON registry file (web-service field names: url, urlType, excludedPaths, ignoreParams, type)."""
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


# What the `sdg-tags` console script runs (`python -m sdg_tags.cli.main` would load a second copy of cli.main whose
# CommandLineError the first one does not catch).
SDG_TAGS: tuple[str, ...] = (
    sys.executable,
    "-c",
    "import sys; from sdg_tags.cli.main import main; sys.exit(main())",
)


def crawl_command(registry: Path, db_url: str, *options: str) -> list[str]:
    return [*SDG_TAGS, "crawl", "--registry", str(registry), "--db", db_url, *FAST_OPTIONS, *options]


def run_crawl(registry: Path, db_url: str, *options: str, timeout: float = 120) -> CrawlRun:
    completed = subprocess.run(
        crawl_command(registry, db_url, *options),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CrawlRun(completed.returncode, completed.stdout, completed.stderr, db_url)


def rules(record: dict[str, Any]) -> list[str]:
    return sorted(finding["rule"] for finding in record["findings"])


def observation(db_url: str, url: str) -> dict[str, Any]:
    """The stored observation row of a URL in the newest run (columns the results record leaves out)."""
    from sdg_tags.repository.schema import observations
    from sdg_tags.repository.store import Repository
    from sqlalchemy import select

    with Repository(db_url) as repository, repository.engine.connect() as conn:
        row = (
            conn.execute(
                select(observations).where(observations.c.url == url).order_by(observations.c.id.desc())
            )
            .mappings()
            .first()
        )
        assert row is not None, f"no observation of {url}"
        return dict(row)

"""The checkout as the packaging and one-source tests read it: the folders that install as `sdg_tags.<folder>`."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (
    "cli",
    "crawler",
    "demo",
    "fetcher",
    "rendering",
    "reports",
    "repository",
    "taxonomy",
    "validators",
    "web",
)


def package_sources() -> dict[str, str]:
    """Every Python file of the package (the folders and sdg_tags/), by path relative to the checkout."""
    found = {}
    for folder in (*FOLDERS, "sdg_tags"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            found[path.relative_to(PROJECT_ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return found

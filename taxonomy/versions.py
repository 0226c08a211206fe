"""Versions of the code lists, recorded with each run and finding so results can be traced to the data.

The lists of fixed editions are named by their edition (`nuts:2024`). The annexes change by amendment, and a
page is checked against them as in force on its check date (SPEC §5.7): an annex's version is the date of its
latest change in force then (`annex1:2026-05-20` from 20 May 2026, `annex1:2024-06-29` a month before).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

CODE_LIST_VERSIONS: dict[str, str] = {
    "countries": "eea:2020",
    "iso3166": "iso3166-1",
    "iso639": "iso639-1",
    "nuts": "nuts:2024",
    "lau": "lau:2020",
}
ANNEXES = ("annex1", "annex2", "annex3")


@lru_cache(maxsize=64)
def annex_version(annex: str, as_of: date | None) -> str:
    """`annex1:2024-06-29`: the annex as in force on `as_of`, named by its latest change in force then (None:
    every change the shipped lists know)."""
    from sdg_tags.taxonomy import annexes

    dates = {
        "annex1": lambda: [item.applies_from for item in annexes.annex1_items()],
        "annex2": lambda: [item.applies_from for item in annexes.annex2_items()],
        "annex3": lambda: [service.applies_from for service in annexes.assistance_services()],
    }[annex]()
    in_force = [applies_from for applies_from in dates if as_of is None or applies_from <= as_of]
    return f"{annex}:{max(in_force, default=min(dates)).isoformat()}"


def code_list_versions(as_of: date | None) -> dict[str, str]:
    """Every code list's version for a check on `as_of` (what a run records)."""
    return {**{annex: annex_version(annex, as_of) for annex in ANNEXES}, **CODE_LIST_VERSIONS}

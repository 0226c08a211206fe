"""Versions of the code lists, recorded with each run and finding so results can be traced to the data."""

from __future__ import annotations

CODE_LIST_VERSIONS: dict[str, str] = {
    "annex1": "annex1:2018",
    "annex2": "annex2:2018",
    "annex3": "annex3:2018",
    "countries": "eea:2020",
    "iso3166": "iso3166-1",
    "iso639": "iso639-1",
    "nuts": "nuts:2024",
    "lau": "lau:2020",
}

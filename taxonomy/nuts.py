"""NUTS regions (2016, 2021, 2024) and the statistical regions (SR) of EFTA and candidate countries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sdg_tags.taxonomy import sources

NUTS_VERSIONS: tuple[str, ...] = ("2016", "2021", "2024")
NUTS_LATEST = "2024"


@dataclass(frozen=True, slots=True)
class NutsRegion:
    """One NUTS or SR code with every version it is valid in; `country` is the NUTS prefix (EL for Greece)."""

    code: str
    classification: str  # "NUTS" | "SR"
    level: int
    country: str
    label: str | None
    versions: tuple[str, ...]
    extra_regio: bool


@dataclass(frozen=True, slots=True)
class NutsStatus:
    """Whether a code is valid in the latest version, with a message for people."""

    region: NutsRegion
    current: bool
    message: str


@dataclass(frozen=True, slots=True)
class _NutsTables:
    entries: tuple[NutsRegion, ...]  # sorted by code, then classification
    by_code: dict[str, NutsRegion]  # the preferred entry when a code is both NUTS and SR
    entries_by_code: dict[str, tuple[NutsRegion, ...]]
    successors: dict[str, tuple[str, ...]]


def _preference(region: NutsRegion) -> tuple[str, bool]:
    # A code that is NUTS 2016 and SR 2021/2024 (CH0, NO081) is described by its newest entry; ties -> NUTS.
    return (region.versions[-1], region.classification == "NUTS")


@cache
def _tables() -> _NutsTables:
    entries = []
    by_code: dict[str, NutsRegion] = {}
    successors: dict[str, tuple[str, ...]] = {}
    for classification, code, level, country, label, versions, extra_regio, later in sources.read_tsv_rows(
        sources.PACKAGE_DATA_DIR / sources.NUTS_FILE
    ):
        region = NutsRegion(
            code,
            classification,
            int(level),
            country,
            label or None,
            tuple(versions.split(",")),
            extra_regio == "1",
        )
        entries.append(region)
        known = by_code.get(code)
        if known is None or _preference(region) > _preference(known):
            by_code[code] = region
            successors[code] = tuple(later.split(",")) if later else ()
    entries_by_code: dict[str, tuple[NutsRegion, ...]] = {}
    for region in entries:
        entries_by_code[region.code] = (*entries_by_code.get(region.code, ()), region)
    return _NutsTables(tuple(entries), by_code, entries_by_code, successors)


def nuts_region(code: str) -> NutsRegion | None:
    """The region with exactly this (upper-case) code in any version, NUTS or SR; the newest entry wins."""
    return _tables().by_code.get(code)


def nuts_region_entries(code: str) -> tuple[NutsRegion, ...]:
    """Every entry of a code: two when it is NUTS in one version and SR in another (CH0: NUTS 2016, SR 2024)."""
    return _tables().entries_by_code.get(code, ())


def nuts_regions(
    version: str | None = None,
    level: int | None = None,
    country: str | None = None,
    classification: str | None = None,
) -> list[NutsRegion]:
    """Entries matching all given filters, sorted by code (then NUTS before SR)."""
    return [
        region
        for region in _tables().entries
        if (version is None or version in region.versions)
        and (level is None or region.level == level)
        and (country is None or region.country == country)
        and (classification is None or region.classification == classification)
    ]


def successors(code: str) -> tuple[str, ...]:
    """For a code not valid in the latest version: its latest-version successors (JRC correspondence tables,
    2016 -> 2021 -> 2024, overlaps under 1 % of area and population ignored), sorted; () if none or current."""
    return _tables().successors.get(code, ())


def _versions_text(versions: tuple[str, ...]) -> str:
    if len(versions) == 1:
        return f"only in {versions[0]}"
    return f"in {', '.join(versions[:-1])} and {versions[-1]}"


def nuts_status(code: str) -> NutsStatus | None:
    """Status of a code: current when valid in the latest version; else which versions and what replaced it."""
    region = nuts_region(code)
    if region is None:
        return None
    if NUTS_LATEST in region.versions:
        return NutsStatus(region, True, f"valid in {NUTS_LATEST}")
    later = successors(code)
    replaced = f"replaced by {', '.join(later)}" if later else f"no known successor in {NUTS_LATEST}"
    return NutsStatus(region, False, f"valid {_versions_text(region.versions)} ({replaced})")


def load() -> None:
    """Force the NUTS table into memory."""
    _tables()

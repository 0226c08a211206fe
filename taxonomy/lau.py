"""Local administrative units (LAU 2019 and 2020), keyed by country and national code."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

from sdg_tags.taxonomy import sources

LAU_VINTAGES: tuple[str, ...] = ("2019", "2020")
# The GISCO / Eurostat "EU LAU code" form used in `DC.Location`: country, underscore, national code.
GISCO_FORM = re.compile(r"^([A-Za-z]{2})_([A-Za-z0-9]+)$")


@dataclass(frozen=True, slots=True)
class LauUnit:
    """A LAU with its latest national name and the NUTS 3 region it belonged to in each vintage."""

    country: str
    code: str
    name: str
    nuts3: tuple[tuple[str, str], ...]  # ((vintage, NUTS 3 code), ...)
    vintages: tuple[str, ...]

    @property
    def gisco_id(self) -> str:
        return f"{self.country}_{self.code}"


@dataclass(frozen=True, slots=True)
class _LauTables:
    # gisco id -> its whole shipped line ("gisco_id\tname\tnuts3\tvintages"). ~100,000 units: building objects
    # or tuples for all of them would take most of the 0.3 s load budget, so only C-speed bulk operations run
    # at load time and a LauUnit is made on lookup from its line.
    lines: dict[str, str]
    countries: tuple[str, ...]


@cache
def _tables() -> _LauTables:
    with gzip.open(sources.PACKAGE_DATA_DIR / sources.LAU_FILE, "rb") as stream:
        lines = stream.read().decode("utf-8").split("\n")[1:]
    if lines and not lines[-1]:
        lines.pop()
    keys = [line[: line.find("\t")] for line in lines]
    return _LauTables(
        dict(zip(keys, lines, strict=True)), tuple(sorted(set(map(itemgetter(slice(0, 2)), keys))))
    )


def lau_unit(country: str, code: str) -> LauUnit | None:
    """The unit with exactly this country (EL for Greece) and national code (leading zeros kept: `001001`)."""
    line = _tables().lines.get(f"{country}_{code}")
    if line is None:
        return None
    _, name, nuts3, vintages = line.split("\t")
    pairs = tuple((pair[:4], pair[5:]) for pair in nuts3.split(",")) if nuts3 else ()
    return LauUnit(country, code, name, pairs, tuple(vintages.split(",")))


def countries_with_lau_code(code: str) -> tuple[str, ...]:
    """Countries that have a LAU with this national code, sorted (`21001` -> AT, BE, ES, FR)."""
    tables = _tables()
    # ~35 dictionary probes; cheaper overall than building a per-code index for 100,000 units at load time.
    return tuple(country for country in tables.countries if f"{country}_{code}" in tables.lines)


def lau_countries() -> tuple[str, ...]:
    """Countries present in the LAU table, sorted."""
    return _tables().countries


def load() -> None:
    """Force the LAU table into memory."""
    _tables()

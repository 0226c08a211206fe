"""Local administrative units (LAU 2019 and 2020), keyed by country and national code."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache

from taxonomy import sources

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
    # gisco id -> "name\tnuts3\tvintages": ~100,000 units; building objects for all of them would take most of
    # the load budget, so a LauUnit is made on lookup from this raw text.
    raw: dict[str, str]
    countries_by_code: dict[str, tuple[str, ...]]
    countries: tuple[str, ...]


@cache
def _tables() -> _LauTables:
    with gzip.open(sources.PACKAGE_DATA_DIR / sources.LAU_FILE, "rb") as stream:
        text = stream.read().decode("utf-8")
    raw: dict[str, str] = {}
    countries_by_code: dict[str, list[str]] = {}
    for line in text.split("\n")[1:]:
        if not line:
            continue
        country, code, rest = line.split("\t", 2)
        raw[f"{country}_{code}"] = rest
        # Rows are sorted by country, so each list comes out sorted.
        countries_by_code.setdefault(code, []).append(country)
    return _LauTables(
        raw,
        {code: tuple(countries) for code, countries in countries_by_code.items()},
        tuple(sorted({gisco[:2] for gisco in raw})),
    )


def lau_unit(country: str, code: str) -> LauUnit | None:
    """The unit with exactly this country (EL for Greece) and national code (leading zeros kept: `001001`)."""
    rest = _tables().raw.get(f"{country}_{code}")
    if rest is None:
        return None
    name, nuts3, vintages = rest.split("\t")
    pairs = tuple(tuple(pair.split(":", 1)) for pair in nuts3.split(",")) if nuts3 else ()
    return LauUnit(country, code, name, pairs, tuple(vintages.split(",")))  # type: ignore[arg-type]


def countries_with_lau_code(code: str) -> tuple[str, ...]:
    """Countries that have a LAU with this national code, sorted (`21001` -> AT, BE, ES, FR)."""
    return _tables().countries_by_code.get(code, ())


def lau_countries() -> tuple[str, ...]:
    """Countries present in the LAU table, sorted."""
    return _tables().countries


def load() -> None:
    """Force the LAU table into memory."""
    _tables()

"""EEA countries as written in `DC.ISO3166` (EU convention: `EL` for Greece) and the ISO 3166-1 list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from sdg_tags.taxonomy import sources

# Greece: ISO 3166-1 says GR, the EU convention (and IR 2020/1121 Annex I) writes EL in the tags.
GREECE_TAG = "EL"
GREECE_ISO = "GR"

# ISO 3166-1 reserves UK for the United Kingdom and the EU writes it that way; not in the ISO list proper.
EU_CONVENTION_EXTRA = {"UK": ("GB", "United Kingdom")}


@dataclass(frozen=True, slots=True)
class Country:
    """A country: the code as written in tags, its ISO 3166-1 alpha-2 code, English name, EEA group."""

    code: str
    iso_alpha2: str
    name: str
    group: str  # "EU" | "EEA-EFTA" | "non-EEA"


@dataclass(frozen=True, slots=True)
class CountryLookup:
    """What a `DC.ISO3166` value is; `code` is the input stripped and upper-cased."""

    kind: Literal["eea", "greece-iso", "non-eea", "unknown"]
    code: str
    country: Country | None


@cache
def _eea_by_code() -> dict[str, Country]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.EEA_COUNTRIES_FILE)
    return {code: Country(code, iso, name, group) for code, iso, name, group in rows}


@cache
def _iso_by_code() -> dict[str, Country]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.ISO3166_FILE)
    countries = {code: Country(code, code, name, "non-EEA") for code, name in rows}
    for code, (iso, name) in EU_CONVENTION_EXTRA.items():
        countries[code] = Country(code, iso, name, "non-EEA")
    return countries


def eea_countries() -> list[Country]:
    """The 30 EEA countries (EU-27 + IS, LI, NO), sorted by tag code."""
    return sorted(_eea_by_code().values(), key=lambda country: country.code)


def eea_country(code: str) -> Country | None:
    """The EEA country with exactly this tag code (case-sensitive: `EL` -> Greece; `GR`, `se` -> None)."""
    return _eea_by_code().get(code)


def iso_countries() -> list[Country]:
    """All 249 ISO 3166-1 alpha-2 countries (EEA members with their ISO code, group as for any non-EEA)."""
    return sorted(
        (c for code, c in _iso_by_code().items() if code not in EU_CONVENTION_EXTRA), key=lambda c: c.code
    )


def classify_country(code: str) -> CountryLookup:
    """Classify a country code, case-insensitively: EEA tag code, `GR` (Greece, ISO form), another real
    country (non-EEA, incl. `UK`), or unknown (`EU`, `XX`)."""
    normalized = code.strip().upper()
    eea = _eea_by_code()
    country = eea.get(normalized)
    if country is not None:
        return CountryLookup("eea", normalized, country)
    if normalized == eea["EL"].iso_alpha2:
        return CountryLookup("greece-iso", normalized, eea["EL"])
    other = _iso_by_code().get(normalized)
    if other is not None:
        return CountryLookup("non-eea", normalized, other)
    return CountryLookup("unknown", normalized, None)


def load() -> None:
    """Force the country tables into memory."""
    _eea_by_code()
    _iso_by_code()


def tag_code(code: str) -> str:
    """A two-letter country code as gateway tags write it: `EL` for ISO's `GR`, any other code unchanged."""
    return GREECE_TAG if code == GREECE_ISO else code

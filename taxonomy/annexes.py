"""SDGR Annex I items, Annex II procedures and Annex III / Art 7 assistance services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sdg_tags.taxonomy import sources

SERVICE_TYPES: tuple[str, ...] = ("information", "procedure", "assistance")
# Typographic quotes and apostrophes people paste from word processors -> their ASCII forms.
_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
    }
)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Annex1Item:
    """An SDGR Annex I information item (`C2`); `audience` is `citizens` (A-I) or `businesses` (J-Q)."""

    code: str
    area_code: str
    area_title: str
    title: str
    audience: str


@dataclass(frozen=True, slots=True)
class Annex2Item:
    """An SDGR Annex II procedure (`X1`); `legacy_title` is the draft-era meaning of the code, when known."""

    code: str
    life_event_code: str
    life_event: str
    title: str
    expected_output: str
    legacy_title: str | None


@dataclass(frozen=True, slots=True)
class AssistanceService:
    """A known assistance service (SDGR Annex III or EU-level under Art 7)."""

    name: str
    basis: str
    source: str


def normalize_title(text: str) -> str:
    """Normalised form for comparing titles: quotes unified, whitespace collapsed, case-folded."""
    return _WHITESPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


@cache
def _annex1() -> dict[str, Annex1Item]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.ANNEX1_FILE)
    return {row[0]: Annex1Item(*row) for row in rows}


@cache
def _annex2() -> dict[str, Annex2Item]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.ANNEX2_FILE)
    return {row[0]: Annex2Item(*row[:5], row[5] or None) for row in rows}


@cache
def _services() -> dict[str, AssistanceService]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.ANNEX3_FILE)
    return {normalize_title(row[0]): AssistanceService(*row) for row in rows}


def annex1_item(code: str) -> Annex1Item | None:
    """The Annex I item with exactly this code (`C2`; `c2` and `C02` -> None)."""
    return _annex1().get(code)


def annex1_items() -> list[Annex1Item]:
    """The 88 Annex I items in regulation order."""
    return list(_annex1().values())


def annex1_areas() -> dict[str, str]:
    """The 17 Annex I areas, area code -> title (`A` -> `Travel within the Union`), in order."""
    return {item.area_code: item.area_title for item in _annex1().values()}


def annex2_item(code: str) -> Annex2Item | None:
    """The Annex II procedure with exactly this code (`X1`)."""
    return _annex2().get(code)


def annex2_items() -> list[Annex2Item]:
    """The 21 Annex II procedures in regulation order."""
    return list(_annex2().values())


def annex2_life_events() -> dict[str, str]:
    """The 7 Annex II life events, code -> title (`R` -> `Birth`), in order."""
    return {item.life_event_code: item.life_event for item in _annex2().values()}


def assistance_service(name: str) -> AssistanceService | None:
    """The known service with this name, compared after `normalize_title` (case, quotes, whitespace)."""
    return _services().get(normalize_title(name))


def assistance_services() -> list[AssistanceService]:
    """The 16 known assistance services: 7 of Annex III, then 9 EU-level ones (Art 7)."""
    return list(_services().values())


def load() -> None:
    """Force the annex tables into memory."""
    _annex1()
    _annex2()
    _services()

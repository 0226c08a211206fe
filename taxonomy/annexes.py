"""SDGR Annex I items, Annex II procedures and Annex III / Art 7 assistance services.

Every code carries the act that introduced it and the date from which it applies (SPEC §5.7). The lookups take
`as_of`: the lists in force on that date; None (the default) means every code the shipped lists know, whatever
its date. Validation passes its check date (`ValidationOptions.as_of`, today when unset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
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


# What `taxonomy lookup` and the findings say of an Annex II code whose label could not be confirmed (SPEC §5.7).
LABEL_NOT_CONFIRMED = "label not confirmed"


def today() -> date:
    """The check date when none is given: today in UTC, the same on every machine of a distributed crawl."""
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class Annex1Item:
    """An SDGR Annex I information item (`C2`, `AJ1`); `audience` is `citizens` (A-I) or `businesses` (J-AJ);
    `act` introduced it (`Reg 2024/1252`), and it applies from `applies_from`."""

    code: str
    area_code: str
    area_title: str
    title: str
    audience: str
    act: str
    applies_from: date

    def in_force(self, as_of: date | None) -> bool:
        return as_of is None or self.applies_from <= as_of


@dataclass(frozen=True, slots=True)
class Annex2Item:
    """An SDGR Annex II procedure code (`X1`); `legacy_title` is the draft-era meaning of the code, when known.

    Codes of the Commission's procedure code list whose label could not be confirmed have an empty `title` and
    `label_source` None (`note` says what is known); they are valid codes, but no title rule applies to them.
    """

    code: str
    life_event_code: str
    life_event: str
    title: str
    expected_output: str
    legacy_title: str | None
    act: str
    applies_from: date
    label_source: str | None
    note: str | None

    @property
    def label_confirmed(self) -> bool:
        return self.label_source is not None

    def in_force(self, as_of: date | None) -> bool:
        return as_of is None or self.applies_from <= as_of


@dataclass(frozen=True, slots=True)
class AssistanceService:
    """A known assistance service (SDGR Annex III or EU-level under Art 7); `note` marks an older name."""

    name: str
    basis: str
    source: str
    act: str
    applies_from: date
    note: str | None


def normalize_title(text: str) -> str:
    """Normalised form for comparing titles: quotes unified, whitespace collapsed, case-folded."""
    return _WHITESPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


@cache
def _annex1() -> dict[str, Annex1Item]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.ANNEX1_FILE)
    return {row[0]: Annex1Item(*row[:6], date.fromisoformat(row[6])) for row in rows}


@cache
def _annex2() -> dict[str, Annex2Item]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.ANNEX2_FILE)
    return {
        row[0]: Annex2Item(
            *row[:5], row[5] or None, row[6], date.fromisoformat(row[7]), row[8] or None, row[9] or None
        )
        for row in rows
    }


@cache
def _services() -> dict[str, AssistanceService]:
    rows = sources.read_tsv_rows(sources.PACKAGE_DATA_DIR / sources.ANNEX3_FILE)
    return {
        normalize_title(row[0]): AssistanceService(*row[:4], date.fromisoformat(row[4]), row[5] or None)
        for row in rows
    }


def annex1_item(code: str, as_of: date | None = None) -> Annex1Item | None:
    """The Annex I item with exactly this code (`C2`; `c2` and `C02` -> None), if in force on `as_of`."""
    item = _annex1().get(code)
    return item if item is not None and item.in_force(as_of) else None


def annex1_items(as_of: date | None = None) -> list[Annex1Item]:
    """The Annex I items in regulation order (98 known: the 88 of 2018, N4, R1-R4, AJ1-AJ5)."""
    return [item for item in _annex1().values() if item.in_force(as_of)]


def annex1_areas(as_of: date | None = None) -> dict[str, str]:
    """The Annex I areas, area code -> title (`A` -> `Travel within the Union`), in order (17 of 2018, R, AJ)."""
    return {item.area_code: item.area_title for item in annex1_items(as_of)}


def annex2_item(code: str, as_of: date | None = None) -> Annex2Item | None:
    """The Annex II procedure with exactly this code (`X1`), if in force on `as_of`."""
    item = _annex2().get(code)
    return item if item is not None and item.in_force(as_of) else None


def annex2_items(as_of: date | None = None) -> list[Annex2Item]:
    """The Annex II procedure codes: the 21 of 2018 (R1-X6), then those of the procedure code list."""
    return [item for item in _annex2().values() if item.in_force(as_of)]


def annex2_life_events(as_of: date | None = None) -> dict[str, str]:
    """The Annex II life events, code -> title (`R` -> `Birth`; empty when not confirmed), in order."""
    events: dict[str, str] = {}
    for item in annex2_items(as_of):
        events.setdefault(item.life_event_code, item.life_event)
    return events


def assistance_service(name: str) -> AssistanceService | None:
    """The known service with this name, compared after `normalize_title` (case, quotes, whitespace)."""
    return _services().get(normalize_title(name))


def assistance_services() -> list[AssistanceService]:
    """The 19 known assistance services: 7 of Annex III as adopted, 9 EU-level ones (Art 7), then Annex III
    points (7)-(9) as amended. Names only give hints (free text is valid), so they are not filtered by date."""
    return list(_services().values())


def load() -> None:
    """Force the annex tables into memory."""
    _annex1()
    _annex2()
    _services()

"""ISO 639-1 languages, ISO 639-2 mapping, English names and a fast BCP 47 splitter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sdg_tags.taxonomy import sources

# The 24 official EU languages (Regulation No 1/1958 as amended).
EU_OFFICIAL_LANGUAGES = frozenset(
    "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()
)
# Languages of gateway pages: EU official plus those of the EEA-EFTA states (Icelandic, Norwegian forms).
GATEWAY_LANGUAGES = EU_OFFICIAL_LANGUAGES | {"is", "no", "nb", "nn"}
# Withdrawn ISO 639-1 codes -> their replacements; not valid in tags (SPEC §3.3).
DEPRECATED_639_1: dict[str, str] = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
# English names that ISO spells differently ("Modern Greek (1453-)", "Panjabi") but people write.
EXTRA_NAMES = {"greek": "el", "punjabi": "pa", "pashto": "ps", "uyghur": "ug", "kyrgyz": "ky", "gaelic": "gd"}

# BCP 47 (RFC 5646) langtag, simplified to what gateway pages carry: language[-extlang][-script][-region]
# [-variant]*[-extension]*[-privateuse]; plus the private-use-only and grandfathered forms are rejected.
_BCP47 = re.compile(
    r"^(?P<primary>[A-Za-z]{2,3}|[A-Za-z]{5,8})"
    r"(?:-[A-Za-z]{3}){0,3}"
    r"(?:-(?P<script>[A-Za-z]{4}))?"
    r"(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?$"
)
_LOOSE_TAG = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Language:
    """An ISO 639-1 language; `gateway` = EU official or an EEA-EFTA language (is, no, nb, nn)."""

    code: str
    name: str
    eu_official: bool
    gateway: bool


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """A split BCP 47 tag: primary subtag lower-cased, script title-cased, region upper-cased."""

    tag: str
    primary: str
    script: str | None
    region: str | None
    well_formed: bool


@dataclass(frozen=True, slots=True)
class _LanguageTables:
    by_code: dict[str, Language]
    by_alpha3: dict[str, str]
    by_name: dict[str, str]


@cache
def _tables() -> _LanguageTables:
    by_code: dict[str, Language] = {}
    by_alpha3: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for code, terminology, bibliographic, name in sources.read_tsv_rows(
        sources.PACKAGE_DATA_DIR / sources.ISO639_FILE
    ):
        by_code[code] = Language(code, name, code in EU_OFFICIAL_LANGUAGES, code in GATEWAY_LANGUAGES)
        for alpha3 in (terminology, bibliographic):
            if alpha3:
                by_alpha3[alpha3] = code
        # "Modern Greek (1453-)" -> also "modern greek"; "Spanish; Castilian" -> both names.
        for part in name.split(";"):
            for variant in (part, part.split("(")[0]):
                by_name.setdefault(" ".join(variant.split()).casefold(), code)
    for name, code in EXTRA_NAMES.items():
        by_name.setdefault(name, code)
    return _LanguageTables(by_code, by_alpha3, by_name)


def iso639_1(code: str) -> Language | None:
    """The current ISO 639-1 language with exactly this lower-case code (deprecated codes -> None)."""
    return _tables().by_code.get(code)


def all_languages() -> list[Language]:
    """The 184 current ISO 639-1 languages, sorted by code."""
    return sorted(_tables().by_code.values(), key=lambda language: language.code)


def from_iso639_2(code3: str) -> str | None:
    """ISO 639-1 code for an ISO 639-2 code (B or T form, any case): `eng` -> `en`, `ger`/`deu` -> `de`."""
    return _tables().by_alpha3.get(code3.strip().lower())


def language_code_for_name(name: str) -> str | None:
    """ISO 639-1 code for an English language name, case-insensitively: `Swedish` -> `sv`."""
    return _tables().by_name.get(" ".join(name.split()).casefold())


def parse_bcp47(tag: str) -> LanguageTag | None:
    """Split a BCP 47 tag (`en-GB`, `sr-Latn`); None when it is not a hyphen-separated tag at all (`de_AT`,
    empty). `well_formed` is False for a hyphenated tag that breaks the RFC 5646 grammar (`en-GB-x`)."""
    stripped = tag.strip()
    match = _BCP47.match(stripped)
    if match:
        script = match.group("script")
        region = match.group("region")
        return LanguageTag(
            stripped,
            match.group("primary").lower(),
            script.title() if script else None,
            region.upper() if region else None,
            True,
        )
    if not _LOOSE_TAG.match(stripped):
        return None
    return LanguageTag(stripped, stripped.split("-", 1)[0].lower(), None, None, False)


def load() -> None:
    """Force the language tables into memory."""
    _tables()

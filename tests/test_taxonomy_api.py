"""Lookups of the shipped reference tables: exact counts and the edge cases the validator relies on."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sdg_tags.taxonomy import (
    CODE_LIST_VERSIONS,
    DEPRECATED_639_1,
    GISCO_FORM,
    LAU_VINTAGES,
    NUTS_LATEST,
    NUTS_VERSIONS,
    SERVICE_TYPES,
    code_list_versions,
)

from sdg_tags import taxonomy

# --- Annexes -----------------------------------------------------------------------------------------------


def test_annex1_has_98_items_88_of_2018_with_the_regulations_per_area_counts() -> None:
    items = taxonomy.annex1_items()
    assert len(items) == 98
    counts = Counter(item.area_code for item in items)
    assert counts == {
        "A": 5, "B": 9, "C": 5, "D": 6, "E": 4, "F": 6, "G": 5, "H": 7, "I": 1,
        "J": 11, "K": 5, "L": 5, "M": 9, "N": 4, "O": 3, "P": 3, "Q": 1, "R": 4, "AJ": 5,
    }  # fmt: skip
    assert [item.code for item in items[:6]] == ["A1", "A2", "A3", "A4", "A5", "B1"]
    assert Counter(item.audience for item in items) == {"citizens": 48, "businesses": 50}
    original = taxonomy.annex1_items(date(2024, 1, 1))
    assert len(original) == 88
    assert {item.act for item in original} == {"Reg 2018/1724"}
    assert {item.applies_from for item in original} == {date(2020, 12, 12)}


def test_annex1_areas_in_order_r_and_aj_added() -> None:
    areas = taxonomy.annex1_areas()
    assert list(areas) == [*"ABCDEFGHIJKLMNOPQR", "AJ"]
    assert areas["A"] == "Travel within the Union"
    assert areas["R"] == "Net-zero technology manufacturing projects"
    assert areas["AJ"] == "Critical raw materials projects"
    assert list(taxonomy.annex1_areas(date(2024, 5, 23))) == [*"ABCDEFGHIJKLMNOPQ", "AJ"]


@pytest.mark.parametrize(("code", "found"), [("C2", True), ("J10", True), ("J11", True), ("Q1", True),
                                             ("N4", True), ("R4", True), ("AJ1", True), ("AJ5", True),
                                             ("J01", False), ("c2", False), ("C02", False), ("J12", False),
                                             ("aj1", False), ("AJ01", False), ("AJ6", False), ("R5", False),
                                             ("C", False), (" C2", False), ("", False)])  # fmt: skip
def test_annex1_item_is_exact(code: str, found: bool) -> None:
    assert (taxonomy.annex1_item(code) is not None) is found


def test_annex1_item_fields() -> None:
    item = taxonomy.annex1_item("C2")
    assert item == taxonomy.Annex1Item(
        "C2",
        "C",
        "Vehicles in the Union",
        "acquiring and renewing a driving licence",
        "citizens",
        "Reg 2018/1724",
        date(2020, 12, 12),
    )


@pytest.mark.parametrize(
    ("code", "act", "start", "title"),
    [
        (
            "N4",
            "Reg 2024/1028",
            date(2026, 5, 20),
            "information on rules governing the provision of short-term accommodation rental services, including "
            "the lists referred to in Article 13 of Regulation (EU) 2024/1028 of the European Parliament and of the "
            "Council",
        ),
        ("R1", "Reg 2024/1735", date(2024, 6, 29), "information on the permit-granting process"),
        ("R2", "Reg 2024/1735", date(2024, 6, 29), "financing and investment services"),
        (
            "R4",
            "Reg 2024/1735",
            date(2024, 6, 29),
            "business support services, including but not limited to corporate tax declaration, local tax laws, "
            "labour law",
        ),
        (
            "AJ1",
            "Reg 2024/1252",
            date(2024, 5, 23),
            "the single points of contact established or designated pursuant to Article 9(1) of Regulation (EU) "
            "2024/1252 of the European Parliament and of the Council",
        ),
        ("AJ2", "Reg 2024/1252", date(2024, 5, 23), "information on the permit-granting process"),
    ],
)
def test_amended_annex1_items_carry_their_act_and_date(code: str, act: str, start: date, title: str) -> None:
    item = taxonomy.annex1_item(code)
    assert item is not None
    assert (item.title, item.act, item.applies_from, item.audience) == (title, act, start, "businesses")
    assert taxonomy.annex1_item(code, start) == item
    assert taxonomy.annex1_item(code, start - timedelta(days=1)) is None


def test_annex2_has_the_21_procedures_of_2018_then_the_procedure_code_list() -> None:
    items = taxonomy.annex2_items()
    assert [item.code for item in items] == [
        "R1", "S1", "T1", "T2", "T3", "U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4", "W1", "W2",
        "X1", "X2", "X3", "X4", "X5", "X6", "V5", "X7", "X9", "X10", "X11", "AK1", "AL1", "AM1",
    ]  # fmt: skip
    assert [item.code for item in taxonomy.annex2_items(date(2023, 9, 23))][-1] == "X6"
    assert len(taxonomy.annex2_items(date(2023, 9, 24))) == 23
    assert taxonomy.annex2_life_events(date(2024, 1, 1)) == {
        "R": "Birth",
        "S": "Residence",
        "T": "Studying",
        "U": "Working",
        "V": "Moving",
        "W": "Retiring",
        "X": "Starting, running and closing a business",
    }
    assert list(taxonomy.annex2_life_events())[-3:] == ["AK", "AL", "AM"]


@pytest.mark.parametrize(
    ("code", "title", "act", "start"),
    [
        ("X10", "Notification of a data intermediation services provider", "Reg 2022/868", date(2023, 9, 24)),
        (
            "X11",
            "Registration as a data altruism organisation recognised in the Union",
            "Reg 2022/868",
            date(2023, 9, 24),
        ),
        ("V5", "", "OOTS Procedures-CodeList 1.2.5/2.0.1 (introducing act not confirmed)", date(2026, 2, 19)),
        ("X7", "", "OOTS Procedures-CodeList 1.2.5/2.0.1 (introducing act not confirmed)", date(2026, 2, 19)),
        (
            "AM1",
            "",
            "OOTS Procedures-CodeList 1.2.5/2.0.1 (introducing act not confirmed)",
            date(2026, 2, 19),
        ),
    ],
)
def test_procedure_code_list_codes_carry_label_status_act_and_date(
    code: str, title: str, act: str, start: date
) -> None:
    item = taxonomy.annex2_item(code)
    assert item is not None
    assert (item.title, item.act, item.applies_from) == (title, act, start)
    assert item.label_confirmed is bool(title)
    assert (item.label_source is None) is (not title)
    assert taxonomy.annex2_item(code, start - timedelta(days=1)) is None


def test_original_annex2_codes_keep_their_meaning_and_source() -> None:
    birth = taxonomy.annex2_item("R1")
    assert birth is not None
    assert birth.title == "Requesting proof of registration of birth"
    assert (birth.act, birth.applies_from, birth.label_confirmed) == (
        "Reg 2018/1724",
        date(2020, 12, 12),
        True,
    )
    # R1 is also Annex I (net-zero): both lists answer.
    assert taxonomy.annex1_item("R1") is not None


def test_annex2_legacy_titles_only_for_the_four_documented_codes() -> None:
    legacy = {item.code for item in taxonomy.annex2_items() if item.legacy_title is not None}
    assert legacy == {"U1", "U2", "W1", "X2"}
    w1 = taxonomy.annex2_item("W1")
    assert w1 is not None
    assert w1.title.startswith("Claiming pension")
    assert w1.legacy_title is not None and w1.legacy_title.startswith(
        "General registration of business activity"
    )
    assert taxonomy.annex2_item("X1") is not None
    assert taxonomy.annex2_item("X1").legacy_title is None  # type: ignore[union-attr]
    assert taxonomy.annex2_item("X8") is None
    assert taxonomy.annex2_item("x1") is None


def test_nineteen_assistance_services_ten_from_annex_iii() -> None:
    services = taxonomy.assistance_services()
    assert len(services) == 19
    assert Counter(service.source for service in services) == {
        "Reg 2018/1724 Annex III": 7,
        "Reg 2018/1724 Art 7 / EU-level": 9,
        "Reg 2018/1724 Annex III (7), replaced by Reg 2024/3228": 1,
        "Reg 2018/1724 Annex III (8), added by Reg 2024/1735": 1,
        "Reg 2018/1724 Annex III (9), added by Reg 2024/1252": 1,
    }
    assert services[0].name == "Points of single contact"
    odr = taxonomy.assistance_service("Online dispute resolution (ODR)")
    assert odr is not None and odr.note is not None and "older name" in odr.note
    adr = taxonomy.assistance_service("Alternative dispute resolution entities")
    assert adr is not None and (adr.act, adr.applies_from) == ("Reg 2024/3228", date(2025, 1, 19))


@pytest.mark.parametrize(
    "name",
    [
        "Product Contact Points for Construction",
        "product contact points for construction",
        "  Product   contact\tpoints for construction ",
        "PRODUCT CONTACT POINTS FOR CONSTRUCTION",
    ],
)
def test_assistance_service_matching_ignores_case_and_whitespace(name: str) -> None:
    service = taxonomy.assistance_service(name)
    assert service is not None
    assert service.name == "Product contact points for construction"
    assert service.basis == "Regulation (EU) No 305/2011"


def test_assistance_service_unknown_and_partial_names() -> None:
    assert taxonomy.assistance_service("Product contact points for") is None
    assert taxonomy.assistance_service("Tax advice hotline") is None
    assert taxonomy.assistance_service("") is None


def test_normalize_title_unifies_quotes() -> None:
    assert taxonomy.normalize_title("  Citizens\u2019 \u201cRights\u201d\n") == 'citizens\' "rights"'
    assert taxonomy.normalize_title("A\u00a0B") == "a b"


def test_service_types_and_versions() -> None:
    assert SERVICE_TYPES == ("information", "procedure", "assistance")
    assert CODE_LIST_VERSIONS["nuts"] == "nuts:2024"
    assert CODE_LIST_VERSIONS["lau"] == "lau:2020"
    assert len(CODE_LIST_VERSIONS) == 5


def test_an_annex_is_versioned_by_its_latest_change_in_force() -> None:
    assert code_list_versions(date(2019, 1, 1))["annex1"] == "annex1:2020-12-12"  # before any applied
    assert code_list_versions(date(2024, 6, 1))["annex1"] == "annex1:2024-05-23"  # AJ (Reg 2024/1252)
    assert code_list_versions(date(2026, 4, 1))["annex1"] == "annex1:2024-06-29"  # R (Reg 2024/1735)
    assert code_list_versions(date(2026, 5, 20))["annex1"] == "annex1:2026-05-20"  # N4 (Reg 2024/1028)
    assert code_list_versions(date(2024, 6, 1))["annex2"] == "annex2:2023-09-24"  # Reg 2022/868
    assert code_list_versions(date(2026, 4, 1))["annex3"] == "annex3:2025-01-19"  # Reg 2024/3228
    versions = code_list_versions(None)
    assert list(versions) == ["annex1", "annex2", "annex3", "countries", "iso3166", "iso639", "nuts", "lau"]
    assert versions["nuts"] == "nuts:2024"


# --- Countries ---------------------------------------------------------------------------------------------


def test_thirty_eea_countries_sorted() -> None:
    countries = taxonomy.eea_countries()
    assert len(countries) == 30
    assert [c.code for c in countries] == sorted(c.code for c in countries)
    assert Counter(c.group for c in countries) == {"EU": 27, "EEA-EFTA": 3}
    assert {c.code for c in countries if c.group == "EEA-EFTA"} == {"IS", "LI", "NO"}


def test_eea_country_is_exact_and_uses_el_for_greece() -> None:
    greece = taxonomy.eea_country("EL")
    assert greece == taxonomy.Country("EL", "GR", "Greece", "EU")
    assert taxonomy.eea_country("GR") is None
    assert taxonomy.eea_country("se") is None
    assert taxonomy.eea_country("SE") == taxonomy.Country("SE", "SE", "Sweden", "EU")
    assert taxonomy.eea_country("UK") is None
    assert taxonomy.eea_country("CH") is None


@pytest.mark.parametrize(
    ("value", "kind", "code", "country_code", "name"),
    [
        ("SE", "eea", "SE", "SE", "Sweden"),
        (" se ", "eea", "SE", "SE", "Sweden"),
        ("EL", "eea", "EL", "EL", "Greece"),
        ("GR", "greece-iso", "GR", "EL", "Greece"),
        ("gr", "greece-iso", "GR", "EL", "Greece"),
        ("CH", "non-eea", "CH", "CH", "Switzerland"),
        ("GB", "non-eea", "GB", "GB", "United Kingdom"),
        ("UK", "non-eea", "UK", "UK", "United Kingdom"),
        ("SV", "non-eea", "SV", "SV", "El Salvador"),
        ("EU", "unknown", "EU", None, None),
        ("XX", "unknown", "XX", None, None),
        ("", "unknown", "", None, None),
    ],
)
def test_classify_country(
    value: str, kind: str, code: str, country_code: str | None, name: str | None
) -> None:
    found = taxonomy.classify_country(value)
    assert found.kind == kind
    assert found.code == code
    assert (found.country.code if found.country else None) == country_code
    assert (found.country.name if found.country else None) == name
    if kind == "non-eea":
        assert found.country is not None and found.country.group == "non-EEA"


def test_iso_country_list_has_249_codes() -> None:
    countries = taxonomy.iso_countries()
    assert len(countries) == 249
    assert "GR" in {c.code for c in countries}
    assert "UK" not in {c.code for c in countries}


# --- Languages ---------------------------------------------------------------------------------------------


def test_184_iso639_1_languages() -> None:
    languages = taxonomy.all_languages()
    assert len(languages) == 184
    assert [lang.code for lang in languages] == sorted(lang.code for lang in languages)
    assert sum(lang.eu_official for lang in languages) == 24
    assert {lang.code for lang in languages if lang.gateway and not lang.eu_official} == {
        "is",
        "no",
        "nb",
        "nn",
    }


def test_iso639_1_is_exact_and_rejects_deprecated_codes() -> None:
    assert taxonomy.iso639_1("sv") == taxonomy.Language("sv", "Swedish", True, True)
    assert taxonomy.iso639_1("SV") is None
    assert taxonomy.iso639_1("swe") is None
    for old, new in DEPRECATED_639_1.items():
        assert taxonomy.iso639_1(old) is None
        assert taxonomy.iso639_1(new) is not None
    assert DEPRECATED_639_1 == {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


@pytest.mark.parametrize(
    ("code3", "code"),
    [("eng", "en"), ("ger", "de"), ("deu", "de"), ("swe", "sv"), ("GRE", "el"), ("ell", "el"), ("fre", "fr"),
     ("fra", "fr"), ("xxx", None), ("haw", None), ("", None)],
)  # fmt: skip
def test_from_iso639_2(code3: str, code: str | None) -> None:
    assert taxonomy.from_iso639_2(code3) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [("english", "en"), ("Swedish", "sv"), ("  GERMAN ", "de"), ("Greek", "el"), ("Modern Greek", "el"),
     ("Norwegian Bokmål", "nb"), ("Klingon", None), ("", None)],
)  # fmt: skip
def test_language_code_for_name(name: str, code: str | None) -> None:
    assert taxonomy.language_code_for_name(name) == code


@pytest.mark.parametrize(
    ("tag", "primary", "script", "region", "well_formed"),
    [
        ("en", "en", None, None, True),
        ("en-GB", "en", None, "GB", True),
        ("EN-gb", "en", None, "GB", True),
        ("sr-Latn", "sr", "Latn", None, True),
        ("zh-Hant-TW", "zh", "Hant", "TW", True),
        ("es-419", "es", None, "419", True),
        ("de-CH-1901", "de", None, "CH", True),
        ("en-GB-x", "en", None, None, False),
        ("e", "e", None, None, False),
    ],
)
def test_parse_bcp47(
    tag: str, primary: str, script: str | None, region: str | None, well_formed: bool
) -> None:
    parsed = taxonomy.parse_bcp47(tag)
    assert parsed == taxonomy.LanguageTag(tag, primary, script, region, well_formed)


@pytest.mark.parametrize("tag", ["de_AT", "", "  ", "en GB", "en-", "-en", "fr;en"])
def test_parse_bcp47_rejects_non_tags(tag: str) -> None:
    assert taxonomy.parse_bcp47(tag) is None


# --- NUTS --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("classification", "version", "levels"),
    [
        ("NUTS", "2024", (27, 119, 271, 1192)),
        ("NUTS", "2021", (27, 119, 269, 1193)),
        ("NUTS", "2016", (31, 107, 297, 1395)),
        ("SR", "2024", (0, 43, 94, 329)),
        ("SR", "2021", (0, 30, 60, 178)),
    ],
)
def test_nuts_level_counts_per_version(classification: str, version: str, levels: tuple[int, ...]) -> None:
    counts = tuple(
        len(taxonomy.nuts_regions(version=version, level=level, classification=classification))
        for level in range(4)
    )
    assert counts == levels


def test_nuts_entries_total_matches_the_reference_rows() -> None:
    # 5,781 (classification, version, code) rows in the reference nuts_codes.csv.
    assert sum(len(region.versions) for region in taxonomy.nuts_regions()) == 5781
    assert sum(r.extra_regio for r in taxonomy.nuts_regions(version="2024", classification="NUTS")) == 81
    assert all(not r.extra_regio for r in taxonomy.nuts_regions(version="2016"))
    assert all(r.label is None for r in taxonomy.nuts_regions(version="2016") if r.versions == ("2016",))


def test_be1_is_valid_in_all_versions() -> None:
    region = taxonomy.nuts_region("BE1")
    assert region == taxonomy.NutsRegion(
        "BE1",
        "NUTS",
        1,
        "BE",
        "Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest",
        NUTS_VERSIONS,
        False,
    )
    status = taxonomy.nuts_status("BE1")
    assert status is not None and status.current and status.message == "valid in 2024"
    assert taxonomy.successors("BE1") == ()
    assert NUTS_LATEST == "2024"


def test_nuts_lookup_is_exact_upper_case() -> None:
    assert taxonomy.nuts_region("be1") is None
    assert taxonomy.nuts_region("BE9") is None
    assert taxonomy.nuts_status("BE9") is None
    assert taxonomy.nuts_region("EL30") is not None and taxonomy.nuts_region("EL30").country == "EL"  # type: ignore[union-attr]
    assert taxonomy.nuts_region("GR30") is None


def test_code_valid_only_in_2021_with_its_successors() -> None:
    region = taxonomy.nuts_region("NO074")
    assert region is not None
    assert (region.classification, region.level, region.versions) == ("SR", 3, ("2021",))
    assert taxonomy.successors("NO074") == ("NO072", "NO073")
    status = taxonomy.nuts_status("NO074")
    assert status is not None
    assert not status.current
    assert status.message == "valid only in 2021 (replaced by NO072, NO073)"


def test_code_of_2016_and_2021_replaced_in_2024() -> None:
    status = taxonomy.nuts_status("DEG0F")
    assert status is not None
    assert status.region.versions == ("2016", "2021")
    assert status.message == "valid in 2016 and 2021 (replaced by DEG0T)"


def test_code_only_in_2016_follows_two_correspondence_steps() -> None:
    assert taxonomy.successors("HR04") == ("HR02", "HR05", "HR06")
    assert taxonomy.nuts_status("HR04").message == "valid only in 2016 (replaced by HR02, HR05, HR06)"  # type: ignore[union-attr]
    # United Kingdom codes left NUTS in 2021: no successor.
    assert taxonomy.successors("UKC1") == ()
    assert taxonomy.nuts_status("UKC1").message == "valid only in 2016 (no known successor in 2024)"  # type: ignore[union-attr]


def test_slivers_of_the_jrc_overlay_are_not_successors() -> None:
    # CH055 (2016) overlaps CH057 by 5 km2 / 5 people in the JRC tables; CH055 is still valid (as SR).
    assert taxonomy.successors("CH055") == ()
    assert taxonomy.successors("BE325") == ("BE329", "BE32A", "BE32C")


def test_code_that_is_nuts_2016_and_sr_later_prefers_the_current_entry() -> None:
    entries = taxonomy.nuts_region_entries("NO07")
    assert [(e.classification, e.versions) for e in entries] == [
        ("NUTS", ("2016",)),
        ("SR", ("2021", "2024")),
    ]
    assert taxonomy.nuts_region("NO07") == entries[1]
    assert taxonomy.nuts_status("NO07").current  # type: ignore[union-attr]


def test_extra_regio_codes() -> None:
    assert [taxonomy.nuts_region(code).extra_regio for code in ("BEZ", "BEZZ", "BEZZZ")] == [True, True, True]  # type: ignore[union-attr]
    assert taxonomy.nuts_region("BE1").extra_regio is False  # type: ignore[union-attr]


def test_nuts_regions_filters() -> None:
    belgium_1 = taxonomy.nuts_regions(version="2024", level=1, country="BE")
    assert [r.code for r in belgium_1] == ["BE1", "BE2", "BE3", "BEZ"]
    assert taxonomy.nuts_regions(version="2024", country="GR") == []
    assert len(taxonomy.nuts_regions(version="2024", level=0, country="EL")) == 1


# --- LAU ---------------------------------------------------------------------------------------------------


def test_lau_keeps_leading_zeros() -> None:
    unit = taxonomy.lau_unit("IT", "001001")
    assert unit == taxonomy.LauUnit(
        "IT", "001001", "Agliè", (("2019", "ITC11"), ("2020", "ITC11")), LAU_VINTAGES
    )
    assert unit is not None and unit.gisco_id == "IT_001001"
    assert taxonomy.lau_unit("IT", "1001") is None


def test_same_lau_code_in_several_countries() -> None:
    assert taxonomy.countries_with_lau_code("21001") == ("AT", "BE", "ES", "FR")
    anderlecht = taxonomy.lau_unit("BE", "21001")
    assert anderlecht is not None and anderlecht.name == "Anderlecht"
    assert taxonomy.lau_unit("AT", "21001").name == "Albeck"  # type: ignore[union-attr]
    assert taxonomy.countries_with_lau_code("no-such-code") == ()


def test_lau_units_of_one_vintage_and_alphanumeric_codes() -> None:
    uk = taxonomy.lau_unit("UK", "E06000001")
    assert uk is not None and uk.vintages == ("2020",)
    dutch = taxonomy.lau_unit("NL", "GM0363")
    assert dutch is not None and dutch.name == "Amsterdam"
    greek = [c for c in taxonomy.lau_countries() if c in {"EL", "GR"}]
    assert greek == ["EL"]


def test_lau_countries() -> None:
    countries = taxonomy.lau_countries()
    assert len(countries) == 35
    assert countries == tuple(sorted(countries))
    assert {"AT", "CH", "EL", "UK", "NO", "IS", "LI"} <= set(countries)


@pytest.mark.parametrize(
    ("value", "groups"),
    [("BE_21001", ("BE", "21001")), ("nl_GM0363", ("nl", "GM0363")), ("BE21001", None), ("BE_", None),
     ("B_21001", None), ("BE_21001_1", None), ("BE_2100 1", None)],
)  # fmt: skip
def test_gisco_form(value: str, groups: tuple[str, str] | None) -> None:
    match = GISCO_FORM.match(value)
    assert (match.groups() if match else None) == groups


# --- Loading -----------------------------------------------------------------------------------------------


def test_load_all_and_lookups_return_the_same_cached_tables() -> None:
    taxonomy.load_all()
    assert taxonomy.annex1_items() == taxonomy.annex1_items()
    assert taxonomy.nuts_region("BE1") is taxonomy.nuts_region("BE1")


@pytest.mark.slow
def test_importing_taxonomy_imports_no_heavy_package() -> None:
    script = (
        "import sys; from sdg_tags import taxonomy; taxonomy.load_all(); taxonomy.parse_bcp47('en-GB'); "
        "print(','.join(m for m in ('scrapy', 'sqlalchemy', 'extruct', 'pycountry', 'openpyxl', 'langcodes') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


# --- Arbitrary input never crashes -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_lookups_accept_any_text(text: str) -> None:
    parsed = taxonomy.parse_bcp47(text)
    if parsed is not None:
        assert parsed.primary == parsed.primary.lower()
        assert "_" not in text and " " not in text.strip()
    assert taxonomy.classify_country(text).code == text.strip().upper()
    taxonomy.eea_country(text)
    taxonomy.iso639_1(text)
    taxonomy.from_iso639_2(text)
    taxonomy.language_code_for_name(text)
    taxonomy.nuts_status(text)
    taxonomy.successors(text)
    taxonomy.lau_unit(text[:2], text[2:])
    taxonomy.countries_with_lau_code(text)
    taxonomy.annex1_item(text)
    taxonomy.annex2_item(text)
    taxonomy.assistance_service(text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\A[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?\Z"))
def test_parse_bcp47_accepts_language_script_region(tag: str) -> None:
    parsed = taxonomy.parse_bcp47(tag)
    assert parsed is not None and parsed.well_formed
    assert parsed.primary == tag.split("-")[0]


def test_greece_is_el_in_tags_wherever_a_code_is_written() -> None:
    from sdg_tags.taxonomy.countries import tag_code

    assert [tag_code(code) for code in ("GR", "EL", "BE", "gr")] == ["EL", "EL", "BE", "gr"]

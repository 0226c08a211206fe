"""Group C rules (country, DC.ISO3166): one finding per root cause, the SPEC's real-world examples, options."""

from __future__ import annotations

import pytest
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.models import PageResult, ValidationOptions
from sdg_tags.validators.rules import RULES

from tests.pages import TAG_LINE, VALID_TAGS, only, page, rule_ids, with_tags

COUNTRY_LINE = TAG_LINE + 1


def check_country(
    content: str | None, *, url: str | None = None, lang: str = "en", **options: object
) -> PageResult:
    tags = [("sdg-tag", "sdg"), ("DC.ISO3166", content), *VALID_TAGS[2:]]
    return check_page(page(tags, lang=lang), url=url, options=ValidationOptions(**options))


@pytest.mark.parametrize("code", ["SE", "EL", "NO", "IS", "LI", "DE"])
def test_eea_codes_are_valid(code: str) -> None:
    assert check_country(code).findings == []


# --- country-missing ---------------------------------------------------------------------------------------


def test_country_absent() -> None:
    result = check_page(page(with_tags(DC_ISO3166=None)), url="https://www.example.se/page")
    assert rule_ids(result) == {"country-missing"}
    finding = only(result, "country-missing")
    assert (finding.tag, finding.line, finding.expected) == ("DC.ISO3166", None, "SE")


@pytest.mark.parametrize(
    ("content", "words"), [("", "is empty"), (None, "has no content attribute"), (" ", "is empty")]
)
def test_country_empty_is_missing(content: str | None, words: str) -> None:
    result = check_country(content)
    assert rule_ids(result) == {"country-missing"}
    finding = only(result, "country-missing")
    assert finding.line == COUNTRY_LINE
    assert words in finding.message


def test_expected_country_option_wins_over_the_domain() -> None:
    result = check_page(
        page(with_tags(DC_ISO3166=None)),
        url="https://www.example.se/",
        options=ValidationOptions(expected_country="fi"),
    )
    assert only(result, "country-missing").expected == "FI"


# --- country-invalid ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected", "words"),
    [
        ("Sweden", "SE", "is a country name"),
        ("SWE", "SE", "three-letter (alpha-3) code"),
        ("GRC", "EL", "three-letter (alpha-3) code"),
        ("ES-CT", "ES", "subdivision code (ISO 3166-2)"),
        ("S3", None, "is not a two-letter country code"),
    ],
)
def test_country_invalid(content: str, expected: str | None, words: str) -> None:
    result = check_country(content)
    assert rule_ids(result) == {"country-invalid"}
    finding = only(result, "country-invalid")
    assert (finding.item, finding.value, finding.expected, finding.line) == (
        0,
        content,
        expected,
        COUNTRY_LINE,
    )
    assert words in finding.message
    assert finding.code_list == "iso3166-1"


# --- country-case ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["se", "Se", "el"], ids=["seen: konsumentverket.se se", "Se", "el"])
def test_country_case(content: str) -> None:
    result = check_country(content)
    assert rule_ids(result) == {"country-case"}
    finding = only(result, "country-case")
    assert (finding.normalized, finding.expected, finding.severity) == (
        content.upper(),
        content.upper(),
        "warning",
    )
    assert finding.code_list == "eea:2020"
    assert result.verdict == "compliant-with-warnings"


# --- country-gr-instead-of-el ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["GR", "gr", "Gr"], ids=["seen: pilot engine GR", "gr", "Gr"])
def test_gr_instead_of_el_only(content: str) -> None:
    result = check_country(content)
    # Not also country-not-eea, nor country-case for the lower-case forms.
    assert rule_ids(result) == {"country-gr-instead-of-el"}
    finding = only(result, "country-gr-instead-of-el")
    assert (finding.value, finding.expected, finding.line) == (content, "EL", COUNTRY_LINE)
    assert finding.message == f"DC.ISO3166 {content!r} is the ISO code for Greece; gateway tags use 'EL'"


# --- country-not-eea ---------------------------------------------------------------------------------------


def test_en_on_gov_gr_looks_like_a_language_code() -> None:
    result = check_country("en", url="https://www.gov.gr/en/sdg/page")
    assert rule_ids(result) == {"country-not-eea"}
    finding = only(result, "country-not-eea")
    assert (finding.value, finding.normalized, finding.expected) == ("en", "EN", "EL")
    assert "looks like a language code (English)" in finding.message
    assert "looks like a language code" in finding.hint


def test_en_on_duo_nl() -> None:
    finding = only(check_country("en", url="https://duo.nl/particulier/"), "country-not-eea")
    assert finding.expected == "NL"


def test_sv_on_jordbruksverket_is_el_salvador_or_swedish() -> None:
    finding = only(check_country("SV", url="https://jordbruksverket.se/x", lang="sv"), "country-not-eea")
    assert "looks like a language code (Swedish)" in finding.message
    assert "El Salvador" in finding.message
    assert finding.expected == "SE"


@pytest.mark.parametrize("content", ["EN", "SV"], ids=["portal UI language EN", "portal UI language SV"])
def test_portal_copying_its_ui_language(content: str) -> None:
    result = check_country(content)
    assert rule_ids(result) == {"country-not-eea"}
    assert "looks like a language code" in only(result, "country-not-eea").message


def test_eu_is_not_a_country() -> None:
    result = check_country("EU")
    assert rule_ids(result) == {"country-not-eea"}
    finding = only(result, "country-not-eea")
    assert "'EU' is not a country code" in finding.message
    assert "language" not in finding.message  # eu is also Basque's code; not the likely reading here


def test_eu_allowed_by_option() -> None:
    assert check_country("EU", allow_country_eu=True).findings == []
    assert rule_ids(check_country("eu", allow_country_eu=True)) == {"country-case"}


def test_uk_is_the_united_kingdom_not_ukrainian() -> None:
    finding = only(check_country("UK"), "country-not-eea")
    assert finding.message == "DC.ISO3166 'UK' is the code of United Kingdom, which is not in the EEA"


@pytest.mark.parametrize(
    ("content", "words"), [("CH", "Switzerland"), ("XX", "not an ISO 3166-1 country code")]
)
def test_other_two_letter_codes(content: str, words: str) -> None:
    result = check_country(content)
    assert rule_ids(result) == {"country-not-eea"}
    assert words in only(result, "country-not-eea").message


# --- country-multiple --------------------------------------------------------------------------------------


def test_several_countries() -> None:
    result = check_country("BE;NL")
    assert rule_ids(result) == {"country-multiple"}
    finding = only(result, "country-multiple")
    assert (finding.item, finding.normalized, finding.severity) == (1, "BE;NL", "info")
    assert result.verdict == "compliant"


def test_repeated_country_is_a_duplicate_item_not_multiple() -> None:
    assert rule_ids(check_country("BE;BE")) == {"value-duplicate-item"}


def test_each_item_is_classified() -> None:
    result = check_country("se;GR;Sweden")
    assert rule_ids(result) == {
        "country-case",
        "country-gr-instead-of-el",
        "country-invalid",
        "country-multiple",
    }
    assert [(f.rule, f.item) for f in result.findings if f.rule != "country-multiple"] == [
        ("country-case", 0),
        ("country-gr-instead-of-el", 1),
        ("country-invalid", 2),
    ]


def test_group_c_metadata() -> None:
    expected = {
        "country-missing": ("error", "IR 2020/1121 Art 2(3)(a), Annex I", "Add the provider's country"),
        "country-invalid": ("error", "IR 2020/1121 Annex I; ISO 3166-1", "Two-letter code"),
        "country-case": ("warning", "IR 2020/1121 Annex I", "Upper case"),
        "country-gr-instead-of-el": ("error", "IR 2020/1121 Annex I (EL for Greece)", "`EL`"),
        "country-not-eea": (
            "error",
            "IR 2020/1121 Annex I; Guidance 2020 §tag table",
            "Provider's EEA country",
        ),
        "country-multiple": ("info", "IR 2020/1121 Annex I", "National pages carry one country"),
    }
    for rule_id, (severity, reference, hint) in expected.items():
        spec = RULES[rule_id]
        assert (spec.group, spec.severity, spec.reference, spec.hint) == ("C", severity, reference, hint)

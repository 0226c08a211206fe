"""Group D rules (DC.Location): each rule on pages that must and must not trigger it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.rules import RULES

from tests.pages import TAG_LINE, check, only, page, rule_ids, with_tags

LOCATION_LINE = TAG_LINE + 5  # after the five tags of VALID_TAGS


def located(location: str, country: str = "BE", **changes: str | None) -> list[tuple[str, str | None]]:
    return with_tags(**{"DC_ISO3166": country, "DC_Location": location, **changes})


def test_spec_example_1_is_compliant() -> None:
    """SPEC §3.5 example 1: French information page valid only in the Brussels region."""
    tags = [
        ("sdg-tag", "sdg"),
        ("DC.ISO3166", "BE"),
        ("DC.Location", "BE1"),
        ("DC.Service", "information"),
        ("policy-code", "C2"),
        ("DC.Policy", "acquiring and renewing a driving licence"),
    ]
    head = '<link rel="canonical" href="https://www.example.be/permis-de-conduire">'
    result = check_page(page(tags, lang="fr", head_extra=head))
    assert (result.verdict, result.findings) == ("compliant", [])


@pytest.mark.parametrize(
    ("location", "country"),
    [
        ("BE1", "BE"),
        ("BE10", "BE"),
        ("NL32B", "NL"),  # NL329 of the SPEC text is NUTS 2021; 2024 split it
        ("EL30", "EL"),
        ("IS001", "IS"),  # statistical region of an EEA-EFTA country
        ("LI000", "LI"),
        ("NO081", "NO"),
        ("BE_21001", "BE"),
        ("NL_GM0363", "NL"),
        ("IT_001001", "IT"),
        ("BE1;BE_21001", "BE"),
    ],
)
def test_valid_locations_have_no_finding(location: str, country: str) -> None:
    assert check(located(location, country)).findings == []


# --- location-invalid --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location", ["Stockholm", "Region Stockholm", "Paris Lyon", "Île-de-France", "Bruxelles-Capitale", "BE-1"]
)
def test_region_names_instead_of_codes(location: str) -> None:
    """SPEC §6.2 seen: region names instead of codes (pilot engine)."""
    result = check(located(location, "SE" if "Stockholm" in location else "BE"))
    assert rule_ids(result) == {"location-invalid"}
    finding = only(result, "location-invalid")
    assert (finding.tag, finding.item, finding.value, finding.line) == (
        "DC.Location",
        0,
        location,
        LOCATION_LINE,
    )
    assert finding.severity == "error"


@pytest.mark.parametrize(
    ("location", "country", "code"),
    [("Sample Location", "BE", None), ("Västra Götaland", "SE", "SE232"), ("Stockholm", "SE", "SE11")],
)
def test_place_name_with_spaces_is_one_invalid_item(location: str, country: str, code: str | None) -> None:
    """SPEC §6.2 location-invalid: inner spaces, no `;`: one item, a place name; no separator finding."""
    result = check(located(location, country))
    assert rule_ids(result) == {"location-invalid"}
    finding = only(result, "location-invalid")
    assert (finding.item, finding.value, finding.expected) == (0, location, code)
    assert "place name" in finding.message
    assert finding.hint is not None and finding.hint.startswith("Use the code")
    if code:
        assert f"`{code}`" in finding.hint


def test_lower_case_words_are_a_name_not_codes_joined_by_spaces() -> None:
    result = check(located("ile de france", "FR"))
    assert rule_ids(result) == {"location-invalid"}
    assert only(result, "location-invalid").value == "ile de france"


def test_codes_joined_by_spaces_are_still_a_separator_finding() -> None:
    result = check(located("BE1 BE2"))
    assert rule_ids(result) == {"value-separator"}


def test_bare_lau_code_without_exactly_one_country() -> None:
    result = check(located("21001", "BE;FR"))
    assert rule_ids(result) == {"location-invalid", "country-multiple"}
    finding = only(result, "location-invalid")
    assert "AT, BE, ES, FR" in finding.message
    assert finding.expected is None


def test_bare_lau_code_when_bare_form_is_switched_off() -> None:
    result = check(located("21001"), lau_forms=("prefixed",))
    assert rule_ids(result) == {"location-invalid"}
    assert "SDG_LAU_FORMS" in only(result, "location-invalid").message


def test_prefixed_lau_code_when_prefixed_form_is_switched_off() -> None:
    result = check(located("BE_21001"), lau_forms=("bare",))
    assert rule_ids(result) == {"location-invalid"}


def test_greek_lau_code_prefixed_gr() -> None:
    result = check(located("GR_01010101", "EL"))
    finding = only(result, "location-invalid")
    assert finding.expected == "EL_01010101"


# --- location-unknown --------------------------------------------------------------------------------------


def test_language_code_as_location() -> None:
    """SPEC §6.2 seen: `sv` (jordbruksverket.se)."""
    result = check(located("sv", "SE"), lang="sv")
    assert rule_ids(result) == {"location-unknown"}
    finding = only(result, "location-unknown")
    assert (finding.item, finding.value, finding.code_list) == (0, "sv", "nuts:2024")
    assert "language code" in finding.message


@pytest.mark.parametrize(("location", "expected"), [("BE9", None), ("BE1X", None), ("GR30", "EL30")])
def test_nuts_shaped_codes_in_no_version(location: str, expected: str | None) -> None:
    country = "EL" if location.startswith("GR") else "BE"
    result = check(located(location, country))
    assert rule_ids(result) == {"location-unknown"}
    assert only(result, "location-unknown").expected == expected


# --- location-lau-unknown ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("location", "normalized"), [("BE_99999", "BE_99999"), ("99999", "BE_99999")])
def test_lau_code_not_in_the_shipped_vintages(location: str, normalized: str) -> None:
    result = check(located(location))
    assert rule_ids(result) == {"location-lau-unknown"}
    finding = only(result, "location-lau-unknown")
    assert (finding.severity, finding.value, finding.normalized) == ("warning", location, normalized)
    assert "LAU 2019 or 2020" in finding.message and "BE" in finding.message
    assert finding.code_list == "lau:2020"


# --- location-lau-unprefixed -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "country", "expected"),
    [
        ("21001", "BE", "BE_21001"),
        ("0114", "SE", "SE_0114"),
        ("gm0363", "NL", "NL_GM0363"),
        ("21001", "gr", None),
    ],
)
def test_bare_lau_code_resolved_through_the_country(
    location: str, country: str, expected: str | None
) -> None:
    if expected is None:
        # Greece written GR (country-gr-instead-of-el) still resolves the country: no LAU 21001 there.
        assert "location-lau-unprefixed" not in rule_ids(check(located(location, country)))
        return
    result = check(located(location, country))
    assert rule_ids(result) == {"location-lau-unprefixed"}
    finding = only(result, "location-lau-unprefixed")
    assert (finding.severity, finding.value, finding.expected) == ("info", location, expected)


def test_prefixed_lau_code_is_not_unprefixed() -> None:
    assert "location-lau-unprefixed" not in rule_ids(check(located("BE_21001")))


# --- location-country-mismatch -----------------------------------------------------------------------------


@pytest.mark.parametrize(("location", "country"), [("FR101", "BE"), ("BE_21001", "FR"), ("NL32B", "BE")])
def test_location_in_another_country(location: str, country: str) -> None:
    result = check(located(location, country))
    assert rule_ids(result) == {"location-country-mismatch"}
    finding = only(result, "location-country-mismatch")
    assert (finding.value, finding.expected) == (location, country)
    assert finding.normalized == location[:2]


def test_el_and_gr_count_as_equal() -> None:
    result = check(located("EL30", "GR"))
    assert "location-country-mismatch" not in rule_ids(result)
    assert "country-gr-instead-of-el" in rule_ids(result)


@pytest.mark.parametrize("country", ["en", "SV", "UK", "Sweden"])
def test_no_mismatch_when_the_country_is_itself_not_an_eea_code(country: str) -> None:
    """SPEC §6.2: only when DC.ISO3166 is itself an EEA code; otherwise the country finding stands alone."""
    result = check(located("BE1", country))
    assert "location-country-mismatch" not in rule_ids(result)
    assert rule_ids(result) & {"country-not-eea", "country-invalid"}


def test_mismatch_with_an_eea_country() -> None:
    result = check(located("BE1", "SE"))
    assert rule_ids(result) == {"location-country-mismatch"}


def test_no_comparison_without_a_usable_country() -> None:
    assert "location-country-mismatch" not in rule_ids(check(located("FR101", "XX")))


# --- location-outdated-nuts-version ------------------------------------------------------------------------


def test_code_valid_only_in_an_older_version() -> None:
    result = check(located("NO011", "NO"))
    assert rule_ids(result) == {"location-outdated-nuts-version"}
    finding = only(result, "location-outdated-nuts-version")
    assert (finding.value, finding.normalized, finding.expected) == ("NO011", "NO011", "NO081")
    assert "NO081" in finding.hint and "2016" in finding.message


def test_outdated_code_with_several_successors_lists_them() -> None:
    finding = only(check(located("BE221")), "location-outdated-nuts-version")
    assert finding.expected is None
    assert "BE224, BE225" in finding.hint


def test_older_versions_accepted_by_configuration() -> None:
    assert check(located("NO011", "NO"), nuts_versions=("2016", "2021", "2024")).findings == []


def test_current_code_is_not_outdated() -> None:
    assert check(located("BE224")).findings == []


# --- location-country-level --------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["NL", "IT"])
def test_country_code_as_location(country: str) -> None:
    """SPEC §6.2 seen: `NL` (business.gov.nl, 142 records), `IT`."""
    result = check(located(country, country))
    assert rule_ids(result) == {"location-country-level"}
    finding = only(result, "location-country-level")
    assert (finding.severity, finding.value, finding.normalized, finding.expected) == (
        "warning",
        country,
        country,
        None,
    )


def test_country_level_location_of_another_country_is_one_finding() -> None:
    assert rule_ids(check(located("NL", "BE"))) == {"location-country-level"}


# --- location-extra-regio ----------------------------------------------------------------------------------


@pytest.mark.parametrize("location", ["BEZ", "BEZZ", "BEZZZ"])
def test_extra_regio_codes(location: str) -> None:
    result = check(located(location))
    assert rule_ids(result) == {"location-extra-regio"}
    assert only(result, "location-extra-regio").normalized == location


def test_real_region_is_not_extra_regio() -> None:
    assert "location-extra-regio" not in rule_ids(check(located("BE2")))


# --- location-case -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "expected"),
    [("be1", "BE1"), ("Be10", "BE10"), ("be_21001", "BE_21001"), ("nl_gm0363", "NL_GM0363")],
)
def test_valid_code_in_wrong_case(location: str, expected: str) -> None:
    country = expected[:2]
    result = check(located(location, country))
    assert rule_ids(result) == {"location-case"}
    finding = only(result, "location-case")
    assert (finding.value, finding.normalized, finding.expected) == (location, expected, expected)


def test_lower_case_outdated_code_gets_both_findings() -> None:
    assert rule_ids(check(located("no011", "NO"))) == {"location-case", "location-outdated-nuts-version"}


# --- several items and duplicates --------------------------------------------------------------------------


def test_each_item_is_checked_with_its_index() -> None:
    result = check(located("BE1;be2;BE9"))
    assert {(f.rule, f.item) for f in result.findings} == {("location-case", 1), ("location-unknown", 2)}


def test_duplicate_location_element_is_validated_too() -> None:
    result = check([*located("BE1"), ("DC.Location", "BEZ")])
    assert rule_ids(result) == {"tag-duplicate", "location-extra-regio"}
    assert only(result, "location-extra-regio").line == LOCATION_LINE + 1


def test_empty_location_is_only_tag_empty() -> None:
    assert rule_ids(check(located(""))) == {"tag-empty"}


# --- any value ---------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    location=st.lists(st.sampled_from([*"BEFRSLZbez0123456789_;:, -/", "GM", "21001"]), max_size=15).map(
        "".join
    ),
    country=st.sampled_from(["BE", "be", "GR", "EL", "BE;FR", "XX", "", "SE"]),
    forms=st.sampled_from([("prefixed", "bare"), ("prefixed",), ("bare",), ()]),
)
def test_any_location_value_gives_findings_not_errors(
    location: str, country: str, forms: tuple[str, ...]
) -> None:
    result = check(located(location, country), lau_forms=forms)
    assert result.verdict in {"compliant", "compliant-with-warnings", "non-compliant"}
    assert all(finding.rule in RULES for finding in result.findings)

"""Group G rules (assistance pages): each rule on pages that must and must not trigger it."""

from __future__ import annotations

import pytest
from sdg_tags.validators.rules.policy_items import match_service

from tests.pages import TAG_LINE, check, only, rule_ids, with_tags

C2_TITLE = "acquiring and renewing a driving licence"


def assistance(
    codes: str, service: str | None = "assistance", **changes: str | None
) -> list[tuple[str, str | None]]:
    return with_tags(**{"DC_Service": service, "policy_code": codes, "DC_Policy": None, **changes})


def test_spec_illustrative_assistance_page_is_compliant() -> None:
    """SPEC §3.5: the illustrative Swedish assistance page."""
    tags = [
        ("sdg-tag", "sdg"),
        ("DC.ISO3166", "SE"),
        ("DC.Service", "assistance"),
        ("policy-code", "Product contact points for construction"),
    ]
    result = check(tags, lang="sv")
    assert (result.verdict, result.findings) == ("compliant", [])


# --- assistance-title-missing ------------------------------------------------------------------------------


def test_assistance_page_without_a_title() -> None:
    result = check(assistance("CITIZENS"))
    assert rule_ids(result) == {"assistance-title-missing", "policy-code-unknown"}
    finding = only(result, "assistance-title-missing")
    assert (finding.tag, finding.severity, finding.line) == ("policy-code", "error", TAG_LINE + 3)
    assert finding.code_list == "annex3:2025-01-19"


def test_assistance_page_with_only_an_area_code_gets_both_group_g_findings() -> None:
    result = check(assistance("C2"))
    assert rule_ids(result) == {"assistance-title-missing", "assistance-has-area-code"}


def test_empty_policy_code_on_assistance_page_is_only_policy_code_missing() -> None:
    assert rule_ids(check(assistance(""))) == {"policy-code-missing"}


def test_assistance_page_with_a_title_is_fine() -> None:
    assert check(assistance("SOLVIT")).findings == []


# --- assistance-has-area-code ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "codes", ["Points of single contact;J1", "Points of single contact;j1", "Points of single contact;J"]
)
def test_assistance_only_page_with_area_codes(codes: str) -> None:
    result = check(assistance(codes))
    assert rule_ids(result) == {"assistance-has-area-code"}
    finding = only(result, "assistance-has-area-code")
    assert (finding.tag, finding.item, finding.expected) == ("policy-code", 1, "Points of single contact")
    assert codes.split(";")[1] in finding.message


def test_combined_information_assistance_page_may_carry_codes() -> None:
    """SPEC §4: `M1;Product contact points for construction` on an `information;assistance` page."""
    result = check(assistance("M1;Product contact points for construction", service="information;assistance"))
    assert rule_ids(result) == {"policy-name-missing"}


# --- assistance-title-unknown ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("PSC", "Points of single contact"),
        ("EEN", "Enterprise Europe Network"),
        ("EURES", "European Network of Employment Services (EURES)"),
        ("Point of single contacts", "Points of single contact"),
        ("Regional business helpdesk", None),
    ],
)
def test_titles_not_in_the_known_list(title: str, expected: str | None) -> None:
    result = check(assistance(title))
    assert rule_ids(result) == {"assistance-title-unknown"}
    finding = only(result, "assistance-title-unknown")
    assert (finding.severity, finding.item, finding.value, finding.expected) == ("info", 0, title, expected)
    assert finding.code_list == "annex3:2025-01-19"


def test_boverket_title_in_other_case_matches() -> None:
    """SPEC §6.2 seen: `Product Contact Points for Construction` (boverket.se) matches case-insensitively."""
    assert check(assistance("Product Contact Points for Construction")).findings == []


@pytest.mark.parametrize(
    "title",
    [
        "SOLVIT",
        "European Network of Employment Services",
        "Online dispute resolution (ODR)",
        "  points of single   contact ",
        "“Your Europe Advice”".strip("“”"),
    ],
)
def test_known_titles_have_no_finding(title: str) -> None:
    assert "assistance-title-unknown" not in rule_ids(check(assistance(title)))


def test_unknown_title_on_information_page_is_policy_code_unknown_instead() -> None:
    result = check(assistance("Regional business helpdesk;C2", service="information"))
    assert rule_ids(result) == {"policy-code-unknown", "policy-name-missing"}


def test_match_service_threshold() -> None:
    assert match_service("Point of single contacts", 0.85) is not None
    assert match_service("Point of single contacts", 0.99) is None


# --- assistance-title-without-type -------------------------------------------------------------------------


@pytest.mark.parametrize("codes", ["C2;SOLVIT", "C2;PSC"])
def test_known_title_without_assistance_type(codes: str) -> None:
    result = check(assistance(codes, service="information"))
    assert rule_ids(result) == {"assistance-title-without-type", "policy-name-missing"}
    finding = only(result, "assistance-title-without-type")
    assert (finding.tag, finding.expected, finding.line) == (
        "DC.Service",
        "information;assistance",
        TAG_LINE + 2,
    )


def test_known_title_with_missing_dc_service_is_only_service_type_missing() -> None:
    result = check(assistance("SOLVIT", service=None))
    assert rule_ids(result) == {"service-type-missing"}
    assert (result.page_types, result.page_types_inferred) == (["assistance"], True)


def test_known_title_with_assistance_type_is_fine() -> None:
    assert (
        check(
            assistance("C2;SOLVIT", service="information;assistance", DC_Policy=f"{C2_TITLE};SOLVIT")
        ).findings
        == []
    )


# --- Annex III as amended (SPEC §5.7) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Alternative dispute resolution entities",
        "Net-Zero Industry Act single points of contact",
        "critical raw materials act single points of contact",
    ],
)
def test_amended_annex_iii_points_are_known_titles(title: str) -> None:
    assert check(assistance(title)).findings == []
    result = check(assistance(title, service="information"))
    assert "assistance-title-without-type" in rule_ids(result)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Net-Zero Industry Act single point of contact", "Net-Zero Industry Act single points of contact"),
        (
            "Critical Raw Materials Act single point of contact",
            "Critical Raw Materials Act single points of contact",
        ),
        ("Alternative dispute resolution entity", "Alternative dispute resolution entities"),
    ],
)
def test_near_misses_of_the_new_points_get_the_title_as_hint(title: str, expected: str) -> None:
    finding = only(check(assistance(title)), "assistance-title-unknown")
    assert (finding.value, finding.expected) == (title, expected)
    assert finding.hint == f"Write the official title: `{expected}`"


def test_odr_stays_a_known_older_name_and_its_hint_says_so() -> None:
    assert check(assistance("Online dispute resolution (ODR)")).findings == []
    finding = only(check(assistance("ODR")), "assistance-title-unknown")
    assert finding.expected == "Online dispute resolution (ODR)"
    assert finding.hint == (
        "Write the full title: `Online dispute resolution (ODR)` (Online dispute resolution (ODR): Annex III (7) "
        "until replaced by Reg 2024/3228; kept as a known older name)"
    )

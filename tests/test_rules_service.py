"""Group E rules (DC.Service): each rule on pages that must and must not trigger it."""

from __future__ import annotations

import pytest

from tests.pages import TAG_LINE, check, only, rule_ids, with_tags

SERVICE_LINE = TAG_LINE + 2  # sdg-tag, DC.ISO3166, then DC.Service


# --- service-type-missing ----------------------------------------------------------------------------------


def test_absent_service_type() -> None:
    result = check(with_tags(DC_Service=None))
    assert rule_ids(result) == {"service-type-missing"}
    finding = only(result, "service-type-missing")
    assert (finding.tag, finding.severity, finding.line) == ("DC.Service", "error", None)
    assert "missing" in finding.message
    # The type is inferred from policy-code C2 and offered as the fix.
    assert (finding.expected, finding.type_inferred) == ("information", True)
    assert result.page_types == ["information"]


@pytest.mark.parametrize("content", ["", " ", ";;"])
def test_empty_service_type_says_empty(content: str) -> None:
    result = check(with_tags(DC_Service=content))
    assert rule_ids(result) == {"service-type-missing"}
    finding = only(result, "service-type-missing")
    assert "empty" in finding.message
    assert finding.line == SERVICE_LINE


def test_missing_type_without_any_inference_has_no_expected_value() -> None:
    result = check(with_tags(DC_Service=None, policy_code="12345", DC_Policy=None))
    finding = only(result, "service-type-missing")
    assert finding.expected is None
    assert result.page_types == []


def test_present_service_type_is_not_missing() -> None:
    assert check(with_tags()).findings == []


# --- service-type-invalid ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "keyword"),
    [
        ("p", "procedure"),  # hetcak.nl
        ("info", "information"),
        ("procedures", "procedure"),
        ("informatie", "information"),
        ("procédure", "procedure"),
        ("förfarande", "procedure"),
        ("Verfahren", "procedure"),
        ("informazioni", "information"),
        ("bijstand", "assistance"),
        ("assistence", "assistance"),
        ("database", "information"),
        ("Database", "information"),
        ("xyz", None),
    ],
)
def test_invalid_service_types_with_mapped_hint(written: str, keyword: str | None) -> None:
    result = check(with_tags(DC_Service=written))
    assert rule_ids(result) == {"service-type-invalid"}
    finding = only(result, "service-type-invalid")
    assert (finding.tag, finding.item, finding.value, finding.expected) == ("DC.Service", 0, written, keyword)
    assert finding.line == SERVICE_LINE
    if keyword is not None:
        assert f"`{keyword}`" in finding.hint


def test_hetcak_p_is_invalid_and_read_as_procedure() -> None:
    """SPEC §6.2 seen: `p` (hetcak.nl)."""
    finding = only(check(with_tags(DC_Service="p")), "service-type-invalid")
    assert finding.expected == "procedure"


def test_database_hint_says_it_is_a_registry_type() -> None:
    finding = only(check(with_tags(DC_Service="Database")), "service-type-invalid")
    assert "registry type" in finding.hint


def test_only_the_invalid_item_is_reported() -> None:
    result = check(with_tags(DC_Service="information;info"))
    assert rule_ids(result) == {"service-type-invalid"}
    assert only(result, "service-type-invalid").item == 1
    assert result.page_types == ["information"]


@pytest.mark.parametrize("written", ["information", "procedure", "assistance", "Information", "PROCEDURE"])
def test_keywords_in_any_case_are_not_invalid(written: str) -> None:
    assert "service-type-invalid" not in rule_ids(check(with_tags(DC_Service=written)))


# --- service-type-case -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "lower"), [("Information", "information"), ("PROCEDURE", "procedure")])
def test_keyword_not_in_lower_case(written: str, lower: str) -> None:
    """SPEC §6.2 seen: `Information` (170 crawl records; the registry itself stores it so)."""
    tags = with_tags(DC_Service=written, policy_code="J1;X1", DC_Policy=None)
    result = check(tags)
    finding = only(result, "service-type-case")
    assert (finding.item, finding.value, finding.normalized, finding.expected) == (0, written, lower, lower)
    assert finding.severity == "warning"
    assert result.page_types == [lower]
    assert result.page_types_inferred is False


def test_information_in_title_case_is_only_a_case_finding() -> None:
    result = check(with_tags(DC_Service="Information"))
    assert rule_ids(result) == {"service-type-case"}


def test_lower_case_keyword_is_not_a_case_finding() -> None:
    assert "service-type-case" not in rule_ids(check(with_tags(DC_Service="information")))


# --- duplicates --------------------------------------------------------------------------------------------


def test_duplicate_service_element_is_validated_too() -> None:
    result = check([*with_tags(), ("DC.Service", "info")])
    assert rule_ids(result) == {"tag-duplicate", "service-type-invalid"}
    finding = only(result, "service-type-invalid")
    assert (finding.value, finding.line) == ("info", TAG_LINE + 5)
    # The first element is the effective one: the type stays `information`, declared.
    assert (result.page_types, result.page_types_inferred) == (["information"], False)

"""Page types (SPEC §4): DC.Service, else the registry type, else inferred from policy-code."""

from __future__ import annotations

import pytest
from sdg_tags.validators.models import PageResult

from tests.pages import check, with_tags


def types_of(result: PageResult) -> tuple[list[str], bool]:
    return result.page_types, result.page_types_inferred


@pytest.mark.parametrize(
    ("service", "types"),
    [
        ("information", ["information"]),
        ("information;procedure", ["information", "procedure"]),
        ("Procedure", ["procedure"]),
        ("procedure;information;procedure", ["procedure", "information"]),
        ("assistance;p", ["assistance"]),
        ("information,procedure", ["information", "procedure"]),  # split on the wrong separator
    ],
)
def test_types_are_the_valid_dc_service_items(service: str, types: list[str]) -> None:
    result = check(with_tags(DC_Service=service, policy_code="C2;X1;SOLVIT", DC_Policy=None))
    assert types_of(result) == (types, False)


def test_registry_type_when_dc_service_is_missing() -> None:
    result = check(with_tags(DC_Service=None), registry_types=["Procedure", "Database"])
    assert types_of(result) == (["procedure"], True)


def test_registry_type_when_dc_service_is_unusable() -> None:
    result = check(with_tags(DC_Service="info"), registry_types=["Information"])
    assert types_of(result) == (["information"], True)


def test_dc_service_wins_over_the_registry() -> None:
    result = check(
        with_tags(DC_Service="assistance", policy_code="SOLVIT", DC_Policy=None),
        registry_types=["Information"],
    )
    assert types_of(result) == (["assistance"], False)


@pytest.mark.parametrize(
    ("codes", "types"),
    [
        ("C2", ["information"]),
        ("c2", ["information"]),
        ("A01", ["information"]),
        ("X1", ["procedure"]),
        ("J1;X1", ["information", "procedure"]),
        ("Points of single contact", ["assistance"]),
        ("M1;Product contact points for construction", ["information", "assistance"]),
        ("X1;SOLVIT;C2", ["information", "procedure", "assistance"]),
    ],
)
def test_types_inferred_from_policy_code(codes: str, types: list[str]) -> None:
    result = check(with_tags(DC_Service=None, policy_code=codes, DC_Policy=None))
    assert types_of(result) == (types, True)
    # Every finding on such a page says the type was inferred.
    assert result.findings and all(finding.type_inferred for finding in result.findings)


@pytest.mark.parametrize("codes", ["I", "12345", "a national helpdesk", "CITIZENS"])
def test_nothing_to_infer_from(codes: str) -> None:
    result = check(with_tags(DC_Service=None, policy_code=codes, DC_Policy=None))
    assert types_of(result) == ([], False)


def test_unusable_dc_service_falls_back_to_inference() -> None:
    result = check(with_tags(DC_Service="p", policy_code="X1", DC_Policy=None))
    assert types_of(result) == (["procedure"], True)
    assert {f.rule for f in result.findings} == {
        "service-type-invalid",
        "procedure-annex1-code-missing",
        "policy-name-missing",
    }


def test_combined_page_has_the_union_of_requirements() -> None:
    """SPEC §4: an `information;assistance` page may carry `M1;Product contact points for construction`."""
    tags = with_tags(
        DC_Service="information;assistance",
        policy_code="M1;Product contact points for construction",
        DC_Policy="obtaining CE marking;Product contact points for construction",
    )
    result = check(tags)
    assert types_of(result) == (["information", "assistance"], False)
    assert result.findings == []


def test_pages_without_sdg_tagging_have_no_types() -> None:
    result = check([("DC.Language", "en")])
    assert types_of(result) == ([], False)

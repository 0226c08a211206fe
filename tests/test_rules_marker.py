"""Group B rules (gateway marker `sdg-tag`): must and must not trigger, with the SPEC's real-world examples."""

from __future__ import annotations

import pytest
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.rules import RULES

from tests.pages import TAG_LINE, VALID_TAGS, only, page, rule_ids, with_tags


def test_valid_marker_gives_no_finding() -> None:
    assert check_page(page(VALID_TAGS)).findings == []


def test_absent_marker() -> None:
    result = check_page(page(with_tags(sdg_tag=None)))
    assert rule_ids(result) == {"sdg-marker-missing"}
    finding = only(result, "sdg-marker-missing")
    assert (finding.tag, finding.value, finding.expected, finding.line) == ("sdg-tag", None, "sdg", None)
    assert finding.severity == "error"
    assert result.verdict == "non-compliant"


@pytest.mark.parametrize(
    ("content", "words"),
    [("", "is empty ('')"), ("   ", "is empty"), (None, "has no content attribute"), (";", "is empty")],
    ids=["seen: 261 crawl records with an empty marker", "blank", "no content attribute", "only a separator"],
)
def test_empty_marker_is_missing_and_nothing_else(content: str | None, words: str) -> None:
    result = check_page(page([("sdg-tag", content), *VALID_TAGS[1:]]))
    assert rule_ids(result) == {"sdg-marker-missing"}
    finding = only(result, "sdg-marker-missing")
    assert (finding.line, finding.value, finding.expected) == (TAG_LINE, content, "sdg")
    assert words in finding.message


@pytest.mark.parametrize(
    "content",
    ["singledigitalgateway", "yes", "Single Digital Gateway (SDG)", "true"],
    ids=["seen: duo.nl singledigitalgateway", "yes", "IR Annex I wording", "true"],
)
def test_invalid_marker(content: str) -> None:
    result = check_page(page(with_tags(sdg_tag=content)))
    assert rule_ids(result) == {"sdg-marker-invalid"}
    finding = only(result, "sdg-marker-invalid")
    assert (finding.tag, finding.item, finding.value, finding.expected) == ("sdg-tag", 0, content, "sdg")
    assert finding.normalized == content.casefold()


@pytest.mark.parametrize("content", ["SDG", "Sdg", "sDG"])
def test_marker_case(content: str) -> None:
    result = check_page(page(with_tags(sdg_tag=content)))
    assert rule_ids(result) == {"sdg-marker-case"}
    finding = only(result, "sdg-marker-case")
    assert (finding.item, finding.normalized, finding.expected, finding.severity) == (
        0,
        "sdg",
        "sdg",
        "warning",
    )
    assert result.verdict == "compliant-with-warnings"


def test_marker_with_surrounding_space_is_only_whitespace() -> None:
    result = check_page(page(with_tags(sdg_tag=" sdg ")))
    assert rule_ids(result) == {"value-whitespace"}


def test_marker_with_an_extra_item() -> None:
    result = check_page(page(with_tags(sdg_tag="SDG;information")))
    assert rule_ids(result) == {"sdg-marker-case", "sdg-marker-invalid"}
    assert only(result, "sdg-marker-invalid").item == 1


def test_duplicate_marker_element_is_validated_too() -> None:
    result = check_page(page([*VALID_TAGS, ("sdg-tag", "SDG")]))
    assert rule_ids(result) == {"tag-duplicate", "sdg-marker-case"}
    assert only(result, "sdg-marker-case").line == TAG_LINE + 5


def test_untagged_page_does_not_miss_a_marker() -> None:
    assert rule_ids(check_page(page([]))) == {"no-sdg-tags"}


def test_group_b_metadata() -> None:
    assert [
        (RULES[r].group, RULES[r].severity, RULES[r].reference, RULES[r].hint)
        for r in ("sdg-marker-missing", "sdg-marker-invalid", "sdg-marker-case")
    ] == [
        ("B", "error", "IR 2020/1121 Art 2(3)(d), Annex I", "Add `sdg-tag` = `sdg`"),
        ("B", "error", "IR 2020/1121 Annex I; Guidance 2020 §tag table", "`sdg`"),
        ("B", "warning", "Guidance 2020 §tag table", "Lower case"),
    ]

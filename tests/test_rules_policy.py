"""Group F rules (policy-code, DC.Policy): each rule on pages that must and must not trigger it."""

from __future__ import annotations

import html
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sdg_tags.taxonomy.annexes import annex1_item, annex2_item
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.models import ValidationOptions
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.rules.policy_items import classify_policy_text
from sdg_tags.validators.rules.policy_titles import title_score

from tests.pages import TAG_LINE, check, only, page, rule_ids, with_tags

C2_TITLE = "acquiring and renewing a driving licence"
J1_TITLE = (
    "registering, changing the legal form of or closing a business (registration procedures and legal forms "
    "for carrying out business)"
)
W1_LEGACY = (
    "General registration of business activity, excluding procedures concerning the constitution of companies "
    "or firms within the meaning of the second paragraph of Article 54 TFEU"
)


def title(code: str) -> str:
    item = annex1_item(code) or annex2_item(code)
    assert item is not None, code
    # The shipped X1 title has a no-break space ("Article\xa054", as in EUR-Lex); value-whitespace would
    # flag it, which is not what these tests are about.
    return item.title.replace("\xa0", " ")


def subject(
    codes: str, titles: str | None = None, service: str | None = "information", **changes: str | None
) -> list[tuple[str, str | None]]:
    """A page that is valid apart from its policy-code / DC.Policy / DC.Service."""
    return with_tags(policy_code=codes, DC_Policy=titles, DC_Service=service, **changes)


POLICY_LINE = TAG_LINE + 3  # sdg-tag, DC.ISO3166, DC.Service, then policy-code


# --- policy-code-missing -----------------------------------------------------------------------------------


def test_absent_policy_code_is_missing() -> None:
    result = check(with_tags(policy_code=None, DC_Policy=None))
    assert rule_ids(result) == {"policy-code-missing"}
    finding = only(result, "policy-code-missing")
    assert finding.tag == "policy-code"
    assert finding.severity == "error"
    assert "missing" in finding.message


@pytest.mark.parametrize("content", ["", "  ", ";"])
def test_empty_policy_code_is_missing_and_says_empty(content: str) -> None:
    result = check(with_tags(policy_code=content, DC_Policy=None))
    finding = only(result, "policy-code-missing")
    assert "empty" in finding.message
    assert finding.line == POLICY_LINE
    assert "policy-code-unknown" not in rule_ids(result)


def test_present_policy_code_is_not_missing() -> None:
    assert check(with_tags()).findings == []


# --- classification order ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "code", "form"),
    [
        ("C2", "annex1", "C2", "exact"),
        ("X1", "annex2", "X1", "exact"),
        ("q1", "annex1", "Q1", "case"),
        ("A01", "annex1", "A1", "zero-padded"),
        ("a01", "annex1", "A1", "zero-padded"),
        ("J010", "annex1", "J10", "zero-padded"),
        ("I", "area-only", "I", "exact"),
        ("x", "area-only", "X", "case"),
        ("J12", "unknown-code", None, "exact"),
        ("R2", "annex1", "R2", "exact"),
        ("R5", "unknown-code", None, "exact"),
        ("AJ1", "annex1", "AJ1", "exact"),
        ("aj1", "annex1", "AJ1", "case"),
        ("AJ01", "annex1", "AJ1", "zero-padded"),
        ("aj05", "annex1", "AJ5", "zero-padded"),
        ("AJ", "area-only", "AJ", "exact"),
        ("Aj", "area-only", "AJ", "case"),
        ("AM", "area-only", "AM", "exact"),
        ("AJ6", "unknown-code", None, "exact"),
        ("X10", "annex2", "X10", "exact"),
        ("x010", "annex2", "X10", "zero-padded"),
        ("V5", "annex2", "V5", "exact"),
        ("AM1", "annex2", "AM1", "exact"),
        ("Y1", "unknown-code", None, "exact"),
        ("Y", "unknown-code", None, "exact"),
        ("12345", "unknown-code", None, "exact"),
        ("A00", "unknown-code", None, "exact"),
        ("CITIZENS", "registry-key", None, "exact"),
        ("businesses", "registry-key", None, "exact"),
        ("Points of single contact", "free-text", None, "exact"),
        ("PSC", "free-text", None, "exact"),
    ],
)
def test_policy_items_are_classified_in_spec_order(text: str, kind: str, code: str | None, form: str) -> None:
    assert classify_policy_text(text, 0.85)[:3] == (kind, code, form)


# --- policy-code-unknown -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["J12", "R5", "AJ6", "X8", "Y1", "12345", "CITIZENS", "BUSINESSES"])
def test_unknown_codes_and_registry_keys(code: str) -> None:
    result = check(subject(f"C2;{code}", f"{C2_TITLE};anything"))
    assert rule_ids(result) == {"policy-code-unknown"}
    finding = only(result, "policy-code-unknown")
    assert (finding.tag, finding.item, finding.value) == ("policy-code", 1, code)
    assert finding.code_list == "annex1:2026-05-20"
    assert finding.line == POLICY_LINE


def test_cms_plugin_test_data_12345_is_unknown() -> None:
    """SPEC §6.2 seen: `12345` (CMS plugin test data)."""
    result = check(subject("12345"))
    assert rule_ids(result) == {"policy-code-unknown"}
    assert only(result, "policy-code-unknown").value == "12345"


def test_free_text_on_information_page_matching_no_service_is_unknown() -> None:
    result = check(subject("driving licences"))
    assert rule_ids(result) == {"policy-code-unknown"}
    finding = only(result, "policy-code-unknown")
    assert (finding.item, finding.value) == (0, "driving licences")
    assert "assistance" in finding.hint


def test_free_text_on_assistance_page_is_not_unknown() -> None:
    result = check(subject("Regional business helpdesk", service="assistance"))
    assert rule_ids(result) == {"assistance-title-unknown"}


def test_title_written_in_policy_code_expects_its_code() -> None:
    result = check(subject("Acquiring and renewing a driving licence"))
    assert rule_ids(result) == {"policy-code-unknown"}
    finding = only(result, "policy-code-unknown")
    assert (finding.value, finding.expected) == ("Acquiring and renewing a driving licence", "C2")


# --- policy-code-area-only ---------------------------------------------------------------------------------


def test_bare_area_letter_with_one_item_expects_that_item() -> None:
    """SPEC §6.2 seen: `I` on 516 lansstyrelsen.se pages."""
    result = check(subject("I"))
    assert rule_ids(result) == {"policy-code-area-only"}
    finding = only(result, "policy-code-area-only")
    assert (finding.item, finding.value, finding.normalized, finding.expected) == (0, "I", "I", "I1")
    assert finding.code_list == "annex1:2026-05-20"


def test_bare_area_letter_with_many_items_lists_them() -> None:
    """SPEC §6.2 seen: `I`, `J` in registry data."""
    finding = only(check(subject("J")), "policy-code-area-only")
    assert finding.expected is None
    assert "J1-J11" in finding.hint


def test_bare_life_event_letter_is_area_only() -> None:
    finding = only(check(subject("x", service="procedure")), "policy-code-area-only")
    assert (finding.normalized, finding.code_list) == ("X", "annex2:2026-02-19")
    assert "X1-X11" in finding.hint


def test_item_code_is_not_area_only() -> None:
    assert "policy-code-area-only" not in rule_ids(check(subject("I1", title("I1"))))


# --- policy-code-separator ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "separator"),
    [
        ("N1:W1", ":"),
        ("M2:W1", ":"),
        ("N1,W1", ","),
        ("N1, W1", ","),
        ("N1/W1", "/"),
        ("N1|W1", "|"),
        ("N1 W1", " "),
    ],
)
def test_codes_joined_by_a_wrong_separator(written: str, separator: str) -> None:
    """SPEC §6.2 seen: `N1:W1`, `M2:W1` (lansstyrelsen.se)."""
    first = written[:2]
    result = check(subject(written, f"{title(first)};{title('W1')}", service="information;procedure"))
    assert rule_ids(result) == {"policy-code-separator"}
    finding = only(result, "policy-code-separator")
    assert (finding.tag, finding.value, finding.expected) == ("policy-code", written, f"{first};W1")
    assert f"'{separator}'" in finding.message


def test_parts_of_a_wrongly_separated_value_are_still_checked() -> None:
    result = check(subject("N1:w1;C2", service="information;procedure"))
    assert rule_ids(result) == {"policy-code-separator", "policy-code-case", "policy-name-missing"}
    assert only(result, "policy-code-separator").expected == "N1;w1;C2"
    case = only(result, "policy-code-case")
    assert (case.item, case.value, case.expected) == (1, "w1", "W1")


def test_semicolon_separated_codes_have_no_separator_finding() -> None:
    result = check(subject("N1;W1", f"{title('N1')};{title('W1')}", service="information;procedure"))
    assert result.findings == []


# --- policy-code-case --------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["q1", "b8", "k3", "m2", "h6"])
def test_lower_case_codes(code: str) -> None:
    """SPEC §6.2 seen: `q1`, `b8`, `k3`, `m2`, `h6` (av.se)."""
    result = check(subject(code, title(code.upper())))
    assert rule_ids(result) == {"policy-code-case"}
    finding = only(result, "policy-code-case")
    assert (finding.item, finding.value, finding.normalized, finding.expected) == (
        0,
        code,
        code.upper(),
        code.upper(),
    )
    assert finding.code_list == "annex1:2026-05-20"


def test_upper_case_code_is_not_a_case_finding() -> None:
    assert check(subject("Q1", title("Q1"))).findings == []


# --- policy-code-zero-padded -------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "code"), [("A01", "A1"), ("C02", "C2"), ("J010", "J10"), ("X01", "X1")])
def test_zero_padded_codes(written: str, code: str) -> None:
    service = "procedure;information" if code.startswith("X") else "information"
    codes = f"J1;{written}" if code.startswith("X") else written
    titles = f"{J1_TITLE};{title(code)}" if code.startswith("X") else title(code)
    result = check(subject(codes, titles, service=service))
    assert rule_ids(result) == {"policy-code-zero-padded"}
    finding = only(result, "policy-code-zero-padded")
    assert (finding.value, finding.normalized, finding.expected) == (written, code, code)


def test_zero_padding_accepted_by_configuration() -> None:
    assert check(subject("A01", title("A1")), accept_zero_padded=True).findings == []


def test_lower_case_padded_code_is_one_finding() -> None:
    result = check(subject("a01", title("A1")))
    assert rule_ids(result) == {"policy-code-zero-padded"}
    finding = only(result, "policy-code-zero-padded")
    assert finding.expected == "A1"
    assert "lower case" in finding.message


def test_lower_case_padded_code_with_padding_accepted_is_a_case_finding() -> None:
    result = check(subject("a01", title("A1")), accept_zero_padded=True)
    assert rule_ids(result) == {"policy-code-case"}
    assert only(result, "policy-code-case").expected == "A01"


# --- policy-code-annex2-without-procedure ------------------------------------------------------------------


def test_annex2_code_on_information_page() -> None:
    result = check(subject("J1;X1", f"{J1_TITLE};{title('X1')}"))
    assert rule_ids(result) == {"policy-code-annex2-without-procedure"}
    finding = only(result, "policy-code-annex2-without-procedure")
    assert (finding.tag, finding.item, finding.code_list) == ("policy-code", 1, "annex2:2026-02-19")
    assert "X1" in finding.message
    assert "information;procedure" in finding.hint


def test_annex2_code_on_procedure_page_is_fine() -> None:
    assert check(subject("J1;X1", f"{J1_TITLE};{title('X1')}", service="procedure")).findings == []


def test_annex2_code_without_declared_type_is_reported_as_missing_type_only() -> None:
    result = check(subject("J1;X1", f"{J1_TITLE};{title('X1')}", service=None))
    assert rule_ids(result) == {"service-type-missing"}
    assert result.page_types == ["information", "procedure"]


# --- procedure-annex1-code-missing -------------------------------------------------------------------------


def test_procedure_page_with_only_annex2_codes() -> None:
    """SPEC §6.2 seen: registry entries with only `X1`."""
    result = check(subject("X1", title("X1"), service="procedure"))
    assert rule_ids(result) == {"procedure-annex1-code-missing"}
    finding = only(result, "procedure-annex1-code-missing")
    assert (finding.tag, finding.code_list) == ("policy-code", "annex1:2026-05-20")
    assert "X1" in finding.message


def test_procedure_page_with_only_unknown_codes_is_not_annex1_missing() -> None:
    result = check(subject("J12", None, service="procedure"))
    assert rule_ids(result) == {"policy-code-unknown"}


def test_procedure_page_with_an_area_letter_beside_annex2_still_lacks_the_annex1_item() -> None:
    """SPEC §6.2: the valid items (X1) are all Annex II; a bare area letter is not an Annex I item."""
    result = check(subject("J;X1", None, service="procedure"))
    assert {"procedure-annex1-code-missing", "policy-code-area-only"} <= rule_ids(result)


def test_procedure_page_whose_valid_items_are_all_annex2() -> None:
    result = check(subject("X1;J12", title("X1"), service="procedure"))
    assert rule_ids(result) == {"policy-code-unknown", "procedure-annex1-code-missing"}


def test_procedure_page_with_annex1_code_is_fine() -> None:
    assert check(subject("J1;X1", f"{J1_TITLE};{title('X1')}", service="procedure")).findings == []


def test_inferred_procedure_page_marks_the_finding_type_inferred() -> None:
    result = check(subject("X1", title("X1"), service=None))
    assert rule_ids(result) == {"service-type-missing", "procedure-annex1-code-missing"}
    assert result.page_types_inferred is True
    assert only(result, "procedure-annex1-code-missing").type_inferred is True


# --- policy-name-missing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", ["information", "procedure", "information;assistance"])
def test_information_or_procedure_page_without_dc_policy(service: str) -> None:
    codes = "J1" if service != "information;assistance" else "J1;SOLVIT"
    result = check(subject(codes, None, service=service))
    assert rule_ids(result) == {"policy-name-missing"}
    finding = only(result, "policy-name-missing")
    assert (finding.tag, finding.severity) == ("DC.Policy", "info")
    assert finding.expected == (J1_TITLE if service != "information;assistance" else None)


def test_assistance_page_without_dc_policy_is_fine() -> None:
    assert check(subject("SOLVIT", None, service="assistance")).findings == []


def test_empty_dc_policy_is_not_policy_name_missing() -> None:
    assert "policy-name-missing" not in rule_ids(check(subject("C2", "")))


# --- policy-count-mismatch ---------------------------------------------------------------------------------


def test_fewer_titles_than_codes() -> None:
    result = check(subject("C2;C4", C2_TITLE))
    assert rule_ids(result) == {"policy-count-mismatch"}
    finding = only(result, "policy-count-mismatch")
    assert (finding.tag, finding.normalized, finding.expected) == ("DC.Policy", "1", "2")
    assert finding.line == TAG_LINE + 4


def test_assistance_titles_are_not_counted() -> None:
    """SPEC §6.2: DC.Policy is not defined for assistance titles; one title for the one code is right."""
    result = check(subject("C2;SOLVIT", C2_TITLE, service="information;assistance"))
    assert "policy-count-mismatch" not in rule_ids(result)
    assert result.findings == []


def test_titles_beside_an_assistance_title_are_still_compared_with_their_codes() -> None:
    result = check(subject("C2;SOLVIT", "registering a business", service="information;assistance"))
    assert rule_ids(result) == {"policy-title-mismatch"}
    finding = only(result, "policy-title-mismatch")
    assert (finding.item, finding.expected) == (0, C2_TITLE)


def test_assistance_title_does_not_hide_a_missing_code_title() -> None:
    result = check(subject("C2;C4;SOLVIT", C2_TITLE, service="information;assistance"))
    finding = only(result, "policy-count-mismatch")
    assert (finding.normalized, finding.expected) == ("1", "2")


def test_too_many_titles_beside_an_assistance_title() -> None:
    result = check(subject("C2;SOLVIT", f"{C2_TITLE};{title('C4')};SOLVIT", service="information;assistance"))
    finding = only(result, "policy-count-mismatch")
    assert (finding.normalized, finding.expected) == ("3", "1")


def test_one_title_per_code_is_fine() -> None:
    assert check(subject("C2;C4", f"{C2_TITLE};{title('C4')}")).findings == []


# --- policy-title-mismatch ---------------------------------------------------------------------------------


def test_free_text_description_instead_of_title() -> None:
    """SPEC §6.2 seen: free-text descriptions (jordbruksverket.se)."""
    result = check(subject("O2;M2", f"{title('O2')};Rules for selling vegetables and fruit at markets"))
    assert rule_ids(result) == {"policy-title-mismatch"}
    finding = only(result, "policy-title-mismatch")
    assert (finding.tag, finding.item, finding.value) == (
        "DC.Policy",
        1,
        "Rules for selling vegetables and fruit at markets",
    )
    assert finding.expected == title("M2")


@pytest.mark.parametrize(
    "written",
    [
        "Acquiring And Renewing A Driving Licence",  # case differences are not reported
        "acquiring and renewing a driving license",  # spelling variant above the threshold
        "  acquiring  and renewing a driving licence",
    ],
)
def test_close_titles_match(written: str) -> None:
    assert "policy-title-mismatch" not in rule_ids(check(subject("C2", written)))


def test_title_without_its_bracketed_qualifier_matches() -> None:
    shortened = "registering, changing the legal form of or closing a business"
    assert title_score(shortened, J1_TITLE) == 1.0
    assert check(subject("J1", shortened)).findings == []


def test_threshold_option_is_honoured() -> None:
    result = check(subject("C2", "acquiring and renewing a driving license"), title_match_threshold=0.99)
    assert rule_ids(result) == {"policy-title-mismatch"}


def test_titles_not_checked_on_pages_in_other_languages() -> None:
    result = check(subject("C2", "permis de conduire"), lang="fr")
    assert result.findings == []


# --- policy-title-order ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_titles_in_another_order(lang: str) -> None:
    result = check(subject("C2;J1", f"{J1_TITLE};{C2_TITLE}"), lang=lang)
    assert rule_ids(result) == {"policy-title-order"}
    finding = only(result, "policy-title-order")
    assert (finding.tag, finding.severity) == ("DC.Policy", "info")
    assert finding.expected == f"{C2_TITLE};{J1_TITLE}"


def test_titles_in_code_order_are_fine() -> None:
    assert check(subject("C2;J1", f"{C2_TITLE};{J1_TITLE}")).findings == []


# --- policy-legacy-annex2-meaning --------------------------------------------------------------------------


GUIDANCE_EXAMPLE_2 = [
    ("sdg-tag", "sdg"),
    ("DC.ISO3166", "BE"),
    ("DC.Location", "BE1"),
    ("DC.Service", "information;procedure"),
    ("policy-code", "J1;W1"),
    # As printed in the guidance: the value begins with a space.
    ("DC.Policy", f" {J1_TITLE};{W1_LEGACY}"),
]
EXAMPLE_HEAD = '<link rel="canonical" href="https://www.example.be/permis-de-conduire">'


def test_guidance_example_2_gets_exactly_whitespace_and_legacy_meaning() -> None:
    """SPEC §3.5 example 2 (language as in example 1: fr) gets exactly two findings."""
    result = check_page(page(GUIDANCE_EXAMPLE_2, lang="fr", head_extra=EXAMPLE_HEAD))
    assert sorted(f.rule for f in result.findings) == ["policy-legacy-annex2-meaning", "value-whitespace"]
    finding = only(result, "policy-legacy-annex2-meaning")
    assert (finding.tag, finding.item, finding.value) == ("policy-code", 1, "W1")
    assert finding.expected == "J1"
    assert finding.code_list == "annex2:2026-02-19"
    assert "J1" in finding.hint and "X1" in finding.hint


def test_guidance_example_2_titles_score() -> None:
    """The guidance's J1 title is the shipped one; W1's item is its legacy title, not a mismatch."""
    assert title_score(J1_TITLE, annex1_item("J1").title) == 1.0  # type: ignore[union-attr]
    assert title_score(W1_LEGACY, annex2_item("W1").legacy_title or "") == 1.0  # type: ignore[union-attr]
    assert title_score(W1_LEGACY, title("W1")) < 0.85


def test_guidance_example_2_on_an_english_page_has_no_title_mismatch() -> None:
    tags = [(name, content.strip()) for name, content in GUIDANCE_EXAMPLE_2]
    result = check(tags, lang="en")
    assert rule_ids(result) == {"policy-legacy-annex2-meaning"}


@pytest.mark.parametrize(
    ("codes", "titles", "index", "expected"),
    [
        ("D1;U1", f"{title('D1')};Registering a change of address", 1, "D1;V1"),
        ("A1;U2", f"{title('A1')};Requesting/renewing ID card or passport", 1, "A1"),
        ("J1;W1", f"{J1_TITLE};{W1_LEGACY}", 1, "J1"),
        ("K2;X2", f"{title('K2')};Payment of social contributions for employees", 1, "K2;X6"),
    ],
)
def test_legacy_meanings_seen_on_skatteverket(codes: str, titles: str, index: int, expected: str) -> None:
    """SPEC §6.2 seen: skatteverket.se `U1`, `U2`, `W1`, `X2`."""
    result = check(subject(codes, titles, service="information;procedure"))
    assert rule_ids(result) == {"policy-legacy-annex2-meaning"}
    finding = only(result, "policy-legacy-annex2-meaning")
    assert (finding.item, finding.expected) == (index, expected)


def test_legacy_meaning_alone_suggests_the_annex1_fallback() -> None:
    finding = only(
        check(subject("U2", "Requesting/renewing ID card or passport", service="procedure")),
        "policy-legacy-annex2-meaning",
    )
    assert finding.expected == "A1"


def test_legacy_code_on_information_page_is_not_also_annex2_without_procedure() -> None:
    result = check(subject("J1;W1", f"{J1_TITLE};{W1_LEGACY}"))
    assert rule_ids(result) == {"policy-legacy-annex2-meaning"}


def test_legacy_code_with_fewer_titles_on_information_page_is_not_also_annex2_without_procedure() -> None:
    result = check(subject("J1;W1", W1_LEGACY))
    assert "policy-code-annex2-without-procedure" not in rule_ids(result)
    assert "policy-legacy-annex2-meaning" in rule_ids(result)


def test_legacy_meaning_found_when_counts_differ() -> None:
    result = check(subject("J1;W1", W1_LEGACY, service="information;procedure"))
    assert rule_ids(result) == {"policy-count-mismatch", "policy-legacy-annex2-meaning"}


def test_legacy_tolerant_scheme_reports_nothing() -> None:
    result = check(
        subject("J1;W1", f"{J1_TITLE};{W1_LEGACY}", service="information;procedure"),
        annex2_scheme="legacy-tolerant",
    )
    assert result.findings == []


def test_final_meaning_of_w1_is_fine() -> None:
    result = check(subject("B9;W1", f"{title('B9')};{title('W1')}", service="information;procedure"))
    assert result.findings == []


# --- duplicates --------------------------------------------------------------------------------------------


def test_duplicate_policy_code_element_is_validated_too() -> None:
    tags = [*with_tags(policy_code="Q1", DC_Policy=title("Q1")), ("policy-code", "q1")]
    result = check(tags)
    assert rule_ids(result) == {"tag-duplicate", "policy-code-case"}
    finding = only(result, "policy-code-case")
    assert (finding.value, finding.line) == ("q1", TAG_LINE + 5)


def test_identical_duplicate_is_not_reported_twice() -> None:
    tags = [*with_tags(policy_code="q1", DC_Policy=title("Q1")), ("policy-code", "q1")]
    result = check(tags)
    assert [f.rule for f in result.findings].count("policy-code-case") == 1


# --- any value ---------------------------------------------------------------------------------------------

# Pieces, not just characters: whole codes and titles turn up as often as debris.
SUBJECT_TEXT = st.lists(
    st.sampled_from([*"ABCJQRWXYZabcjqx0123456789 ;:,/|-_()'’\u00a0é", "SOLVIT", "W1", "PSC"]), max_size=20
).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    codes=SUBJECT_TEXT,
    titles=st.one_of(st.none(), SUBJECT_TEXT, st.just(W1_LEGACY)),
    service=st.sampled_from(
        [None, "", "information", "procedure", "assistance", "information;assistance", "p"]
    ),
    lang=st.sampled_from(["en", "fr", None]),
)
def test_any_subject_value_gives_findings_not_errors(
    codes: str, titles: str | None, service: str | None, lang: str | None
) -> None:
    tags = subject(html.escape(codes), None if titles is None else html.escape(titles), service=service)
    result = check(tags, lang=lang)
    assert result.verdict in {"compliant", "compliant-with-warnings", "non-compliant"}
    for finding in result.findings:
        assert finding.rule in RULES
        assert finding.item is None or finding.item >= 0


# --- code lists in force on the check date (SPEC §5.7) ------------------------------------------------------

# Each code added since 2018 with the date from which it applies (procedure codes: with the Annex I item C2
# beside them, on an information+procedure page, so no other rule fires).
NEW_CODES: list[tuple[str, date]] = [
    ("N4", date(2026, 5, 20)),
    ("R2", date(2024, 6, 29)),
    ("R3", date(2024, 6, 29)),
    ("R4", date(2024, 6, 29)),
    ("AJ1", date(2024, 5, 23)),
    ("AJ2", date(2024, 5, 23)),
    ("AJ3", date(2024, 5, 23)),
    ("AJ4", date(2024, 5, 23)),
    ("AJ5", date(2024, 5, 23)),
    ("V5", date(2026, 2, 19)),
    ("X7", date(2026, 2, 19)),
    ("X9", date(2026, 2, 19)),
    ("X10", date(2023, 9, 24)),
    ("X11", date(2023, 9, 24)),
    ("AK1", date(2026, 2, 19)),
    ("AL1", date(2026, 2, 19)),
    ("AM1", date(2026, 2, 19)),
]


def tagged_with(code: str) -> list[tuple[str, str | None]]:
    if annex1_item(code) is not None:
        return subject(code, title(code))
    return subject(f"C2;{code}", None, service="information;procedure")


@pytest.mark.parametrize(("code", "start"), NEW_CODES)
def test_new_code_is_known_today_and_from_its_date(code: str, start: date) -> None:
    assert "policy-code-unknown" not in rule_ids(check(tagged_with(code)))
    assert "policy-code-unknown" not in rule_ids(check(tagged_with(code), as_of=start))


@pytest.mark.parametrize(("code", "start"), NEW_CODES)
def test_new_code_is_unknown_the_day_before_its_date(code: str, start: date) -> None:
    before = start - timedelta(days=1)
    finding = only(check(tagged_with(code), as_of=before), "policy-code-unknown")
    assert finding.value == code
    assert f"in force on {before.isoformat()}" in finding.message
    assert f"{code} applies from {start.isoformat()}" in finding.message


def test_n4_is_unknown_in_april_2026_and_known_in_june() -> None:
    page_tags = subject("N4", title("N4"))
    finding = only(check(page_tags, as_of=date(2026, 4, 1)), "policy-code-unknown")
    assert finding.message == (
        "policy-code item 'N4' is not an Annex I item code or Annex II procedure code in force on 2026-04-01: "
        "Annex I item N4 applies from 2026-05-20 (Reg 2024/1028)"
    )
    # Checked against Annex I as last changed before that date (by Reg 2024/1735, from 29 June 2024).
    assert finding.code_list == "annex1:2024-06-29"
    assert check(page_tags, as_of=date(2026, 6, 1)).findings == []
    unknown = only(check(subject("N5", None), as_of=date(2026, 6, 1)), "policy-code-unknown")
    assert unknown.code_list == "annex1:2026-05-20"


def test_classification_follows_the_check_date() -> None:
    assert classify_policy_text("N4", 0.85, date(2026, 4, 1))[:3] == ("unknown-code", None, "exact")
    assert classify_policy_text("n4", 0.85, date(2026, 6, 1))[:3] == ("annex1", "N4", "case")
    assert classify_policy_text("N4", 0.85)[:3] == ("annex1", "N4", "exact")  # no date: every known code


def test_area_only_two_letter_area_names_its_items() -> None:
    finding = only(check(subject("AJ", service="information")), "policy-code-area-only")
    assert (finding.normalized, finding.code_list) == ("AJ", "annex1:2026-05-20")
    assert "Annex I area AJ (Critical raw materials projects)" in finding.message
    assert finding.hint == "Use the item code(s) the page is about: AJ1-AJ5"


@pytest.mark.parametrize(
    ("written", "rule_id"), [("aj2", "policy-code-case"), ("AJ02", "policy-code-zero-padded")]
)
def test_two_letter_codes_follow_the_case_and_padding_rules(written: str, rule_id: str) -> None:
    finding = only(check(subject(written, title("AJ2"))), rule_id)
    assert (finding.value, finding.expected) == (written, "AJ2")


# --- R1: Annex I net-zero information or Annex II birth (policy-code-ambiguous) -----------------------------

R1_NET_ZERO = "information on the permit-granting process"
R1_BIRTH = "Requesting proof of registration of birth"


def test_r1_on_an_information_page_is_annex_i() -> None:
    result = check(subject("R1", R1_NET_ZERO, service="information"))
    assert rule_ids(result) == {"policy-code-ambiguous"}
    finding = only(result, "policy-code-ambiguous")
    assert finding.severity == "info"
    assert (finding.value, finding.normalized, finding.item) == ("R1", "R1", 0)
    assert finding.message == (
        "policy-code item 'R1' is read as Annex I item R1 (Net-zero technology manufacturing projects: "
        "information on the permit-granting process), not as Annex II procedure R1 (Birth: Requesting proof of "
        "registration of birth): DC.Service does not list `procedure`"
    )
    assert finding.code_list == "annex1:2026-05-20"


def test_r1_on_a_procedure_page_with_the_birth_title_is_annex_ii() -> None:
    result = check(subject("C2;R1", f"{C2_TITLE};{R1_BIRTH}", service="information;procedure"))
    assert rule_ids(result) == {"policy-code-ambiguous"}
    finding = only(result, "policy-code-ambiguous")
    assert finding.message.startswith("policy-code item 'R1' is read as Annex II procedure R1 (Birth: ")
    assert finding.message.endswith(
        ": DC.Service lists `procedure` and DC.Policy does not name the Annex I title"
    )
    assert (finding.item, finding.code_list) == (1, "annex2:2026-02-19")


def test_r1_on_a_procedure_page_with_the_net_zero_title_is_annex_i() -> None:
    result = check(subject("R1", R1_NET_ZERO, service="procedure"))
    assert rule_ids(result) == {"policy-code-ambiguous"}
    assert only(result, "policy-code-ambiguous").message.endswith(": DC.Policy names the Annex I title")


def test_r1_read_as_birth_is_title_checked_against_the_birth_title() -> None:
    result = check(
        subject("C2;R1", f"{C2_TITLE};financing and investment services", service="information;procedure")
    )
    mismatch = only(result, "policy-title-mismatch")
    assert mismatch.expected == R1_BIRTH
    assert "policy-code-ambiguous" in rule_ids(result)


def test_r1_before_the_net_zero_area_existed_is_only_birth() -> None:
    result = check(
        subject("C2;R1", f"{C2_TITLE};{R1_BIRTH}", service="information;procedure"), as_of=date(2024, 6, 28)
    )
    assert result.findings == []


# --- procedure codes whose label is not confirmed ------------------------------------------------------------


@pytest.mark.parametrize("code", ["V5", "X7", "X9", "AK1", "AL1", "AM1"])
def test_unconfirmed_label_is_valid_and_skipped_by_the_title_rules(code: str) -> None:
    result = check(
        subject(f"C2;{code}", f"{C2_TITLE};Any wording the page chose", service="information;procedure")
    )
    assert result.findings == []
    swapped = check(subject(f"{code};C2", f"{C2_TITLE};Any wording", service="information;procedure"))
    # Item 1 (V5 …) is not compared; item 2 names no title of C2, and that is the one finding.
    mismatch = only(swapped, "policy-title-mismatch")
    assert (mismatch.item, mismatch.expected) == (1, C2_TITLE)
    assert "policy-title-order" not in rule_ids(swapped)


def test_confirmed_new_procedure_titles_are_checked() -> None:
    result = check(subject("C2;X10", f"{C2_TITLE};Registering a company", service="information;procedure"))
    assert (
        only(result, "policy-title-mismatch").expected
        == "Notification of a data intermediation services provider"
    )
    good = check(subject("C2;X11", f"{C2_TITLE};{title('X11')}", service="information;procedure"))
    assert good.findings == []


def test_the_crawl_checks_against_the_lists_of_its_start_date() -> None:
    from scrapy.settings import Settings
    from sdg_tags.crawler.pipelines.validation import options_from_settings
    from sdg_tags.taxonomy import today

    assert options_from_settings(Settings()).as_of == today()
    assert ValidationOptions().as_of is None  # check / serve: today, decided at each check
    # A resumed run keeps its first session's date (sdg-tags crawl sets SDG_AS_OF from the stored run).
    resumed = options_from_settings(Settings({"SDG_AS_OF": "2026-04-01"}))
    assert resumed.as_of == date(2026, 4, 1)
    n4 = check(subject("N4", None), as_of=resumed.as_of)
    assert "policy-code-unknown" in rule_ids(n4)


@pytest.mark.slow
def test_a_stored_run_names_the_annex_versions_of_its_check_date(tmp_path: Path) -> None:
    from tests.sites.crawl_run import run_crawl, write_registry
    from tests.sites.server import SiteServer
    from tests.sites.server import page as served_page

    head = (
        '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="BE">'
        '<meta name="DC.Service" content="information"><meta name="policy-code" content="N4">'
    )
    with SiteServer(routes={"/n4": served_page("<p>rentals</p>", head=head)}) as site:
        registry = write_registry(tmp_path / "registry.json", [{"url": site.url("/n4")}])
        db_url = f"sqlite:///{tmp_path / 'runs.db'}"
        run = run_crawl(registry, db_url, "--set", "SDG_AS_OF=2026-04-01")
    assert run.returncode == 0, run.stderr[-3000:]
    [stored] = run.runs()
    assert (stored.code_lists["annex1"], stored.code_lists["annex2"]) == (
        "annex1:2024-06-29",
        "annex2:2026-02-19",
    )
    [record] = run.pages().values()
    [unknown] = [finding for finding in record["findings"] if finding["rule"] == "policy-code-unknown"]
    assert unknown["code_list"] == "annex1:2024-06-29"

"""Output formats of `sdg-tags check` on hand-built results: exact text, JSON, JUnit XML and SARIF 2.1.0."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from sdg_tags.validators.models import VERDICTS, Finding, PageResult, TagView
from sdg_tags.validators.output.json_format import format_json, json_document
from sdg_tags.validators.output.junit import format_junit
from sdg_tags.validators.output.outcome import exit_code, page_fails, verdict_counts
from sdg_tags.validators.output.sarif import artifact_uri, format_sarif, sarif_document
from sdg_tags.validators.output.text import format_text, summary_line
from sdg_tags.validators.rules.table import Rule


def finding(rule: str, severity: str, line: int | None, column: int | None = 3, **extra: object) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        message=f"{rule} message",
        line=line,
        column=column if line is not None else None,
        reference="IR 2020/1121 Annex I",
        hint=f"{rule} hint",
        **extra,
    )


RULES = {
    "country-gr-instead-of-el": Rule(
        "country-gr-instead-of-el", "error", "C", "`GR` in any case", "IR 2020/1121 Annex I", "`EL`"
    ),
    "service-type-case": Rule(
        "service-type-case",
        "warning",
        "E",
        "Keyword not lower case",
        "Guidance 2020 §tag table",
        "lower case",
    ),
    "policy-name-missing": Rule(
        "policy-name-missing", "info", "F", "No `DC.Policy`", "Guidance 2020 §tag table", "Recommended"
    ),
}

ERRORS = PageResult(
    target="pages/errors.html",
    verdict="non-compliant",
    page_types=["information"],
    language="el",
    tags={
        "DC.ISO3166": TagView(
            raw="GR", values=["GR"], attribute="name", name_as_written="DC.ISO3166", line=7, column=3
        )
    },
    findings=[
        finding("service-type-case", "warning", 9),
        finding("country-gr-instead-of-el", "error", 7, tag="DC.ISO3166", value="GR", expected="EL"),
        finding("policy-name-missing", "info", None),
    ],
)
WARNINGS = PageResult(
    target="https://www.example.se/a",
    url="https://www.example.se/b",
    verdict="compliant-with-warnings",
    page_types=["assistance"],
    language="sv",
    findings=[finding("service-type-case", "warning", 9, column=12)],
)
CLEAN = PageResult(target="valid.html", verdict="compliant", page_types=["information"], language="fr")
MISSING = PageResult(target="gone.html", verdict="not-evaluated", status_detail="no such file")
RESULTS = [ERRORS, WARNINGS, CLEAN, MISSING]


# --- outcome -------------------------------------------------------------------------------------------------


def test_exit_codes_follow_fail_on_and_unchecked_targets() -> None:
    assert exit_code([CLEAN]) == 0
    assert exit_code([CLEAN, WARNINGS]) == 0
    assert exit_code([CLEAN, WARNINGS], "warning") == 1
    assert exit_code([ERRORS]) == 1
    assert exit_code([ERRORS, MISSING]) == 2
    assert exit_code([CLEAN, MISSING], "warning") == 2
    assert [page_fails(result) for result in RESULTS] == [True, False, False, True]
    assert [page_fails(result, "warning") for result in RESULTS] == [True, True, False, True]


def test_verdict_counts_name_every_verdict() -> None:
    assert verdict_counts(RESULTS) == {
        "pages": 4,
        "compliant": 1,
        "compliant-with-warnings": 1,
        "non-compliant": 1,
        "not-self-describing": 0,
        "not-evaluated": 1,
    }


# --- text ----------------------------------------------------------------------------------------------------


def test_text_output_is_one_block_per_page_sorted_by_line_with_hints() -> None:
    assert format_text(RESULTS) == (
        "pages/errors.html: non-compliant  (type information, language el)\n"
        "    -  info     policy-name-missing       policy-name-missing message\n"
        "                fix: policy-name-missing hint  [IR 2020/1121 Annex I]\n"
        "  7:3  error    country-gr-instead-of-el  country-gr-instead-of-el message\n"
        "                fix: country-gr-instead-of-el hint  [IR 2020/1121 Annex I]\n"
        "  9:3  warning  service-type-case         service-type-case message\n"
        "                fix: service-type-case hint  [IR 2020/1121 Annex I]\n"
        "\n"
        "https://www.example.se/a: compliant-with-warnings  (type assistance, language sv)\n"
        "  final URL: https://www.example.se/b\n"
        "  9:12  warning  service-type-case  service-type-case message\n"
        "                 fix: service-type-case hint  [IR 2020/1121 Annex I]\n"
        "\n"
        "valid.html: compliant  (type information, language fr)\n"
        "\n"
        "gone.html: not-evaluated\n"
        "  not checked: no such file\n"
        "\n"
        "4 pages: 1 compliant, 1 compliant-with-warnings, 1 non-compliant, 1 not-evaluated; "
        "1 error, 2 warnings, 1 info; 2 failing (--fail-on error)\n"
    )


def test_quiet_text_shows_only_failing_pages_and_findings() -> None:
    assert format_text(RESULTS, quiet=True) == (
        "pages/errors.html: non-compliant  (type information, language el)\n"
        "  7:3  error    country-gr-instead-of-el  country-gr-instead-of-el message\n"
        "                fix: country-gr-instead-of-el hint  [IR 2020/1121 Annex I]\n"
        "\n"
        "gone.html: not-evaluated\n"
        "  not checked: no such file\n"
        "\n"
        "4 pages: 1 compliant, 1 compliant-with-warnings, 1 non-compliant, 1 not-evaluated; "
        "1 error, 2 warnings, 1 info; 2 failing (--fail-on error)\n"
    )
    quiet_warning = format_text(RESULTS, quiet=True, fail_on="warning")
    assert "https://www.example.se/a: compliant-with-warnings" in quiet_warning
    assert "valid.html" not in quiet_warning
    assert quiet_warning.endswith("3 failing (--fail-on warning)\n")


def test_colour_only_when_asked() -> None:
    plain = format_text(RESULTS)
    coloured = format_text(RESULTS, color=True)
    assert "\033[" not in plain
    assert "\033[1;31mnon-compliant\033[0m" in coloured
    assert "\033[1;31merror  \033[0m" in coloured
    assert "\033[33mwarning\033[0m" in coloured


def test_suggested_tags_and_status_detail_are_shown() -> None:
    result = CLEAN.model_copy(
        update={
            "suggested_tags": '<meta name="sdg-tag" content="sdg">',
            "status_detail": "followed 1 redirect(s)",
        }
    )
    assert format_text([result]).splitlines()[:4] == [
        "valid.html: compliant  (type information, language fr)",
        "  note: followed 1 redirect(s)",
        "  suggested tags (paste in place of the page's SDG tags):",
        '    <meta name="sdg-tag" content="sdg">',
    ]


def test_summary_of_nothing() -> None:
    assert summary_line([]) == "0 pages; 0 errors, 0 warnings, 0 info; 0 failing (--fail-on error)"


# --- JSON ----------------------------------------------------------------------------------------------------


def test_json_is_the_documented_document() -> None:
    text = format_json(RESULTS, version="1.2.3")
    document = json.loads(text)
    assert list(document) == ["tool", "version", "pages", "summary"]
    assert document["tool"] == "sdg-tags"
    assert document["version"] == "1.2.3"
    assert document["pages"] == [result.model_dump(mode="json") for result in RESULTS]
    assert document["summary"] == {"pages": 4, **verdict_counts(RESULTS)}
    assert set(document["summary"]) == {"pages", *VERDICTS}
    first = document["pages"][0]
    assert first["tags"]["DC.ISO3166"] == {
        "raw": "GR",
        "values": ["GR"],
        "attribute": "name",
        "name_as_written": "DC.ISO3166",
        "line": 7,
        "column": 3,
        "origin": "static",
    }
    assert [f["rule"] for f in first["findings"]] == [
        "service-type-case",
        "country-gr-instead-of-el",
        "policy-name-missing",
    ]
    assert json_document([], version="x")["summary"]["pages"] == 0


def test_json_keeps_non_ascii_as_utf8_text() -> None:
    result = CLEAN.model_copy(update={"title": "Άδεια οδήγησης"})
    assert '"title": "Άδεια οδήγησης"' in format_json([result], version="0")


# --- JUnit ---------------------------------------------------------------------------------------------------


def test_junit_has_one_testcase_per_page_with_failures_and_errors() -> None:
    root = ET.fromstring(format_junit(RESULTS).encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "4",
        "1",
        "1",
        "0",
    )
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "pages/errors.html",
        "https://www.example.se/a",
        "valid.html",
        "gone.html",
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "1 failing finding: country-gr-instead-of-el"
    assert failure.get("type") == "non-compliant"
    assert failure.text == (
        "line 7, column 3: error country-gr-instead-of-el: country-gr-instead-of-el message "
        "(fix: country-gr-instead-of-el hint) [IR 2020/1121 Annex I]"
    )
    assert cases[1].find("failure") is None
    assert "service-type-case" in (cases[1].findtext("system-out") or "")
    assert cases[2].find("failure") is None and cases[2].find("error") is None
    error = cases[3].find("error")
    assert error is not None
    assert (error.get("type"), error.get("message")) == ("not-evaluated", "no such file")


def test_junit_fails_warnings_under_fail_on_warning() -> None:
    suite = ET.fromstring(format_junit(RESULTS, fail_on="warning").encode("utf-8")).find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "2"
    case = suite.findall("testcase")[1]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "1 failing finding: service-type-case"


def test_junit_survives_control_characters_from_broken_pages() -> None:
    broken = ERRORS.model_copy(
        update={"target": "bad\x00name.html", "findings": [finding("country-gr-instead-of-el", "error", 1)]}
    )
    broken.findings[0].message = "value 'G\x01R\x1b'"
    root = ET.fromstring(format_junit([broken]).encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "bad\ufffdname.html"
    assert "value 'G\ufffdR\ufffd'" in (case.findtext("failure") or "")


# --- SARIF ---------------------------------------------------------------------------------------------------


def assert_sarif_structure(log: dict) -> None:
    """The parts of the SARIF 2.1.0 schema a consumer relies on, checked by hand (no jsonschema here)."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str) and driver["name"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert isinstance(rule["id"], str)
        assert isinstance(rule["shortDescription"]["text"], str)
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        if "helpUri" in rule:
            assert rule["helpUri"].startswith("https://")
    for invocation in run["invocations"]:
        assert isinstance(invocation["executionSuccessful"], bool)
        for notification in invocation["toolExecutionNotifications"]:
            assert isinstance(notification["message"]["text"], str)
            assert notification["level"] in ("none", "note", "warning", "error")
    for result in run["results"]:
        assert isinstance(result["message"]["text"], str)
        assert result["level"] in ("none", "note", "warning", "error")
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        for location in result["locations"]:
            physical = location["physicalLocation"]
            assert isinstance(physical["artifactLocation"]["uri"], str)
            region = physical.get("region", {})
            assert region.get("startLine", 1) >= 1 and region.get("startColumn", 1) >= 1


def test_sarif_has_rule_metadata_results_and_locations() -> None:
    log = json.loads(format_sarif(RESULTS, version="1.2.3", rules=RULES))
    assert_sarif_structure(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["version"] == "1.2.3"
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    assert rules[0] == {
        "id": "country-gr-instead-of-el",
        "name": "CountryGrInsteadOfEl",
        "shortDescription": {"text": "`GR` in any case"},
        "fullDescription": {"text": "`GR` in any case. Cites: IR 2020/1121 Annex I."},
        "help": {"text": "`EL`"},
        "defaultConfiguration": {"level": "error", "enabled": True},
        "properties": {
            "group": "C. Country (DC.ISO3166)",
            "reference": "IR 2020/1121 Annex I",
            "mode": "page",
            "tags": ["error", "page"],
        },
    }
    assert [rule["defaultConfiguration"]["level"] for rule in rules] == ["error", "warning", "note"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("service-type-case", "warning"),
        ("country-gr-instead-of-el", "error"),
        ("policy-name-missing", "note"),
        ("service-type-case", "warning"),
    ]
    assert results[1]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "pages/errors.html"},
                "region": {"startLine": 7, "startColumn": 3},
            }
        }
    ]
    assert results[1]["properties"]["expected"] == "EL"
    assert (
        results[1]["message"]["text"] == "country-gr-instead-of-el message Fix: country-gr-instead-of-el hint"
    )
    assert results[2]["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "pages/errors.html"}}}
    ]
    # Findings on a fetched page point at the final URL, where the lines are.
    assert (
        results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "https://www.example.se/b"
    )
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == (
        "gone.html could not be checked: no such file"
    )


def test_sarif_of_a_clean_run_is_successful_and_uses_the_full_rule_table() -> None:
    from sdg_tags.validators.rules import RULES as ALL_RULES

    log = sarif_document([CLEAN], version="0")
    assert_sarif_structure(log)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]] == list(ALL_RULES)


def test_sarif_describes_a_rule_missing_from_the_table() -> None:
    odd = CLEAN.model_copy(update={"findings": [finding("plugin-rule", "warning", 2)]})
    log = sarif_document([odd], version="0", rules=RULES)
    assert_sarif_structure(log)
    assert log["runs"][0]["tool"]["driver"]["rules"][3]["id"] == "plugin-rule"
    assert log["runs"][0]["results"][0]["ruleIndex"] == 3


@pytest.mark.parametrize(
    ("target", "url", "uri"),
    [
        ("page.html", None, "page.html"),
        ("site/sub dir/ä.html", None, "site/sub%20dir/%C3%A4.html"),
        ("/srv/www/page.html", None, "file:///srv/www/page.html"),
        ("C:\\www\\page.html", None, "file:///C:/www/page.html"),
        ("-", None, "stdin"),
        ("https://example.be/a", "https://example.be/b", "https://example.be/b"),
        ("http://example.be/a", None, "http://example.be/a"),
    ],
)
def test_artifact_uris(target: str, url: str | None, uri: str) -> None:
    assert artifact_uri(target, url) == uri


def test_every_json_field_is_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "output-format.md").read_text(encoding="utf-8")
    start = text.index("## sdg-tags check --format json")
    section = text[start : text.index("\n## ", start + 1)]
    for model in (PageResult, Finding, TagView):
        prefix = "tags.*." if model is TagView else ""
        for field in model.model_fields:
            assert f"`{prefix}{field}`" in section or f"`{prefix}{field}`," in section, (
                f"{model.__name__}.{field}"
            )


# --- pieces for streaming (check DIR): joined, they are exactly the whole-document formatting ---------------

SURROGATE = PageResult(target="odd.html", verdict="compliant", title="broken \ud800 title")


def reference_junit(results: list[PageResult], fail_on: str = "error") -> str:
    """The JUnit document as ElementTree writes it whole: what the pieces must add up to."""
    suite = ET.Element("testsuite", name="sdg-tags check")
    failures = errors = 0
    for result in results:
        case = ET.fromstring(format_junit([result], fail_on=fail_on).split("\n", 1)[1]).find(
            "./testsuite/testcase"
        )
        suite.append(case)
        errors += result.verdict == "not-evaluated"
        failures += result.verdict != "not-evaluated" and case.find("failure") is not None
    for element in (suite,):
        element.set("tests", str(len(results)))
        element.set("failures", str(failures))
        element.set("errors", str(errors))
    suite.set("skipped", "0")
    suites = ET.Element("testsuites", name="sdg-tags check", tests=str(len(results)))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


@pytest.mark.parametrize("results", [[], [ERRORS], RESULTS, [*RESULTS, SURROGATE, CLEAN]])
def test_the_pieces_add_up_to_the_whole_documents(results: list[PageResult]) -> None:
    expected_json = json.dumps(json_document(results, version="9"), ensure_ascii=False, indent=2) + "\n"
    assert format_json(results, version="9") == expected_json
    expected_sarif = json.dumps(
        sarif_document(results, version="9", rules=RULES), ensure_ascii=False, indent=2
    )
    assert format_sarif(results, version="9", rules=RULES) == expected_sarif + "\n"
    for fail_on in ("error", "warning"):
        assert format_junit(results, fail_on=fail_on) == reference_junit(results, fail_on)

"""`sdg-tags check --format junit`: one testsuite, one testcase per page, for CI test-report viewers.

A page with failing findings (errors, and warnings under `--fail-on warning`) is a `<failure>`; a page that could
not be checked is an `<error>`; other findings go to the testcase's `<system-out>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from sdg_tags.validators.models import Finding, PageResult
from sdg_tags.validators.output.outcome import FailOn, Tally, is_failing

# Characters XML 1.0 cannot carry at all (control characters from broken pages, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SUITE_NAME = "sdg-tags check"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _finding_line(finding: Finding) -> str:
    where = f"line {finding.line}, column {finding.column}" if finding.line is not None else "page"
    return f"{where}: {finding.severity} {finding.rule}: {finding.message} (fix: {finding.hint}) [{finding.reference}]"


def junit_testcase(result: PageResult, *, fail_on: FailOn = "error") -> str:
    """One `<testcase>`, indented for its place in the document, with its line break."""
    case = ET.Element("testcase", classname="sdg-tags", name=_xml_text(result.target))
    failing = [finding for finding in result.findings if is_failing(finding, fail_on)]
    others = [finding for finding in result.findings if not is_failing(finding, fail_on)]
    if result.verdict == "not-evaluated":
        detail = result.status_detail or "the page could not be read"
        element = ET.SubElement(case, "error", message=_xml_text(detail), type="not-evaluated")
        element.text = _xml_text(f"{result.target} could not be checked: {detail}")
    elif failing:
        rules = ", ".join(dict.fromkeys(finding.rule for finding in failing))
        noun = "finding" if len(failing) == 1 else "findings"
        element = ET.SubElement(
            case,
            "failure",
            message=_xml_text(f"{len(failing)} failing {noun}: {rules}"),
            type=result.verdict,
        )
        element.text = _xml_text("\n".join(_finding_line(finding) for finding in failing))
    out = [f"verdict: {result.verdict}"] + [_finding_line(finding) for finding in others]
    if result.suggested_tags:
        out += ["suggested tags:", result.suggested_tags]
    ET.SubElement(case, "system-out").text = _xml_text("\n".join(out))
    ET.indent(case, level=2)
    return "    " + ET.tostring(case, encoding="unicode") + "\n"


def junit_opening(tally: Tally) -> str:
    """The declaration, `<testsuites>` and `<testsuite>` with their counts (known once every page is checked)."""
    not_evaluated = tally.verdicts["not-evaluated"]
    failures = tally.failing_pages - not_evaluated  # a page that could not be read is an error, not a failure
    counts = f'tests="{tally.pages}" failures="{failures}" errors="{not_evaluated}"'
    close = " />" if not tally.pages else ">"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="{SUITE_NAME}" {counts}>\n'
        f'  <testsuite name="{SUITE_NAME}" {counts} skipped="0"{close}\n'
    )


def junit_closing(tally: Tally) -> str:
    return ("" if not tally.pages else "  </testsuite>\n") + "</testsuites>\n"


def format_junit(results: Sequence[PageResult], *, fail_on: FailOn = "error") -> str:
    """The JUnit XML report as text, with an XML declaration."""
    tally = Tally.of(results, fail_on)
    cases = "".join(junit_testcase(result, fail_on=fail_on) for result in results)
    return junit_opening(tally) + cases + junit_closing(tally)

"""`sdg-tags check --format junit`: one testsuite, one testcase per page, for CI test-report viewers.

A page with failing findings (errors, and warnings under `--fail-on warning`) is a `<failure>`; a page that could
not be checked is an `<error>`; other findings go to the testcase's `<system-out>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from sdg_tags.validators.models import Finding, PageResult
from sdg_tags.validators.output.outcome import FailOn, is_failing

# Characters XML 1.0 cannot carry at all (control characters from broken pages, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SUITE_NAME = "sdg-tags check"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _finding_line(finding: Finding) -> str:
    where = f"line {finding.line}, column {finding.column}" if finding.line is not None else "page"
    return f"{where}: {finding.severity} {finding.rule}: {finding.message} (fix: {finding.hint}) [{finding.reference}]"


def format_junit(results: Sequence[PageResult], *, fail_on: FailOn = "error") -> str:
    """The JUnit XML report as text, with an XML declaration."""
    suite = ET.Element("testsuite", name=SUITE_NAME)
    failures = errors = 0
    for result in results:
        case = ET.SubElement(suite, "testcase", classname="sdg-tags", name=_xml_text(result.target))
        failing = [finding for finding in result.findings if is_failing(finding, fail_on)]
        others = [finding for finding in result.findings if not is_failing(finding, fail_on)]
        if result.verdict == "not-evaluated":
            errors += 1
            detail = result.status_detail or "the page could not be read"
            element = ET.SubElement(case, "error", message=_xml_text(detail), type="not-evaluated")
            element.text = _xml_text(f"{result.target} could not be checked: {detail}")
        elif failing:
            failures += 1
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
    suite.set("tests", str(len(results)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suites = ET.Element("testsuites", name=SUITE_NAME)
    suites.set("tests", str(len(results)))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

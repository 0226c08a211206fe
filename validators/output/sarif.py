"""`sdg-tags check --format sarif`: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, IDE viewers).

`tool.driver.rules` is the rule table (id, short description, help URI, default level); each finding is a
result with a physical location (file path or URL, line, column in characters). Pages that could not be checked
are tool execution notifications, and make `executionSuccessful` false.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote, urlsplit

from sdg_tags.validators.models import Finding, PageResult, Severity
from sdg_tags.validators.rules.table import GROUPS, Rule

from sdg_tags.version import PROJECT_URL

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = PROJECT_URL
LEVELS: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}
STDIN_URI = "stdin"


def artifact_uri(target: str, url: str | None = None) -> str:
    """Where findings are: the (final) URL for web pages, a relative or `file:` URI for files."""
    if urlsplit(target).scheme.lower() in ("http", "https"):
        return url or target
    if target == "-":
        return STDIN_URI
    windows = PureWindowsPath(target)
    if windows.drive:
        return "file:///" + quote(windows.as_posix(), safe="/:")
    path = PurePosixPath(target.replace("\\", "/"))
    if path.is_absolute():
        return "file://" + quote(path.as_posix())
    return quote(path.as_posix())


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.triggers},
        "fullDescription": {"text": f"{rule.triggers}. Cites: {rule.reference}."},
        # No helpUri: SARIF wants an absolute URI, and the rule pages the tool ships (docs/rules.md) or serves
        # (/rules/RULE on `sdg-tags serve`) have none; the help text is embedded instead.
        "help": {"text": rule.hint},
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.enabled_by_default},
        "properties": {
            "group": f"{rule.group}. {GROUPS[rule.group]}",
            "reference": rule.reference,
            "mode": rule.mode,
            "tags": [rule.severity, rule.mode],
        },
    }


def _unknown_rule_descriptor(finding: Finding) -> dict[str, Any]:
    # A finding whose rule is not in the table (a plug-in, a newer engine) still needs a descriptor.
    return {
        "id": finding.rule,
        "shortDescription": {"text": finding.rule},
        "help": {"text": finding.hint},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def _location(uri: str, line: int | None, column: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if line is not None and line >= 1:
        region: dict[str, int] = {"startLine": line}
        if column is not None and column >= 1:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _result(finding: Finding, rule_index: int, result: PageResult, uri: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"verdict": result.verdict, "reference": finding.reference}
    for key in ("tag", "item", "value", "normalized", "expected", "code_list"):
        value = getattr(finding, key)
        if value is not None:
            properties[key] = value
    if finding.type_inferred:
        properties["type_inferred"] = True
    if finding.origin != "static":
        properties["origin"] = finding.origin
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.message} Fix: {finding.hint}"},
        "locations": [_location(uri, finding.line, finding.column)],
        "properties": properties,
    }


class SarifLog:
    """A SARIF log built page by page: `results` go out as they come (`item`), while the rule descriptors
    and the notifications, which precede them in the document, are written last (`opening`, `closing`)."""

    def __init__(self, *, version: str, rules: Mapping[str, Rule] | None = None) -> None:
        if rules is None:
            from sdg_tags.validators.rules import RULES  # fills the table

            rules = RULES
        self.version = version
        self.descriptors = [_rule_descriptor(rule) for rule in rules.values()]
        self.index = {rule_id: position for position, rule_id in enumerate(rules)}
        self.notifications: list[dict[str, Any]] = []
        self.count = 0  # results handed out so far

    def page_results(self, result: PageResult) -> list[dict[str, Any]]:
        uri = artifact_uri(result.target, result.url)
        if result.verdict == "not-evaluated":
            detail = result.status_detail or "the page could not be read"
            self.notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"{result.target} could not be checked: {detail}"},
                    "locations": [_location(uri, None, None)],
                    "descriptor": {"id": "not-evaluated"},
                }
            )
            return []
        found = []
        for finding in result.findings:
            if finding.rule not in self.index:
                self.index[finding.rule] = len(self.descriptors)
                self.descriptors.append(_unknown_rule_descriptor(finding))
            found.append(_result(finding, self.index[finding.rule], result, uri))
        return found

    def item(self, sarif_result: dict[str, Any]) -> str:
        """One result as text, indented for its place in `runs[0].results`, with the separator before it."""
        self.count += 1
        text = json.dumps(sarif_result, ensure_ascii=False, indent=2).replace("\n", "\n" + _RESULT_INDENT)
        return ("\n" if self.count == 1 else ",\n") + _RESULT_INDENT + text

    def document(self, results: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "$schema": SARIF_SCHEMA,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "sdg-tags",
                            "version": self.version,
                            "informationUri": INFORMATION_URI,
                            "rules": self.descriptors,
                        }
                    },
                    "invocations": [
                        {
                            "executionSuccessful": not self.notifications,
                            "toolExecutionNotifications": self.notifications,
                        }
                    ],
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }
            ],
        }

    def _parts(self) -> tuple[str, str]:
        text = json.dumps(self.document([]), ensure_ascii=False, indent=2) + "\n"
        opening, closing = text.split('"results": []')
        return opening + '"results": [', ("\n      ]" if self.count else "]") + closing

    def opening(self) -> str:
        """Everything before the first result; call once every page has been given."""
        return self._parts()[0]

    def closing(self) -> str:
        return self._parts()[1]


_RESULT_INDENT = " " * 8  # {"runs": [ {"results": [ {...} ]} ]}


def sarif_document(
    results: Sequence[PageResult], *, version: str, rules: Mapping[str, Rule] | None = None
) -> dict[str, Any]:
    """The SARIF log as a dict: one run, the rule table as driver rules, one result per finding."""
    log = SarifLog(version=version, rules=rules)
    return log.document([item for result in results for item in log.page_results(result)])


def format_sarif(
    results: Sequence[PageResult], *, version: str, rules: Mapping[str, Rule] | None = None
) -> str:
    """The SARIF log as indented JSON text."""
    log = SarifLog(version=version, rules=rules)
    items = "".join(log.item(item) for result in results for item in log.page_results(result))
    return log.opening() + items + log.closing()

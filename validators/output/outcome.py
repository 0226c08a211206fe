"""What fails a check run: the `--fail-on` threshold, applied the same way by every output format."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from sdg_tags.validators.models import SEVERITIES, VERDICTS, Finding, PageResult

FailOn = Literal["error", "warning"]

EXIT_OK = 0  # no failing findings
EXIT_FAILING = 1  # failing findings: errors, or warnings under `--fail-on warning`
EXIT_NOT_CHECKED = 2  # a usage error, or a target could not be checked (wins over 1)


def is_failing(finding: Finding, fail_on: FailOn = "error") -> bool:
    """An error always fails; a warning fails only under `--fail-on warning`; info never does."""
    return finding.severity == "error" or (fail_on == "warning" and finding.severity == "warning")


def failing_findings(result: PageResult, fail_on: FailOn = "error") -> list[Finding]:
    return [finding for finding in result.findings if is_failing(finding, fail_on)]


def page_fails(result: PageResult, fail_on: FailOn = "error") -> bool:
    """True when the page has failing findings or could not be checked."""
    return result.verdict == "not-evaluated" or any(is_failing(f, fail_on) for f in result.findings)


def verdict_counts(results: Sequence[PageResult]) -> dict[str, int]:
    """`{"pages": n, verdict: count, ...}` with every verdict name present (the JSON "summary")."""
    counts = {"pages": len(results), **{verdict: 0 for verdict in VERDICTS}}
    for result in results:
        counts[result.verdict] += 1
    return counts


def severity_counts(results: Iterable[PageResult]) -> dict[str, int]:
    counts = {severity: 0 for severity in SEVERITIES}
    for result in results:
        for finding in result.findings:
            counts[finding.severity] += 1
    return counts


def exit_code(results: Sequence[PageResult], fail_on: FailOn = "error") -> int:
    """0, 1 or 2 as documented for `sdg-tags check` (2 when a target could not be checked)."""
    if any(result.verdict == "not-evaluated" for result in results):
        return EXIT_NOT_CHECKED
    if any(is_failing(f, fail_on) for result in results for f in result.findings):
        return EXIT_FAILING
    return EXIT_OK

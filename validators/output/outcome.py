"""What fails a check run: the `--fail-on` threshold, applied the same way by every output format."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class PageDigest:
    """What the summary and the exit code need of one page, small enough to keep for 100,000 pages or to send
    back from a worker process (`sdg-tags check DIR` does not keep the pages themselves)."""

    verdict: str
    severities: tuple[int, ...]  # findings per severity, in SEVERITIES order
    fails: bool  # page_fails: failing findings, or not evaluated
    has_failing_finding: bool


def page_digest(result: PageResult, fail_on: FailOn = "error") -> PageDigest:
    severities = dict.fromkeys(SEVERITIES, 0)
    failing = False
    for finding in result.findings:
        severities[finding.severity] += 1
        failing = failing or is_failing(finding, fail_on)
    return PageDigest(
        result.verdict, tuple(severities.values()), failing or result.verdict == "not-evaluated", failing
    )


@dataclass
class Tally:
    """Running totals over the pages of a check run: the summary line, the JSON summary and the exit code."""

    pages: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    severities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    failing_pages: int = 0
    any_failing_finding: bool = False

    def add(self, digest: PageDigest) -> None:
        self.pages += 1
        self.verdicts[digest.verdict] += 1
        for severity, count in zip(SEVERITIES, digest.severities, strict=True):
            self.severities[severity] += count
        self.failing_pages += digest.fails
        self.any_failing_finding = self.any_failing_finding or digest.has_failing_finding

    @classmethod
    def of(cls, results: Iterable[PageResult], fail_on: FailOn = "error") -> Tally:
        tally = cls()
        for result in results:
            tally.add(page_digest(result, fail_on))
        return tally

    def verdict_counts(self) -> dict[str, int]:
        return {"pages": self.pages, **self.verdicts}

    def exit_code(self) -> int:
        if self.verdicts["not-evaluated"]:
            return EXIT_NOT_CHECKED
        return EXIT_FAILING if self.any_failing_finding else EXIT_OK

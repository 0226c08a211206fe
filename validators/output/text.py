"""`sdg-tags check` text output: one block per page, findings by line with their fix hints, a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from sdg_tags.validators.models import VERDICTS, Finding, PageResult
from sdg_tags.validators.output.outcome import FailOn, Tally, failing_findings, page_fails

# ANSI SGR codes; only used when the caller says the output is a colour terminal.
_RESET = "\033[0m"
_STYLES = {
    "error": "\033[1;31m",
    "warning": "\033[33m",
    "info": "\033[36m",
    "compliant": "\033[1;32m",
    "compliant-with-warnings": "\033[1;33m",
    "non-compliant": "\033[1;31m",
    "not-self-describing": "\033[1;37m",
    "not-evaluated": "\033[1;35m",
    "target": "\033[1m",
    "dim": "\033[2m",
}
_INDENT = "  "


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.color else text


def _finding_sort_key(finding: Finding) -> tuple[int, int, str]:
    # Page-level findings (no line: a missing tag, the language) first, then in document order.
    return (finding.line or 0, finding.column or 0, finding.rule)


def _position(finding: Finding) -> str:
    if finding.line is None:
        return "-"
    return f"{finding.line}:{finding.column}" if finding.column is not None else str(finding.line)


def _page_header(result: PageResult, paint: _Painter) -> str:
    facts = []
    if result.page_types:
        types = "; ".join(result.page_types)
        facts.append(f"type {types}{' (inferred)' if result.page_types_inferred else ''}")
    if result.language:
        facts.append(f"language {result.language}")
    if result.profile != "harvester":
        facts.append(f"profile {result.profile}")
    extra = f"  ({', '.join(facts)})" if facts else ""
    return f"{paint('target', result.target)}: {paint(result.verdict, result.verdict)}{extra}"


def _finding_lines(findings: list[Finding], paint: _Painter) -> list[str]:
    lines: list[str] = []
    width = max((len(_position(finding)) for finding in findings), default=1)
    rule_width = max((len(finding.rule) for finding in findings), default=1)
    hint_indent = _INDENT + " " * (width + 2 + 7 + 2)
    for finding in sorted(findings, key=_finding_sort_key):
        severity = paint(finding.severity, f"{finding.severity:<7}")
        head = f"{_INDENT}{_position(finding):>{width}}  {severity}  {finding.rule:<{rule_width}}  {finding.message}"
        lines.append(head.rstrip())
        hint = f"fix: {finding.hint}" if finding.hint else ""
        cites = f"[{finding.reference}]" if finding.reference else ""
        tail = "  ".join(part for part in (hint, cites) if part)
        if finding.type_inferred:
            tail += "  (page type inferred)"
        if tail:
            lines.append(hint_indent + paint("dim", tail))
    return lines


def format_page(
    result: PageResult, *, fail_on: FailOn = "error", color: bool = False, quiet: bool = False
) -> str:
    """One page's block: header, findings (only failing ones when `quiet`), status detail, suggested tags."""
    paint = _Painter(color)
    lines = [_page_header(result, paint)]
    if result.url and result.url != result.target:
        lines.append(f"{_INDENT}final URL: {result.url}")
    if result.verdict == "not-evaluated":
        lines.append(f"{_INDENT}not checked: {result.status_detail or 'the page could not be read'}")
    elif result.status_detail:
        lines.append(f"{_INDENT}note: {result.status_detail}")
    findings = failing_findings(result, fail_on) if quiet else list(result.findings)
    lines += _finding_lines(findings, paint)
    if result.suggested_tags:  # asked for with --suggest: shown in quiet mode too
        lines.append(f"{_INDENT}suggested tags (paste in place of the page's SDG tags):")
        lines += [f"{_INDENT * 2}{line}" for line in result.suggested_tags.splitlines()]
    return "\n".join(lines) + "\n"


def summary_line(results: Sequence[PageResult] | Tally, *, fail_on: FailOn = "error") -> str:
    """`3 pages: 1 compliant, 2 non-compliant; 4 errors, 1 warning, 0 info; 2 failing (--fail-on error)`."""
    tally = results if isinstance(results, Tally) else Tally.of(results, fail_on)
    by_verdict = ", ".join(
        f"{tally.verdicts[verdict]} {verdict}" for verdict in VERDICTS if tally.verdicts[verdict]
    )
    plural = {"error": "errors", "warning": "warnings", "info": "info"}
    by_severity = ", ".join(
        f"{count} {severity if count == 1 else plural[severity]}"
        for severity, count in tally.severities.items()
    )
    pages = f"{tally.pages} page{'s' if tally.pages != 1 else ''}"
    verdict_text = f": {by_verdict}" if by_verdict else ""
    return f"{pages}{verdict_text}; {by_severity}; {tally.failing_pages} failing (--fail-on {fail_on})"


def format_text(
    results: Sequence[PageResult], *, fail_on: FailOn = "error", color: bool = False, quiet: bool = False
) -> str:
    """All pages (only failing ones when `quiet`), separated by blank lines, then the summary line."""
    blocks = [
        format_page(result, fail_on=fail_on, color=color, quiet=quiet)
        for result in results
        if not quiet or page_fails(result, fail_on)
    ]
    return "\n".join([*blocks, summary_line(results, fail_on=fail_on) + "\n"])

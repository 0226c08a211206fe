"""The rule table: every rule's metadata (the context its check receives: `context.py`; values: `values.py`).

A rule is one small function decorated with `@rule(...)` (its id, severity, group, trigger text, legal
reference, fix hint). Crawl- and registry-mode rules (groups I, J) are produced by the crawler and the
registry diff; they are declared here as data with `declare(...)` so docs and `sdg-tags rules` list them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sdg_tags.validators.models import (
    Finding,
    Origin,
    Severity,
    construct_trusted,
)

if TYPE_CHECKING:
    from sdg_tags.validators.rules.context import RuleContext

RuleMode = Literal["page", "crawl", "registry"]
CheckFunction = Callable[["RuleContext"], Iterable[Finding]]  # context.RuleContext

GROUPS: dict[str, str] = {
    "A": "Presence and markup",
    "B": "Gateway marker",
    "C": "Country (DC.ISO3166)",
    "D": "Location (DC.Location)",
    "E": "Type of service (DC.Service)",
    "F": "Subject (policy-code, DC.Policy)",
    "G": "Assistance pages",
    "H": "Language",
    "I": "Canonical link and crawl reach",
    "J": "Registry comparison",
}

# Where a rule is documented, in places the tool itself ships or serves (never an outside address): the section
# of docs/rules.md (anchor = rule id; the sources ship the file, `sdg-tags rules --markdown` prints it) and the
# page `sdg-tags serve` serves at /rules/RULE-ID. Reports are files read offline: they embed the rule text.
DOCS_FILE = "docs/rules.md"
RULE_PAGES = "/rules"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    group: str  # a key of GROUPS
    triggers: str  # "Triggers when" of SPEC §6.2, in words
    reference: str  # citation key(s) of SPEC §2
    hint: str  # fix hint
    mode: RuleMode = "page"
    enabled_by_default: bool = True
    check: CheckFunction | None = None
    # Minimal examples (the model: Ruff's rule pages), tested by tests/test_rule_examples.py. Page rules: an
    # HTML snippet, the content of `<head>` in `<html lang="en">` unless it starts with its own `<html`
    # (`example_document`); render-mode rules: the served snippet, a line `--- rendered ---`, the rendered one.
    # Crawl and registry rules: the context they need, then the page (`example_parts`).
    fail_example: str = ""
    pass_example: str = ""

    @property
    def docs_url(self) -> str:
        """The rule's section of docs/rules.md, relative to the project root."""
        return f"{DOCS_FILE}#{self.id}"

    @property
    def page_path(self) -> str:
        """The rule's page on the web app (`sdg-tags serve`)."""
        return f"{RULE_PAGES}/{self.id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "group": f"{self.group}. {GROUPS[self.group]}",
            "triggers": self.triggers,
            "reference": self.reference,
            "hint": self.hint,
            "mode": self.mode,
            "enabled_by_default": self.enabled_by_default,
            "docs_url": self.docs_url,
            "fail_example": self.fail_example,
            "pass_example": self.pass_example,
        }


RULES: dict[str, Rule] = {}

_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _register(rule_: Rule) -> Rule:
    if not _RULE_ID.match(rule_.id):
        raise ValueError(f"rule id {rule_.id!r} is not kebab-case")
    if rule_.id in RULES:
        raise ValueError(f"rule id {rule_.id!r} declared twice")
    if rule_.group not in GROUPS:
        raise ValueError(f"rule {rule_.id!r}: unknown group {rule_.group!r}")
    RULES[rule_.id] = rule_
    return rule_


def rule(
    id: str,
    severity: Severity,
    group: str,
    triggers: str,
    reference: str,
    hint: str,
    *,
    enabled_by_default: bool = True,
    fail_example: str = "",
    pass_example: str = "",
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a page-mode rule whose check is the decorated function."""

    def decorate(check: CheckFunction) -> CheckFunction:
        _register(
            Rule(
                id,
                severity,
                group,
                triggers,
                reference,
                hint,
                "page",
                enabled_by_default,
                check,
                fail_example.strip("\n"),
                pass_example.strip("\n"),
            )
        )
        return check

    return decorate


def declare(
    id: str,
    severity: Severity,
    group: str,
    triggers: str,
    reference: str,
    hint: str,
    *,
    mode: RuleMode,
    enabled_by_default: bool = True,
    fail_example: str = "",
    pass_example: str = "",
) -> Rule:
    """Register a rule that the crawler or the registry diff reports (no page check function)."""
    return _register(
        Rule(
            id,
            severity,
            group,
            triggers,
            reference,
            hint,
            mode,
            enabled_by_default,
            None,
            fail_example.strip("\n"),
            pass_example.strip("\n"),
        )
    )


def example_document(snippet: str) -> bytes:
    """A page example as the engine reads it: a snippet without its own `<html` is the content of `<head>` in
    `<html lang="en">`."""
    if snippet.lstrip().lower().startswith(("<!doctype", "<html")):
        return snippet.encode("utf-8")
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{snippet}\n</head>\n<body></body>\n</html>\n'.encode()


EXAMPLE_KEYS = ("url", "scope", "links", "robots.txt", "registry", "fetch")
RENDERED_MARK = "--- rendered ---"


def example_parts(example: str) -> tuple[dict[str, str], str]:
    """A crawl or registry example: its leading `key: value` context lines, then the page snippet.

    Keys: `url:` the page's address; `scope:` the registered web folder; `links:` a link the crawl saw
    (`from -> to`); `robots.txt:` the site's robots.txt (on the indented lines that follow); `registry:` the
    registry entry as JSON (`none`: no entry); `fetch:` what fetching gave (`200`, `404, and 404 on the previous
    run`, `301 URL`)."""
    context: dict[str, str] = {}
    lines = example.splitlines()
    while lines and lines[0].split(":", 1)[0] in EXAMPLE_KEYS:
        key, value = lines.pop(0).split(":", 1)
        block = [value.strip()] if value.strip() else []
        while lines and lines[0].startswith("  "):
            block.append(lines.pop(0).strip())
        context[key] = "\n".join(block)
    return context, "\n".join(lines)


def rule_finding(
    rule_id: str,
    message: str,
    *,
    tag: str | None = None,
    item: int | None = None,
    value: str | None = None,
    normalized: str | None = None,
    expected: str | None = None,
    line: int | None = None,
    column: int | None = None,
    origin: Origin = "static",
    hint: str | None = None,
    code_list: str | None = None,
    type_inferred: bool = False,
) -> Finding:
    """A finding of `rule_id` with the severity, reference and (default) hint the rule table declares."""
    spec = RULES[rule_id]
    return construct_trusted(
        Finding,
        rule=rule_id,
        severity=spec.severity,
        message=message,
        tag=tag,
        item=item,
        value=value,
        normalized=normalized,
        expected=expected,
        line=line,
        column=column,
        origin=origin,
        reference=spec.reference,
        hint=hint or spec.hint,
        code_list=code_list,
        type_inferred=type_inferred,
    )


def page_rules() -> Iterator[Rule]:
    """Page-mode rules in table order (importing `validators.rules` fills the table)."""
    for rule_ in RULES.values():
        if rule_.mode == "page" and rule_.check is not None:
            yield rule_

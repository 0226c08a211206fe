"""The rule table rendered for people and programs: `sdg-tags rules` (text, JSON) and `docs/rules.md` (Markdown).

Everything comes from the rule declarations (`validators.rules.RULES`), so the documentation cannot drift from
what the validator does; a test compares the committed `docs/rules.md` with a fresh render.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable

from sdg_tags.validators.rules.table import GROUPS, Rule

MARKDOWN_INTRO = """\
Every rule the validator applies, by family (SPEC §6.2). Rule ids are stable: use them to switch a rule off
(`sdg-tags check --ignore RULE`), change its severity (`--severity RULE=LEVEL`) or switch on a rule that is off
by default (`--enable RULE`).

Severity: **error** = an indicator the Implementing Regulation requires is missing or unusable for the
Commission's harvester (the page is *non-compliant*); **warning** = deviates from the Commission's guidance or is
likely wrong, but the intent is recoverable; **info** = advice. Mode: **page** rules run on every checked page;
**crawl** rules come from a crawl (robots.txt, links, canonical scope); **registry** rules compare pages with the
repository for links. `sdg-tags check --country CC` reports a country that differs from the expected one under
`registry-country-mismatch` (the expected country plays the registry's role).

Every rule shows a minimal failing and passing example (tested: `tests/test_rule_examples.py`). A page example is
the content of `<head>` in `<html lang="en">` unless it shows its own `<html>`; a render-mode example gives the
served HTML, then `--- rendered ---` and the DOM after JavaScript; crawl and registry examples start with the
context they need (`url:` the page, `scope:` the registered folder, `links:` a link seen, `robots.txt:`,
`registry:` the entry as JSON, `fetch:` what fetching gave). One rule: `sdg-tags rules RULE`; on the web app
(`sdg-tags serve`): `/rules/RULE`.
"""


def rules_in_order(rules: Iterable[Rule], group: str | None = None) -> list[Rule]:
    """Rules sorted by family (A-J) keeping declaration order inside a family; only `group` when given."""
    order = {key: index for index, key in enumerate(GROUPS)}
    chosen = [rule for rule in rules if group is None or rule.group == group]
    return sorted(chosen, key=lambda rule: order[rule.group])  # stable: declaration order within a family


def _qualifiers(rule: Rule) -> str:
    notes = []
    if rule.mode != "page":
        notes.append(f"{rule.mode} mode")
    if not rule.enabled_by_default:
        notes.append("off by default")
    return f" ({', '.join(notes)})" if notes else ""


def render_text(rules: Iterable[Rule], group: str | None = None, width: int = 100) -> str:
    """The table for a terminal: one block per rule, grouped by family."""
    lines: list[str] = []
    current = None
    chosen = rules_in_order(rules, group)
    id_width = max((len(rule.id) for rule in chosen), default=0)
    indent = " " * 6
    for rule in chosen:
        if rule.group != current:
            if current is not None:
                lines.append("")
            current = rule.group
            lines.append(f"{rule.group}. {GROUPS[rule.group]}")
        lines.append(f"  {rule.id:<{id_width}}  {rule.severity}{_qualifiers(rule)}")
        for label, text in (("When", rule.triggers), ("Cites", rule.reference), ("Fix", rule.hint)):
            lines.extend(
                textwrap.wrap(
                    f"{label}: {text}", width, initial_indent=indent, subsequent_indent=indent + "  "
                )
            )
    lines.append("")
    lines.append(f"{len(chosen)} rule(s). Details: sdg-tags rules --markdown, or docs/rules.md.")
    return "\n".join(lines) + "\n"


def render_rule_text(rule: Rule, width: int = 100) -> str:
    """One rule for a terminal (`sdg-tags rules RULE`): its metadata, then its failing and passing example."""
    lines = [f"{rule.id}  {rule.severity}{_qualifiers(rule)}  ({rule.group}. {GROUPS[rule.group]})", ""]
    for label, text in (("When", rule.triggers), ("Cites", rule.reference), ("Fix", rule.hint)):
        lines.extend(textwrap.wrap(f"{label}: {text}", width, subsequent_indent="  "))
    for label, example in (("Fails", rule.fail_example), ("Passes", rule.pass_example)):
        if example:
            lines += ["", f"{label}:", *(f"    {line}" for line in example.splitlines())]
    lines += ["", f"Documented in {rule.docs_url}; on `sdg-tags serve`: {rule.page_path}"]
    return "\n".join(lines) + "\n"


def _example_markdown(rule: Rule) -> list[str]:
    out: list[str] = []
    for label, example in (("Fails", rule.fail_example), ("Passes", rule.pass_example)):
        if example:
            out += [f"**{label}:**", "", "```html", example, "```", ""]
    return out


def render_json(rules: Iterable[Rule], group: str | None = None) -> str:
    """`{"groups": {letter: title}, "rules": [Rule.as_dict(), ...]}` as indented JSON."""
    chosen = rules_in_order(rules, group)
    groups = {key: title for key, title in GROUPS.items() if group is None or key == group}
    document = {"groups": groups, "rules": [rule.as_dict() for rule in chosen]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_CODE_SPAN = re.compile(r"(`[^`]*`)")
_MARKDOWN_ACTIVE = re.compile(r"([\\*_<\[\]])")


def _prose(text: str) -> str:
    """Rule text as literal Markdown: `<html lang>`, `*-missing` and `dc_policy` must not become markup."""
    parts = _CODE_SPAN.split(text.replace("\\|", "|"))
    return "".join(
        part if index % 2 else _MARKDOWN_ACTIVE.sub(r"\\\1", part) for index, part in enumerate(parts)
    )


def _cell(text: str) -> str:
    # A `|` ends a table cell even inside a code span, and rule texts list separators such as `,` `|`.
    return _prose(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(rules: Iterable[Rule], group: str | None = None) -> str:
    """`docs/rules.md`: an overview table per family, then one section per rule (anchor = rule id)."""
    chosen = rules_in_order(rules, group)
    out: list[str] = [
        "# Validation rules",
        "",
        "<!-- Generated by `sdg-tags rules --markdown` (`make docs`) from the rule declarations in",
        "     validators/rules/. Do not edit by hand: a test compares this file with a fresh render. -->",
        "",
        MARKDOWN_INTRO,
    ]
    counts = {key: sum(1 for rule in chosen if rule.group == key) for key in GROUPS}
    out += ["| Family | Rules |", "|---|---|"]
    for key, title in GROUPS.items():
        if counts[key]:
            out.append(f"| {key}. {title} | {counts[key]} |")
    out.append("")
    for key, title in GROUPS.items():
        family = [rule for rule in chosen if rule.group == key]
        if not family:
            continue
        out += [f"## {key}. {title}", "", "| Rule | Severity | Triggers when |", "|---|---|---|"]
        for rule in family:
            out.append(
                f"| [`{rule.id}`](#{rule.id}) | {rule.severity}{_qualifiers(rule)} | {_cell(rule.triggers)} |"
            )
        out.append("")
        for rule in family:
            out += [
                f"### {rule.id}",
                "",
                f"- **Severity:** {rule.severity}{_qualifiers(rule)}",
                f"- **Triggers when:** {_prose(rule.triggers)}",
                f"- **Cites:** {_prose(rule.reference)}",
                f"- **Fix:** {_prose(rule.hint)}",
                "",
                *_example_markdown(rule),
            ]
    return "\n".join(out).rstrip("\n") + "\n"

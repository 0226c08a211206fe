"""`sdg-tags rules`: the rule table (ids, severities, triggers, legal references, fix hints)."""

from __future__ import annotations

import argparse
import sys

GROUP_LETTERS = "ABCDEFGHIJ"


def _group(value: str) -> str:
    letter = value.strip().upper()
    if len(letter) != 1 or letter not in GROUP_LETTERS:
        raise argparse.ArgumentTypeError(f"unknown rule family {value!r}; give one letter A-J")
    return letter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list the validation rules",
        description="List the validation rules with their severity, trigger, legal reference and fix hint; "
        "with a RULE id, that rule with its failing and passing example. docs/rules.md is this command's "
        "--markdown output.",
    )
    parser.add_argument("rule", nargs="?", metavar="RULE", help="one rule id (e.g. country-case)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="machine-readable JSON")
    output.add_argument("--markdown", action="store_true", help="Markdown (the text of docs/rules.md)")
    parser.add_argument(
        "--group", type=_group, metavar="A..J", help="only one rule family (A presence ... J registry)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sdg_tags.validators.rules import RULES
    from sdg_tags.validators.rules_doc import render_json, render_markdown, render_rule_text, render_text

    rules = RULES.values()
    if args.rule is not None:
        rule = RULES.get(args.rule.strip())
        if rule is None:
            print(f"sdg-tags rules: unknown rule {args.rule!r}; `sdg-tags rules` lists them", file=sys.stderr)
            return 2
        rules = [rule]
        if not (args.json or args.markdown):
            sys.stdout.write(render_rule_text(rule))
            return 0
    if args.json:
        text = render_json(rules, args.group)
    elif args.markdown:
        text = render_markdown(rules, args.group)
    else:
        text = render_text(rules, args.group)
    sys.stdout.write(text)
    return 0

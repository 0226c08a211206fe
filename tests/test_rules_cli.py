"""`sdg-tags rules` and docs/rules.md: rendered from the rule table, never edited by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sdg_tags.cli.main import main
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.rules.table import GROUPS, Rule
from sdg_tags.validators.rules_doc import render_json, render_markdown, render_text, rules_in_order

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = [
    Rule(
        "value-separator",
        "error",
        "A",
        "Items joined by `,` `:` `/` `\\|` or space",
        "Guidance 2020",
        "Use `;`",
    ),
    Rule("sdg-marker-case", "warning", "B", "`SDG`, `Sdg`", "Guidance 2020 §tag table", "Lower case"),
    Rule(
        "crawl-noindex",
        "warning",
        "I",
        "Page has `noindex`",
        "DIGG guidance",
        "Remove `noindex`",
        mode="crawl",
    ),
    Rule(
        "language-content-mismatch",
        "info",
        "H",
        "Detected text language ≠ declared",
        "IR 2020/1121 Art 2(3)(c)",
        "Catches hard-coded values",
        enabled_by_default=False,
    ),
]


def test_committed_docs_equal_a_fresh_render() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_markdown(RULES.values()), "docs/rules.md is stale: run `make docs`"


def test_rules_are_ordered_by_family_then_declaration() -> None:
    assert [rule.id for rule in rules_in_order(SAMPLE)] == [
        "value-separator",
        "sdg-marker-case",
        "language-content-mismatch",
        "crawl-noindex",
    ]
    assert [rule.id for rule in rules_in_order(SAMPLE, "H")] == ["language-content-mismatch"]


def test_markdown_has_an_anchor_per_rule_and_escapes_table_pipes() -> None:
    text = render_markdown(SAMPLE)
    assert (
        "| [`value-separator`](#value-separator) | error | Items joined by `,` `:` `/` `\\|` or space |"
        in text
    )
    assert "| [`crawl-noindex`](#crawl-noindex) | warning (crawl mode) | Page has `noindex` |" in text
    assert "- **Severity:** info (off by default)" in text
    assert "### language-content-mismatch\n" in text
    assert "## H. Language\n" in text
    assert "## C." not in text  # families without rules are left out
    assert "| B. Gateway marker | 1 |" in text


def test_text_lists_rules_with_their_texts() -> None:
    text = render_text(SAMPLE, "B")
    assert text == (
        "B. Gateway marker\n"
        "  sdg-marker-case  warning\n"
        "      When: `SDG`, `Sdg`\n"
        "      Cites: Guidance 2020 §tag table\n"
        "      Fix: Lower case\n"
        "\n"
        "1 rule(s). Details: sdg-tags rules --markdown, or docs/rules.md.\n"
    )


def test_json_is_the_rule_dicts() -> None:
    document = json.loads(render_json(SAMPLE, "I"))
    assert document == {
        "groups": {"I": GROUPS["I"]},
        "rules": [
            {
                "id": "crawl-noindex",
                "severity": "warning",
                "group": "I. Canonical link and crawl reach",
                "triggers": "Page has `noindex`",
                "reference": "DIGG guidance",
                "hint": "Remove `noindex`",
                "mode": "crawl",
                "enabled_by_default": True,
                "docs_url": "docs/rules.md#crawl-noindex",
                "fail_example": "",
                "pass_example": "",
            }
        ],
    }


def test_cli_json_lists_the_whole_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [rule["id"] for rule in document["rules"]] == [rule.id for rule in rules_in_order(RULES.values())]
    assert document["groups"] == GROUPS


def test_cli_group_filter_gateway_marker(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json", "--group", "b"]) == 0
    ids = [rule["id"] for rule in json.loads(capsys.readouterr().out)["rules"]]
    assert ids == ["sdg-marker-missing", "sdg-marker-invalid", "sdg-marker-case"]


def test_cli_markdown_is_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--markdown"]) == 0
    assert capsys.readouterr().out == render_markdown(RULES.values())


def test_cli_text_names_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule_id in RULES:
        assert f"  {rule_id} " in out
    assert out.endswith(f"{len(RULES)} rule(s). Details: sdg-tags rules --markdown, or docs/rules.md.\n")


def test_cli_one_rule_shows_its_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "country-gr-instead-of-el"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("country-gr-instead-of-el  error  (C. Country (DC.ISO3166))\n")
    assert "\nFails:\n" in out and '    <meta name="DC.ISO3166" content="GR">\n' in out
    assert "\nPasses:\n" in out and '    <meta name="DC.ISO3166" content="EL">\n' in out
    assert out.endswith(
        "Documented in docs/rules.md#country-gr-instead-of-el; on `sdg-tags serve`: "
        "/rules/country-gr-instead-of-el\n"
    )
    assert main(["rules", "country-case", "--json"]) == 0
    assert [rule["id"] for rule in json.loads(capsys.readouterr().out)["rules"]] == ["country-case"]


def test_cli_unknown_rule_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "country-nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "sdg-tags rules: unknown rule 'country-nope'; `sdg-tags rules` lists them\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--group", "Z"],
            "sdg-tags rules: error: argument --group: unknown rule family 'Z'; give one letter A-J",
        ),
        (
            ["--json", "--markdown"],
            "sdg-tags rules: error: argument --markdown: not allowed with argument --json",
        ),
    ],
)
@pytest.mark.slow
def test_cli_usage_errors_are_one_line_exit_2(argv: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sdg_tags.cli.main", "rules", *argv], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"{message} (see 'sdg-tags rules --help')\n"

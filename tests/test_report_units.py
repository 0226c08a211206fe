"""Report building blocks: the compliance rate, safe JSON for scripts, CSP hashes, SVG escaping, CSV cells, and
the report command's errors for people."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from sdg_tags.cli.main import main
from sdg_tags.reports import charts
from sdg_tags.reports.csv_tables import spreadsheet_safe
from sdg_tags.reports.figures import compliance_rate, verdict_summary
from sdg_tags.reports.html import asset, content_security_policy, render, script_json
from sdg_tags.reports.pages import page_country


def test_compliance_rate_leaves_out_untagged_and_unchecked_pages() -> None:
    counts = {
        "compliant": 3,
        "compliant-with-warnings": 1,
        "non-compliant": 4,
        "not-self-describing": 50,
        "not-evaluated": 9,
    }
    assert compliance_rate(counts) == 0.5
    assert compliance_rate({"not-self-describing": 2, "not-evaluated": 1}) is None
    summary = verdict_summary(counts)
    assert (summary["pages"], summary["rated_pages"], summary["shares"]["not-self-describing"]) == (
        67,
        8,
        0.7463,
    )
    assert verdict_summary({})["shares"]["compliant"] is None


def test_script_json_cannot_close_the_script_element() -> None:
    value = {
        "tag": "</script><script>alert(1)</script>",
        "amp": "a&b",
        "separators": "x\u2028y\u2029z",
        "é": "ü",
    }
    text = str(script_json(value))
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert "é" in text  # non-ASCII stays compact
    assert json.loads(text) == value


def test_csp_allows_exactly_the_shipped_script_and_style() -> None:
    policy = content_security_policy(asset("table.js"), asset("report.css"))
    digest = base64.b64encode(hashlib.sha256(asset("table.js").encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in policy
    assert "unsafe" not in policy and policy.startswith("default-src 'none'; ")
    html = render("diff.html", minimal_diff_context(), script_data={"tables": []})
    script = html.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert script == asset("table.js") and style == asset("report.css")  # hashed text is the inserted text


def minimal_diff_context() -> dict:
    return {
        "title": "t",
        "tool_version": "0",
        "generated_at": "2025-01-31T23:00:00Z",
        "run": {"id": 1, "started_at": "2025-01-31T23:00:00Z"},
        "previous_run": None,
        "registry_source": "<b>file</b>",
        "summary": {
            "entries": 0,
            "entries_matched": 0,
            "entries_marked_delete": 0,
            "by_severity": {"error": 0, "warning": 0, "info": 0, "note": 0},
        },
        "by_rule": [],
        "chart": None,
        "glossary": [],
        "docs_url": "https://example.org/rules",
        "note_severity": "note",
    }


def test_templates_escape_values() -> None:
    html = render("diff.html", minimal_diff_context(), script_data={"tables": []})
    assert "&lt;b&gt;file&lt;/b&gt;" in html and "<b>file" not in html


def test_chart_labels_and_links_are_escaped() -> None:
    label = '"><script>alert(1)</script>'
    svg = str(
        charts.stacked_bars(
            "c",
            "Title <i>",
            [charts.StackedRow(label, {"compliant": 2, "non-compliant": 1}, "note", '#pages:provider=a"b')],
            categories=("compliant", "non-compliant"),
            labels={"compliant": "Compliant", "non-compliant": "Non-compliant"},
        )
    )
    assert "<script" not in svg and "<i>" not in svg
    assert "&#34;&gt;&lt;script&gt;" in svg
    assert 'href="#pages:provider=a&#34;b"' in svg
    assert re.search(r'<rect x="210\.0" y="11" width="286\.7" height="15" fill="#1a7f37">', svg)
    line = str(charts.line("t", "Trend", [("run 1", 0.5), ("run 2", None), ("run 3", 1.0)]))
    assert line.count("<circle") == 2 and "<polyline" not in line  # a gap leaves no one-point segments


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("C2", "C2"),
        (3, 3),
        (True, "true"),
        (None, ""),
        (["a", "b"], "a;b"),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(value: object, cell: object) -> None:
    assert spreadsheet_safe(value) == cell


def test_page_country_prefers_the_registry() -> None:
    assert page_country("se", "BE") == "SE"
    assert page_country(None, " be ;SE") == "BE"
    assert page_country(None, "Belgium") is None
    assert page_country(None, None) is None


def test_report_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.db"
    assert main(["report", "--db", f"sqlite:///{missing}", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"database file '{missing}' does not exist" in err
    assert not missing.exists()
    assert (
        main(["report", "--db", f"sqlite:///{missing}", "--country", "Belgium", "--out", str(tmp_path)]) == 2
    )
    assert capsys.readouterr().err == (
        "sdg-tags report: error: --country must be a two-letter code such as BE or EL, not 'Belgium'\n"
    )
    empty = tmp_path / "empty.db"
    from sdg_tags.repository.store import Repository

    with Repository(f"sqlite:///{empty}") as repository:
        repository.runs()
    assert main(["report", "--db", f"sqlite:///{empty}", "--out", str(tmp_path / "out")]) == 2
    assert "no crawl run in" in capsys.readouterr().err
    assert main(["report", "--db", f"sqlite:///{empty}", "--run", "7", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith("sdg-tags report: error: run 7 is not in ")
    (tmp_path / "file").write_text("x")
    assert main(["report", "--db", f"sqlite:///{empty}", "--out", str(tmp_path / "file")]) == 2
    assert "is a file; give a folder" in capsys.readouterr().err

"""`sdg-tags diff` on two real crawls: every group J rule the site provokes, exactly, in diff.json and diff.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sdg_tags.cli.main import main
from sdg_tags.reports.registry_diff import DIFF_COLUMNS

from tests.sites.report_crawl import BE_PROVIDER, ReportCrawl

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites


@pytest.fixture(scope="module")
def diff_dir(report_crawl: ReportCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("diff")
    assert main(["diff", "--db", report_crawl.db_url, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def diff(diff_dir: Path) -> dict[str, Any]:
    return json.loads((diff_dir / "diff.json").read_text(encoding="utf-8"))


def rows_of(diff: dict[str, Any], rule: str | None, kind: str | None = None) -> list[dict[str, Any]]:
    return [row for row in diff["rows"] if row["rule"] == rule and (kind is None or row["kind"] == kind)]


def path_of(report_crawl: ReportCrawl, url: str | None) -> str | None:
    return url[len(report_crawl.base) :] if url else None


def test_summary_counts_every_rule(diff: dict[str, Any], report_crawl: ReportCrawl) -> None:
    summary = diff["summary"]
    assert diff["diff"]["run"]["id"] == report_crawl.runs[1]
    assert diff["diff"]["previous_run"] == report_crawl.runs[0]
    assert (summary["entries"], summary["entries_matched"], summary["rows"]) == (7, 7, 16)
    assert summary["by_rule"] == {
        "policy-code-unknown": 1,
        "policy-legacy-annex2-meaning": 1,
        "registry-category-mismatch": 2,
        "registry-country-mismatch": 2,
        "registry-crawl-entry-untagged": 1,
        "registry-entry-missing": 3,
        "registry-language-mismatch": 1,
        "registry-location-mismatch": 1,
        "registry-type-mismatch": 1,
        "registry-url-dead": 1,
        "registry-url-redirected": 1,
    }
    assert summary["by_severity"] == {"error": 2, "warning": 10, "info": 3, "note": 1}


def test_dead_and_redirected_addresses_need_two_runs(diff: dict[str, Any], report_crawl: ReportCrawl) -> None:
    (dead,) = rows_of(diff, "registry-url-dead")
    assert path_of(report_crawl, dead["registry_url"]) == "/be/dead.html"
    assert dead["severity"] == "error"
    assert dead["message"] == "HTTP 404 on this run and the previous one"
    (moved,) = rows_of(diff, "registry-url-redirected")
    assert path_of(report_crawl, moved["registry_url"]) == "/se/moved.html"
    assert moved["crawled_value"] == report_crawl.url("/se/target.html")
    assert moved["hint"] == "Store the final URL"


def test_untagged_pages_are_an_error_only_for_crawl_entries(
    diff: dict[str, Any], report_crawl: ReportCrawl
) -> None:
    (crawl,) = rows_of(diff, "registry-crawl-entry-untagged")
    assert path_of(report_crawl, crawl["registry_url"]) == "/se/crawl.html"
    assert crawl["notification_type"] == "CRAWL"
    (upload,) = rows_of(diff, None, "untagged-notified")
    assert path_of(report_crawl, upload["registry_url"]) == "/se/upload.html"
    assert upload["severity"] == "note"
    assert "not an error: the entry was notified by UPLOAD" in upload["message"]


def test_field_mismatches(diff: dict[str, Any], report_crawl: ReportCrawl) -> None:
    mismatch = {
        row["field"]: (row["registry_value"], row["crawled_value"])
        for row in diff["rows"]
        if row["kind"] == "mismatch" and path_of(report_crawl, row["registry_url"]) == "/se/mismatch.html"
    }
    assert mismatch == {
        "type": ("Procedure", "information"),
        "categories": ("A1", "C2"),
        "language": ("en", "sv"),
        "national code": ("SE110", "SE11"),
    }
    countries = sorted(
        (path_of(report_crawl, row["page_url"]), row["crawled_value"])
        for row in rows_of(diff, "registry-country-mismatch")
    )
    assert countries == [("/be/grece.html", "GR"), ("/be/xss.html", '<script>alert("country")</script>')]


def test_tagged_pages_without_an_entry_are_candidates(
    diff: dict[str, Any], report_crawl: ReportCrawl
) -> None:
    missing = rows_of(diff, "registry-entry-missing")
    assert sorted(path_of(report_crawl, row["page_url"]) for row in missing) == [
        "/be/entreprise.html",
        "/be/fixed.html",
        "/be/permis.html",
    ]
    assert {path_of(report_crawl, row["registry_url"]) for row in missing} == {"/be/"}
    assert {row["provider"] for row in missing} == {BE_PROVIDER}


def test_registry_categories_that_are_no_codes_or_legacy_meanings(diff: dict[str, Any]) -> None:
    (legacy,) = rows_of(diff, "policy-legacy-annex2-meaning")
    assert legacy["registry_value"] == "W1"
    assert "use J1" in legacy["hint"]
    (unknown,) = rows_of(diff, "policy-code-unknown")
    assert (unknown["registry_value"], unknown["message"]) == (
        "CITIZENS",
        "category 'CITIZENS' is a registry group key",
    )


def test_diff_csv_opens_with_the_csv_module(diff_dir: Path, diff: dict[str, Any]) -> None:
    with (diff_dir / "diff.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == DIFF_COLUMNS
    assert len(rows) == len(diff["rows"])
    assert sorted(row["rule"] for row in rows if row["rule"]) == sorted(
        row["rule"] for row in diff["rows"] if row["rule"]
    )


def test_the_registry_file_gives_the_same_diff(
    report_crawl: ReportCrawl, diff: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "diff",
                "--registry",
                str(report_crawl.registry),
                "--db",
                report_crawl.db_url,
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    from_file = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert from_file["diff"]["registry"] == str(report_crawl.registry)
    assert from_file["summary"]["by_rule"] == diff["summary"]["by_rule"]
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Registry vs run {report_crawl.runs[1]}: 7 entries, 7 found in the crawl; 2 errors, 10 warnings, "
        "3 infos, 1 notes"
    )
    assert "       3  registry-entry-missing" in out


def test_after_one_run_a_404_or_a_redirect_is_only_a_note(report_crawl: ReportCrawl, tmp_path: Path) -> None:
    first = str(report_crawl.runs[0])
    assert main(["diff", "--db", report_crawl.db_url, "--run", first, "--out", str(tmp_path)]) == 0
    diff = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert "registry-url-dead" not in diff["summary"]["by_rule"]
    assert "registry-url-redirected" not in diff["summary"]["by_rule"]
    (dead,) = rows_of(diff, None, "not-checked")
    assert dead["message"] == "HTTP 404 on this run only; reported as dead if the next run fails the same way"
    (moved,) = rows_of(diff, None, "redirected-once")
    assert path_of(report_crawl, moved["registry_url"]) == "/se/moved.html"

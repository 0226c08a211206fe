"""`sdg-tags report` on a repository of two real crawls (tests/sites/report_crawl.py): exact figures in report.json,
readable CSV files, per-provider reports, and an HTML file in which crawled markup stays text."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sdg_tags.cli.main import main
from sdg_tags.reports.csv_tables import FINDING_COLUMNS, PAGE_COLUMNS

from tests.sites.report_crawl import BE_PROVIDER, SE_PROVIDER, ReportCrawl

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites

VERDICT_KEYS = (
    "compliant",
    "compliant-with-warnings",
    "non-compliant",
    "not-self-describing",
    "not-evaluated",
)


def verdicts(*counts: int) -> dict[str, int]:
    return dict(zip(VERDICT_KEYS, counts, strict=True))


@pytest.fixture(scope="module")
def report_dir(report_crawl: ReportCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--db", report_crawl.db_url, "--out", str(out), "--by-provider"]) == 0
    return out


@pytest.fixture(scope="module")
def report(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "report.json").read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_headline_counts_every_verdict_and_leaves_untagged_and_unchecked_pages_out_of_the_rate(
    report: dict[str, Any], report_crawl: ReportCrawl
) -> None:
    headline = report["headline"]
    assert report["report"]["run"]["id"] == report_crawl.runs[1]
    assert report["report"]["previous_run"] == report_crawl.runs[0]
    assert headline["pages"] == 15
    assert headline["verdicts"] == verdicts(6, 1, 3, 3, 2)
    assert headline["rated_pages"] == 10
    assert headline["evaluated_pages"] == 13
    assert headline["compliance_rate"] == 0.7
    assert headline["shares"]["not-evaluated"] == round(2 / 15, 4)
    assert "not in the denominator" in report["definitions"]["compliance_rate"]


def test_compliance_by_country_uses_the_registered_link_country(report: dict[str, Any]) -> None:
    rows = {row["country"]: row for row in report["by_country"]}
    assert list(rows) == ["BE", "SE"]
    assert rows["BE"]["verdicts"] == verdicts(3, 1, 3, 1, 2)
    assert rows["BE"]["compliance_rate"] == 0.5714
    assert rows["SE"]["verdicts"] == verdicts(3, 0, 0, 2, 0)
    assert rows["SE"]["compliance_rate"] == 1.0


def test_providers_are_ranked_by_compliance_rate(report: dict[str, Any]) -> None:
    ranking = [
        (row["rank"], row["provider"], row["pages"], row["compliance_rate"]) for row in report["by_provider"]
    ]
    assert ranking == [(1, SE_PROVIDER, 5, 1.0), (2, BE_PROVIDER, 10, 0.5714)]
    # xss.html's policy-code `"><img …>` is free text on an information page: policy-code-unknown only (a
    # straight quote at the start of free text is text, SPEC §6.2 markup-typographic-quotes).
    assert report["by_provider"][1]["errors"] == 4


def test_findings_by_rule_count_pages_and_findings(report: dict[str, Any]) -> None:
    by_rule = {row["rule"]: (row["severity"], row["pages"], row["findings"]) for row in report["by_rule"]}
    assert by_rule["no-sdg-tags"] == ("info", 3, 3)
    assert by_rule["country-gr-instead-of-el"] == ("error", 1, 1)
    assert by_rule["sdg-marker-missing"] == ("error", 1, 1)
    assert by_rule["service-type-case"] == ("warning", 1, 1)
    assert "policy-code-missing" not in by_rule  # fixed between the runs


def test_areas_and_page_types_of_tagged_pages(report: dict[str, Any]) -> None:
    areas = {row["area"]: (row["pages"], row["verdicts"]["non-compliant"]) for row in report["by_area"]}
    assert areas == {"A": (3, 1), "B": (2, 1), "C": (2, 0), "J": (2, 0)}
    assert report["by_area"][0]["title"] == "Annex I: Travel within the Union"
    assert [(row["page_type"], row["pages"]) for row in report["by_page_type"]] == [("information", 10)]


def test_trend_has_the_compliance_rate_of_both_runs(
    report: dict[str, Any], report_crawl: ReportCrawl
) -> None:
    trend = [(row["run_id"], row["compliance_rate"], row["pages"]) for row in report["trend"]]
    assert trend == [(report_crawl.runs[0], round(8 / 11, 4), 15), (report_crawl.runs[1], 0.7, 15)]


def test_changes_since_the_previous_run(report: dict[str, Any], report_crawl: ReportCrawl) -> None:
    changes = report["changes"]
    assert changes["previous_run"] == report_crawl.runs[0]
    assert (changes["better"], changes["worse"], changes["now_not_evaluated"], changes["new_pages"]) == (
        1,
        1,
        1,
        0,
    )
    assert changes["better_pages"] == [
        {"url": report_crawl.url("/be/fixed.html"), "before": "non-compliant", "after": "compliant"}
    ]
    assert changes["worse_pages"] == [
        {"url": report_crawl.url("/be/change.html"), "before": "compliant", "after": "non-compliant"}
    ]
    assert [row["url"] for row in changes["now_not_evaluated_pages"]] == [report_crawl.url("/be/gone.html")]
    assert changes["by_rule"] == [
        {"rule": "policy-code-missing", "new": 0, "fixed": 1},
        {"rule": "policy-name-missing", "new": 1, "fixed": 0},
        {"rule": "sdg-marker-missing", "new": 1, "fixed": 0},
    ]
    assert (changes["new_findings"], changes["fixed_findings"]) == (2, 1)


def test_could_not_check_lists_the_failed_pages_with_their_fetch_status(
    report: dict[str, Any], report_crawl: ReportCrawl
) -> None:
    failed = report["could_not_check"]
    assert failed["pages"] == 2
    assert [(row["fetch_status"], row["pages"]) for row in failed["by_fetch_status"]] == [("http-4xx", 2)]
    assert sorted((row["url"], row["http_status"]) for row in failed["list"]) == [
        (report_crawl.url("/be/dead.html"), 404),
        (report_crawl.url("/be/gone.html"), 404),
    ]


def test_pages_csv_and_findings_csv_open_with_the_csv_module(
    report_dir: Path, report: dict[str, Any]
) -> None:
    pages = read_csv(report_dir / "pages.csv")
    assert tuple(pages[0]) == PAGE_COLUMNS
    assert len(pages) == 15
    assert sum(1 for row in pages if row["verdict"] == "non-compliant") == 3
    findings = read_csv(report_dir / "findings.csv")
    assert tuple(findings[0]) == FINDING_COLUMNS
    assert len(findings) == sum(report["headline"]["findings"].values())
    xss = next(row for row in pages if row["url"].endswith("/be/xss.html"))
    assert xss["DC.ISO3166"] == '<script>alert("country")</script>'
    assert xss["errors"] == "2"  # country-invalid, policy-code-unknown


def test_the_html_report_holds_crawled_markup_only_as_text(report_dir: Path) -> None:
    html = (report_dir / "index.html").read_text(encoding="utf-8")
    assert html.count("<script") == 2  # the JSON data block and our own script
    assert "<img" not in html
    assert '<script>alert("country")' not in html
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert policy is not None
    assert "script-src &#39;sha256-" in policy.group(1) and "unsafe-inline" not in policy.group(1)
    assert "default-src &#39;none&#39;" in policy.group(1)
    data = html.split('<script type="application/json" id="report-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data and "&" not in data and "\u2028" not in data
    assert json.loads(data)["tables"][0]["id"] == "pages"
    assert html.count('<svg class="chart"') == 6


def test_by_provider_writes_one_report_per_provider(report_dir: Path, report: dict[str, Any]) -> None:
    listing = {row["provider"]: row["path"] for row in report["provider_reports"]}
    assert set(listing) == {BE_PROVIDER, SE_PROVIDER}
    assert listing[BE_PROVIDER] == "providers/service-public-de-wallonie/index.html"
    provider = json.loads((report_dir / "providers/service-public-de-wallonie/report.json").read_text())
    assert provider["report"]["filters"] == {"provider": BE_PROVIDER}
    assert provider["headline"]["verdicts"] == verdicts(3, 1, 3, 1, 2)
    assert provider["changes"]["worse"] == 1
    assert [row["compliance_rate"] for row in provider["trend"]] == [round(5 / 8, 4), 0.5714]
    assert len(read_csv(report_dir / "providers/service-public-de-wallonie/pages.csv")) == 10
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="providers/service-public-de-wallonie/index.html"' in index


def test_country_filter_and_an_earlier_run(report_crawl: ReportCrawl, tmp_path: Path) -> None:
    assert (
        main(["report", "--db", report_crawl.db_url, "--country", "se", "--out", str(tmp_path / "se")]) == 0
    )
    se = json.loads((tmp_path / "se" / "report.json").read_text())
    assert se["report"]["filters"] == {"country": "SE"}
    assert se["headline"]["verdicts"] == verdicts(3, 0, 0, 2, 0)
    assert [row["compliance_rate"] for row in se["trend"]] == [1.0, 1.0]
    first = str(report_crawl.runs[0])
    assert (
        main(["report", "--db", report_crawl.db_url, "--run", first, "--out", str(tmp_path / "first")]) == 0
    )
    earlier = json.loads((tmp_path / "first" / "report.json").read_text())
    assert earlier["headline"]["verdicts"] == verdicts(7, 1, 3, 3, 1)
    assert earlier["changes"] is None
    assert [row["run_id"] for row in earlier["trend"]] == [report_crawl.runs[0]]


def test_console_summary_names_the_files(
    report_crawl: ReportCrawl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--db", report_crawl.db_url, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Run {report_crawl.runs[1]}: 15 pages; compliance rate 70.0 % of 10 tagged pages "
        "(not-evaluated and untagged pages are not in the denominator)"
    )
    assert str(tmp_path / "index.html") in out


def test_a_filter_that_matches_nothing_says_what_there_is(
    report_crawl: ReportCrawl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--db", report_crawl.db_url, "--country", "FR", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"no page of run {report_crawl.runs[1]} matches the filter; countries in this run: BE, SE" in err
    assert json.loads((tmp_path / "report.json").read_text())["headline"]["pages"] == 0

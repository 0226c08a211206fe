"""Report, diff and export on SQLite and PostgreSQL: the same figures from the same pages on both databases.

Pages are validated by the real engine (`check_page`) and written with `Repository.write_pages`; the crawl tests
(test_report_crawl.py) cover real crawls on SQLite.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sdg_tags.reports import pages as pages_module
from sdg_tags.reports.api import registry_diff, registry_export, report
from sdg_tags.reports.pages import load_report_pages
from sdg_tags.repository.exports import list_exports
from sdg_tags.repository.records import PageRecord, RegistryEntry
from sdg_tags.repository.store import Repository
from sdg_tags.validators.engine import check_page

BASE = "https://www.example.be"
T0 = datetime(2025, 1, 31, 23, 0, tzinfo=UTC)


def html(tags: str, lang: str = "fr") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>t</title>{tags}</head><body></body></html>'.encode()
    )


GOOD = html(
    '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="BE">'
    '<meta name="DC.Service" content="information"><meta name="policy-code" content="C2">'
)
BAD = html('<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="BE">')
UNTAGGED = html("")


def record(path: str, body: bytes | None, at: datetime, **fields: object) -> PageRecord:
    url = BASE + path
    if body is None:
        return PageRecord(url=url, fetch_status="http-4xx", http_status=404, fetched_at=at, **fields)  # type: ignore[arg-type]
    return PageRecord(
        url=url,
        final_url=url,
        fetch_status="ok",
        http_status=200,
        fetched_at=at,
        result=check_page(body, url=url),
        **fields,  # type: ignore[arg-type]
    )


def build(db_url: str) -> None:
    with Repository(db_url) as repository:
        repository.import_registry(
            [
                RegistryEntry(
                    url=BASE + "/",
                    url_type="web folder",
                    country="BE",
                    provider="Agence",
                    notification_type="CRAWL",
                ),
                RegistryEntry(url=BASE + "/dead", country="BE", provider="Agence", notification_type="CRAWL"),
            ],
            source="test",
        )
        for day, changing in ((0, GOOD), (1, BAD)):
            run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
            at = T0 + timedelta(days=day)
            folder = {"registry_url": BASE + "/", "discovered": True}
            repository.write_pages(
                run_id,
                [
                    record("/", GOOD, at, registry_url=BASE + "/"),
                    record("/a", GOOD, at, **folder),
                    record("/b", changing, at, **folder),
                    record("/c", UNTAGGED, at, **folder),
                    record("/dead", None, at, registry_url=BASE + "/dead"),
                ],
            )
            repository.finish_run(run_id, stats={})


def test_report_diff_and_export_agree_on_both_databases(db_url: str, tmp_path: Path) -> None:
    build(db_url)
    written = report(db_url, tmp_path / "report", by_provider=True)
    summary = json.loads(written.files["report.json"].read_text(encoding="utf-8"))
    assert summary["headline"]["verdicts"] == {
        "compliant": 2,
        "compliant-with-warnings": 0,
        "non-compliant": 1,
        "not-self-describing": 1,
        "not-evaluated": 1,
    }
    assert [row["compliance_rate"] for row in summary["trend"]] == [1.0, round(2 / 3, 4)]
    assert (summary["changes"]["worse"], summary["changes"]["new_findings"] > 0) == (1, True)
    assert [row["provider"] for row in summary["by_provider"]] == ["Agence"]
    assert (tmp_path / "report" / "providers" / "agence" / "index.html").is_file()

    diff = registry_diff(db_url, tmp_path / "diff")
    assert diff.summary["summary"]["by_rule"] == {"registry-entry-missing": 1, "registry-url-dead": 1}

    exported = registry_export(db_url, file_format="registry-json", out=tmp_path / "export.json")
    assert [link.url for link in exported.links] == [BASE + "/", BASE + "/a"]
    corrected = registry_export(
        db_url, file_format="registry-csv", out=tmp_path / "export.csv", corrects=exported.record.id
    )
    with Repository(db_url) as repository:
        ledger = list_exports(repository)
    assert [(entry.id, entry.corrects, entry.filters) for entry in ledger] == [
        (exported.record.id, None, {}),
        (corrected.record.id, exported.record.id, {}),
    ]


def test_reading_the_pages_reports_a_running_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's console says how many pages it has read so far (here every 2 pages instead of 5,000)."""
    db_url = f"sqlite:///{tmp_path / 'run.db'}"
    build(db_url)
    monkeypatch.setattr(pages_module, "PROGRESS_EVERY", 2)
    said: list[str] = []
    with Repository(db_url) as repository:
        pages = load_report_pages(repository, 2, progress=lambda count: said.append(f"{count} read"))
    assert len(pages) == 5
    assert said == ["2 read", "4 read"]

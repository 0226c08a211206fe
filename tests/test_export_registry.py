"""`sdg-tags export`: upload files from the correctly tagged pages of a real crawl, loadable again as a registry,
with a unique id recorded in the repository's export ledger and corrections that name what they correct."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sdg_tags.cli.main import main
from sdg_tags.crawler.registry import load_registry
from sdg_tags.repository.exports import export_record, list_exports
from sdg_tags.repository.store import Repository

from tests.sites.report_crawl import SE_PROVIDER, ReportCrawl

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ISO_UTC = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@pytest.fixture
def db_copy(report_crawl: ReportCrawl, tmp_path: Path) -> str:
    """A copy of the crawled repository, so ledger rows written by one test do not show in another."""
    source = Path(report_crawl.db_url.removeprefix("sqlite:///"))
    target = tmp_path / "copy.db"
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    return f"sqlite:///{target}"


def export(db_url: str, *args: str) -> int:
    return main(["export", "--db", db_url, *args])


def test_csv_export_has_the_upload_columns_and_loads_as_a_registry(
    report_crawl: ReportCrawl, db_copy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "upload.csv"
    assert export(db_copy, "--format", "registry-csv", "--out", str(out)) == 0
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert re.fullmatch(
        rf"# sdg-tags registry export ({UUID}); run {report_crawl.runs[1]}; created {ISO_UTC}; 7 links",
        lines[0],
    )
    assert (
        lines[1]
        == "title,url,description,type,categories,language,url type,national code,parent url,excluded paths,ignore params,delete"
    )
    export_id = re.search(UUID, lines[0]).group(0)  # type: ignore[union-attr]
    err = capsys.readouterr().err
    assert err.startswith(
        f"export {export_id}: 7 links from run {report_crawl.runs[1]} (registry-csv) written to {out}"
    )
    assert "left out: 3 verdict non-compliant; 2 verdict not-evaluated; 3 verdict not-self-describing" in err

    load = load_registry(out)
    assert load.errors == []
    entries = {entry.url[len(report_crawl.base) :]: entry for entry in load.entries}
    assert sorted(entries) == [
        "/be/",
        "/be/entreprise.html",
        "/be/fixed.html",
        "/be/permis.html",
        "/se/legacy.html",
        "/se/mismatch.html",
        "/se/target.html",  # /se/moved.html redirects here: the address to register is the final one
    ]
    permis = entries["/be/permis.html"]
    assert (permis.title, permis.types, permis.categories, permis.languages, permis.national_code) == (
        "Permis de conduire",
        ["Information"],
        ["C2"],
        ["fr"],
        "BE1",
    )
    assert (permis.url_type, permis.parent_url, permis.delete) == (
        "web page",
        report_crawl.url("/be/"),
        False,
    )
    assert entries["/be/entreprise.html"].types == ["Information"]  # tagged "Information": registry spelling
    assert entries["/se/mismatch.html"].parent_url is None

    with Repository(db_copy) as repository:
        record = export_record(repository, export_id)
    assert (record.run_id, record.format, record.page_count, record.corrects) == (
        report_crawl.runs[1],
        "registry-csv",
        7,
        None,
    )
    assert record.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert record.out_path == str(out.resolve())


def test_json_export_needs_one_country_and_has_the_web_service_layout(
    report_crawl: ReportCrawl, db_copy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(db_copy, "--format", "registry-json", "--out", str(tmp_path / "all.json")) == 2
    assert capsys.readouterr().err == (
        "sdg-tags export: error: the pages belong to 2 countries (BE, SE); the web service takes one country per "
        "call: add --country CC\n"
    )
    assert not (tmp_path / "all.json").exists()
    with Repository(db_copy) as repository:
        assert list_exports(repository) == []  # a refused export leaves no ledger row

    out = tmp_path / "se.json"
    assert export(db_copy, "--format", "registry-json", "--country", "se", "--out", str(out)) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert re.fullmatch(UUID, document["exportId"])
    assert re.fullmatch(ISO_UTC, document["createdAt"])
    assert (document["corrects"], document["runId"], document["countryCode"], document["author"]) == (
        None,
        report_crawl.runs[1],
        "SE",
        SE_PROVIDER,
    )
    links = {link["url"][len(report_crawl.base) :]: link for link in document["linkData"]}
    assert sorted(links) == ["/se/legacy.html", "/se/mismatch.html", "/se/target.html"]
    assert links["/se/mismatch.html"] == {
        "title": "Avvikelse",
        "url": report_crawl.url("/se/mismatch.html"),
        "description": "",
        "type": "Information",
        "categories": [{"category": "C2"}],
        "language": "sv",
        "urlType": "WEB PAGE",
        "nationalCode": "SE11",
        "parentUrl": "",
        "excludedPaths": "",
        "ignoreParams": "",
        "delete": "n",
    }
    load = load_registry(out)
    assert load.errors == []
    assert {(entry.country, entry.provider) for entry in load.entries} == {("SE", SE_PROVIDER)}


def test_a_correction_names_the_export_it_corrects(
    db_copy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(db_copy, "--format", "registry-csv", "--corrects", "no-such-export") == 2
    assert "export 'no-such-export' is not in the export ledger of" in capsys.readouterr().err

    assert export(db_copy, "--format", "registry-csv", "--out", str(tmp_path / "first.csv")) == 0
    first = re.search(UUID, (tmp_path / "first.csv").read_text()).group(0)  # type: ignore[union-attr]
    capsys.readouterr()
    assert export(db_copy, "--format", "registry-csv", "--corrects", first) == 0  # to standard output
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    second = re.search(UUID, lines[0]).group(0)  # type: ignore[union-attr]
    assert second != first
    assert lines[1] == f"# corrects {first}"
    assert f"; corrects {first}" in captured.err
    assert len(load_registry_text(captured.out, tmp_path)) == 7

    assert (
        export(
            db_copy,
            "--format",
            "registry-json",
            "--country",
            "BE",
            "--corrects",
            second,
            "--out",
            str(tmp_path / "be.json"),
        )
        == 0
    )
    assert json.loads((tmp_path / "be.json").read_text())["corrects"] == second

    assert export(db_copy, "--list") == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 3
    assert listing[0].startswith(first) and str(tmp_path / "first.csv") in listing[0]
    assert listing[1].startswith(second) and listing[1].endswith(f"(standard output) corrects {first}")
    assert listing[2].endswith(f"corrects {second}")
    with Repository(db_copy) as repository:
        assert [record.corrects for record in list_exports(repository)] == [None, first, second]


def load_registry_text(text: str, folder: Path) -> list:
    path = folder / "stdout.csv"
    path.write_text(text, encoding="utf-8")
    load = load_registry(path)
    assert load.errors == []
    return load.entries


def test_format_is_required_and_a_folder_is_no_output_file(
    db_copy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(db_copy) == 2
    assert (
        capsys.readouterr().err
        == "sdg-tags export: error: --format is required (registry-csv or registry-json)\n"
    )
    assert export(db_copy, "--format", "registry-csv", "--out", str(tmp_path)) == 2
    assert "is a folder; give a file name" in capsys.readouterr().err

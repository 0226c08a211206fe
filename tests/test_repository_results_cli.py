"""`sdg-tags results`: JSON Lines and CSV streamed from a real repository, and its errors (exit 2, one line)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sdg_tags.cli.main import main
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.repository.results import RESULT_CSV_COLUMNS
from sdg_tags.repository.store import Repository

from tests.repository_records import failed_record, finding, tagged_record


@pytest.fixture
def crawled(db_url: str) -> tuple[str, int]:
    """A repository with one finished run of three pages (and an unfinished second run)."""
    with Repository(db_url) as repository:
        repository.import_registry(
            [
                RegistryEntry(
                    url="https://www.example.se/foretag",
                    types=["Information", "Procedure"],
                    categories=["J1", "X1"],
                    country="SE",
                    provider="Bolagsverket",
                )
            ],
            source="registry.csv",
        )
        run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
        repository.write_pages(
            run_id,
            [
                tagged_record(
                    findings=[
                        finding("tag-duplicate", tag="DC.ISO3166"),
                        finding("country-missing", "error"),
                        finding("tag-duplicate", tag="DC.ISO3166"),
                    ]
                ),
                tagged_record(
                    "https://www.example.se/foretag/ny",
                    discovered=True,
                    registry_url="https://www.example.se/",
                ),
                failed_record("https://www.example.se/borta"),
            ],
        )
        repository.finish_run(run_id, stats={})
        unfinished = repository.start_run(profile="harvester", settings={}, code_lists={})
        repository.write_pages(unfinished, [failed_record("https://www.example.se/later")])
        return db_url, run_id


def test_jsonl_is_exactly_what_iter_results_yields(
    crawled: tuple[str, int], capsys: pytest.CaptureFixture
) -> None:
    db_url, run_id = crawled
    assert main(["results", "--db", db_url]) == 0  # --run latest = the newest *finished* run
    lines = capsys.readouterr().out.splitlines()
    with Repository(db_url) as repository:
        assert [json.loads(line) for line in lines] == list(repository.iter_results(run_id))
    assert [json.loads(line)["url"] for line in lines] == [
        "https://www.example.se/foretag",
        "https://www.example.se/foretag/ny",
        "https://www.example.se/borta",
    ]


def test_csv_has_flat_columns_readable_by_the_csv_module(crawled: tuple[str, int], tmp_path: Path) -> None:
    db_url, run_id = crawled
    out = tmp_path / "results.csv"
    assert main(["results", "--db", db_url, "--run", str(run_id), "--format", "csv", "-o", str(out)]) == 0
    reader = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline=""))
    rows = list(reader)
    assert tuple(reader.fieldnames or ()) == RESULT_CSV_COLUMNS
    assert len(rows) == 3
    registered, discovered, failed = rows
    assert {column: registered[column] for column in RESULT_CSV_COLUMNS} == {
        "run_id": str(run_id),
        "url": "https://www.example.se/foretag",
        "final_url": "",
        "fetch_status": "ok",
        "http_status": "200",
        "fetched_at": "2025-01-31T23:00:00Z",
        "evaluated_at": "2025-01-31T23:00:00Z",
        "discovered": "false",
        "registry_url": "",
        "provider": "Bolagsverket",
        "country": "SE",
        "type": "Information;Procedure",
        "categories": "J1;X1",
        "verdict": "non-compliant",
        "page_types": "information;procedure",
        "page_types_inferred": "false",
        "language": "sv",
        "canonical_url": "https://www.example.se/foretag",
        "title": "Starta foretag",
        "errors": "1",
        "warnings": "2",
        "infos": "0",
        "rules": "tag-duplicate;country-missing",
        "status_detail": "",
        "sdg-tag": "sdg",
        "DC.ISO3166": "SE",
        "DC.Location": "",
        "DC.Service": "information;procedure",
        "policy-code": "J1;X1",
        "DC.Policy": "",
        "DC.Language": "",
        "html-lang": "sv",
    }
    assert (discovered["discovered"], discovered["provider"], discovered["type"], discovered["rules"]) == (
        "true",
        "",
        "",
        "",
    )
    assert (failed["verdict"], failed["http_status"], failed["status_detail"], failed["sdg-tag"]) == (
        "not-evaluated",
        "404",
        "HTTP 404",
        "",
    )


def test_latest_falls_back_to_an_unfinished_run_with_a_note(
    db_url: str, capsys: pytest.CaptureFixture
) -> None:
    with Repository(db_url) as repository:
        run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
        repository.write_pages(run_id, [failed_record("https://www.example.se/")])
    assert main(["results", "--db", db_url, "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["url"] for line in captured.out.splitlines()] == ["https://www.example.se/"]
    assert (
        captured.err == f"sdg-tags results: run {run_id} has not finished; showing the pages written so far\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--run", "9"], "run 9 is not in {db} (runs: 1, 2)"),
        (["--run", "newest"], "--run must be 'latest' or a run id (a number), not 'newest'"),
    ],
)
def test_bad_run_choices(
    crawled: tuple[str, int], capsys: pytest.CaptureFixture, arguments: list[str], message: str
) -> None:
    db_url, _ = crawled
    assert main(["results", "--db", db_url, *arguments]) == 2
    shown = Repository(db_url).display_url
    assert capsys.readouterr().err == f"sdg-tags results: error: {message.format(db=shown)}\n"


def test_missing_database_file_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "none.db"
    assert main(["results", "--db", f"sqlite:///{missing}"]) == 2
    assert capsys.readouterr().err == (
        f"sdg-tags results: error: database file '{missing}' does not exist; run 'sdg-tags crawl --db "
        f"sqlite:///{missing}' first or pass the right --db\n"
    )
    assert not missing.exists()


def test_empty_repository_says_to_crawl_first(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with Repository(url) as repository:
        repository.runs()
    assert main(["results", "--db", url]) == 2
    assert (
        capsys.readouterr().err
        == f"sdg-tags results: error: no crawl run in {url}; run 'sdg-tags crawl' first\n"
    )


@pytest.mark.slow
def test_piping_into_head_ends_quietly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    with Repository(url) as repository:
        run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
        # ~1 MB of JSON Lines: far more than a pipe buffer, so the writer really meets a closed pipe.
        repository.write_pages(
            run_id, [tagged_record(f"https://www.example.se/{number}") for number in range(400)]
        )
        repository.finish_run(run_id, stats={})
    command = [sys.executable, "-m", "sdg_tags.cli.main", "results", "--db", url]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # the reader goes away, like `| head -1`
        errors = process.stderr.read()
        assert process.wait() == 0
    assert json.loads(first)["url"] == "https://www.example.se/0"
    assert errors == b""

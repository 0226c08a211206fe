"""Hostile and malformed input (issue 13): bad registry rows, formula cells in CSVs, unusable repository files,
closed streams, unreadable folders, file modes. Each case ends in one clear outcome: a reported row, a
neutralised cell, one line on stderr with exit 2, never a traceback."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Request
from sdg_tags.cli.main import main
from sdg_tags.crawler.registry import RegistryFileError, load_registry, load_rows
from sdg_tags.crawler.scope import Scope, dedupe_key, site_key
from sdg_tags.repository.store import Repository

from tests.sites.crawl_run import PROJECT_ROOT, SDG_TAGS, crawl_command, run_crawl, write_registry
from tests.sites.server import Route, SiteServer, page

PASSWORD = "s3cret-Pa55word"
# (url cell, words the reason must contain); the good row follows them. Row numbers start at 2 (the header is 1).
BAD_URLS: list[tuple[str, str]] = [
    ("http://a:99999/", "invalid port"),
    ("http://[::1/", "IPv6"),
    ("http://h:1:2/", "invalid port"),
    ("", "missing url"),
    ("ftp://files.example.org/x", "not an http(s) URL"),
    ("http://exa\x01mple.org/", "control character"),
    ("https://example.org/" + "a" * 100_000, "100020 characters long"),
    (f"https://someone:{PASSWORD}@example.org/", "user name or password"),
]
# A reason quotes at most this much of a value, so a 100 KB URL gives a short line.
MAX_REASON_CHARACTERS = 600


def write_csv_registry(path: Path, urls: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["url", "title"])
        for number, url in enumerate(urls):
            writer.writerow([url, f"row {number + 2}"])
    return path


def no_traceback(text: str) -> None:
    assert "Traceback" not in text, text[-3000:]


# -- 1. bad registry rows --------------------------------------------------------------------------------


def test_each_bad_row_is_reported_once_with_row_column_and_reason(tmp_path: Path) -> None:
    good = "https://www.example.org/good"
    registry = write_csv_registry(tmp_path / "registry.csv", [url for url, _ in BAD_URLS] + [good])
    load = load_registry(registry)
    assert [entry.url for entry in load.entries] == [good]
    assert [(error.row, error.column) for error in load.errors] == [
        (row, "url") for row in range(2, 2 + len(BAD_URLS))
    ]
    for error, (_, reason) in zip(load.errors, BAD_URLS, strict=True):
        assert reason in error.message, error.message
        assert len(str(error)) < MAX_REASON_CHARACTERS
        assert PASSWORD not in str(error)
    assert [invalid.row for invalid in load.invalid_urls] == list(range(2, 2 + len(BAD_URLS)))
    stored = {invalid.row: invalid.url for invalid in load.invalid_urls}
    assert stored[9] == "https://***@example.org/"
    assert stored[7] == "http://exa%01mple.org/"
    assert len(stored[8]) < MAX_REASON_CHARACTERS


def test_a_parent_url_with_a_password_is_refused_too(tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    registry.write_text(
        f"url,parent url\nhttps://a.example/x,https://someone:{PASSWORD}@a.example/\nhttps://b.example/,\n",
        encoding="utf-8",
    )
    load = load_registry(registry)
    assert [entry.url for entry in load.entries] == ["https://b.example/"]
    assert [(error.row, error.column) for error in load.errors] == [(2, "parent url")]
    assert "user name or password" in load.errors[0].message and PASSWORD not in str(load.errors[0])


def test_an_over_long_csv_cell_is_one_bad_row_not_a_bad_file(tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    registry.write_text(
        f"url,title\nhttps://a.example/,a\nhttps://b.example/{'x' * 200_000},b\nhttps://c.example/,c\n",
        encoding="utf-8",
    )
    load = load_registry(registry)
    assert [entry.url for entry in load.entries] == ["https://a.example/", "https://c.example/"]
    assert [(error.row, error.column) for error in load.errors] == [(3, None)]
    assert "field larger than field limit" in load.errors[0].message


def test_lone_surrogates_and_nul_in_json_rows_are_reported(tmp_path: Path) -> None:
    registry = tmp_path / "registry.json"
    registry.write_text(
        '[{"url": "https://a.example/\\ud800"}, {"url": "https://b.example/", "title": "t\\ud800"},'
        ' {"url": "https://c.example/", "title": "nul\\u0000"}, {"url": "https://d.example/"}]',
        encoding="utf-8",
    )
    load = load_registry(registry)
    assert [entry.url for entry in load.entries] == ["https://d.example/"]
    assert [(error.row, error.column) for error in load.errors] == [(1, "url"), (2, "title"), (3, "title")]
    for error in load.errors:
        str(error).encode("utf-8")  # storable and printable as it is


def test_a_file_error_names_keys_and_columns_on_one_short_line(tmp_path: Path) -> None:
    json_file = tmp_path / "registry.json"
    json_file.write_text(json.dumps({"a\nb": 1, "c" * 5000: 2}), encoding="utf-8")
    csv_file = tmp_path / "registry.csv"
    csv_file.write_text(f"name\x01,{'x' * 5000}\nvalue,value\n", encoding="utf-8")
    for path in (json_file, csv_file):
        with pytest.raises(RegistryFileError) as raised:
            load_registry(path)
        assert "\n" not in str(raised.value) and len(str(raised.value)) < MAX_REASON_CHARACTERS


def test_a_registry_nested_100000_deep_is_one_line(tmp_path: Path) -> None:
    registry = tmp_path / "deep.json"
    registry.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(RegistryFileError, match=r"nested too deeply"):
        load_registry(registry)


def cli_run(*arguments: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SDG_TAGS, *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow  # a subprocess or a real crawl
@pytest.mark.parametrize("command", ["crawl", "diff"])
def test_a_deeply_nested_registry_gives_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    registry = tmp_path / "deep.json"
    registry.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    extra = ["--out", str(tmp_path / "out")] if command == "diff" else []
    completed = cli_run(command, "--registry", str(registry), "--db", db, *extra)
    assert completed.returncode == 2, completed.stderr[-3000:]
    assert completed.stderr.count("\n") == 1
    assert "nested too deeply" in completed.stderr


@pytest.mark.slow  # a subprocess or a real crawl
def test_crawl_records_bad_rows_as_invalid_url_and_crawls_the_rest(tmp_path: Path) -> None:
    with SiteServer(routes={"/robots.txt": Route(status=404), "/good": page("ok")}) as site:
        good = site.url("/good")
        registry = write_csv_registry(tmp_path / "registry.csv", [url for url, _ in BAD_URLS] + [good])
        db_file = tmp_path / "crawl.db"
        crawl = run_crawl(registry, f"sqlite:///{db_file}", "--timeout", "5")
    no_traceback(crawl.stderr)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    reported = [line for line in crawl.stderr.splitlines() if "skipped row: " in line]
    assert len(reported) == len(BAD_URLS), crawl.stderr[-5000:]
    for line, row in zip(reported, range(2, 2 + len(BAD_URLS)), strict=True):
        assert f"{registry}:{row} column 'url'" in line
        assert len(line) < MAX_REASON_CHARACTERS
    pages = crawl.pages()
    assert pages[good]["fetch_status"] == "ok"
    invalid = {url: record for url, record in pages.items() if record["fetch_status"] == "invalid-url"}
    assert len(invalid) == len(BAD_URLS)
    assert all(record["verdict"] == "not-evaluated" for record in invalid.values())
    assert "https://***@example.org/" in invalid
    [run] = crawl.runs()
    assert run.counts["fetch_status"]["invalid-url"] == len(BAD_URLS)
    assert "invalid-url 8" in crawl.stdout
    assert "registry: 8 rows unusable" in crawl.stdout
    # The report counts them, with the reason a coordinator reads.
    assert main(["report", "--db", f"sqlite:///{db_file}", "--out", str(tmp_path / "report")]) == 0
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    [status] = [
        row for row in report["could_not_check"]["by_fetch_status"] if row["fetch_status"] == "invalid-url"
    ]
    assert status["pages"] == len(BAD_URLS) and status["reason"].startswith("The registry row's address")
    # The credential reaches neither the repository (database and its WAL), the report, nor the log.
    for path in [*tmp_path.glob("crawl.db*"), *(tmp_path / "report").iterdir()]:
        assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in crawl.stderr and PASSWORD not in crawl.stdout


def test_report_lists_invalid_url_as_a_fetch_status() -> None:
    from sdg_tags.reports.figures import FETCH_STATUS_REASONS
    from sdg_tags.validators.models import FETCH_STATUSES

    assert "invalid-url" in FETCH_STATUSES
    assert set(FETCH_STATUS_REASONS) == set(FETCH_STATUSES) - {"ok", "not-modified", "noindex"}


@pytest.mark.slow  # a subprocess or a real crawl
@pytest.mark.redis
def test_enqueue_reports_and_records_bad_rows(tmp_path: Path, redis_url: str) -> None:
    registry = write_csv_registry(
        tmp_path / "registry.csv", [url for url, _ in BAD_URLS] + ["http://127.0.0.45:9/page"]
    )
    db = f"sqlite:///{tmp_path / 'run.db'}"
    completed = cli_run("enqueue", "--registry", str(registry), "--redis", redis_url, "--db", db, "--reset")
    no_traceback(completed.stderr)
    assert completed.returncode == 0, completed.stderr[-3000:]
    reported = [line for line in completed.stderr.splitlines() if "skipped row: " in line]
    assert len(reported) == len(BAD_URLS)
    assert all(line.startswith("sdg-tags enqueue: ") for line in reported)
    assert f"{len(BAD_URLS)} registry rows stored as invalid-url" in completed.stdout
    assert PASSWORD not in completed.stderr + completed.stdout
    with Repository(db) as repository:
        run_id = repository.latest_run_id(finished_only=False)
        assert run_id is not None
        records = list(repository.iter_results(run_id))
    assert sorted(record["fetch_status"] for record in records) == ["invalid-url"] * len(BAD_URLS)
    for path in tmp_path.glob("run.db*"):
        assert PASSWORD.encode() not in path.read_bytes()


@pytest.mark.slow  # a subprocess and its own Redis
@pytest.mark.redis
def test_redis_going_away_during_an_enqueue_is_one_line(tmp_path: Path) -> None:
    """Redis stops while the registry streams in: one line naming Redis and exit 2, not a traceback, and the
    forked reader does not outlive the enqueue."""
    import redis

    from tests.faults.services import redis_server

    registry = tmp_path / "registry.csv"
    with registry.open("w", encoding="utf-8") as out:
        out.write("url,type\n")
        for number in range(300_000):
            out.write(f"https://h{number % 500}.example.eu/p/{number},Information\n")
    with redis_server() as url:
        client = redis.Redis.from_url(url)
        process = subprocess.Popen(
            [
                *SDG_TAGS,
                "enqueue",
                "--registry",
                str(registry),
                "--redis",
                url,
                "--db",
                f"sqlite:///{tmp_path / 'run.db'}",
                "--name",
                "gone",
            ],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not client.exists("sdg:gone:enqueue:rows"):  # the first batch is in: streaming has begun
                assert time.monotonic() < deadline and process.poll() is None, process.communicate()
                time.sleep(0.05)
            client.shutdown(nosave=True)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    no_traceback(stderr)
    assert process.returncode == 2, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if line.startswith("sdg-tags enqueue: error: ")]
    assert len(errors) == 1, stderr[-3000:]
    assert f"Redis at {url} stopped answering" in errors[0]
    assert not any(str(registry) in line for line in process_lines())  # neither the enqueue nor its reader


def process_lines() -> list[str]:
    """The command lines of this machine's processes that are still alive."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            continue
    return lines


def stored_run(db_url: str) -> int:
    """A finished run with one tagged page, written through the repository (no crawl needed)."""
    from tests.repository_records import tagged_record

    with Repository(db_url) as repository:
        run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
        repository.write_pages(run_id, [tagged_record()])
        repository.finish_run(run_id, stats={})
    return run_id


def test_diff_reports_each_bad_row_and_carries_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    stored_run(db)
    registry = write_csv_registry(
        tmp_path / "registry.csv", [url for url, _ in BAD_URLS] + ["https://www.example.se/foretag"]
    )
    assert main(["diff", "--registry", str(registry), "--db", db, "--out", str(tmp_path / "diff")]) == 0
    captured = capsys.readouterr()
    reported = [line for line in captured.err.splitlines() if "skipped row: " in line]
    assert len(reported) == len(BAD_URLS)
    assert PASSWORD not in captured.err + captured.out
    assert "1 entries, 1 found in the crawl" in captured.out


def test_export_leaves_out_a_page_with_an_unusable_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.repository_records import tagged_record

    db = f"sqlite:///{tmp_path / 'r.db'}"
    with Repository(db) as repository:
        run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
        good = tagged_record()
        bad = tagged_record("https://www.example.se/other")
        assert bad.result is not None
        bad.result.canonical_url = "http://[::1/broken"  # unusable: the page's own address is exported
        spy = tagged_record(f"https://someone:{PASSWORD}@www.example.se/spy")
        assert spy.result is not None
        spy.result.canonical_url = None
        repository.write_pages(run_id, [good, bad, spy])
        repository.finish_run(run_id, stats={})
    out = tmp_path / "upload.csv"
    assert main(["export", "--db", db, "--format", "registry-csv", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    no_traceback(captured.err)
    rows = [row for row in csv.reader(out.read_text(encoding="utf-8").splitlines()[1:])]
    assert [row[1] for row in rows[1:]] == ["https://www.example.se/foretag", "https://www.example.se/other"]
    reported = [line for line in captured.err.splitlines() if line.startswith("sdg-tags export: skipped")]
    assert len(reported) == 1, captured.err
    assert "https://***@www.example.se/spy" in reported[0]
    assert PASSWORD not in captured.err + out.read_text(encoding="utf-8")


# Random rows: any text in any column, JSON values of any shape.
COLUMN_NAMES = st.sampled_from(
    [
        "url",
        "URL",
        "title",
        "type",
        "categories",
        "language",
        "url type",
        "country",
        "delete",
        "notification type",
        "excluded paths",
        "ignore params",
        "national code",
        "parent url",
    ]
)
URL_TEXT = st.one_of(
    st.text(max_size=60),
    # long addresses, repeated so that some rows are duplicates: a reason quotes them abridged
    st.sampled_from([f"https://example.org/{'a' * 2000}", f"https://example.org/{'b' * 3000}"]),
    st.builds(
        lambda scheme, rest: f"{scheme}://{rest}",
        st.sampled_from(["http", "https", "HTTP", "ftp"]),
        st.text(),
    ),
    st.builds(lambda inside, after: f"https://[{inside}]{after}/", st.text(max_size=6), st.text(max_size=6)),
    st.builds(
        lambda host, port, path: f"http://{host}:{port}/{path}",
        st.text(max_size=10),
        st.text(max_size=8),
        st.text(max_size=10),
    ),
)
CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(),
    st.booleans(),
    st.lists(st.one_of(st.text(max_size=10), st.dictionaries(st.text(max_size=5), st.text(max_size=5)))),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)
ROW = st.one_of(
    st.dictionaries(COLUMN_NAMES | st.text(max_size=12), CELL, max_size=6).flatmap(
        lambda row: URL_TEXT.map(lambda url: row | {"url": url})
    ),
    CELL,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=8))
def test_loading_random_rows_never_raises(rows: list[Any]) -> None:
    load = load_rows(Path("random.json"), enumerate(rows, start=1), "json")
    entry_rows = [entry.source_row for entry in load.entries]
    error_rows = [error.row for error in load.errors]
    assert sorted(entry_rows + error_rows) == list(range(1, len(rows) + 1))
    for entry in load.entries:
        entry.model_dump_json().encode("utf-8")  # storable: no lone surrogate anywhere
        Scope.for_entry(entry.url, is_folder=entry.url_type == "web folder")
        site_key(entry.url)
        dedupe_key(entry.url)
        Request(entry.url)  # what the spider makes of it
    for error in load.errors:
        str(error).encode("utf-8")
        assert len(str(error)) < MAX_REASON_CHARACTERS
    for invalid in load.invalid_urls:
        invalid.url.encode("utf-8")
        assert len(invalid.url) < MAX_REASON_CHARACTERS


# -- 2. formula cells in every CSV the tool writes ------------------------------------------------------

FORMULA_TITLE = '=HYPERLINK("http://evil.example/","click")'
FORMULA_LOCATION = "=1+1"
FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")


def formula_db(tmp_path: Path) -> str:
    """A finished run with one compliant page whose title and DC.Location start with `=`, and a registry entry
    whose national code starts with `@`."""
    from sdg_tags.repository.records import PageRecord, RegistryEntry
    from sdg_tags.validators.engine import check_page
    from sdg_tags.validators.extraction import extract_tags

    from tests.repository_records import TAGGED_HTML, finding

    url = "https://www.example.se/foretag"
    html = TAGGED_HTML.replace(
        b"<title>Starta foretag</title>", f"<title>{FORMULA_TITLE}</title>".encode()
    ).replace(
        b'<meta name="sdg-tag" content="sdg">',
        f'<meta name="sdg-tag" content="sdg"><meta name="DC.Location" content="{FORMULA_LOCATION}">'.encode(),
    )
    result = check_page(html, url=url)
    warning = finding("tag-duplicate", tag="DC.ISO3166")
    warning.value = "-2+3"
    result.findings = [warning]
    result.verdict = "compliant-with-warnings"
    record = PageRecord(
        url=url,
        fetch_status="ok",
        http_status=200,
        fetched_at=datetime.now(UTC),
        result=result,
        occurrences=extract_tags(html, url=url).occurrences,
        registry_url=url,
    )
    db = f"sqlite:///{tmp_path / 'formula.db'}"
    with Repository(db) as repository:
        repository.import_registry(
            [RegistryEntry(url=url, national_code="@SUM(1)", types=["Information"], source_row=2)], source="t"
        )
        run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
        repository.write_pages(run_id, [record])
        repository.finish_run(run_id, stats={})
    return db


def csv_cells(text: str) -> list[str]:
    lines = [line for line in text.lstrip("\ufeff").splitlines(keepends=True) if not line.startswith("#")]
    return [cell for row in csv.reader(lines) for cell in row]


def assert_neutralised(name: str, text: str, *expected: str) -> None:
    cells = csv_cells(text)
    assert not [cell for cell in cells if cell.startswith(FORMULA_FIRST)], name
    for value in expected:
        assert "'" + value in cells, (name, value)


def test_every_csv_output_neutralises_formula_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = formula_db(tmp_path)
    assert main(["results", "--db", db, "--format", "csv", "-o", str(tmp_path / "results.csv")]) == 0
    assert_neutralised(
        "results", (tmp_path / "results.csv").read_text(encoding="utf-8"), FORMULA_TITLE, FORMULA_LOCATION
    )
    assert main(["results", "--db", db, "--format", "csv"]) == 0
    assert_neutralised("results stdout", capsys.readouterr().out, FORMULA_TITLE, FORMULA_LOCATION)
    assert (
        main(["export", "--db", db, "--format", "registry-csv", "--out", str(tmp_path / "upload.csv")]) == 0
    )
    assert_neutralised(
        "export", (tmp_path / "upload.csv").read_text(encoding="utf-8"), FORMULA_TITLE, FORMULA_LOCATION
    )
    assert main(["report", "--db", db, "--out", str(tmp_path / "report")]) == 0
    assert_neutralised(
        "pages.csv",
        (tmp_path / "report" / "pages.csv").read_text(encoding="utf-8"),
        FORMULA_TITLE,
        FORMULA_LOCATION,
    )
    assert_neutralised(
        "findings.csv", (tmp_path / "report" / "findings.csv").read_text(encoding="utf-8"), "-2+3"
    )
    assert main(["diff", "--db", db, "--out", str(tmp_path / "diff")]) == 0
    assert_neutralised("diff.csv", (tmp_path / "diff" / "diff.csv").read_text(encoding="utf-8"), "@SUM(1)")


# -- 3. unusable repository files, closed standard output, unreadable folders ---------------------------

DB_COMMANDS: dict[str, list[str]] = {
    "crawl": ["crawl", "--registry", "{registry}", "--timeout", "1", "--progress-interval", "0"],
    "results": ["results"],
    "report": ["report", "--out", "{tmp}/report"],
    "diff": ["diff", "--out", "{tmp}/diff"],
    "export": ["export", "--format", "registry-csv", "--out", "{tmp}/upload.csv"],
}


def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200, encoding="utf-8")
    return path


def corrupt_database(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.db"
    stored_run(f"sqlite:///{path}")
    with path.open("r+b") as file:  # the schema page after the 100-byte header
        file.seek(100)
        file.write(b"\xff" * 3996)
    return path


def folder_database(tmp_path: Path) -> Path:
    path = tmp_path / "folder.db"
    path.mkdir()
    return path


def run_db_command(command: str, db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    registry = write_csv_registry(tmp_path / "registry.csv", ["http://127.0.0.1:9/page"])
    arguments = [argument.format(registry=registry, tmp=tmp_path) for argument in DB_COMMANDS[command]]
    return cli_run(*arguments, "--db", f"sqlite:///{db}")


def assert_one_line(
    completed: subprocess.CompletedProcess[str], command: str, path: Path, cause: str
) -> None:
    no_traceback(completed.stderr)
    assert completed.returncode == 2, completed.stderr[-3000:]
    assert completed.stderr.count("\n") == 1, completed.stderr[-3000:]
    assert completed.stderr.startswith(f"sdg-tags {command}: error: "), completed.stderr
    assert str(path) in completed.stderr and cause in completed.stderr, completed.stderr


@pytest.mark.slow  # a subprocess or a real crawl
@pytest.mark.parametrize("command", list(DB_COMMANDS))
@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (not_a_database, "file is not a database"),
        (corrupt_database, "database disk image is malformed"),
        (folder_database, "is a folder"),
    ],
    ids=["not-a-database", "corrupt", "folder"],
)
def test_an_unusable_database_file_is_one_line_and_exit_2(
    tmp_path: Path, command: str, make: Any, cause: str
) -> None:
    db = make(tmp_path)
    assert_one_line(run_db_command(command, db, tmp_path), command, db, cause)
    assert not (tmp_path / "report").exists() and not (tmp_path / "upload.csv").exists()


def immutable(path: Path) -> None:
    """Read-only even for root (chattr +i); the test is skipped where the file system cannot do it."""
    completed = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if completed.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {completed.stderr.strip()}")


@pytest.mark.slow  # a subprocess or a real crawl
@pytest.mark.parametrize("command", ["crawl", "export"])
@pytest.mark.parametrize("how", ["chmod", "immutable"])
def test_a_read_only_database_is_one_line_for_the_commands_that_write(
    tmp_path: Path, command: str, how: str
) -> None:
    db = tmp_path / "read-only.db"
    stored_run(f"sqlite:///{db}")
    if how == "chmod":
        if os.geteuid() == 0:
            pytest.skip("root writes to a file whatever its mode (the immutable case covers root)")
        db.chmod(0o444)
    else:
        immutable(db)
    try:
        completed = run_db_command(command, db, tmp_path)
        assert_one_line(completed, command, db, "readonly database")
    finally:
        if how == "immutable":
            subprocess.run(["chattr", "-i", str(db)], check=True)
    assert not (tmp_path / "upload.csv").exists()


@pytest.mark.slow  # a subprocess or a real crawl
def test_a_read_only_database_can_still_be_read(tmp_path: Path) -> None:
    db = tmp_path / "read-only.db"
    stored_run(f"sqlite:///{db}")
    immutable(db)
    try:
        completed = run_db_command("results", db, tmp_path)
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["url"] == "https://www.example.example/foretag".replace(
        ".example/", ".se/"
    )


@pytest.mark.slow  # a subprocess or a real crawl
def test_a_locked_database_is_one_line(tmp_path: Path) -> None:
    """Another process holds SQLite's exclusive lock: `results` waits the busy timeout (30 s), then one line."""
    db = tmp_path / "locked.db"
    stored_run(f"sqlite:///{db}")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        completed = run_db_command("results", db, tmp_path)
    finally:
        holder.close()
    assert_one_line(completed, "results", db, "database is locked")


TAGGED_PAGE = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body></body></html>'


def check_with_stdout(tmp_path: Path, redirect: str) -> subprocess.CompletedProcess[str]:
    page_file = tmp_path / "page.html"
    page_file.write_text(TAGGED_PAGE, encoding="utf-8")
    command = " ".join(f"'{part}'" for part in [*SDG_TAGS, "check", str(page_file), "--format", "json"])
    return subprocess.run(
        ["sh", "-c", f"exec {command} {redirect}"],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )


@pytest.mark.slow  # a subprocess or a real crawl
@pytest.mark.parametrize(
    ("redirect", "cause"),
    [(">&-", "standard output is closed"), (">/dev/full", "No space left on device")],
    ids=["closed", "full"],
)
def test_check_with_unusable_standard_output_is_one_line(tmp_path: Path, redirect: str, cause: str) -> None:
    completed = check_with_stdout(tmp_path, redirect)
    no_traceback(completed.stderr)
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert completed.stderr.startswith("sdg-tags check: error: ") and cause in completed.stderr


@pytest.mark.slow  # a subprocess or a real crawl
@pytest.mark.parametrize(
    ("redirect", "cause"),
    [(">&-", "standard output is closed"), (">/dev/full", "No space left on device")],
    ids=["closed", "full"],
)
def test_results_with_unusable_standard_output_is_one_line(tmp_path: Path, redirect: str, cause: str) -> None:
    db = tmp_path / "r.db"
    stored_run(f"sqlite:///{db}")
    command = " ".join(f"'{part}'" for part in [*SDG_TAGS, "results", "--db", f"sqlite:///{db}"])
    completed = subprocess.run(
        ["sh", "-c", f"exec {command} {redirect}"],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    no_traceback(completed.stderr)
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert completed.stderr.startswith("sdg-tags results: error: ") and cause in completed.stderr


def check_folder(folder: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    completed = cli_run("check", str(folder), "--format", "json", timeout=30)
    no_traceback(completed.stderr)
    pages = {page["target"]: page for page in json.loads(completed.stdout)["pages"]}
    return completed.returncode, pages


@pytest.mark.slow  # a subprocess or a real crawl
def test_check_dir_reports_names_it_cannot_read_instead_of_skipping_them(tmp_path: Path) -> None:
    """Root reads any file, so these are the cases that stay unreadable for root: a FIFO (reading it would
    block for ever), a link to nothing, a link loop."""
    folder = tmp_path / "site"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_text(TAGGED_PAGE, encoding="utf-8")
    (folder / "sub" / "b.html").write_text(TAGGED_PAGE, encoding="utf-8")
    os.mkfifo(folder / "fifo.html")
    (folder / "dangling.html").symlink_to(folder / "missing.html")
    (folder / "loop.html").symlink_to(folder / "loop.html")
    code, pages = check_folder(folder)
    assert code == 2
    assert sorted(pages) == sorted(
        str(folder / name) for name in ("a.html", "sub/b.html", "fifo.html", "dangling.html", "loop.html")
    )
    assert pages[str(folder / "a.html")]["verdict"] != "not-evaluated"
    details = {Path(target).name: page["status_detail"] for target, page in pages.items()}
    assert details["fifo.html"] == "not a regular file (a FIFO); not read"
    assert details["dangling.html"] == "a symbolic link to nothing"
    assert details["loop.html"].startswith("cannot be read (Too many levels of symbolic links")
    assert all(pages[str(folder / name)]["verdict"] == "not-evaluated" for name in ("fifo.html", "loop.html"))


@pytest.mark.slow  # a subprocess or a real crawl
def test_check_dir_reports_an_unreadable_subfolder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root lists any folder (the FIFO and link cases cover root)")
    folder = tmp_path / "site"
    (folder / "locked").mkdir(parents=True)
    (folder / "a.html").write_text(TAGGED_PAGE, encoding="utf-8")
    (folder / "locked" / "c.html").write_text(TAGGED_PAGE, encoding="utf-8")
    (folder / "locked").chmod(0)
    try:
        code, pages = check_folder(folder)
    finally:
        (folder / "locked").chmod(0o755)
    assert code == 2
    assert pages[str(folder / "locked")]["status_detail"] == "folder could not be read: Permission denied"


# -- 4. files the tool writes honour the umask ----------------------------------------------------------


@pytest.mark.slow  # a subprocess or a real crawl
@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_report_diff_and_export_files_honour_the_umask(tmp_path: Path, umask: int) -> None:
    db = formula_db(tmp_path)
    commands = [
        ["report", "--db", db, "--out", str(tmp_path / "report")],
        ["diff", "--db", db, "--out", str(tmp_path / "diff")],
        ["export", "--db", db, "--format", "registry-csv", "--out", str(tmp_path / "export" / "upload.csv")],
    ]
    for arguments in commands:
        completed = subprocess.run(
            [*SDG_TAGS, *arguments],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=lambda: os.umask(umask),
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
    written = [path for folder in ("report", "diff", "export") for path in (tmp_path / folder).rglob("*")]
    files = [path for path in written if path.is_file()]
    assert len(files) >= 8
    modes = {str(path.relative_to(tmp_path)): oct(path.stat().st_mode & 0o777) for path in files}
    assert modes == dict.fromkeys(modes, oct(0o666 & ~umask))


# -- 5. the closing summary of a resumed crawl ----------------------------------------------------------

FOLDER_PAGES = 30


def stored_rows(db_url: str) -> int:
    from sdg_tags.repository.schema import observations
    from sqlalchemy import func, select

    try:
        with Repository(db_url) as repository, repository.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(observations)).scalar() or 0
    except Exception:  # the crawl has not created the schema yet
        return 0


@pytest.mark.slow  # a subprocess or a real crawl
def test_the_closing_summary_of_a_resumed_crawl_counts_the_whole_run(tmp_path: Path) -> None:
    links = " ".join(f'<a href="/docs/p{number}">{number}</a>' for number in range(FOLDER_PAGES))
    routes: dict[str, Any] = {"/robots.txt": Route(status=404), "/docs/": page(links)}
    for number in range(FOLDER_PAGES):
        routes[f"/docs/p{number}"] = Route(body=page("leaf").body, delay=0.02)
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    options = ("--job-dir", str(tmp_path / "job"), "--concurrency-per-host", "1", "--delay", "0.1")
    with SiteServer(routes=routes) as site:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": site.url("/docs/"), "urlType": "web folder"}]
        )
        first = subprocess.Popen(
            crawl_command(registry, db_url, *options, "--set", "SDG_WRITE_BATCH_SIZE=3"),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while stored_rows(db_url) < 8:
            assert first.poll() is None and time.monotonic() < deadline, "the first session made no progress"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # the run stays open; the second session resumes it
        first.communicate(timeout=60)
        assert stored_rows(db_url) < FOLDER_PAGES + 1
        second = run_crawl(registry, db_url, *options)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming from" in second.stderr
    total = FOLDER_PAGES + 1
    assert f"Run 1 (finished): {total} pages" in second.stdout, second.stdout
    assert f"  fetch status: ok {total}\n" in second.stdout
    assert f"  verdict: not-self-describing {total}\n" in second.stdout


CSV_HEADER = ["url", "title", "type", "country", "delete", "excluded paths"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(URL_TEXT, st.text(max_size=20)), min_size=0, max_size=7), max_size=8))
def test_loading_a_random_csv_never_raises(rows: list[list[str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "registry.csv"
        with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(CSV_HEADER)
            writer.writerows(rows)
        try:
            load = load_registry(path)
        except RegistryFileError as exc:  # a lone surrogate makes the file no UTF-8: one line for the file
            assert "not UTF-8" in str(exc)
            return
    numbers = [entry.source_row for entry in load.entries] + [error.row for error in load.errors]
    assert len(numbers) == len(set(numbers))
    assert all(2 <= number for number in numbers if number is not None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
            lambda children: st.one_of(
                st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda document: json.dumps(document).encode()),
    ),
    st.sampled_from(["registry.csv", "registry.json", "registry.txt", "registry.xlsx"]),
)
def test_loading_any_file_gives_entries_or_one_file_error(data: bytes, name: str) -> None:
    """Any bytes: entries and row errors, or one short line for the whole file."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            load = load_registry(path)
        except RegistryFileError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < MAX_REASON_CHARACTERS
            return
    for error in load.errors:
        str(error).encode("utf-8")


@pytest.mark.slow
def test_check_with_standard_input_closed_is_one_not_evaluated_page(tmp_path: Path) -> None:
    done = subprocess.run(
        [*SDG_TAGS, "check", "--format", "json", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0  # empty standard input is an empty page: not self-describing
    closed = subprocess.run(
        ["/bin/sh", "-c", 'exec "$0" "$@" <&-', *SDG_TAGS, "check", "--format", "json", "-"],
        capture_output=True,
        timeout=60,
    )
    assert (closed.returncode, closed.stderr) == (2, b"")
    [page] = json.loads(closed.stdout)["pages"]
    assert (page["verdict"], page["status_detail"]) == ("not-evaluated", "standard input is closed")


def test_check_of_a_fifo_does_not_wait_for_a_writer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    assert main(["check", "--format", "json", str(fifo)]) == 2
    [page] = json.loads(capsys.readouterr().out)["pages"]
    assert page["verdict"] == "not-evaluated"
    assert (
        page["status_detail"]
        == "not a regular file (a pipe, socket or device); give - to read standard input"
    )

"""`sdg-tags demo`: bad input, a failing crawl, and (slow) the whole demo end to end against the expected table."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sdg_tags.cli.main import main
from sdg_tags.demo.run import VERDICT_COLUMNS, log_tail, run_crawl, start_gateway
from sdg_tags.demo.server import PROVIDERS, SITE_DIR
from sdg_tags.repository.store import Repository

from tests.faults.services import free_port

EXPECTED = json.loads((SITE_DIR.parent / "expected.json").read_text(encoding="utf-8"))
PROJECT_ROOT = SITE_DIR.parent.parent


def test_out_that_is_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    assert main(["demo", "--out", str(not_a_folder)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"sdg-tags demo: error: --out {not_a_folder} is a file; give a folder (it is created if missing)\n"
    )


def test_unusable_database_is_reported_in_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path / "out"), "--db", "mysql://nowhere/db"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "sdg-tags demo: error: cannot open the repository mysql://nowhere/db: database 'mysql' is not "
        "supported; use sqlite:/// or postgresql+psycopg://\n"
    )
    # The repository is checked before any site is served: nothing was started, nothing crawled.
    assert captured.out == ""
    assert not (tmp_path / "out" / "registry.csv").exists()
    assert not (tmp_path / "out" / "access.log").exists()


def test_port_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--port", "70000"]) == 2
    assert capsys.readouterr().err == (
        "sdg-tags demo: error: --port 70000 is not a TCP port (0-65535; 0 = ephemeral)\n"
    )


def test_fixed_port_serves_all_three_hosts_and_falls_back_when_taken() -> None:
    port = free_port()
    out = io.StringIO()
    gateway = start_gateway(port, io.StringIO(), out)
    try:
        assert sorted(gateway.hosts.values()) == [f"127.0.0.{n}:{port}" for n in (1, 2, 3)]
        assert out.getvalue() == ""
        # The port is now taken on all three addresses: a second gateway serves on ephemeral ports and says so.
        second = start_gateway(port, io.StringIO(), out)
        try:
            assert all(not host.endswith(f":{port}") for host in second.hosts.values())
            assert out.getvalue() == (
                f"Port {port} is in use on a demo address; serving on ephemeral ports instead.\n"
            )
        finally:
            second.stop()
    finally:
        gateway.stop()


def test_failing_crawl_process_gives_its_exit_code_and_log(tmp_path: Path) -> None:
    log_file = tmp_path / "crawl.log"
    command = [
        sys.executable,
        "-c",
        "import sys; print('first'); print('crawl broke', file=sys.stderr); sys.exit(3)",
    ]
    assert run_crawl(command, log_file) == 3
    lines = log_tail(log_file).splitlines()
    assert lines[0].startswith("$ ")
    assert lines[1:] == ["first", "crawl broke"]


def parse_table(stdout: str) -> dict[str, dict[str, int]]:
    """{country: {"pages": n, verdict: n}} from the printed summary table."""
    countries = {provider.country for provider in PROVIDERS}
    rows: dict[str, dict[str, int]] = {}
    for line in stdout.splitlines():
        cells = line.split()
        # A provider row: name words, the country code, then pages and one count per verdict.
        if len(cells) > 7 and cells[-7] in countries and all(cell.isdigit() for cell in cells[-6:]):
            numbers = [int(cell) for cell in cells[-6:]]
            rows[cells[-7]] = {"pages": numbers[0], **dict(zip(VERDICT_COLUMNS, numbers[1:], strict=True))}
    return rows


@pytest.mark.slow
@pytest.mark.slow
def test_demo_end_to_end(tmp_path: Path) -> None:
    """Serve, crawl in a child process, summarise: the table and every page's outcome are exactly as intended."""
    out_dir = tmp_path / "out"
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    completed = subprocess.run(
        [sys.executable, "-m", "sdg_tags.cli.main", "demo", "--out", str(out_dir), "--db", db_url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout + log_tail(out_dir / "crawl.log")
    assert completed.stderr == ""

    country_of = {provider.key: provider.country for provider in PROVIDERS}
    expected_table = {country_of[key]: counts for key, counts in EXPECTED["summary"].items()}
    assert parse_table(completed.stdout) == expected_table
    total = completed.stdout.splitlines()
    assert [line.split() for line in total if line.startswith("Total")] == [
        ["Total", "63", "17", "19", "13", "10", "4"]
    ]
    assert f"sdg-tags results --db {db_url} --run 1 --format jsonl" in completed.stdout
    for name in ("registry.csv", "crawl.log", "access.log", "summary.txt"):
        assert (out_dir / name).is_file(), name
    assert (out_dir / "summary.txt").read_text(encoding="utf-8").splitlines()[-1].split()[:2] == [
        "Total",
        "63",
    ]

    # Every crawled URL has the fetch status and verdict the demo was built to show.
    hosts = {}
    for line in completed.stdout.splitlines():
        for provider in PROVIDERS:
            if line.strip().startswith(f"{provider.country}  http://"):
                hosts[urlsplit(line.split()[1]).netloc] = provider.key
    with Repository(db_url, create=False) as repository:
        records = list(repository.iter_results(1))
    outcomes = {}
    for record in records:
        parts = urlsplit(record["url"])
        outcomes[f"{hosts[parts.netloc]} {parts.path}"] = (record["fetch_status"], record["verdict"])
    expected_outcomes = {
        key: ("ok", page["verdict"])
        for key, page in EXPECTED["pages"].items()
        if key not in EXPECTED["crawl"]["not_crawled"]
    }
    for key, url in EXPECTED["crawl"]["urls"].items():
        expected_outcomes[key] = (url["fetch_status"], url["verdict"])
    assert outcomes == expected_outcomes

    # robots.txt was read first on the Swedish host, and its Disallow kept the crawler out of /intern/.
    se_host = next(host for host, key in hosts.items() if key == "se")
    se_paths = [
        line.split(" ")[3]
        for line in (out_dir / "access.log").read_text(encoding="utf-8").splitlines()
        if line.split(" ")[1] == se_host
    ]
    assert se_paths[0] == "/robots.txt"
    assert len(se_paths) == 17  # robots.txt and the 16 pages under /sv/
    assert not [path for path in se_paths if path.startswith("/intern/")]

"""`sdg-tags check DIR` at any size: every format streams page by page, in parallel processes by default, with
the same bytes as one process, and memory that does not grow with the number of pages."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.pages import page

SDG_TAGS = Path(sys.executable).with_name("sdg-tags")
COUNTRIES = ("BE", "GR", "SE", "xx", "NL")


def write_site(folder: Path, count: int) -> Path:
    """`count` pages of five kinds (compliant, GR, …, untagged) in nested folders."""
    for number in range(count):
        country = COUNTRIES[number % len(COUNTRIES)]
        tags = [
            ("sdg-tag", "sdg"),
            ("DC.ISO3166", country),
            ("DC.Service", "information"),
            ("policy-code", f"A{number % 5 + 1}"),
        ]
        body = page(tags if number % 7 else [], lang="fr", body=f"<p>page {number}</p>")
        path = folder / f"part{number % 3}" / f"page{number:06d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return folder


def run_check(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(SDG_TAGS), "check", *argv], capture_output=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "junit", "sarif", "text"])
def test_parallel_output_is_byte_identical_to_one_process(tmp_path: Path, fmt: str) -> None:
    site = write_site(tmp_path / "site", 150)
    one = run_check("--format", fmt, "--jobs", "1", str(site))
    many = run_check("--format", fmt, "--jobs", "3", str(site))
    default = run_check("--format", fmt, str(site))  # ≥ 64 pages: every CPU
    assert one.returncode == many.returncode == default.returncode == 1  # GR and xx are errors
    assert one.stderr == many.stderr == default.stderr == b""
    assert many.stdout == one.stdout
    assert default.stdout == one.stdout
    if fmt == "json":
        document = json.loads(one.stdout)
        assert document["summary"]["pages"] == 150
        targets = [Path(p["target"]).relative_to(site).as_posix() for p in document["pages"]]
        assert targets[:2] == ["part0/page000000.html", "part0/page000003.html"]  # sorted by path
        assert document["summary"]["non-compliant"] == sum(
            1 for n in range(150) if n % 7 and COUNTRIES[n % 5] in ("GR", "xx")
        )
    if fmt == "junit":
        suites = ET.fromstring(one.stdout)
        assert suites.get("tests") == "150"
        assert len(suites.findall("./testsuite/testcase")) == 150


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_pages(tmp_path: Path) -> None:
    """4,000 pages take no more memory than 400 (the pages are written, not kept)."""

    def peak_rss_mb(count: int, fmt: str) -> float:
        site = write_site(tmp_path / f"site{count}", count)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run(
            [str(SDG_TAGS), "check", "--format", fmt, "--jobs", "1", str(site)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=600,
        )
        assert done.returncode == 1, done.stderr
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        assert peak >= before
        return peak / 1024

    for fmt in ("json", "sarif"):
        small = peak_rss_mb(400, fmt)
        large = peak_rss_mb(4000, fmt)
        # RUSAGE_CHILDREN is the largest child so far: the larger run is measured second, so `large` is its
        # own peak whenever it is the bigger one. 10x the pages may not cost more than a few MB.
        assert large - small < 15, (fmt, small, large)


@pytest.mark.slow
def test_pages_that_cannot_be_checked_are_reported_in_parallel_too(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 80)
    (site / "part0" / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    done = run_check("--format", "json", str(site))
    assert done.returncode == 2
    document = json.loads(done.stdout)
    [broken] = [p for p in document["pages"] if p["target"].endswith("broken.html")]
    assert broken["verdict"] == "not-evaluated"
    assert broken["status_detail"].endswith("content is a PNG image, not HTML")
    assert document["summary"]["pages"] == 81


def test_jobs_must_be_a_positive_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sdg_tags.cli.main import main

    with pytest.raises(SystemExit) as stopped:
        main(["check", "--jobs", "0", str(tmp_path)])
    assert stopped.value.code == 2
    assert "invalid number of jobs '0'; give 1 or more" in capsys.readouterr().err


@pytest.mark.slow
def test_output_keeps_its_order_when_one_process_gets_the_heavy_pages(tmp_path: Path) -> None:
    """Pages are checked in chunks of 16, chunk c by process c % jobs: here every chunk of the second process
    holds 1 MB pages, so the first runs ahead and holds its own pieces back until their turn."""
    site = write_site(tmp_path / "site", 128)
    paths = sorted(site.rglob("*.html"))
    filler = "<p>" + "x" * 1_000_000 + "</p>"
    for index, path in enumerate(paths):
        if index // 16 % 2:
            path.write_bytes(path.read_bytes().replace(b"</body>", filler.encode() + b"</body>"))
    one = run_check("--format", "json", "--jobs", "1", str(site))
    two = run_check("--format", "json", "--jobs", "2", str(site))
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout
    assert len(json.loads(two.stdout)["pages"]) == 128


@pytest.mark.slow
def test_a_killed_checking_process_is_one_line_and_exit_2(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 3000)
    process = subprocess.Popen(
        [str(SDG_TAGS), "check", "--format", "json", "--jobs", "2", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    while not children.read_text().split():
        assert time.monotonic() < deadline, "no checking process was started"
        time.sleep(0.005)
    os.kill(int(children.read_text().split()[0]), signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2
    [line] = stderr.decode().splitlines()
    assert re.fullmatch(
        r"sdg-tags check: error: checking process \d+ ended unexpectedly \(killed by SIGKILL; out of memory\?\)",
        line,
    )


def test_jobs_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--jobs 1000000` would fork a process per 16 pages and run out of file descriptors: one line, exit 2."""
    from sdg_tags.cli.main import main

    with pytest.raises(SystemExit) as stopped:
        main(["check", "--jobs", "1000000", str(tmp_path)])
    assert stopped.value.code == 2
    assert "invalid number of jobs '1000000'; give at most 64" in capsys.readouterr().err


@pytest.mark.slow
def test_a_process_that_cannot_be_started_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Out of file descriptors (root too is held to RLIMIT_NOFILE): the pipe of a checking process cannot be
    made."""
    site = write_site(tmp_path / "site", 64 * 16)
    done = subprocess.run(
        ["bash", "-c", f"ulimit -n 40; exec {SDG_TAGS} check --format json --jobs 64 {site}"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("sdg-tags check: error: could not start a checking process ("), line

"""Resume after SIGKILL and SIGINT, the run lock, conditional GET, and command-line errors (real crawls)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sdg_tags.repository.schema import observations
from sdg_tags.repository.store import Repository
from sdg_tags.repository.timestamps import iso_utc
from sqlalchemy import func, select

from tests.sites.crawl_run import PROJECT_ROOT, crawl_command, run_crawl, write_registry
from tests.sites.server import Route, SiteServer, page

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites

PAGES = 60  # a binary tree of pages under /docs/, plus the root


def tree_routes() -> dict[str, Any]:
    routes: dict[str, Any] = {"/robots.txt": Route(status=404), "/docs/": page('<a href="/docs/p0">0</a>')}
    for number in range(PAGES):
        children = [child for child in (2 * number + 1, 2 * number + 2) if child < PAGES]
        body = " ".join(f'<a href="/docs/p{child}">{child}</a>' for child in children)
        routes[f"/docs/p{number}"] = Route(body=page(body).body, delay=0.01)
    return routes


@pytest.fixture
def tree_site() -> Iterator[SiteServer]:
    with SiteServer(routes=tree_routes()) as site:
        yield site


def expected_urls(site: SiteServer) -> set[str]:
    return {site.url("/docs/")} | {site.url(f"/docs/p{number}") for number in range(PAGES)}


def stored_count(db_url: str) -> int:
    try:
        with Repository(db_url) as repository, repository.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(observations)).scalar() or 0
    except Exception:  # the crawl has not created the schema yet
        return 0


def start_crawl(registry: Path, db_url: str, job_dir: Path) -> subprocess.Popen[str]:
    command = crawl_command(
        registry,
        db_url,
        "--job-dir",
        str(job_dir),
        "--concurrency-per-host",
        "1",
        "--delay",
        "0.03",
        "--set",
        "SDG_WRITE_BATCH_SIZE=5",
    )
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_rows(process: subprocess.Popen[str], db_url: str, rows: int) -> None:
    deadline = time.monotonic() + 60
    while stored_count(db_url) < rows:
        assert process.poll() is None, (
            f"the crawl ended before {rows} rows: {process.communicate()[1][-3000:]}"
        )
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)


def resume_after_kill(tmp_path: Path, db_url: str, site: SiteServer) -> None:
    registry = write_registry(
        tmp_path / "registry.json", [{"url": site.url("/docs/"), "urlType": "web folder"}]
    )
    job_dir = tmp_path / "job"

    first = start_crawl(registry, db_url, job_dir)
    wait_for_rows(first, db_url, 15)
    first.send_signal(signal.SIGKILL)
    first.communicate()
    before_kill = stored_count(db_url)
    stored_before = {record["url"] for record in Repository(db_url).iter_results(1)}
    hits_before_restart = len(site.hits())

    second = start_crawl(registry, db_url, job_dir)
    wait_for_rows(second, db_url, before_kill + 10)
    second.send_signal(signal.SIGINT)  # a clean stop: the run stays open for the next resume
    _, stderr = second.communicate(timeout=60)
    assert second.returncode == 130, stderr[-3000:]
    assert "rerun with the same --job-dir to resume" in stderr

    third = subprocess.run(
        crawl_command(registry, db_url, "--job-dir", str(job_dir), "--concurrency-per-host", "1"),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert third.returncode == 0, third.stderr[-3000:]
    assert "Resuming from" in third.stderr

    with Repository(db_url) as repository:
        runs = repository.runs()
        assert [(run.id, run.finished_at is not None) for run in runs] == [(1, True)]
        records = list(repository.iter_results(1))
    urls = [record["url"] for record in records]
    assert len(urls) == len(set(urls)) == PAGES + 1  # nothing duplicated
    assert set(urls) == expected_urls(site)  # nothing lost
    assert {record["fetch_status"] for record in records} == {"ok"}
    assert runs[0].counts["pages"] == PAGES + 1
    # Resumed, not restarted: pages stored before the kill were not fetched again (bar the batch in flight).
    refetched = {hit.path for hit in site.hits()[hits_before_restart:]} & {
        url.removeprefix(site.origin) for url in stored_before
    }
    assert len(refetched) <= 5, refetched


def test_resume_after_sigkill_and_sigint_loses_and_duplicates_nothing(
    tmp_path: Path, tree_site: SiteServer
) -> None:
    resume_after_kill(tmp_path, f"sqlite:///{tmp_path / 'crawl.db'}", tree_site)


@pytest.mark.postgres
def test_resume_on_postgresql(tmp_path: Path, pg_db_url: str, tree_site: SiteServer) -> None:
    resume_after_kill(tmp_path, pg_db_url, tree_site)


def scrapy_crawl(registry: Path, db_url: str, job_dir: Path) -> subprocess.CompletedProcess[str]:
    """The same crawl as `scrapy crawl registry` from the project folder (the Scrapy project's own entry)."""
    settings = {
        "SDG_DB_URL": db_url,
        "SDG_JOB_DIR": str(job_dir),
        "SDG_HOST_DELAY": "0",
        "DOWNLOAD_DELAY": "0",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "registry", "-a", f"registry={registry}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_rerun_of_a_finished_job_crawls_and_stores_nothing(tmp_path: Path) -> None:
    with SiteServer(
        routes={"/robots.txt": Route(status=404), "/": page('<a href="/a">a</a>'), "/a": page("a")}
    ) as site:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": site.url("/"), "urlType": "web folder"}]
        )
        db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
        job_dir = tmp_path / "job"
        first = scrapy_crawl(registry, db_url, job_dir)
        assert first.returncode == 0, first.stderr[-3000:]
        hits = len(site.hits())
        assert hits == 3  # robots.txt, /, /a

        again = run_crawl(registry, db_url, "--job-dir", str(job_dir))
        assert again.returncode == 0, again.stderr[-3000:]
        with Repository(db_url) as repository:
            [finished] = repository.runs()
        assert again.stdout == (
            f"sdg-tags crawl: run 1 of job dir {job_dir.resolve()} finished at {iso_utc(finished.finished_at)} "
            "(2 pages); nothing to resume and nothing stored again. For a new run use another --job-dir, or none\n"
        )
        scrapy_again = scrapy_crawl(registry, db_url, job_dir)
        assert scrapy_again.returncode == 0, scrapy_again.stderr[-3000:]
        assert "run 1 of job dir" in scrapy_again.stderr and "nothing to resume" in scrapy_again.stderr
        assert len(site.hits()) == hits  # nothing fetched
        assert [(info.id, info.counts["pages"]) for info in again.runs()] == [(1, 2)]
        assert stored_count(db_url) == 2

        other = run_crawl(registry, db_url, "--job-dir", str(tmp_path / "next-night"))
        assert other.returncode == 0, other.stderr[-3000:]
        assert [(info.id, info.counts["pages"]) for info in other.runs()] == [(1, 2), (2, 2)]
        assert stored_count(db_url) == 4


def test_second_concurrent_run_exits_3(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    registry = write_registry(tmp_path / "registry.json", [{"url": "http://127.0.0.1:9/"}])
    with Repository(db_url) as repository, repository.run_lock(owner="test holder"):
        run = run_crawl(registry, db_url)
    assert run.returncode == 3
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "is busy" in lines[0] and "test holder" in lines[0]


def test_conditional_get_carries_the_previous_result_forward(tmp_path: Path) -> None:
    def tagged_with_etag(hit: int, headers: dict[str, str]) -> Route:
        if headers.get("If-None-Match") == '"v1"':
            return Route(status=304, content_type=None, headers={"ETag": '"v1"'})
        tags = '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="se">'
        return Route(body=page("tagged", head=tags).body, headers={"ETag": '"v1"'})

    with SiteServer(routes={"/robots.txt": Route(status=404), "/page": tagged_with_etag}) as site:
        registry = write_registry(tmp_path / "registry.json", [{"url": site.url("/page")}])
        db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
        first = run_crawl(registry, db_url)
        second = run_crawl(registry, db_url, "--conditional")
        assert (first.returncode, second.returncode) == (0, 0), second.stderr[-3000:]
        before = first.pages(1)[site.url("/page")]
        after = second.pages(2)[site.url("/page")]
        assert site.hits("/page")[1].headers["If-None-Match"] == '"v1"'
        assert (after["fetch_status"], after["http_status"]) == ("not-modified", 304)
        assert after["verdict"] == before["verdict"] == "non-compliant"
        assert [f["rule"] for f in after["findings"]] == [f["rule"] for f in before["findings"]]
        assert after["evaluated_at"] == before["fetched_at"]
        assert after["status_detail"] == (
            f"not modified since {before['fetched_at']}; the result of that evaluation is carried forward"
        )
        assert "not-modified 1" in second.stdout


def test_bad_registry_and_options_exit_2(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    missing = run_crawl(tmp_path / "nope.csv", db_url)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"sdg-tags crawl: error: {tmp_path / 'nope.csv'}: no such file"
    registry = write_registry(tmp_path / "registry.json", [{"url": "http://127.0.0.1:9/"}])
    bad_log = run_crawl(registry, db_url, "--log-file", str(tmp_path / "missing" / "crawl.log"))
    assert bad_log.returncode == 2
    assert bad_log.stderr.strip() == (
        f"sdg-tags crawl: error: --log-file {tmp_path / 'missing' / 'crawl.log'}: No such file or directory"
    )
    bad_size = run_crawl(registry, db_url, "--max-size", "lots")
    assert bad_size.returncode == 2
    assert bad_size.stderr.strip().endswith(
        "sdg-tags crawl: error: --max-size: 'lots' is not a size (give bytes, or e.g. 500k, 5M, 1G)"
    )


def test_bad_rows_are_printed_and_skipped(tmp_path: Path) -> None:
    with SiteServer(routes={"/robots.txt": Route(status=404), "/": page("fine")}) as site:
        registry = tmp_path / "registry.csv"
        registry.write_text(
            f"url,url type\n{site.url('/')},web page\nftp://example.se/,web page\n", encoding="utf-8"
        )
        run = run_crawl(registry, f"sqlite:///{tmp_path / 'crawl.db'}")
        assert run.returncode == 0, run.stderr[-3000:]
        assert (
            f"sdg-tags crawl: skipped row: {registry}:3 column 'url': url 'ftp://example.se/' is not an http(s) URL"
            in run.stderr
        )
        pages = run.pages()
        assert [url for url, record in pages.items() if record["fetch_status"] != "invalid-url"] == [
            site.url("/")
        ]
        assert pages["ftp://example.se/"]["fetch_status"] == "invalid-url"


def test_the_default_console_is_what_an_operator_reads(tmp_path: Path) -> None:
    """A start line, the crawl's own lines and the summary; Scrapy's banner, settings, component lists and
    stats dump only with -v, and always in --log-file."""
    with SiteServer(routes={"/robots.txt": Route(status=404), "/": page("fine")}) as site:
        registry = write_registry(tmp_path / "registry.json", [{"url": site.url("/")}])
        log_file = tmp_path / "crawl.log"
        quiet = run_crawl(registry, f"sqlite:///{tmp_path / 'quiet.db'}", "--log-file", str(log_file))
        verbose = run_crawl(registry, f"sqlite:///{tmp_path / 'verbose.db'}", "-v")
    assert quiet.returncode == verbose.returncode == 0, quiet.stderr[-2000:]
    first = quiet.stderr.splitlines()[0]
    assert first == f"sdg-tags crawl: {registry}: 1 entries on 1 host -> sqlite:///{tmp_path / 'quiet.db'}"
    for chatter in ("Scrapy 2.", "Overridden settings", "Enabled extensions", "Dumping Scrapy stats"):
        assert chatter not in quiet.stderr
        assert chatter in verbose.stderr
        assert chatter in log_file.read_text(encoding="utf-8")
    assert len(quiet.stderr.splitlines()) <= 5, quiet.stderr
    assert quiet.stdout.startswith("Run 1 (finished): 1 pages")

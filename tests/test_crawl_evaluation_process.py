"""The evaluation process: the same results as validating on the crawl thread, and nothing lost when it dies."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from sdg_tags.crawler.evaluation import evaluate_and_store
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.crawler.pipelines.validation import evaluation_in_child
from sdg_tags.crawler.scope import Scope
from sdg_tags.repository.store import Repository
from sdg_tags.validators.models import ValidationOptions

from tests.sites.crawl_run import PROJECT_ROOT, crawl_command, run_crawl, write_registry
from tests.sites.server import Route, SiteServer, page

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites

PAGES = 40
TAGS = (
    '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="SE">'
    '<meta name="DC.Service" content="information"><meta name="policy-code" content="C2">'
)


# /docs/ and p0, p3, ..., p39 untagged; p5, p10, p20, p25, p35 name the country "Sweden"; the rest compliant
VERDICTS = {
    "compliant": 21,
    "compliant-with-warnings": 0,
    "non-compliant": 5,
    "not-self-describing": 15,
    "not-evaluated": 0,
}


def chain_routes(delay: float) -> dict[str, Any]:
    """/docs/ -> p0 -> p1 -> ...: one page at a time, so a crawl is still running when its child is killed."""
    routes: dict[str, Any] = {"/robots.txt": Route(status=404), "/docs/": page('<a href="/docs/p0">0</a>')}
    for number in range(PAGES):
        link = f'<a href="/docs/p{number + 1}">next</a>' if number + 1 < PAGES else ""
        # every third page untagged, every fifth with a bad country: three verdicts
        head = "" if number % 3 == 0 else TAGS.replace('"SE"', '"Sweden"') if number % 5 == 0 else TAGS
        routes[f"/docs/p{number}"] = Route(body=page(link, head=head).body, delay=delay)
    return routes


def wait_for_hits(site: SiteServer, crawl: subprocess.Popen[str], count: int) -> None:
    """Until the site has answered `count` requests of a crawl that is still running."""
    deadline = time.monotonic() + 60
    while len(site.hits()) < count:
        assert crawl.poll() is None, "the crawl ended early"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)


def comparable(records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A crawl's results without what differs between two crawls (times, run id)."""
    return {
        url: {
            key: value for key, value in record.items() if key not in ("fetched_at", "evaluated_at", "run_id")
        }
        for url, record in records.items()
    }


def test_child_process_and_crawl_thread_store_the_same_results(tmp_path: Path) -> None:
    with SiteServer(routes=chain_routes(delay=0)) as site:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": site.url("/docs/"), "urlType": "web folder"}]
        )
        child = run_crawl(
            registry, f"sqlite:///{tmp_path / 'child.db'}", "--set", "SDG_EVALUATION_PROCESS=true"
        )
        here = run_crawl(
            registry, f"sqlite:///{tmp_path / 'here.db'}", "--set", "SDG_EVALUATION_PROCESS=false"
        )
    assert (child.returncode, here.returncode) == (0, 0), child.stderr[-3000:] + here.stderr[-3000:]
    assert re.search(r"Validation and repository writes run in process \d+", child.stderr)
    assert "Validation and repository writes run in process" not in here.stderr
    child_records, here_records = child.pages(1), here.pages(1)
    assert len(child_records) == PAGES + 1
    assert comparable(child_records) == comparable(here_records)
    assert child.runs()[0].counts == here.runs()[0].counts
    assert child.runs()[0].counts["verdict"] == VERDICTS
    assert child.stdout.splitlines()[1:] == here.stdout.splitlines()[1:]  # the summary, bar the time it took


def test_a_killed_evaluation_process_loses_nothing(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    log = tmp_path / "crawl.log"
    with SiteServer(routes=chain_routes(delay=0.05)) as site:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": site.url("/docs/"), "urlType": "web folder"}]
        )
        command = crawl_command(
            registry, db_url, "--set", "SDG_EVALUATION_PROCESS=true", "--set", "SDG_WRITE_BATCH_SIZE=3"
        )
        with log.open("w") as stderr:
            crawl = subprocess.Popen(
                command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
            deadline = time.monotonic() + 60
            while not (found := re.search(r"run in process (\d+)", log.read_text())):
                assert crawl.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.05)
            wait_for_hits(
                site, crawl, 12
            )  # a few batches stored by the child, most of the site still to come
            os.kill(int(found.group(1)), signal.SIGKILL)
            stdout, _ = crawl.communicate(timeout=120)
    stderr_text = log.read_text()
    assert crawl.returncode == 0, stderr_text[-3000:]
    assert (
        "the evaluation process exited (code -9); validating and storing on the crawl process from now on"
        in stderr_text
    )
    with Repository(db_url) as repository:
        [run] = repository.runs()
        records = list(repository.iter_results(run.id))
    urls = [record["url"] for record in records]
    assert len(urls) == len(set(urls)) == PAGES + 1
    assert run.counts["pages"] == PAGES + 1
    assert run.counts["verdict"] == VERDICTS
    assert run.stats["sdg/pages/total"] == PAGES + 1
    assert run.stats["sdg/evaluation/process_gone"] == "the evaluation process exited (code -9)"
    assert f"Run 1 (finished): {PAGES + 1} pages" in stdout


def test_an_outcome_that_cannot_be_evaluated_is_named_and_the_rest_stored(tmp_path: Path) -> None:
    scope = Scope.for_entry("http://127.0.0.1:9/docs/", is_folder=True)
    body = page("x", head=TAGS).body
    assert isinstance(body, str)

    def outcome(url: str, content: Any) -> FetchOutcome:
        return FetchOutcome(
            url=url,
            scope=scope,
            fetch_status="ok",
            fetched_at=datetime.now(UTC),
            http_status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=content,
        )

    good = outcome("http://127.0.0.1:9/docs/a", body.encode())
    broken = outcome("http://127.0.0.1:9/docs/b", 12345)  # not bytes: extraction raises
    with Repository(f"sqlite:///{tmp_path / 'crawl.db'}") as repository:
        run_id = repository.start_run(profile="harvester", settings={}, code_lists={}, planned_hosts=1)
        stored = evaluate_and_store(repository, run_id, [good, broken], ValidationOptions())
        assert stored.urls == [good.url]
        assert [url for url, _ in stored.errors] == [broken.url]
        assert stored.errors[0][1].startswith("TypeError: ")
        assert dict(stored.stats) == {
            "sdg/pages/total": 1,
            "sdg/status/ok": 1,
            "sdg/verdict/compliant": 1,
            "sdg/pages/evaluated": 1,
            "sdg/findings/info": 2,
        }
        assert [record["url"] for record in repository.iter_results(run_id)] == [good.url]


@pytest.mark.parametrize(
    ("value", "pipelines", "expected"),
    [
        ("auto", None, (os.cpu_count() or 1) > 1),
        ("true", None, True),
        ("false", None, False),
        (True, None, True),
        # without a repository writer nobody would validate the outcomes the validation pipeline passed on
        ("true", {"sdg_tags.crawler.pipelines.repository_writer.RepositoryWriterPipeline": None}, False),
        ("true", {"sdg_tags.crawler.distributed.writer.DistributedRepositoryWriter": 900}, True),
    ],
)
def test_evaluation_process_setting(value: Any, pipelines: dict[str, Any] | None, expected: bool) -> None:
    settings = Settings()
    settings.setmodule("sdg_tags.crawler.settings", priority="project")
    settings.set("SDG_EVALUATION_PROCESS", value)
    if pipelines is not None:
        settings.set("ITEM_PIPELINES", {**settings.getdict("ITEM_PIPELINES"), **pipelines})
    assert evaluation_in_child(settings) is expected


def test_ctrl_c_to_the_process_group_stores_every_page_fetched(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches the crawl and its evaluation process; the crawl drains the child first."""
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    with SiteServer(routes=chain_routes(delay=0.05)) as site:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": site.url("/docs/"), "urlType": "web folder"}]
        )
        command = crawl_command(
            registry, db_url, "--job-dir", str(tmp_path / "job"), "--set", "SDG_EVALUATION_PROCESS=true"
        )
        crawl = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        wait_for_hits(site, crawl, 12)
        os.killpg(crawl.pid, signal.SIGINT)
        _, stderr = crawl.communicate(timeout=120)
        fetched = {site.url(hit.path) for hit in site.hits() if hit.path.startswith("/docs/")}
    assert crawl.returncode == 130, stderr[-3000:]
    assert "rerun with the same --job-dir to resume" in stderr
    assert "evaluation process exited" not in stderr
    with Repository(db_url) as repository:
        stored = [record["url"] for record in repository.iter_results(1)]
    assert len(stored) == len(set(stored))
    assert set(stored) == fetched
    assert 11 <= len(stored) < PAGES + 1  # robots.txt was one of the 12 hits before Ctrl-C

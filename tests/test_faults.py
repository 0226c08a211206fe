"""Fault injection: two distributed workers crawl a registry of misbehaving loopback hosts.

Every URL must end with exactly one record and the fetch status named in EXPECTED; no worker may crash; the
repository holds each URL once; the run finishes. One host answers each fault of tests/faults/server.py; three
more hosts have a broken robots.txt (larger than the size limit, not robots.txt at all, a server error).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.faults.distributed_run import (
    enqueue,
    run_info,
    run_workers,
    stored_records,
    stored_urls,
    write_registry,
)
from tests.faults.server import Burst, FaultServer, Page, huge_robots, malformed_robots, standard_faults
from tests.faults.services import create_database

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

MAX_SIZE = 1_000_000
RUN_OPTIONS = (
    "--timeout",
    "1",
    "--max-size",
    str(MAX_SIZE),
    "--concurrency-per-host",
    "4",
    "--set",
    "RETRY_TIMES=2",
    "--set",
    "REDIRECT_MAX_TIMES=3",
    # Back-off after the 5xx bursts and timeouts is tested in test_distributed_frontier; here it would only
    # slow the fault host down.
    "--set",
    "SDG_BACKOFF_MAX_DELAY=0",
)

# Path on the fault host -> (fetch status, HTTP status) it must end with.
EXPECTED: dict[str, tuple[str, int | None]] = {
    "/ok": ("ok", 200),
    "/slow-headers": ("timeout", None),  # no status line within the 1 s timeout, three attempts
    "/slow-body": ("timeout", None),  # headers at once, the body trickles for 3 s
    "/slow-in-time": ("ok", 200),
    "/reset": ("connection-refused", None),  # TCP reset before any byte, every attempt
    "/reset-once": ("ok", 200),  # reset, then retried
    "/burst-503": ("ok", 200),  # two 503 without Retry-After, then 200: within RETRY_TIMES
    "/burst-500": ("http-5xx", 500),  # longer than the retries
    "/429-seconds": ("ok", 200),  # 429 Retry-After: 1, then 200
    "/429-date": ("ok", 200),  # 429 Retry-After: <HTTP-date 2 s ahead>, then 200
    "/503-date": ("ok", 200),  # the same with 503
    "/loop-a": ("too-many-redirects", None),
    "/chain-5": ("too-many-redirects", None),  # 5 hops > REDIRECT_MAX_TIMES 3
    "/chain-2": ("ok", 200),  # 2 hops, followed
    "/huge-announced": ("too-large", None),  # Content-Length 50 MB > 1 MB limit
    "/huge-streamed": ("too-large", None),  # 50 MB without Content-Length, cut at the limit
    "/gzip-bomb": ("too-large", None),  # 50 MB once decompressed
    "/charset-wrong": ("ok", 200),  # says UTF-8, is Latin-1
    "/charset-missing": ("ok", 200),
    "/truncated-markup": ("ok", 200),  # complete transfer of broken HTML
    "/truncated-transfer": ("connection-refused", None),  # body shorter than its Content-Length
    "/octet-stream": ("not-html", 200),  # HTML served as application/octet-stream
    "/doc.pdf": ("not-html", 200),
    "/missing": ("http-4xx", 404),
    "/private/page": ("robots-disallowed", None),
}
# robots.txt fault -> what a page of that host ends as. One that cannot be downloaded (too large) or has no
# rules (garbage) allows all; RFC 9309: a 4xx is "no robots.txt" (all allowed), a 5xx after the retries means
# the server is unreachable (all disallowed), whatever the error page's body says.
ROBOTS_HOSTS: dict[str, tuple[Any, str]] = {
    "127.0.0.32": (huge_robots(), "ok"),
    "127.0.0.33": (malformed_robots(), "ok"),
    "127.0.0.34": (Burst(500, times=1000), "robots-disallowed"),
    "127.0.0.35": (Page(b"User-agent: *\nDisallow: /\n", status=404, content_type="text/plain"), "ok"),
}


@pytest.fixture(scope="module")
def fault_host() -> Iterator[FaultServer]:
    faults = standard_faults()
    # Hops of /chain-2 end on the shared /chain-end via /chain-1.
    faults["/chain-2"] = faults["/chain-1"]
    with FaultServer(faults, host="127.0.0.31") as server:
        yield server


@pytest.fixture(scope="module")
def robots_hosts() -> Iterator[dict[str, FaultServer]]:
    servers = {
        host: FaultServer({"/robots.txt": fault, "/page/1": Page()}, host=host)
        for host, (fault, _) in ROBOTS_HOSTS.items()
    }
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory,
    redis_server: Any,
    postgres_server: Any,
    fault_host: FaultServer,
    robots_hosts: dict[str, FaultServer],
) -> dict[str, Any]:
    """One distributed run of every fault with two workers, on PostgreSQL."""
    import redis

    folder = tmp_path_factory.mktemp("faults")
    redis.Redis.from_url(redis_server.url).flushall()
    db_url = create_database(postgres_server.url, "faults")
    urls = [fault_host.url(path) for path in EXPECTED] + [
        server.url("/page/1") for server in robots_hosts.values()
    ]
    registry = write_registry(folder / "registry.json", [{"url": url} for url in urls])
    enqueued = enqueue(registry, redis_server.url, db_url, *RUN_OPTIONS)
    assert enqueued.returncode == 0, enqueued.stderr[-3000:]
    run_id = int(enqueued.stdout.split()[1])
    workers = run_workers(2, redis_server.url, db_url, folder, timeout=150)
    return {
        "db_url": db_url,
        "run_id": run_id,
        "urls": urls,
        "workers": workers,
        "records": stored_records(db_url, run_id),
    }


@pytest.mark.parametrize("path", list(EXPECTED))
def test_each_fault_ends_in_its_status(crawled: dict[str, Any], fault_host: FaultServer, path: str) -> None:
    record = crawled["records"][fault_host.url(path)]
    assert (record["fetch_status"], record["http_status"]) == EXPECTED[path], record["status_detail"]
    if record["fetch_status"] not in ("ok", "noindex"):
        assert record["verdict"] == "not-evaluated"
        assert record["status_detail"]


@pytest.mark.parametrize("host", list(ROBOTS_HOSTS))
def test_a_broken_robots_txt_does_not_stop_the_host(
    crawled: dict[str, Any], robots_hosts: dict[str, FaultServer], host: str
) -> None:
    record = crawled["records"][robots_hosts[host].url("/page/1")]
    assert record["fetch_status"] == ROBOTS_HOSTS[host][1], record["status_detail"]
    if record["fetch_status"] == "robots-disallowed":
        assert record["status_detail"] == (
            f"http://{host}:{robots_hosts[host].port}/robots.txt answered HTTP 500, so under RFC 9309 the whole "
            "host is off limits"
        )


def test_every_url_is_stored_exactly_once(crawled: dict[str, Any]) -> None:
    counts = stored_urls(crawled["db_url"], crawled["run_id"])
    assert sorted(counts) == sorted(crawled["urls"])
    assert set(counts.values()) == {1}


# Errors a fault is expected to log: retries given up, a robots.txt that could not be downloaded.
EXPECTED_ERROR_LOGGERS = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def test_no_worker_crashed_and_the_run_finished(crawled: dict[str, Any]) -> None:
    for worker in crawled["workers"]:
        output = worker.output()
        assert worker.process.returncode == 0, output[-3000:]
        unexpected = [
            line
            for line in output.splitlines()
            if ("] ERROR:" in line or "] CRITICAL:" in line or "Unhandled error" in line)
            and not any(f"[{name}] ERROR:" in line for name in EXPECTED_ERROR_LOGGERS)
        ]
        assert unexpected == []
    info = run_info(crawled["db_url"], crawled["run_id"])
    assert info.finished_at is not None
    assert info.counts["pages"] == len(crawled["urls"])


def test_both_workers_did_work(crawled: dict[str, Any]) -> None:
    pages = [
        int(worker.output().rsplit("Worker stopped (finished): ", 1)[1].split()[0])
        for worker in crawled["workers"]
    ]
    assert sum(pages) == len(crawled["urls"])
    assert min(pages) > 0


def test_retry_after_is_waited_for(crawled: dict[str, Any], fault_host: FaultServer) -> None:
    # An HTTP-date has whole seconds: "2 s ahead" can be 1.x s by the time it is read.
    for path, pause in (("/429-seconds", 1.0), ("/429-date", 1.0), ("/503-date", 1.0)):
        first, second = fault_host.hits(path)[:2]
        assert second.at - first.at >= pause - 0.05, path


def test_robots_disallowed_page_is_never_requested(crawled: dict[str, Any], fault_host: FaultServer) -> None:
    assert fault_host.hits("/private/page") == []


def test_the_fault_suite_server_answers_only_on_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultServer(host="0.0.0.0")

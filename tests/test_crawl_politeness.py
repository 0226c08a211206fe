"""Politeness measured at the server: robots Crawl-delay, Retry-After, the crawler's name (real crawls).

The gaps are read from the test server's access log (arrival times), so they are behaviour, not benchmarks:
each must be at least the delay the site asked for. A few milliseconds of slack cover the difference between
the moment the crawler dispatches a request and the moment the server reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.sites.crawl_run import run_crawl, write_registry
from tests.sites.server import Route, SiteServer, page

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites

TRANSPORT_SLACK = 0.02  # seconds


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in pairwise(times)]


def folder_site(pages: int, robots: str) -> SiteServer:
    routes: dict[str, Any] = {
        "/robots.txt": Route(body=robots, content_type="text/plain"),
        "/": page(" ".join(f'<a href="/p{number}">{number}</a>' for number in range(pages))),
    }
    routes.update({f"/p{number}": page(f"page {number}") for number in range(pages)})
    return SiteServer(routes=routes)


@pytest.fixture
def delayed_site() -> Iterator[SiteServer]:
    with folder_site(
        5, "User-agent: sdg-tags\nCrawl-delay: 0.4\n\nUser-agent: *\nDisallow: /nothing\n"
    ) as site:
        yield site


@pytest.fixture
def free_site() -> Iterator[SiteServer]:
    with folder_site(5, "User-agent: *\nCrawl-delay: 0\n") as site:
        yield site


def test_robots_crawl_delay_spaces_requests_to_that_host(
    tmp_path: Path, delayed_site: SiteServer, free_site: SiteServer
) -> None:
    registry = write_registry(
        tmp_path / "registry.json",
        [
            {"url": delayed_site.url("/"), "urlType": "web folder"},
            {"url": free_site.url("/"), "urlType": "web folder"},
        ],
    )
    # No delay of our own and two requests per host: only the robots.txt Crawl-delay can space them out.
    run = run_crawl(
        registry, f"sqlite:///{tmp_path / 'crawl.db'}", "--delay", "0", "--concurrency-per-host", "2"
    )
    assert run.returncode == 0, run.stderr[-3000:]
    page_hits = [hit.at for hit in delayed_site.hits() if hit.path != "/robots.txt"]
    assert len(page_hits) == 6
    assert min(gaps(page_hits)) >= 0.4 - TRANSPORT_SLACK, gaps(page_hits)
    assert len(free_site.hits()) == 7  # robots.txt, root, 5 pages
    assert "Crawl-delay 0.4 s honoured" in run.stderr


def test_user_agent_names_the_crawler_and_a_contact(tmp_path: Path, free_site: SiteServer) -> None:
    registry = write_registry(tmp_path / "registry.json", [{"url": free_site.url("/")}])
    run = run_crawl(registry, f"sqlite:///{tmp_path / 'crawl.db'}", "--verbose")  # Scrapy's component list
    assert run.returncode == 0, run.stderr[-3000:]
    # no listening ports on a crawl server: Scrapy 2.19 would start a telnet console and a remote control
    assert "Enabled extensions" in run.stderr
    assert "TelnetConsole" not in run.stderr and "RemoteControl" not in run.stderr
    agent = free_site.hits("/")[0].headers["User-Agent"]
    assert agent.startswith("sdg-tags/")
    assert agent.endswith("(+https://github.com/sdg-tags/sdg-tags; SDG metadata validator)")


def busy_then_ok(retry_after: str | Callable[[], str], status: int = 429) -> Any:
    def answer(hit: int, headers: dict[str, str]) -> Route:
        if hit == 1:
            value = retry_after() if callable(retry_after) else retry_after
            return Route(status=status, body="slow down", headers={"Retry-After": value})
        return page("now fine")

    return answer


def test_retry_after_seconds_and_http_date_are_honoured(tmp_path: Path) -> None:

    def in_two_seconds() -> str:  # written when the server answers; whole seconds, so 1 to 2 s from then
        return format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)

    routes = {
        "/robots.txt": Route(status=404),
        "/seconds": busy_then_ok("1"),
        "/unavailable": busy_then_ok("1", status=503),
    }
    with (
        SiteServer(routes=routes) as site,
        SiteServer(routes={"/date": busy_then_ok(in_two_seconds)}) as dated,
    ):
        registry = write_registry(
            tmp_path / "registry.json",
            [{"url": site.url("/seconds")}, {"url": site.url("/unavailable")}, {"url": dated.url("/date")}],
        )
        run = run_crawl(registry, f"sqlite:///{tmp_path / 'crawl.db'}", "--set", "RETRY_TIMES=1")
        assert run.returncode == 0, run.stderr[-3000:]
        pages = run.pages()
        for path in ("/seconds", "/unavailable"):
            first, second = (hit.at for hit in site.hits(path))
            assert second - first >= 1.0 - TRANSPORT_SLACK, path
            assert (pages[site.url(path)]["fetch_status"], pages[site.url(path)]["http_status"]) == (
                "ok",
                200,
            )
        first, second = (hit.at for hit in dated.hits("/date"))
        assert second - first >= 1.0 - TRANSPORT_SLACK
        assert pages[dated.url("/date")]["fetch_status"] == "ok"


def test_retry_after_beyond_the_maximum_is_not_waited_for(tmp_path: Path) -> None:
    routes = {"/robots.txt": Route(status=404), "/later": busy_then_ok("3600")}
    with SiteServer(routes=routes) as site:
        registry = write_registry(tmp_path / "registry.json", [{"url": site.url("/later")}])
        run = run_crawl(registry, f"sqlite:///{tmp_path / 'crawl.db'}", "--set", "SDG_RETRY_AFTER_MAX=0.5")
        assert run.returncode == 0, run.stderr[-3000:]
        record = run.pages()[site.url("/later")]
        assert (record["fetch_status"], record["http_status"]) == ("http-4xx", 429)
        assert len(site.hits("/later")) == 1

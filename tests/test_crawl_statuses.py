"""Every fetch status of SPEC §7.3 from a real fault, in one real crawl against local servers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest

from tests.faults.services import free_port
from tests.sites.crawl_run import CrawlRun, observation, rules, run_crawl, write_registry
from tests.sites.server import Route, SiteServer, gzip_bomb, page, redirect

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites

TAGS = (
    '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="SE">'
    '<meta name="DC.Service" content="information"><meta name="policy-code" content="C2">'
    '<meta name="DC.Policy" content="acquiring and renewing a driving licence">'
)
MAX_SIZE = 100_000
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def other_host() -> Iterator[SiteServer]:
    """Another host: same loopback network, address 127.0.0.2."""
    with SiteServer(routes={"/": page("elsewhere")}, host="127.0.0.2") as server:
        yield server


@pytest.fixture(scope="module")
def other_port() -> Iterator[SiteServer]:
    with SiteServer(routes={"/": page("other port")}) as server:
        yield server


def fault_routes(other_host: SiteServer, other_port: SiteServer) -> dict[str, Any]:
    return {
        "/robots.txt": Route(body="User-agent: *\nDisallow: /private\n", content_type="text/plain"),
        "/ok": page("fine", head=TAGS + '<link rel="canonical" href="/ok">'),
        "/missing": Route(status=404, body="gone"),
        "/gone": Route(status=410, body="gone"),
        "/error": Route(status=500, body="oops"),
        "/unavailable": Route(status=503, body="later"),
        "/slow": Route(delay=3.0, body="too late"),
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a", status=302),
        "/chain-1": redirect("/chain-2"),
        "/chain-2": redirect("/chain-3"),
        "/chain-3": redirect("/chain-4"),
        "/chain-4": redirect("/chain-5"),
        "/chain-5": page("end of a long chain"),
        "/moved": redirect("/moved-here", status=308),
        "/moved-here": page("new home", head=TAGS),
        "/away": redirect(other_host.url("/")),
        "/away-port": redirect(other_port.url("/")),
        "/private/page": page("secret", head=TAGS),
        "/noindex": page("hidden", head='<meta name="robots" content="noindex, follow">' + TAGS),
        "/noindex-header": Route(body=page("hidden", head=TAGS).body, headers={"X-Robots-Tag": "noindex"}),
        "/doc.pdf": Route(body=PDF, content_type="application/pdf"),
        "/big": page("x" * (MAX_SIZE * 2)),
        "/big-unannounced": Route(body=page("x" * (MAX_SIZE * 2)).body, content_length=False),
        "/bomb": gzip_bomb(MAX_SIZE * 100),
        "/brotli-bomb": Route(
            body=brotli.compress(b"<html><body>" + b" " * (MAX_SIZE * 100) + b"</body></html>"),
            headers={"Content-Encoding": "br"},
        ),
        "/corrupt-gzip": Route(body=b"\x1f\x8bthis is not gzip at all", headers={"Content-Encoding": "gzip"}),
        "/untagged": page("no tags here"),
    }


@pytest.fixture(scope="module")
def site(other_host: SiteServer, other_port: SiteServer) -> Iterator[SiteServer]:
    with SiteServer(routes=fault_routes(other_host, other_port)) as server:
        yield server


PATHS = (
    "/ok",
    "/missing",
    "/gone",
    "/error",
    "/unavailable",
    "/slow",
    "/loop-a",
    "/chain-1",
    "/moved",
    "/away",
    "/away-port",
    "/private/page",
    "/noindex",
    "/noindex-header",
    "/doc.pdf",
    "/big",
    "/big-unannounced",
    "/bomb",
    "/brotli-bomb",
    "/corrupt-gzip",
    "/untagged",
)


@pytest.fixture(scope="module")
def unreachable() -> dict[str, str]:
    port = free_port()
    return {
        "refused": f"http://127.0.0.1:{port}/page",
        "dns": "http://sdg-tags-test.invalid/page",
    }


def crawl_all(tmp_path: Path, db_url: str, site: SiteServer, unreachable: dict[str, str]) -> CrawlRun:
    tls = f"https://127.0.0.1:{site.port}/ok"  # TLS handshake with a plain-HTTP server
    urls = [site.url(path) for path in PATHS] + [unreachable["refused"], unreachable["dns"], tls]
    registry = write_registry(tmp_path / "registry.json", [{"url": url} for url in urls])
    run = run_crawl(
        registry,
        db_url,
        "--timeout",
        "1",
        "--max-size",
        str(MAX_SIZE),
        "--set",
        "RETRY_TIMES=0",
        "--set",
        "REDIRECT_MAX_TIMES=3",
        "--set",
        "SDG_BACKOFF_MAX_DELAY=0",  # the 5xx and the timeout would slow this host down (tested elsewhere)
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return run


@pytest.fixture(scope="module")
def crawl_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('statuses') / 'crawl.db'}"


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory, crawl_db: str, site: SiteServer, unreachable: dict[str, str]
) -> dict[str, dict[str, Any]]:
    run = crawl_all(tmp_path_factory.mktemp("registry"), crawl_db, site, unreachable)
    return run.pages()


EXPECTED: dict[str, tuple[str, int | None]] = {
    "/ok": ("ok", 200),
    "/missing": ("http-4xx", 404),
    "/gone": ("http-4xx", 410),
    "/error": ("http-5xx", 500),
    "/unavailable": ("http-5xx", 503),
    "/slow": ("timeout", None),
    "/loop-a": ("too-many-redirects", None),
    "/chain-1": ("too-many-redirects", None),
    "/moved": ("ok", 200),
    "/away": ("redirected-off-site", None),
    "/away-port": ("redirected-off-site", None),
    "/private/page": ("robots-disallowed", None),
    "/noindex": ("noindex", 200),
    "/noindex-header": ("noindex", 200),
    "/doc.pdf": ("not-html", 200),
    "/big": ("too-large", None),
    "/big-unannounced": ("too-large", None),
    "/bomb": ("too-large", None),
    "/brotli-bomb": ("too-large", None),
    "/corrupt-gzip": ("decode-error", None),
    "/untagged": ("ok", 200),
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_fault_ends_in_its_fetch_status(
    crawled: dict[str, dict[str, Any]], site: SiteServer, path: str
) -> None:
    record = crawled[site.url(path)]
    status, http_status = EXPECTED[path]
    assert (record["fetch_status"], record["http_status"]) == (status, http_status), record["status_detail"]


def test_every_registered_url_has_exactly_one_record(
    crawled: dict[str, dict[str, Any]], site: SiteServer, unreachable: dict[str, str]
) -> None:
    expected = (
        {site.url(path) for path in PATHS} | set(unreachable.values()) | {f"https://127.0.0.1:{site.port}/ok"}
    )
    assert set(crawled) == expected


@pytest.mark.parametrize(("which", "status"), [("refused", "connection-refused"), ("dns", "dns-error")])
def test_network_failures(
    crawled: dict[str, dict[str, Any]], unreachable: dict[str, str], which: str, status: str
) -> None:
    record = crawled[unreachable[which]]
    assert record["fetch_status"] == status, record["status_detail"]
    assert record["verdict"] == "not-evaluated"
    assert record["findings"] == []


def test_tls_to_a_plain_http_port(crawled: dict[str, dict[str, Any]], site: SiteServer) -> None:
    record = crawled[f"https://127.0.0.1:{site.port}/ok"]
    assert record["fetch_status"] == "tls-error", record["status_detail"]


def test_not_evaluated_pages_carry_no_tag_findings(crawled: dict[str, dict[str, Any]]) -> None:
    for url, record in crawled.items():
        if record["fetch_status"] in ("ok", "noindex", "not-modified"):
            continue
        assert record["verdict"] == "not-evaluated", url
        expected = ["crawl-robots-disallowed"] if record["fetch_status"] == "robots-disallowed" else []
        assert rules(record) == expected, url
        assert record["status_detail"], url


def test_in_scope_redirect_is_followed_with_its_chain(
    crawled: dict[str, dict[str, Any]], site: SiteServer, crawl_db: str
) -> None:
    record = crawled[site.url("/moved")]
    assert record["final_url"] == site.url("/moved-here")
    assert record["verdict"] == "compliant"
    assert rules(record) == ["canonical-missing"]
    assert observation(crawl_db, site.url("/moved"))["redirects"] == [site.url("/moved")]


def test_off_site_redirect_names_the_target(
    crawled: dict[str, dict[str, Any]], site: SiteServer, other_host: SiteServer
) -> None:
    record = crawled[site.url("/away")]
    assert record["final_url"] == other_host.url("/")
    assert other_host.url("/") in record["status_detail"]
    assert other_host.hits("/") == []  # never fetched


def test_redirect_loop_detail(crawled: dict[str, dict[str, Any]], site: SiteServer) -> None:
    detail = crawled[site.url("/loop-a")]["status_detail"]
    assert detail.startswith("redirect loop: ")
    assert f"{site.url('/loop-a')} -> {site.url('/loop-b')} -> {site.url('/loop-a')}" in detail


def test_noindex_page_is_evaluated_and_marked(crawled: dict[str, dict[str, Any]], site: SiteServer) -> None:
    for path, source in (
        ("/noindex", "meta robots 'noindex, follow'"),
        ("/noindex-header", "X-Robots-Tag 'noindex'"),
    ):
        record = crawled[site.url(path)]
        assert "crawl-noindex" in rules(record)
        assert record["tags"]["DC.ISO3166"]["raw"] == "SE"
        assert source in record["status_detail"]


def test_robots_disallowed_page_is_never_requested(
    crawled: dict[str, dict[str, Any]], site: SiteServer
) -> None:
    record = crawled[site.url("/private/page")]
    assert rules(record) == ["crawl-robots-disallowed"]
    assert site.hits("/private/page") == []


def test_timeout_detail_names_the_limit(crawled: dict[str, dict[str, Any]], site: SiteServer) -> None:
    assert "1 s timeout" in crawled[site.url("/slow")]["status_detail"]


def test_dns_failure_is_fast_without_network() -> None:
    """`.invalid` must fail at once here, or the DNS test would measure a resolver timeout."""
    import time

    started = time.monotonic()
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("sdg-tags-test.invalid", 80)
    assert time.monotonic() - started < 5


@pytest.mark.postgres
def test_statuses_on_postgresql(
    tmp_path: Path, pg_db_url: str, site: SiteServer, unreachable: dict[str, str]
) -> None:
    pages = crawl_all(tmp_path, pg_db_url, site, unreachable).pages()
    for path, (status, http_status) in EXPECTED.items():
        record = pages[site.url(path)]
        assert (record["fetch_status"], record["http_status"]) == (status, http_status), path
    assert pages[unreachable["refused"]]["fetch_status"] == "connection-refused"
    assert pages[unreachable["dns"]]["fetch_status"] == "dns-error"

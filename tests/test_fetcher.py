"""fetcher.fetch_url against a real HTTP server on 127.0.0.1 (ephemeral port, started and stopped here)."""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sdg_tags.fetcher import FetchedPage, Redirect, fetch_url

from tests.faults.services import free_port

PAGE = b"<!DOCTYPE html><html lang='en'><head><meta name='sdg-tag' content='sdg'></head><body>x</body></html>"

Route = Callable[[BaseHTTPRequestHandler], None]


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    fields = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
    fields.update({name.replace("_", "-"): value for name, value in headers.items()})
    for name, value in fields.items():
        if value:
            handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class LocalSite:
    """A threaded HTTP server whose paths are Python functions; `release` ends handlers that wait."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.release = threading.Event()
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers.items())))
                route = site.routes.get(self.path.split("?")[0])
                if route is None:
                    send(self, 404, b"<html><body>not found</body></html>")
                else:
                    try:
                        route(self)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client gave up, as the test meant it to

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def wait_then_answer(handler: BaseHTTPRequestHandler, site: LocalSite) -> None:
    site.release.wait(10)


def drip(handler: BaseHTTPRequestHandler, site: LocalSite) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    while not site.release.wait(0.2):
        handler.wfile.write(b"<p>")
        handler.wfile.flush()


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    routes: dict[str, Route] = {
        "/page": lambda h: send(h, 200, PAGE),
        "/r1": lambda h: send(h, 301, b"", Location="/r2"),
        "/r2": lambda h: send(h, 302, b"", Location="/page"),
        "/loop": lambda h: send(h, 302, b"", Location="/loop"),
        "/to-ftp": lambda h: send(h, 301, b"", Location="ftp://example.invalid/file"),
        "/server-error": lambda h: send(h, 503, b"busy"),
        "/pdf": lambda h: send(h, 200, b"%PDF-1.4", Content_Type="application/pdf"),
        "/xml": lambda h: send(h, 200, b"<?xml version='1.0'?><feed/>", Content_Type="text/xml"),
        "/xhtml": lambda h: send(h, 200, PAGE, Content_Type="Application/XHTML+xml; charset=utf-8"),
        "/big": lambda h: send(h, 200, b"<html>" + b"x" * 5000),
        "/gzip": lambda h: send(h, 200, gzip.compress(PAGE), Content_Encoding="gzip"),
        "/deflate": lambda h: send(h, 200, zlib.compress(PAGE), Content_Encoding="deflate"),
        "/raw-deflate": lambda h: send(h, 200, raw_deflate(PAGE), Content_Encoding="deflate"),
        "/bomb": lambda h: send(h, 200, gzip.compress(b"<html>" + b" " * 2_000_000), Content_Encoding="gzip"),
        "/bad-gzip": lambda h: send(h, 200, b"\x1f\x8bnot really gzip", Content_Encoding="gzip"),
        "/brotli": lambda h: send(h, 200, b"????", Content_Encoding="br"),
        "/no-type": lambda h: send(h, 200, PAGE, Content_Type=""),
    }
    with LocalSite(routes) as local:
        local.routes["/wait"] = lambda h: wait_then_answer(h, local)
        local.routes["/drip"] = lambda h: drip(h, local)
        yield local


def test_ok_page_is_fetched_with_our_headers(site: LocalSite) -> None:
    page = fetch_url(f"{site.base}/page", user_agent="sdg-tags-test/1")
    assert page == FetchedPage(
        url=f"{site.base}/page",
        final_url=f"{site.base}/page",
        redirects=[],
        status=200,
        headers=page.headers,
        body=PAGE,
        fetch_status="ok",
        detail=None,
    )
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.evaluated
    path, headers = site.requests[-1]
    assert path == "/page"
    assert headers["User-Agent"] == "sdg-tags-test/1"
    assert headers["Accept-Encoding"] == "gzip, deflate"


def test_redirects_are_followed_and_reported(site: LocalSite) -> None:
    page = fetch_url(f"{site.base}/r1")
    assert page.fetch_status == "ok"
    assert page.final_url == f"{site.base}/page"
    assert page.redirects == [Redirect(301, f"{site.base}/r2"), Redirect(302, f"{site.base}/page")]
    assert page.detail == f"followed 2 redirect(s): 301 -> {site.base}/r2; 302 -> {site.base}/page"
    assert page.body == PAGE


def test_redirect_loop_stops_at_the_limit(site: LocalSite) -> None:
    page = fetch_url(f"{site.base}/loop", max_redirects=3)
    assert page.fetch_status == "too-many-redirects"
    assert len(page.redirects) == 3
    assert page.detail == f"more than 3 redirects (the last one, 302, pointed to {site.base}/loop)"
    assert page.body == b""
    assert not page.evaluated


def test_redirect_to_another_scheme_is_not_followed(site: LocalSite) -> None:
    page = fetch_url(f"{site.base}/to-ftp")
    assert page.fetch_status == "redirected-off-site"
    assert page.detail == "301 redirect to ftp://example.invalid/file, which is not an http(s) URL"


@pytest.mark.parametrize(
    ("path", "fetch_status", "status", "detail"),
    [
        ("/missing", "http-4xx", 404, "HTTP 404 Not Found"),
        ("/server-error", "http-5xx", 503, "HTTP 503 Service Unavailable"),
        ("/pdf", "not-html", 200, "the server sent application/pdf, not an HTML page"),
        ("/xml", "not-html", 200, "the server sent text/xml, not an HTML page"),
        ("/big", "too-large", 200, "the page is larger than the size limit of 1,000 bytes"),
        ("/bomb", "too-large", 200, "the page is larger than the size limit of 1,000 bytes"),
        ("/brotli", "decode-error", 200, "the server used the content encoding 'br', which is not supported"),
    ],
)
def test_failures_get_their_fetch_status(
    site: LocalSite, path: str, fetch_status: str, status: int, detail: str
) -> None:
    page = fetch_url(f"{site.base}{path}", max_bytes=1000)
    assert (page.fetch_status, page.status, page.detail, page.body) == (fetch_status, status, detail, b"")


def test_undecodable_gzip_is_a_decode_error(site: LocalSite) -> None:
    page = fetch_url(f"{site.base}/bad-gzip")
    assert page.fetch_status == "decode-error"
    assert page.detail is not None and page.detail.startswith("the gzip body could not be decoded")


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate", "/no-type"])
def test_compressed_and_untyped_bodies_are_decoded(site: LocalSite, path: str) -> None:
    page = fetch_url(f"{site.base}{path}")
    assert (page.fetch_status, page.body) == ("ok", PAGE)


def test_size_limit_applies_to_decoded_bytes(site: LocalSite) -> None:
    assert fetch_url(f"{site.base}/gzip", max_bytes=len(PAGE)).body == PAGE
    assert fetch_url(f"{site.base}/gzip", max_bytes=len(PAGE) - 1).fetch_status == "too-large"


def test_refused_port_is_connection_refused() -> None:
    port = free_port()
    page = fetch_url(f"http://127.0.0.1:{port}/page")
    assert page.fetch_status == "connection-refused"
    assert page.detail == f"127.0.0.1:{port} refused the connection"
    assert page.status is None


def test_server_that_never_answers_times_out(site: LocalSite) -> None:
    page = fetch_url(f"{site.base}/wait", timeout=1)
    assert page.fetch_status == "timeout"
    assert page.detail == f"no answer from {site.base}/wait within the time limit"


def test_slow_drip_is_cut_at_the_total_time_limit(site: LocalSite) -> None:
    page = fetch_url(f"{site.base}/drip", timeout=1)
    assert page.fetch_status == "timeout"
    assert page.body == b""


def test_guard_sees_host_and_address_and_can_refuse(site: LocalSite) -> None:
    seen: list[tuple[str, str]] = []

    def refuse_loopback(host: str, address: str) -> str | None:
        seen.append((host, address))
        return "loopback addresses are not allowed" if address.startswith("127.") else None

    page = fetch_url(f"{site.base}/page", guard=refuse_loopback)
    assert seen == [("127.0.0.1", "127.0.0.1")]
    assert page.fetch_status == "out-of-scope"
    assert page.detail == "refused to connect to 127.0.0.1 (127.0.0.1): loopback addresses are not allowed"


def test_guard_is_asked_again_after_a_redirect(site: LocalSite) -> None:
    seen: list[str] = []
    page = fetch_url(f"{site.base}/r1", guard=lambda host, address: seen.append(address))
    assert page.fetch_status == "ok"
    assert seen == ["127.0.0.1"] * 3


def test_non_ascii_path_is_sent_percent_encoded(site: LocalSite) -> None:
    fetch_url(f"{site.base}/för?q=å")
    assert site.requests[-1][0] == "/f%C3%B6r?q=%C3%A5"


@pytest.mark.parametrize(
    "url", ["ftp://example.invalid/x", "file:///etc/passwd", "http://", "http://h:99999/"]
)
def test_non_http_urls_are_a_value_error(url: str) -> None:
    with pytest.raises(ValueError):
        fetch_url(url)


@pytest.mark.slow
def test_fetcher_does_not_import_scrapy_or_twisted() -> None:
    assert "sdg_tags.fetcher.url_fetch" in sys.modules
    code = "import sys, sdg_tags.fetcher; print(sorted(m for m in sys.modules if m.split('.')[0] in {'scrapy','twisted'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/xhtml+xml", "text/xml", "application/pdf", None]
)
def test_check_and_crawl_agree_on_what_is_html(site: LocalSite, content_type: str | None) -> None:
    """One table of HTML media types (sdg_tags.media_types) for check/serve fetches and the crawl's classifier."""
    from sdg_tags.crawler.status import status_of_response

    from sdg_tags.media_types import HTML_MEDIA_TYPES

    headers = {} if content_type is None else {"Content-Type": content_type}
    crawl_status = status_of_response(200, headers, PAGE)[0]
    assert (crawl_status is None) == (content_type is None or content_type in HTML_MEDIA_TYPES)
    if content_type == "application/xhtml+xml":
        assert fetch_url(f"{site.base}/xhtml").fetch_status == "ok"
    if content_type == "text/xml":
        assert fetch_url(f"{site.base}/xml").fetch_status == crawl_status == "not-html"

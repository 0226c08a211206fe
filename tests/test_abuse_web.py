"""Abuse of `sdg-tags serve` (a real uvicorn process on 127.0.0.1): whatever the bytes, a client error is a 4xx
with the documented `{"error": …}`; under load past the global limits the answer is 503 with Retry-After,
never a crash; a URL that drips its headers ends at the fetch timeout."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sdg_tags.web.request_limits import BUSY_MESSAGE, RETRY_AFTER_SECONDS
from sdg_tags.web.result_view import SOURCE_CHARS

from sdg_tags.sizes import MAX_PAGE_BYTES
from tests.browser.web_server import WebServer
from tests.faults.drip import DripServer

LIMIT = MAX_PAGE_BYTES  # the default request-body limit of serve
# The HTML result page: the bounded result, plus a source listing of at most SOURCE_CHARS characters (each
# escaped into at most 6), plus the page's own markup.
RESULT_PAGE_BYTES = 6 * SOURCE_CHARS + 1_000_000


@pytest.fixture(scope="module")
def server() -> Iterator[WebServer]:
    with WebServer("--allow-private", "--fetch-timeout", "2") as running:
        yield running


def post_raw(server: WebServer, body: bytes, path: str = "/api/check") -> httpx.Response:
    return httpx.post(
        f"{server.base_url}{path}", content=body, headers={"content-type": "application/json"}, timeout=60
    )


def assert_error_shape(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) <= {"error", "fetch_status"} and isinstance(body["error"], str) and body["error"]


BAD_BODIES: dict[str, bytes] = {
    "lone surrogate in html": b'{"html": "<html>\\ud800</html>"}',
    "lone low surrogate in html": b'{"html": "\\udfff"}',
    "lone surrogate in url": b'{"url": "https://example.org/\\ud800"}',
    "nested arrays": b"[" * 100_000,
    "nested objects": b'{"html": ' + b'{"a": ' * 50_000,
    "nested valid arrays": b"[" * 5_000 + b"]" * 5_000,
    "html is a number": b'{"html": 5}',
    "html is a list": b'{"html": ["<html>"]}',
    "url is an object": b'{"url": {"href": "https://example.org/"}}',
    "render is a word": b'{"html": "<html>", "render": "maybe"}',
    "unknown field": b'{"html": "<html>", "colour": "red"}',
    "array": b"[]",
    "null": b"null",
    "string": b'"<html>"',
    "not utf-8": b'{"html": "\xff\xfe"}',
    "not json": b"<html></html>",
    "empty": b"",
    "both fields": b'{"html": "<html>", "url": "https://example.org/"}',
    "bad port": b'{"url": "http://a:99999/"}',
    "broken ipv6": b'{"url": "http://[::1/"}',
    "two ports": b'{"url": "http://h:1:2/"}',
    "not http": b'{"url": "file:///etc/passwd"}',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_api_bodies_answer_4xx_with_the_error_shape(server: WebServer, body: bytes) -> None:
    assert_error_shape(post_raw(server, body))


def test_api_errors_outside_the_check_route_have_the_error_shape(server: WebServer) -> None:
    assert_error_shape(httpx.get(f"{server.base_url}/api/check", timeout=30))  # 405
    assert_error_shape(httpx.get(f"{server.base_url}/api/nothing-here", timeout=30))  # 404


def test_form_post_with_surrogate_bytes_is_not_a_server_error(server: WebServer) -> None:
    encoded_surrogate = b"\xed\xa0\x80"  # UTF-8 of U+D800, which UTF-8 forbids
    response = httpx.post(
        f"{server.base_url}/",
        content=b"html=%3Chtml%3E" + b"%ED%A0%80" + encoded_surrogate + b"&url=",
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert response.status_code in (200, 400)
    assert response.headers["content-type"].startswith("text/html")


def test_url_dripping_its_headers_ends_at_the_fetch_timeout(server: WebServer) -> None:
    with DripServer(interval=0.5, max_seconds=40) as drip:
        response = httpx.post(f"{server.base_url}/api/check", json={"url": drip.url("/headers")}, timeout=30)
    assert response.status_code == 422
    assert response.json()["fetch_status"] == "timeout"


def max_size_body() -> bytes:
    """A JSON body just under the limit: a page whose policy-code holds ~1.6 million items."""
    head = '<html lang="en"><head><meta name="sdg-tag" content="sdg"><meta name="policy-code" content="'
    tail = '"></head><body></body></html>'
    items = (LIMIT - 200 - len(head) - len(tail)) // 3
    return json.dumps({"html": head + ";".join(["C2"] * items) + tail}).encode()


def test_fifty_concurrent_maximum_size_posts_get_200_or_503(server: WebServer) -> None:
    body = max_size_body()
    assert LIMIT - 1000 < len(body) <= LIMIT

    def post(_: int) -> httpx.Response:
        return post_raw(server, body)

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(post, range(50)))
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {200, 503}, statuses
    assert 200 in statuses and 503 in statuses  # 50 bodies of 5 MB are past the bytes in flight
    for response in responses:
        if response.status_code == 503:
            assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
            assert response.json() == {"error": BUSY_MESSAGE}
        else:
            assert response.json()["verdict"] == "compliant-with-warnings" or response.json()["findings"]
    assert server.process is not None and server.process.poll() is None


# --- sealed rendering: no WebRTC --------------------------------------------------------------------------

STUN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>stun</title>
<script>
  document.documentElement.dataset.rtc = [typeof RTCPeerConnection, typeof webkitRTCPeerConnection,
    typeof RTCDataChannel].join(",");
  try {{
    const connection = new RTCPeerConnection({{ iceServers: [{{ urls: "stun:127.0.0.1:{port}" }}] }});
    connection.createDataChannel("out");
    connection.createOffer().then((offer) => connection.setLocalDescription(offer));
    window.__keep = connection;
  }} catch (e) {{ document.documentElement.dataset.error = String(e); }}
  document.addEventListener("DOMContentLoaded", () => {{
    // A fresh frame has fresh globals: the API must be gone there too.
    const frame = document.createElement("iframe");
    document.body.appendChild(frame);
    try {{
      const other = new frame.contentWindow.RTCPeerConnection({{ iceServers: [{{ urls: "stun:127.0.0.1:{port}" }}] }});
      other.createDataChannel("out");
      other.createOffer().then((offer) => other.setLocalDescription(offer));
      window.__keepOther = other;
    }} catch (e) {{ document.documentElement.dataset.frameError = String(e); }}
  }});
</script></head><body><p>x</p></body></html>
"""


def udp_datagrams_after_rendering(*, sealed: bool) -> tuple[list[bytes], str]:
    """Render the STUN page with a UDP listener on loopback; the datagrams that arrived within 3 s after the
    page settled, and the rendered HTML."""
    from sdg_tags.fetcher.guard import refuse_internal_addresses
    from sdg_tags.rendering.browser import BrowserRenderer

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        guard = refuse_internal_addresses if sealed else None
        with BrowserRenderer(timeout=10, guard=guard) as renderer:
            rendered = renderer.render_document(
                STUN_PAGE.format(port=port), url="https://pasted-page.invalid/"
            )
            received: list[bytes] = []
            until = time.monotonic() + 3
            while time.monotonic() < until:
                try:
                    received.append(listener.recv(2048))
                except TimeoutError:
                    continue
    assert rendered.status == "ok", rendered.detail
    return received, rendered.html


@pytest.mark.browser
def test_unsealed_rendering_reaches_the_stun_listener() -> None:
    """The control: the page does send STUN requests when nothing stops it, so silence below means sealed."""
    received, _ = udp_datagrams_after_rendering(sealed=False)
    assert received


@pytest.mark.browser
def test_sealed_rendering_sends_no_udp_through_webrtc() -> None:
    received, html = udp_datagrams_after_rendering(sealed=True)
    assert received == []
    # Removed before the page's script ran, in the page and in a frame it made (whose constructor call failed).
    assert 'data-rtc="undefined,undefined,undefined"' in html
    assert "data-frame-error=" in html


# --- the result page is bounded too ------------------------------------------------------------------------


def test_result_page_of_a_hostile_page_is_bounded(server: WebServer) -> None:
    """One 4.5 MB line of characters HTML escapes (`"` becomes `&#34;`), plus a value repeated 100,000 times."""
    hostile = (
        '<html lang="en"><head><meta name="sdg-tag" content="sdg"><meta name="policy-code" content="'
        + ";".join(["C2"] * 100_000)
        + '"><title>'
        + '"' * 4_400_000
        + "</title></head></html>"
    )
    upload = {"file": ("hostile.html", hostile.encode(), "text/html")}
    response = httpx.post(f"{server.base_url}/", files=upload, timeout=120)
    assert response.status_code == 200
    assert len(response.content) <= RESULT_PAGE_BYTES
    assert "abridged" in response.text

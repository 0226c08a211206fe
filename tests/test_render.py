"""Rendering in headless Chromium (/usr/bin/chromium via Playwright): script-made tags, settling, sealing.

All pages come from a local server on 127.0.0.1; sealed-mode tests prove that a page's scripts cannot reach
that server when the guard refuses loopback (the server records every request it gets).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sdg_tags.fetcher.guard import ALLOW_HINT, refuse_internal_addresses
from sdg_tags.rendering.browser import BrowserRenderer, RenderingUnavailable
from sdg_tags.rendering.comparison import extract_rendered, validate_with_rendering
from sdg_tags.validators.engine import validate
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import ValidationOptions

from tests.browser.sample_pages import (
    EXAMPLE_1,
    NEVER_SETTLES_PAGE,
    SCRIPT_CHANGES_PAGE,
    SCRIPT_TAGS_JS,
    SCRIPT_TAGS_PAGE,
)
from tests.browser.web_server import LocalSite, WebServer

pytestmark = pytest.mark.browser

HTML = "text/html; charset=utf-8"
# Tries every way out of the page towards the local site: fetch, image, beacon, WebSocket, iframe, form post.
ESCAPE_ATTEMPTS = """<!DOCTYPE html>
<html lang="en"><head><title>escape</title>
<script>
  const base = "http://127.0.0.1:{port}";
  fetch(base + "/by-fetch").catch(() => {{}});
  navigator.sendBeacon(base + "/by-beacon", "x");
  try {{ new WebSocket("ws://127.0.0.1:{port}/by-websocket"); }} catch (e) {{}}
  document.addEventListener("DOMContentLoaded", () => {{
    const img = document.createElement("img"); img.src = base + "/by-image"; document.body.appendChild(img);
    const frame = document.createElement("iframe"); frame.src = base + "/by-iframe"; document.body.appendChild(frame);
  }});
</script></head><body><p>x</p></body></html>
"""


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    pages = {
        "/script-tags": (SCRIPT_TAGS_PAGE.encode(), HTML),
        "/tags.js": (SCRIPT_TAGS_JS.encode(), "text/javascript"),
        "/script-changes": (SCRIPT_CHANGES_PAGE.encode(), HTML),
        "/never-settles": (NEVER_SETTLES_PAGE.encode(), HTML),
        "/poll": (b"{}", "application/json"),
        "/permis": (EXAMPLE_1.encode(), HTML),
    }
    with LocalSite(pages) as local:
        yield local


@pytest.fixture(scope="module")
def renderer() -> Iterator[BrowserRenderer]:
    with BrowserRenderer(timeout=10) as open_renderer:
        yield open_renderer


def test_tags_set_by_a_script_are_found_and_reported(site: LocalSite, renderer: BrowserRenderer) -> None:
    url = f"{site.base}/script-tags"
    rendered_page = renderer.render_url(url)
    assert rendered_page.status == "ok"
    assert rendered_page.final_url == url
    assert rendered_page.http_status == 200
    assert rendered_page.html.startswith('<!DOCTYPE html>\n<html lang="fr">')

    static = extract_tags(SCRIPT_TAGS_PAGE.encode(), url=url)
    assert validate(static).verdict == "not-self-describing"
    rendered = extract_rendered(rendered_page.html, url=url)
    assert [occ.canonical for occ in rendered.occurrences] == [
        "sdg-tag", "DC.ISO3166", "DC.Location", "DC.Service", "policy-code", "DC.Policy",
    ]  # fmt: skip
    assert {occ.origin for occ in rendered.occurrences} == {"rendered"}

    result = validate_with_rendering(static, rendered, ValidationOptions(), target=url)
    assert result.verdict == "compliant-with-warnings"
    assert [(f.rule, f.tag, f.origin) for f in result.findings] == [
        ("tags-only-after-javascript", "html-lang", "rendered"),
        ("tags-only-after-javascript", "sdg-tag", "rendered"),
        ("tags-only-after-javascript", "DC.ISO3166", "rendered"),
        ("tags-only-after-javascript", "DC.Location", "rendered"),
        ("tags-only-after-javascript", "DC.Service", "rendered"),
        ("tags-only-after-javascript", "policy-code", "rendered"),
        ("tags-only-after-javascript", "DC.Policy", "rendered"),
    ]
    assert result.tags["DC.ISO3166"].origin == "rendered"
    assert result.language == "fr"

    strict = validate_with_rendering(static, rendered, ValidationOptions(profile="strict"), target=url)
    assert strict.verdict == "non-compliant"
    assert {f.severity for f in strict.findings} == {"error"}


def test_a_value_changed_by_a_script_keeps_the_served_value(
    site: LocalSite, renderer: BrowserRenderer
) -> None:
    url = f"{site.base}/script-changes"
    rendered_page = renderer.render_url(url)
    assert rendered_page.status == "ok"
    static = extract_tags(SCRIPT_CHANGES_PAGE.encode(), url=url)
    result = validate_with_rendering(
        static, extract_rendered(rendered_page.html, url=url), ValidationOptions()
    )
    assert [(f.rule, f.tag, f.expected) for f in result.findings] == [
        ("tags-changed-by-javascript", "DC.ISO3166", "FR")
    ]
    assert result.tags["DC.ISO3166"].raw == "BE"  # the harvester reads the served value
    assert result.verdict == "compliant-with-warnings"


def test_a_page_with_static_tags_only_has_no_rendering_findings(
    site: LocalSite, renderer: BrowserRenderer
) -> None:
    rendered_page = renderer.render_url(f"{site.base}/permis")
    static = extract_tags(EXAMPLE_1.encode())
    result = validate_with_rendering(static, extract_rendered(rendered_page.html), ValidationOptions())
    assert result.verdict == "compliant"
    assert result.findings == []


def test_a_page_that_never_settles_times_out(site: LocalSite) -> None:
    with BrowserRenderer(timeout=2) as short:
        rendered_page = short.render_url(f"{site.base}/never-settles")
    assert rendered_page.status == "timeout"
    assert rendered_page.detail == "rendering did not settle within 2 s"
    assert rendered_page.html == ""


def test_unreachable_page_gets_a_fetch_status(renderer: BrowserRenderer) -> None:
    with LocalSite({}) as closed:
        port = closed.port
    rendered_page = renderer.render_url(f"http://127.0.0.1:{port}/")
    assert rendered_page.status == "connection-refused"
    assert rendered_page.detail is not None and "ERR_CONNECTION_REFUSED" in rendered_page.detail


def test_a_missing_browser_is_reported_in_words() -> None:
    with pytest.raises(RenderingUnavailable) as raised:
        BrowserRenderer(executable_path="/nonexistent/chromium").start()
    assert str(raised.value) == (
        "rendering needs Chromium at /nonexistent/chromium, which does not exist; install the Debian package "
        "'chromium' (apt-get install chromium) or set SDG_CHROMIUM to the browser's path"
    )


def test_sealed_browser_lets_no_request_reach_internal_addresses(site: LocalSite) -> None:
    site.requests.clear()
    with BrowserRenderer(timeout=10, guard=refuse_internal_addresses) as sealed:
        rendered_page = sealed.render_document(
            ESCAPE_ATTEMPTS.format(port=site.port), url="https://pasted-page.invalid/"
        )
    assert rendered_page.status == "ok"
    assert site.requests == []
    refused = (
        f"refused to connect to 127.0.0.1 (127.0.0.1): it is a loopback address (this machine); {ALLOW_HINT}"
    )
    assert sorted(rendered_page.blocked) == sorted(
        [
            f"GET http://127.0.0.1:{site.port}/by-fetch: {refused}",
            f"POST http://127.0.0.1:{site.port}/by-beacon: only GET requests leave the server while rendering",
            f"GET http://127.0.0.1:{site.port}/by-image: {refused}",
            f"GET http://127.0.0.1:{site.port}/by-iframe: {refused}",
        ]
    )


def test_sealed_browser_refuses_an_internal_page_address(site: LocalSite) -> None:
    site.requests.clear()
    with BrowserRenderer(timeout=10, guard=refuse_internal_addresses) as sealed:
        rendered_page = sealed.render_url(f"{site.base}/permis")
    assert rendered_page.status == "out-of-scope"
    assert rendered_page.detail == (
        f"refused to connect to 127.0.0.1 (127.0.0.1): it is a loopback address (this machine); {ALLOW_HINT}"
    )
    assert site.requests == []


# --- through the web API -----------------------------------------------------------------------------------


def test_api_render_reports_script_made_tags(site: LocalSite) -> None:
    with WebServer("--allow-private") as server:
        response = httpx.post(
            f"{server.base_url}/api/check",
            json={"url": f"{site.base}/script-tags", "render": True},
            timeout=90,
        )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "compliant-with-warnings"
    assert {f["rule"] for f in body["findings"]} == {"tags-only-after-javascript"}
    assert len(body["findings"]) == 7


def test_api_render_of_pasted_html_is_sealed(site: LocalSite) -> None:
    site.requests.clear()
    with WebServer() as server:
        response = httpx.post(
            f"{server.base_url}/api/check",
            json={"html": ESCAPE_ATTEMPTS.format(port=site.port), "render": True},
            timeout=90,
        )
    assert response.status_code == 200
    assert response.json()["verdict"] == "not-self-describing"
    assert site.requests == []


@pytest.mark.parametrize("guard", [None, refuse_internal_addresses])
def test_relative_resources_of_pasted_html_fail_without_a_dns_query(guard: object) -> None:
    html = '<html><head><script src="/x.js"></script></head><body><img src="a.png"></body></html>'
    with BrowserRenderer(timeout=10, guard=guard) as renderer:  # type: ignore[arg-type]
        rendered_page = renderer.render_document(html, url="https://pasted-page.invalid/")
    assert rendered_page.status == "ok"
    assert rendered_page.blocked == [
        "GET https://pasted-page.invalid/x.js: the page has no address of its own",
        "GET https://pasted-page.invalid/a.png: the page has no address of its own",
    ]

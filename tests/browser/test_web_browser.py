"""The editor's page used as a person would: Playwright drives the system Chromium against `sdg-tags serve`.

Screenshots of the result pages are written to tests/artifacts/ (gitignored) as test artifacts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sdg_tags.fetcher.guard import ALLOW_HINT

from tests.browser.conftest import DialogRecorder
from tests.browser.sample_pages import EXAMPLE_1, GR_LOWER_CASE, HOSTILE
from tests.browser.web_server import LocalSite, WebServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def submit_pasted(page: Page, server: WebServer, html: str) -> None:
    page.goto(f"{server.base_url}/")
    page.get_by_label("Paste the page's HTML").fill(html)
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state("load")


def submit_url(page: Page, server: WebServer, url: str) -> None:
    page.goto(f"{server.base_url}/")
    page.get_by_label("or enter the page's address").fill(url)
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state("load")


def flagged_lines(page: Page) -> list[str]:
    return page.locator(".source .line.flagged").evaluate_all("lines => lines.map(line => line.id)")


def test_pasting_guidance_example_1_shows_compliant(
    page: Page, server: WebServer, artifacts_dir: Path
) -> None:
    submit_pasted(page, server, EXAMPLE_1)
    assert page.locator("#verdict").inner_text() == "Verdict: compliant"
    assert page.locator("#page-types").inner_text() == "information"
    assert page.get_by_role("heading", name="Findings (0)").is_visible()
    understood = page.locator("table.tags").inner_text()
    assert "BE: Belgium (EU)" in understood
    assert "BE1: Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest (NUTS level 1" in understood
    assert (
        "C2: Annex I C2, acquiring and renewing a driving licence (area C: Vehicles in the Union)"
        in understood
    )
    assert "fr: French" in understood
    assert flagged_lines(page) == []
    page.screenshot(path=str(artifacts_dir / "web-example-1-compliant.png"), full_page=True)


def test_gr_and_lower_case_codes_are_shown_with_their_lines(
    page: Page, server: WebServer, artifacts_dir: Path
) -> None:
    submit_pasted(page, server, GR_LOWER_CASE)
    assert page.locator("#verdict").inner_text() == "Verdict: non-compliant"
    rules = page.locator("tr.finding").evaluate_all("rows => rows.map(row => row.dataset.rule)")
    assert rules == ["policy-name-missing", "country-gr-instead-of-el", "location-case", "policy-code-case"]
    gr_row = page.locator('tr[data-rule="country-gr-instead-of-el"]')
    assert gr_row.locator(".severity").inner_text() == "error"
    assert "line 8, column 3" in gr_row.inner_text()
    assert flagged_lines(page) == ["L8", "L9", "L11"]
    assert page.locator("#L8").inner_text().startswith('8  <meta name="DC.ISO3166" content="GR">')
    assert page.locator("#L11").inner_text().startswith('11  <meta name="policy-code" content="c2">')
    background = page.locator("#L8").evaluate("line => getComputedStyle(line).backgroundColor")
    assert background == "rgb(255, 240, 179)"  # --flag-bg: the highlight is visible, not just a class

    gr_row.get_by_role("link", name="line 8, column 3").click()
    assert page.url.endswith("#L8")

    suggestion = page.locator("#suggested-tags").input_value()
    assert '<meta name="DC.ISO3166" content="EL">' in suggestion
    assert '<meta name="policy-code" content="C2">' in suggestion
    copy = page.get_by_role("button", name="Copy the tag block")
    assert copy.is_visible()
    copy.click()
    page.locator(".copy-status", has_text="Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == suggestion
    page.screenshot(path=str(artifacts_dir / "web-gr-lower-case.png"), full_page=True)


def test_result_without_javascript(page_without_javascript: Page, server: WebServer) -> None:
    page = page_without_javascript
    submit_pasted(page, server, GR_LOWER_CASE)
    assert page.locator("#verdict").inner_text() == "Verdict: non-compliant"
    assert flagged_lines(page) == ["L8", "L9", "L11"]
    assert page.locator("#suggested-tags").is_visible()
    assert page.locator("button.copy-button").is_hidden()  # no dead button without its script


def test_url_of_a_local_page_is_checked_with_allow_private(
    page: Page, private_server: WebServer, site: LocalSite
) -> None:
    submit_url(page, private_server, f"{site.base}/permis")
    assert page.locator("#verdict").inner_text() == "Verdict: compliant"
    assert f"Fetched {site.base}/permis" in page.locator("#result").inner_text()
    assert "GET /permis" in site.requests


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_urls_are_refused_without_allow_private(
    page: Page, server: WebServer, site: LocalSite, artifacts_dir: Path, host: str
) -> None:
    site.requests.clear()
    submit_url(page, server, f"http://{host}:{site.port}/permis")
    alert = page.get_by_role("alert")
    assert alert.inner_text() == (
        f"Not checked\n\nRefused to connect to {host} (127.0.0.1): it is a loopback address (this machine); "
        f"{ALLOW_HINT.replace('`', '')}."
    )
    assert page.locator("#result").count() == 0
    assert (
        page.get_by_label("or enter the page's address").input_value() == f"http://{host}:{site.port}/permis"
    )
    assert site.requests == []
    page.screenshot(path=str(artifacts_dir / f"web-refused-{host}.png"), full_page=True)


def test_hostile_tag_values_execute_nothing(page: Page, server: WebServer, dialogs: DialogRecorder) -> None:
    submit_pasted(page, server, HOSTILE)
    page.wait_for_timeout(300)  # let an injected handler (onerror, onload) fire, had there been one
    assert dialogs.messages == []
    assert page.locator("#verdict").inner_text() == "Verdict: non-compliant"
    assert page.locator("img").count() == 0
    assert page.locator("svg").count() == 0
    assert page.locator("script").count() == 1  # our copy.js only
    assert page.locator("textarea").count() == 2  # the form's and the suggestion's, none closed early
    tags = page.locator("table.tags").inner_text()
    assert "<script>alert('marker')</script>" in tags
    assert '"><img src=x onerror=alert(1)>' in tags
    assert "<svg onload=alert(3)>" in tags


def test_keyboard_only_use(page: Page, server: WebServer) -> None:
    page.goto(f"{server.base_url}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "html":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "html"
    page.keyboard.insert_text(EXAMPLE_1)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Check":
            break
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("#verdict").inner_text() == "Verdict: compliant"
    headings = page.locator("h1, h2, h3").evaluate_all("hs => hs.map(h => h.tagName + ' ' + h.textContent)")
    assert headings[:4] == [
        "H1 Check the SDG tags of a page",
        "H2 Result",
        "H3 Tags found",
        "H3 Findings (0)",
    ]

"""The HTML report and diff in headless Chromium: charts present, the tables filter, sort, search and paginate,
and crawled markup (`<script>`, `"><img onerror>` in tag values and a provider name) executes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sdg_tags.cli.main import main

from tests.sites.report_crawl import SE_PROVIDER, ReportCrawl

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Observed:
    """Everything a page did that it should not: dialogs, console errors, script errors, network requests."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []

    def assert_clean(self) -> None:
        assert self.dialogs == []
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.requests == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def outputs(report_crawl: ReportCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    assert main(["report", "--db", report_crawl.db_url, "--out", str(out / "report"), "--by-provider"]) == 0
    assert main(["diff", "--db", report_crawl.db_url, "--out", str(out / "diff")]) == 0
    return out


def open_page(browser: Any, path: Path) -> tuple[Any, Observed]:
    observed = Observed()
    page = browser.new_page()
    page.on("dialog", lambda dialog: (observed.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: observed.console_errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: observed.page_errors.append(str(error)))
    page.on(
        "request",
        lambda request: None if request.url.startswith("file:") else observed.requests.append(request.url),
    )
    page.goto(path.as_uri())
    page.wait_for_selector("#pages tbody tr, #diff tbody tr")
    return page, observed


def wait_for_count(page: Any, table: str, count: int) -> None:
    # The report's CSP forbids eval, so wait on an attribute rather than with page.wait_for_function.
    page.locator(f'#{table} [data-count="{count}"]').wait_for()


def row_count(page: Any, table: str) -> int:
    return int(page.locator(f"#{table} [data-count]").get_attribute("data-count"))


def select(page: Any, table: str, key: str, label: str) -> None:
    page.locator(f'#{table} select[data-filter="{key}"]').select_option(label=label)


def test_report_charts_and_crawled_markup(browser: Any, outputs: Path) -> None:
    page, observed = open_page(browser, outputs / "report" / "index.html")
    assert page.locator("svg.chart").count() == 6
    assert page.locator("svg.chart title").first.text_content() == "Compliance by country"
    assert page.locator("#chart-country details table tbody tr").count() == 2
    # Open every finding's details: the markup in the XSS page's values must stay text.
    page.locator("#pages input[data-search]").fill("xss")
    wait_for_count(page, "pages", 1)
    page.locator("#pages tbody button", has_text="Details").click()
    values = page.locator("#pages tr.detail code").all_text_contents()
    assert '<script>alert("country")</script>' in values
    assert '"><img src=x onerror=alert("code")>' in values
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 2
    assert page.evaluate("typeof window.alert") == "function"
    observed.assert_clean()
    page.close()


def test_report_table_filters_sorts_searches_and_pages(browser: Any, outputs: Path) -> None:
    page, observed = open_page(browser, outputs / "report" / "index.html")
    assert row_count(page, "pages") == 15
    select(page, "pages", "country", "SE")
    assert row_count(page, "pages") == 5
    select(page, "pages", "verdict", "not-self-describing")
    assert row_count(page, "pages") == 2
    page.locator("#pages button", has_text="Reset").click()
    assert row_count(page, "pages") == 15
    select(page, "pages", "rule", "country-gr-instead-of-el")
    assert row_count(page, "pages") == 1
    assert page.locator("#pages tbody tr a.url").first.text_content().endswith("/be/grece.html")
    page.locator("#pages button", has_text="Reset").click()
    select(page, "pages", "provider", SE_PROVIDER)
    assert row_count(page, "pages") == 5
    page.locator("#pages button", has_text="Reset").click()
    select(page, "pages", "area", "J: Annex I: Starting, running and closing a business")
    assert row_count(page, "pages") == 2
    page.locator("#pages button", has_text="Reset").click()
    select(page, "pages", "status", "http-4xx")
    assert row_count(page, "pages") == 2
    page.locator("#pages button", has_text="Reset").click()
    # Sort by errors, most first: the XSS page has three.
    errors = page.locator('#pages button[data-sort="errors"]')
    errors.click()
    errors.click()
    assert page.locator('#pages th[aria-sort="descending"]').count() == 1
    assert page.locator("#pages tbody tr a.url").first.text_content().endswith("/be/xss.html")
    assert page.locator("#pages .pager span").text_content() == "Rows 1–15 of 15"
    page.locator("#pages input[data-search]").fill("permis")
    wait_for_count(page, "pages", 1)
    # A chart bar links into the table with a filter.
    page.locator('#chart-rule a[href="#pages:rule=sdg-marker-missing"]').click()
    wait_for_count(page, "pages", 1)
    assert page.locator("#pages tbody tr a.url").first.text_content().endswith("/be/change.html")
    observed.assert_clean()
    page.close()


def test_provider_report_with_markup_in_the_provider_name(browser: Any, outputs: Path) -> None:
    folders = [
        path for path in (outputs / "report" / "providers").iterdir() if path.name.startswith("verket")
    ]
    assert len(folders) == 1
    page, observed = open_page(browser, folders[0] / "index.html")
    assert row_count(page, "pages") == 5
    assert page.locator("h1").text_content() == f"SDG tags compliance report: {SE_PROVIDER}"
    assert page.locator("img").count() == 0
    observed.assert_clean()
    page.close()


def test_diff_table_filters_by_rule(browser: Any, outputs: Path) -> None:
    page, observed = open_page(browser, outputs / "diff" / "diff.html")
    assert row_count(page, "diff") == 16
    select(page, "diff", "rule", "registry-entry-missing")
    assert row_count(page, "diff") == 3
    page.locator("#diff button", has_text="Reset").click()
    select(page, "diff", "kind", "untagged-notified")
    assert row_count(page, "diff") == 1
    assert page.locator("svg.chart").count() == 1
    assert page.locator("img").count() == 0
    observed.assert_clean()
    page.close()

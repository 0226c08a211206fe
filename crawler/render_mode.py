"""Render mode of the crawl (SPEC §7.3, §9 point 7): chosen hosts are also loaded in headless Chromium.

A page of a render host is first fetched as usual (the HTML the harvester reads); when that fetch is evaluated,
the spider asks scrapy-playwright for the same URL. The browser's settled DOM travels with the static outcome
(`FetchOutcome.rendered_html`) and the validation pipeline reports tags that only JavaScript adds or changes;
both tag sets are stored. A page that does not settle gets the fetch status `timeout` with the detail
"rendering did not settle within N s".

Settings: `SDG_RENDER_HOSTS` (host names), `SDG_RENDER_ALL` (every host), `SDG_RENDER_TIMEOUT` (seconds,
default 20). Chromium is Debian's /usr/bin/chromium (`SDG_CHROMIUM` to change), launched by Playwright with a
fresh temporary profile. Stats: `sdg/render/requested`, `sdg/render/ok`, `sdg/render/<fetch status>`.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy.http import Request
from scrapy.settings import BaseSettings
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.crawler.status import FetchAborted
from sdg_tags.rendering.browser import (
    CHROMIUM_PATH,
    LAUNCH_ARGS,
    SETTLE_POLL_MS,
    SETTLE_STABLE_POLLS,
    SETTLED_DOCUMENT_JS,
    status_of_navigation_error,
)
from twisted.python.failure import Failure

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


class RenderNotSettled(FetchAborted):
    """The page kept changing (network or tags) past the time limit: fetch status `timeout`, never retried."""

    def __init__(self, timeout: float) -> None:
        super().__init__("timeout", f"rendering did not settle within {timeout:g} s")


def rendering_requested(settings: BaseSettings) -> bool:
    return settings.getbool("SDG_RENDER_ALL") or bool(settings.getlist("SDG_RENDER_HOSTS"))


def enable_rendering(settings: BaseSettings) -> None:
    """Route `meta["playwright"]` requests through scrapy-playwright (others keep Scrapy's HTTP handler)."""
    settings.set("DOWNLOAD_HANDLERS", {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, "spider")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", "spider")
    # A non-persistent launch gets a fresh temporary profile from Playwright, deleted when the browser closes.
    settings.set(
        "PLAYWRIGHT_LAUNCH_OPTIONS",
        {"executable_path": CHROMIUM_PATH, "headless": True, "args": list(LAUNCH_ARGS)},
        "spider",
    )
    settings.set(
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT",
        max(1, settings.getint("SDG_HOST_CONCURRENCY", default_settings.SDG_HOST_CONCURRENCY)),
        "spider",
    )


async def settle(page: Any, timeout: float) -> None:
    """Wait until the page has loaded, the network is idle and its tags stopped changing (see rendering.browser)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    deadline = time.monotonic() + timeout

    def left_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    try:
        await page.wait_for_load_state("load", timeout=left_ms())
        await page.wait_for_load_state("networkidle", timeout=left_ms())
        await page.wait_for_function(
            SETTLED_DOCUMENT_JS, arg=SETTLE_STABLE_POLLS, polling=SETTLE_POLL_MS, timeout=left_ms()
        )
    except PlaywrightTimeoutError:
        raise RenderNotSettled(timeout) from None


def rendered_request(
    outcome: FetchOutcome, meta: dict[str, Any], *, timeout: float, callback: Any, errback: Any
) -> Request:
    """The browser request for a page whose static fetch was evaluated; it carries the static outcome."""
    from scrapy_playwright.page import PageMethod

    return Request(
        outcome.final_url or outcome.url,
        callback=callback,
        errback=errback,
        dont_filter=True,
        priority=1,  # finish pages already begun before starting new ones
        meta={
            **meta,
            "sdg_static_outcome": outcome,
            "sdg_render_timeout": timeout,
            "playwright": True,
            "playwright_page_goto_kwargs": {"wait_until": "commit", "timeout": timeout * 1000},
            "playwright_page_methods": [PageMethod(settle, timeout)],
            "dont_retry": True,  # a render that did not settle would not settle on a second try either
            "handle_httpstatus_all": True,
        },
    )


def render_failure(failure: Failure) -> tuple[str, str]:
    """The fetch status and detail of a rendering that failed (did not settle, or could not load)."""
    error = failure.value
    if isinstance(error, FetchAborted):
        return error.status, error.detail
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if type(error).__name__ == "TimeoutError":
        return "timeout", f"rendering got no response within the time limit ({message})"
    return status_of_navigation_error(message), f"rendering failed: {message}"

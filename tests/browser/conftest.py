"""Fixtures of the browser tests: Playwright driving the system Chromium, and the servers it talks to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sdg_tags.rendering.browser import CHROMIUM_PATH, LAUNCH_ARGS

from tests.browser.sample_pages import EXAMPLE_1
from tests.browser.web_server import ARTIFACTS_DIR, LocalSite, WebServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """tests/artifacts (gitignored): screenshots of the result page, kept after the run."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=list(LAUNCH_ARGS)
        )
        try:
            yield launched
        finally:
            launched.close()


class DialogRecorder:
    """Every JavaScript dialog (alert, confirm, prompt) a page opens; hostile input must open none."""

    def __init__(self) -> None:
        self.messages: list[str] = []


@pytest.fixture
def dialogs() -> DialogRecorder:
    return DialogRecorder()


@pytest.fixture
def page(browser: Browser, dialogs: DialogRecorder) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = context.new_page()

    def record(dialog: Dialog) -> None:
        dialogs.messages.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", record)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def page_without_javascript(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def server() -> Iterator[WebServer]:
    with WebServer() as running:
        yield running


@pytest.fixture(scope="module")
def private_server() -> Iterator[WebServer]:
    with WebServer("--allow-private") as running:
        yield running


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite({"/permis": (EXAMPLE_1.encode(), "text/html; charset=utf-8")}) as local:
        yield local

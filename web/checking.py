"""What the web app does with one page: fetch it (guarded) or take the given HTML, render it if asked, validate.

Shared by the HTML form and `POST /api/check`, so both give the same result for the same input. Requests that
cannot be answered with a result raise `CheckRefused` with an HTTP status and one sentence for the editor.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sdg_tags.fetcher import AddressGuard, Resolver, fetch_url
from sdg_tags.fetcher.guard import refuse_internal_addresses
from sdg_tags.validators.engine import validate
from sdg_tags.validators.extraction import decode_page, extract_tags
from sdg_tags.validators.models import PageResult, ValidationOptions
from sdg_tags.web.request_limits import BUSY_MESSAGE, RETRY_AFTER_SECONDS, Busy, LoadBudget

from sdg_tags.sizes import MAX_PAGE_BYTES, MEBIBYTE

# The address pasted HTML is rendered at: it resolves nowhere, so relative sub-resources simply fail.
PASTED_PAGE_URL = "https://pasted-page.invalid/"


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Limits and switches of `sdg-tags serve`; the defaults are the documented ones (docs/web.md)."""

    allow_private: bool = False  # --allow-private: fetch loopback/private addresses too (local testing)
    max_upload_bytes: int = MAX_PAGE_BYTES  # request bodies (pasted HTML, uploads, API bodies); 413 beyond
    max_page_bytes: int = MAX_PAGE_BYTES  # a fetched page, decoded
    fetch_timeout: float = 15.0  # seconds for a URL fetch, redirects included
    max_redirects: int = 5
    render_timeout: float = 20.0  # seconds for a page to settle in the browser
    max_source_lines: int = 5000  # lines of page source shown (the tags are in <head>, near the top)
    # Server-wide, past which requests get 503 with Retry-After: checks at once, and page bytes in memory at
    # once (request bodies and fetched pages). A check of a hostile 5 MB page peaks near 150 MB, so about
    # two such pages at once keep `serve` under 500 MB.
    max_checks: int = 8
    max_bytes_in_flight: int = 12 * MEBIBYTE
    resolver: Resolver | None = None  # tests pass a stub; None asks the operating system

    @property
    def guard(self) -> AddressGuard | None:
        return None if self.allow_private else refuse_internal_addresses


class CheckRefused(Exception):
    """A request the app answers with an error instead of a result: HTTP status + one sentence."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        fetch_status: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.fetch_status = fetch_status
        self.retry_after = retry_after  # seconds, sent as Retry-After (503 only)


@dataclass(slots=True)
class CheckedPage:
    """A result plus what the result page shows beside it."""

    result: PageResult
    source: str  # the served HTML as text (decoded like the validator did), for the source listing
    rendered: bool = False
    notes: list[str] = field(
        default_factory=list
    )  # e.g. redirects followed, requests blocked while rendering


class PageChecker:
    """Runs checks for the web app with its settings; one instance per app, safe to share between threads."""

    def __init__(self, settings: WebSettings, budget: LoadBudget | None = None) -> None:
        self.settings = settings
        self.budget = budget or LoadBudget(
            max_checks=settings.max_checks, max_bytes=settings.max_bytes_in_flight
        )
        # Each rendering starts a Chromium; two at once on a small server is the most we allow.
        self._renderings = threading.BoundedSemaphore(2)

    def options(self, *, suggest: bool) -> ValidationOptions:
        return ValidationOptions(suggest=suggest)

    def check_html(
        self,
        body: bytes,
        *,
        target: str,
        render: bool = False,
        suggest: bool = True,
        url: str | None = None,
        headers: dict[str, str] | None = None,
        notes: list[str] | None = None,
    ) -> CheckedPage:
        """Validate HTML we already have (pasted, uploaded, or fetched); render it first when asked."""
        options = self.options(suggest=suggest)
        static = extract_tags(body, url=url, headers=headers)
        source, _encoding, _problems = decode_page(body, headers)
        notes = list(notes or [])
        if not render:
            return CheckedPage(validate(static, options, target=target), source, notes=notes)
        rendered_page = self._render(body, url=url or PASTED_PAGE_URL, headers=headers, notes=notes)
        from sdg_tags.rendering.comparison import extract_rendered, validate_with_rendering

        rendered = extract_rendered(rendered_page, url=url)
        result = validate_with_rendering(static, rendered, options, target=target)
        return CheckedPage(result, source, rendered=True, notes=notes)

    def check_url(self, url: str, *, render: bool = False, suggest: bool = True) -> CheckedPage:
        """Fetch `url` through the address guard and check what it serves."""
        url = url.strip()
        try:
            parts = urlsplit(url)
        except ValueError:  # a broken IPv6 literal (`http://[::1/`)
            raise CheckRefused(
                400, f"{url!r} is not a valid web address; enter one such as https://www.example.be/page"
            ) from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise CheckRefused(
                400, f"{url!r} is not a web address; enter one that starts with http:// or https://"
            )
        settings = self.settings
        try:
            fetched = fetch_url(
                url,
                timeout=settings.fetch_timeout,
                max_bytes=settings.max_page_bytes,
                max_redirects=settings.max_redirects,
                guard=settings.guard,
                resolver=settings.resolver,
            )
        except ValueError as exc:
            raise CheckRefused(
                400, f"{exc}; enter a full address such as https://www.example.be/page"
            ) from None
        if fetched.fetch_status == "out-of-scope":
            detail = fetched.detail or "the address is not allowed"
            raise CheckRefused(403, f"{detail[0].upper()}{detail[1:]}.", fetch_status=fetched.fetch_status)
        if not fetched.evaluated or fetched.fetch_status == "not-modified":
            raise CheckRefused(
                422,
                f"Could not check {url}: {fetched.detail or fetched.fetch_status} ({fetched.fetch_status}).",
                fetch_status=fetched.fetch_status,
            )
        notes = [f"Fetched {fetched.final_url}" + (f"; {fetched.detail}" if fetched.detail else "")]
        size = len(fetched.body)
        try:
            self.budget.reserve(size)  # the fetched page is in memory now, like a request body
        except Busy:
            raise CheckRefused(503, BUSY_MESSAGE, retry_after=RETRY_AFTER_SECONDS) from None
        try:
            return self.check_html(
                fetched.body,
                target=url,
                render=render,
                suggest=suggest,
                url=fetched.final_url,
                headers=fetched.headers,
                notes=notes,
            )
        finally:
            self.budget.release(size)

    def _render(self, body: bytes, *, url: str, headers: dict[str, str] | None, notes: list[str]) -> str:
        """The settled DOM of `body` served at `url`, in a sealed browser unless private addresses are allowed."""
        from sdg_tags.rendering.browser import BrowserRenderer, RenderingUnavailable

        settings = self.settings
        if not self._renderings.acquire(timeout=settings.render_timeout):
            raise CheckRefused(
                503, "The server is busy rendering other pages; try again in a minute.", retry_after=60
            )
        try:
            content_type = (headers or {}).get("content-type") or "text/html"  # let the browser sniff
            with BrowserRenderer(
                timeout=settings.render_timeout,
                guard=settings.guard,
                resolver=settings.resolver,
                max_bytes=settings.max_page_bytes,
            ) as renderer:
                rendered = renderer.render_document(body, url=url, content_type=content_type)
        except RenderingUnavailable as exc:
            raise CheckRefused(503, f"Rendering is not available on this server: {exc}.") from None
        finally:
            self._renderings.release()
        if not rendered.evaluated:
            raise CheckRefused(
                422,
                f"Could not render the page: {rendered.detail or rendered.status} ({rendered.status}).",
                fetch_status=rendered.status,
            )
        if rendered.blocked:
            notes.append(
                f"While rendering, {len(rendered.blocked)} request(s) of the page were not made: "
                + "; ".join(rendered.blocked[:5])
                + ("; …" if len(rendered.blocked) > 5 else "")
            )
        return rendered.html

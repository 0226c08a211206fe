"""Load a page in headless Chromium and return its DOM after JavaScript ran (`check --render`, the web app).

Playwright drives Debian's `/usr/bin/chromium` (it cannot download a browser here) with a fresh user-data
directory per renderer. A page "settles" when its load event fired, the network has been idle for 500 ms
and its `<meta>`/`<link>` elements and `<html lang>` stayed the same for three polls 100 ms apart; a page that
does not settle within the time limit gets the fetch status `timeout`.

Sealed mode (a `guard` is given; the web app): Chromium gets no network of its own. Every request it makes
is answered by `fetcher.fetch_url` with the same guard, so each address is checked after DNS resolution and on
every redirect, and pinned; DNS inside Chromium is switched off, WebSockets and service workers are blocked,
and only GET requests leave the machine. WebRTC, which sends STUN/TURN over UDP outside all of that, is removed
from every frame before the page's scripts run and switched off by policy. That keeps a hostile page's scripts from reaching the server's own
network, even though they run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sdg_tags.fetcher import AddressGuard, Resolver, fetch_url

from sdg_tags.sizes import MAX_PAGE_BYTES
from sdg_tags.version import user_agent as default_user_agent

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Playwright, Request, Route, WebSocketRoute

CHROMIUM_PATH = os.environ.get("SDG_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# Sealed mode: no name resolution and no direct connections inside Chromium; requests are fulfilled by us.
SEALED_ARGS: tuple[str, ...] = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--enforce-webrtc-ip-permission-check",
    "--proxy-server=http://127.0.0.1:1",  # anything not intercepted fails at once: nothing listens on port 1
)
# Sealed mode: the same WebRTC policy as profile preferences (the flags alone let STUN requests out over UDP:
# WebRTC sends them itself, outside request routing and the proxy).
SEALED_PREFERENCES: dict[str, Any] = {
    "webrtc": {
        "ip_handling_policy": "disable_non_proxied_udp",
        "multiple_routes_enabled": False,
        "nonproxied_udp_enabled": False,
    }
}
# Sealed mode: run before any script of the page, in every frame: the WebRTC constructors are removed, so a
# page cannot open a peer connection (STUN/TURN over UDP) at all.
NO_WEBRTC_JS = """
(() => {
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (/^(webkit)?RTC/.test(name)) {
      try { delete globalThis[name]; } catch (e) {}
      if (name in globalThis) {
        try { Object.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false }); }
        catch (e) {}
      }
    }
  }
})();
"""
SETTLE_POLL_MS = 100
SETTLE_STABLE_POLLS = 3
MAX_SUBREQUESTS = 200  # sealed mode: a page asking for more is cut off (its remaining requests fail)
# Headers of a fetched sub-resource that still make sense after `fetch_url` decoded and followed it.
PASSED_HEADERS = ("content-type", "cache-control", "expires", "last-modified", "etag", "content-language")

# Polled in the page: the SDG-relevant DOM (metas, canonical links, <html lang>) must stay unchanged for
# SETTLE_STABLE_POLLS polls; then the serialised document (doctype included, like page.content()).
SETTLED_DOCUMENT_JS = """
(stablePolls) => {
  const state = (window.__sdgTagsSettle ||= { last: null, same: 0 });
  const root = document.documentElement;
  if (!root) return false;
  const tags = Array.from(document.querySelectorAll("meta, link")).map((e) => e.outerHTML).join("\\n");
  const snapshot = (root.getAttribute("lang") || "") + "|" + (root.getAttribute("xml:lang") || "") + "\\n" + tags;
  if (snapshot === state.last) { state.same += 1; } else { state.last = snapshot; state.same = 0; }
  if (state.same < stablePolls) return false;
  const doctype = document.doctype ? new XMLSerializer().serializeToString(document.doctype) + "\\n" : "";
  return doctype + root.outerHTML;
}
"""


class RenderingUnavailable(Exception):
    """Chromium or Playwright is missing or would not start; the message says what to install."""


@dataclass(slots=True)
class RenderedPage:
    """The outcome of one rendering. `html` is the serialised DOM, empty unless `status` is "ok"."""

    url: str  # as asked for
    final_url: str  # the document's address after navigation and redirects
    status: str = "ok"  # a `validators.models.FetchStatus` value
    detail: str | None = None
    http_status: int | None = None
    html: str = ""
    blocked: list[str] = field(default_factory=list)  # sealed mode: requests refused, in words

    @property
    def evaluated(self) -> bool:
        return self.status == "ok"


# Chromium's network error names -> fetch statuses (SPEC §7.3); anything else is a refused connection.
_NET_ERRORS: tuple[tuple[str, str], ...] = (
    ("ERR_NAME_NOT_RESOLVED", "dns-error"),
    ("ERR_NAME_RESOLUTION_FAILED", "dns-error"),
    ("ERR_CONNECTION_REFUSED", "connection-refused"),
    ("ERR_TIMED_OUT", "timeout"),
    ("ERR_CONNECTION_TIMED_OUT", "timeout"),
    ("ERR_TOO_MANY_REDIRECTS", "too-many-redirects"),
    ("ERR_CERT", "tls-error"),
    ("ERR_SSL", "tls-error"),
    ("ERR_BLOCKED_BY_CLIENT", "out-of-scope"),
    ("ERR_ADDRESS_UNREACHABLE", "out-of-scope"),
)


def status_of_navigation_error(message: str) -> str:
    """The fetch status a browser navigation error stands for (`net::ERR_NAME_NOT_RESOLVED` -> dns-error)."""
    for name, status in _NET_ERRORS:
        if name in message:
            return status
    return "connection-refused"


class BrowserRenderer:
    """A headless Chromium for rendering pages one after another; use as a context manager.

    `timeout` is the limit for one page, from navigation to a settled DOM. With `guard`, the browser is
    sealed (see the module docstring) and `resolver` is passed on to the fetcher (tests use a stub).
    """

    def __init__(
        self,
        *,
        timeout: float = 15.0,
        guard: AddressGuard | None = None,
        resolver: Resolver | None = None,
        max_bytes: int = MAX_PAGE_BYTES,
        user_agent: str | None = None,
        executable_path: str = CHROMIUM_PATH,
    ) -> None:
        self.timeout = timeout
        self.guard = guard
        self.resolver = resolver
        self.max_bytes = max_bytes
        self.user_agent = user_agent or default_user_agent("sdg-tags-render")
        self.executable_path = executable_path
        self._playwright: Playwright | None = None
        self._context: BrowserContext | None = None
        self._profile_dir: str | None = None
        # Playwright's sync API belongs to the thread that started it and refuses a thread that already runs
        # an event loop or another Playwright; a private thread makes the renderer usable from any thread.
        self._thread: ThreadPoolExecutor | None = None

    @property
    def sealed(self) -> bool:
        return self.guard is not None

    def __enter__(self) -> BrowserRenderer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Launch Chromium with a fresh profile. Raises RenderingUnavailable when it cannot."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdg-tags-chromium")
        try:
            self._thread.submit(self._start_in_thread).result()
        except BaseException:
            self._thread.shutdown(wait=True)
            self._thread = None
            raise

    def close(self) -> None:
        """Close the browser and delete its profile; safe to call twice."""
        if self._thread is None:
            return
        self._thread.submit(self._close_in_thread).result()
        self._thread.shutdown(wait=True)
        self._thread = None

    def render_url(self, url: str) -> RenderedPage:
        """Navigate to `url` and return the settled DOM (sealed mode fetches it through the guard)."""
        return self._call(self._render, url, None)

    def render_document(
        self, body: bytes | str, *, url: str, content_type: str = "text/html; charset=utf-8"
    ) -> RenderedPage:
        """Render a page whose HTML we already have (pasted, or fetched for the static check) as if served
        from `url`; its sub-resources load from there (through the guard in sealed mode)."""
        document = (body.encode("utf-8") if isinstance(body, str) else body, content_type)
        return self._call(self._render, url, document)

    def _call(self, function: Any, *args: Any) -> RenderedPage:
        if self._thread is None:
            self.start()
        assert self._thread is not None
        return self._thread.submit(function, *args).result()

    def _start_in_thread(self) -> None:
        if self._context is not None:
            return
        if not os.path.exists(self.executable_path):
            raise RenderingUnavailable(
                f"rendering needs Chromium at {self.executable_path}, which does not exist; install the Debian "
                "package 'chromium' (apt-get install chromium) or set SDG_CHROMIUM to the browser's path"
            )
        try:
            from playwright.sync_api import Error as PlaywrightError
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise RenderingUnavailable(
                "rendering needs the Python package 'playwright' (pip install 'sdg-tags[render]')"
            ) from None
        self._profile_dir = tempfile.mkdtemp(prefix="sdg-tags-chromium-")
        if self.sealed:
            preferences = os.path.join(self._profile_dir, "Default", "Preferences")
            os.makedirs(os.path.dirname(preferences))
            with open(preferences, "w", encoding="utf-8") as out:
                json.dump(SEALED_PREFERENCES, out)
        args = LAUNCH_ARGS + (SEALED_ARGS if self.sealed else ())
        try:
            self._playwright = sync_playwright().start()
            self._context = self._playwright.chromium.launch_persistent_context(
                self._profile_dir,
                executable_path=self.executable_path,
                headless=True,
                args=list(args),
                user_agent=self.user_agent,
                service_workers="block",  # a worker could fetch outside our routing
                accept_downloads=False,
            )
        except PlaywrightError as exc:
            self._close_in_thread()
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RenderingUnavailable(
                f"Chromium at {self.executable_path} did not start: {first_line}"
            ) from None
        if self.sealed:
            self._context.add_init_script(NO_WEBRTC_JS)
            self._context.route_web_socket("**/*", _refuse_web_socket)

    def _close_in_thread(self) -> None:
        try:
            if self._context is not None:
                self._context.close()
        except Exception:  # the browser may already be gone; closing must still clean up
            pass
        finally:
            self._context = None
            if self._playwright is not None:
                self._playwright.stop()
                self._playwright = None
            if self._profile_dir is not None:
                shutil.rmtree(self._profile_dir, ignore_errors=True)
                self._profile_dir = None

    def _render(self, url: str, document: tuple[bytes, str] | None) -> RenderedPage:
        if self._context is None:
            self._start_in_thread()
        assert self._context is not None
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        result = RenderedPage(url=url, final_url=url)
        deadline = time.monotonic() + self.timeout
        page = self._context.new_page()
        routing = _Routing(self, url, document, deadline, result)
        try:
            if self.sealed or document is not None:
                page.route("**/*", routing.handle)
            try:
                response = page.goto(url, wait_until="load", timeout=_ms_left(deadline))
                page.wait_for_load_state("networkidle", timeout=_ms_left(deadline))
                handle = page.wait_for_function(
                    SETTLED_DOCUMENT_JS,
                    arg=SETTLE_STABLE_POLLS,
                    polling=SETTLE_POLL_MS,
                    timeout=_ms_left(deadline),
                )
                html = handle.json_value()
            except PlaywrightTimeoutError:
                result.status = "timeout"
                result.detail = f"rendering did not settle within {self.timeout:g} s"
                return result
            except PlaywrightError as exc:
                if routing.main_failure is not None:
                    result.status, result.detail = routing.main_failure
                else:
                    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    result.status = status_of_navigation_error(message)
                    result.detail = f"the browser could not load {url}: {message}"
                return result
            result.final_url = page.url
            if response is not None:
                result.http_status = response.status
                if response.status >= 400:
                    result.status = "http-4xx" if response.status < 500 else "http-5xx"
                    result.detail = f"HTTP {response.status} {response.status_text}".strip()
                    return result
            result.html = html if isinstance(html, str) else ""
            return result
        finally:
            try:
                page.close()
            except PlaywrightError:
                pass


def _ms_left(deadline: float) -> float:
    """Milliseconds left before the deadline; at least 1, because Playwright reads 0 as "no limit"."""
    return max(1.0, (deadline - time.monotonic()) * 1000)


def _refuse_web_socket(socket_route: WebSocketRoute) -> None:
    # Not connecting to the server makes the route a mock; closing it tells the page it failed.
    socket_route.close(code=1008, reason="WebSockets are not available while rendering")


class _Routing:
    """Answers the requests of one rendering: the known document, and in sealed mode everything else."""

    def __init__(
        self,
        renderer: BrowserRenderer,
        url: str,
        document: tuple[bytes, str] | None,
        deadline: float,
        result: RenderedPage,
    ) -> None:
        self.renderer = renderer
        self.url = url
        self.document = document
        self.deadline = deadline
        self.result = result
        self.fetched = 0
        self.main_failure: tuple[str, str] | None = None

    def handle(self, route: Route, request: Request) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self._answer(route, request)
        except PlaywrightError:
            pass  # the page went away (closed after a timeout) while we were answering

    def _answer(self, route: Route, request: Request) -> None:
        is_main = request.is_navigation_request() and request.frame.parent_frame is None
        if self.document is not None and is_main and request.url == self.url:
            body, content_type = self.document
            route.fulfill(status=200, body=body, headers={"content-type": content_type})
            return
        host = (urlsplit(request.url).hostname or "").lower()
        if host == "invalid" or host.endswith(".invalid"):
            # Pasted HTML and standard input are rendered at a `.invalid` address (RFC 6761: never resolves);
            # their relative links fail here, without a DNS query leaving the machine.
            self.result.blocked.append(f"{request.method} {request.url}: the page has no address of its own")
            route.abort("namenotresolved")
            return
        if not self.renderer.sealed:
            route.continue_()
            return
        refusal = self._refusal(request)
        if refusal is not None:
            self.result.blocked.append(f"{request.method} {request.url}: {refusal}")
            route.abort("blockedbyclient")
            return
        self.fetched += 1
        seconds_left = self.deadline - time.monotonic()
        if seconds_left <= 0:
            route.abort("timedout")
            return
        fetched = fetch_url(
            request.url,
            timeout=seconds_left,
            max_bytes=self.renderer.max_bytes,
            user_agent=self.renderer.user_agent,
            guard=self.renderer.guard,
            resolver=self.renderer.resolver,
            html_only=is_main,
        )
        if not fetched.evaluated and fetched.fetch_status not in ("http-4xx", "http-5xx"):
            # Refused, unreachable, too large, not HTML (for the document): the browser sees a failed request.
            detail = fetched.detail or fetched.fetch_status
            self.result.blocked.append(f"GET {request.url}: {detail}")
            if is_main:
                self.main_failure = (fetched.fetch_status, detail)
            route.abort("blockedbyclient" if fetched.fetch_status == "out-of-scope" else "failed")
            return
        headers: dict[str, Any] = {
            name: value for name, value in fetched.headers.items() if name in PASSED_HEADERS
        }
        route.fulfill(status=fetched.status or 200, headers=headers, body=fetched.body)

    def _refusal(self, request: Request) -> str | None:
        if request.method not in ("GET", "HEAD"):
            return "only GET requests leave the server while rendering"
        if urlsplit(request.url).scheme.lower() not in ("http", "https"):
            return "only http(s) requests are fetched while rendering"
        if self.fetched >= MAX_SUBREQUESTS:
            return f"the page asked for more than {MAX_SUBREQUESTS} resources"
        return None

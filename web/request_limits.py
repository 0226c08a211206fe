"""ASGI middleware: a size limit on request bodies (413 with a message), a global load limit (503 with
Retry-After) and the security headers.

All are plain ASGI so they see every response, including errors raised before a route runs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sdg_tags.sizes import MEBIBYTE

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# No inline script or style anywhere: the copy button's script and the stylesheet are files from 'self'.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class BodyTooLarge(Exception):
    """Raised from `receive` when a body without (or with a false) Content-Length passes the limit."""


def too_large_message(limit: int) -> str:
    megabytes = f"{limit / MEBIBYTE:g} MB"
    return (
        f"The request is larger than {megabytes}. Check a smaller page, or paste only the page's <head> "
        "(the SDG tags are there)."
    )


class BodySizeLimit:
    """Answers 413 when a request body is larger than `limit` bytes, without reading more than that.

    A declared Content-Length over the limit is refused before the body is read; a streamed body is
    counted, and when it passes the limit whatever the app answers is replaced by the 413. Paths under
    `/api/` get `{"error": …}` JSON, others a short HTML page.
    """

    def __init__(self, app: ASGIApp, *, limit: int, html_page: Callable[[str], str]) -> None:
        self.app = app
        self.limit = limit
        self.html_page = html_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._send_413(scope, send)
            return
        received = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded:
                return  # the app's answer to a cut-off body is replaced by our 413
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not response_started:
            await self._send_413(scope, send)

    async def _send_413(self, scope: Scope, send: Send) -> None:
        message = too_large_message(self.limit)
        if str(scope.get("path", "")).startswith("/api/"):
            body = json.dumps({"error": message}).encode()
            content_type = b"application/json"
        else:
            body = self.html_page(message).encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# How long a client told 503 should wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = "The server is checking as many pages as it can at once; try again in a few seconds."


class Busy(Exception):
    """The load budget is spent: answer 503 with Retry-After."""


class LoadBudget:
    """The server-wide limits of `sdg-tags serve`: checks running at once, and page bytes in memory at once.

    A check costs up to ~30 times its page's size in memory while it runs (a 5 MB page of a million items
    peaks near 150 MB), so memory is held by counting bytes: request bodies as they arrive, and fetched pages
    before they are checked. Shared by the event loop (middleware) and the check threads, hence the lock.
    """

    def __init__(self, *, max_checks: int, max_bytes: int) -> None:
        self.max_checks = max_checks
        self.max_bytes = max_bytes
        self.checks = 0
        self.bytes = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            if self.checks >= self.max_checks:
                raise Busy
            self.checks += 1

    def leave(self) -> None:
        with self._lock:
            self.checks -= 1

    def reserve(self, size: int) -> None:
        """Count `size` more bytes in flight, or raise Busy when that would pass the limit."""
        with self._lock:
            if self.bytes + size > self.max_bytes:
                raise Busy
            self.bytes += size

    def release(self, size: int) -> None:
        with self._lock:
            self.bytes -= size


class LoadLimit:
    """Every POST (a check) is admitted only within the `LoadBudget`: one of `max_checks`, and its body counted
    against the bytes in flight (the declared length up front, a streamed body as it arrives). Past either,
    503 with Retry-After: `{"error": …}` under `/api/`, a short HTML page elsewhere. The rest of the request
    body is read and dropped first, so the client always gets to read the answer."""

    def __init__(self, app: ASGIApp, *, budget: LoadBudget, html_page: Callable[[str, int], str]) -> None:
        self.app = app
        self.budget = budget
        self.html_page = html_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        budget = self.budget
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        reserved = int(declared) if declared.isdigit() else 0
        try:
            budget.enter()
        except Busy:
            await self._refuse(scope, receive, send)
            return
        try:
            budget.reserve(reserved)
        except Busy:
            budget.leave()
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False
        refused = False
        body_read = False

        async def counted_receive() -> Message:
            nonlocal received, reserved, refused, body_read
            message = await receive()
            if message["type"] == "http.request":
                body_read = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > reserved:  # a body longer than declared, or streamed without a length
                    try:
                        budget.reserve(received - reserved)
                    except Busy:
                        refused = True
                        raise
                    reserved = received
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except Busy:
            pass
        except Exception:
            if not refused:
                raise
        finally:
            budget.release(reserved)
            budget.leave()
        if refused and not response_started:
            await self._refuse(scope, receive, send, drain=not body_read)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, *, drain: bool = True) -> None:
        if drain:
            await _drain(receive)
        if str(scope.get("path", "")).startswith("/api/"):
            body = json.dumps({"error": BUSY_MESSAGE}).encode()
            content_type = b"application/json"
        else:
            body = self.html_page(BUSY_MESSAGE, 503).encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive) -> None:
    """Read what is left of a request body without keeping it (the answer to a refused request is read by
    clients only once they have sent their body)."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class SecurityHeaders:
    """Adds the Content-Security-Policy and related headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

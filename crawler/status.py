"""The fetch-status classifier: one SPEC §7.3 status (and a sentence saying why) per response or failure.

Exceptions arrive wrapped in several layers (Scrapy wraps Twisted's, Twisted wraps OpenSSL's inside
`ResponseNeverReceived.reasons`), so the classifier walks the whole chain before deciding. Our own
middlewares raise `FetchAborted`, which carries its status.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from sdg_tags.validators.models import FetchStatus
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure

from sdg_tags.media_types import content_type_of, not_html_reason

_TLS_ERRORS: tuple[type[BaseException], ...] = (
    twisted_errors.SSLError,
    twisted_errors.CertificateError,
    twisted_errors.VerifyError,
)
try:  # pyOpenSSL is what Scrapy's TLS goes through; keep the classifier importable without it
    from OpenSSL.SSL import Error as OpenSSLError

    _TLS_ERRORS += (OpenSSLError,)
except ImportError:  # pragma: no cover
    pass

_DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (zlib.error, EOFError, gzip.BadGzipFile)
try:
    import brotli

    _DECOMPRESSION_ERRORS += (brotli.error,)
except ImportError:  # pragma: no cover
    pass


class FetchAborted(IgnoreRequest):
    """Raised by our middlewares to end a request with a known fetch status (reaches the request's errback)."""

    def __init__(self, status: FetchStatus, detail: str, *, location: str | None = None) -> None:
        super().__init__(detail)
        self.status: FetchStatus = status
        self.detail = detail
        self.location = location  # for redirect outcomes: where the last hop pointed


def exception_chain(error: BaseException | Failure) -> Iterator[BaseException]:
    """The exception and everything it wraps: `__cause__`, `__context__`, and Twisted's `reasons` lists."""
    pending: list[Any] = [error]
    seen: set[int] = set()
    while pending:
        item = pending.pop(0)
        if isinstance(item, Failure):
            item = item.value
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        pending.extend(getattr(item, "reasons", None) or [])
        pending.extend(arg for arg in getattr(item, "args", ()) if isinstance(arg, (BaseException, Failure)))
        if item.__cause__ is not None:
            pending.append(item.__cause__)
        if item.__context__ is not None:
            pending.append(item.__context__)


def status_of_failure(
    error: BaseException | Failure, *, timeout: float | None = None
) -> tuple[FetchStatus, str]:
    """Classify a failed request: the fetch status and a one-line detail for people."""
    chain = list(exception_chain(error))
    for exc in chain:
        if isinstance(exc, FetchAborted):
            return exc.status, exc.detail
    for exc in chain:
        if isinstance(exc, _TLS_ERRORS):
            return "tls-error", f"TLS handshake failed ({describe(exc)})"
    for exc in chain:
        if isinstance(exc, (CannotResolveHostError, twisted_errors.DNSLookupError)):
            return "dns-error", f"DNS lookup failed ({describe(exc)})"
    for exc in chain:
        if isinstance(exc, (DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError)):
            return "connection-refused", f"connection refused ({describe(exc)})"
    for exc in chain:
        if isinstance(exc, (DownloadTimeoutError, twisted_errors.TimeoutError)):
            limit = f" within the {timeout:g} s timeout" if timeout else ""
            return "timeout", f"no complete response{limit} ({describe(exc)})"
    for exc in chain:
        message = str(exc)
        # Scrapy's own messages are the only marker of these outcomes (its exceptions carry no reason field).
        if isinstance(exc, DownloadCancelledError) and "max size" in message:
            return "too-large", f"response larger than the size limit ({message})"
        # Scrapy 2.19's HTTP/1.1 handler cancels a body that grows past DOWNLOAD_MAXSIZE without a Content-Length
        # announcing it; that arrives as a DownloadCancelledError without message (a timeout is its own error
        # type, and nothing else cancels a running download). Found by the fault suite (tests/test_faults.py).
        if isinstance(exc, DownloadCancelledError) and not message:
            return (
                "too-large",
                "the body grew past the size limit while downloading (no Content-Length announced it)",
            )
        if isinstance(exc, IgnoreRequest) and "DOWNLOAD_MAXSIZE" in message:
            return "too-large", f"decompressed body larger than the size limit ({message})"
        if isinstance(exc, IgnoreRequest) and "robots.txt" in message:
            return "robots-disallowed", "robots.txt forbids this URL for the crawler"
        if isinstance(exc, IgnoreRequest) and "max redirections" in message:
            return "too-many-redirects", "redirect chain longer than the limit"
    for exc in chain:
        if isinstance(exc, _DECOMPRESSION_ERRORS):
            return "decode-error", f"the body could not be decompressed ({describe(exc)})"
    for exc in chain:
        if isinstance(exc, DownloadCancelledError):
            return "timeout", f"download cancelled ({describe(exc)})"
    # What is left is a connection that failed or broke off before a complete response: no status fits
    # better than "could not connect", and the detail says exactly what happened.
    return "connection-refused", f"connection failed ({describe(chain[0] if chain else error)})"


def describe(exc: BaseException | Failure) -> str:
    if isinstance(exc, Failure):
        exc = exc.value
    text = str(exc).strip() or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}" if exc.__class__.__name__ not in text else text


def status_of_response(
    http_status: int, headers: Mapping[str, str], body: bytes
) -> tuple[FetchStatus | None, str | None]:
    """Classify a response: a not-evaluated status with its detail, or (None, None) when it is to be validated.

    `not-modified` (304) is returned as a status; the caller carries the previous result forward.
    """
    if http_status == 304:
        return "not-modified", "HTTP 304 Not Modified"
    if 400 <= http_status < 500:
        return "http-4xx", f"HTTP {http_status} {reason_phrase(http_status)}".rstrip()
    if http_status >= 500:
        return "http-5xx", f"HTTP {http_status} {reason_phrase(http_status)}".rstrip()
    reason = not_html_reason(content_type_of(headers), body)
    return ("not-html", reason) if reason else (None, None)


def reason_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""

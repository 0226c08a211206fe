"""Fetch one page over HTTP(S) with the standard library: timeout, size limit, redirects, gzip/deflate.

Used by `sdg-tags check URL` (which must start fast, so no Scrapy or Twisted here) and by the web app, which
passes a `guard` that refuses addresses it must not reach (loopback, private networks). Network conditions
never raise: they come back as a `FetchedPage` whose `fetch_status` uses the vocabulary of
`validators.models.FetchStatus` and whose `detail` says what happened in words.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote, urljoin, urlsplit

from sdg_tags.media_types import ACCEPT_HEADER, media_type, not_html_reason
from sdg_tags.sizes import MAX_PAGE_BYTES
from sdg_tags.version import user_agent as default_user_agent

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"

# guard(host, resolved_ip) -> None to allow, or the reason for refusing (shown to the user).
AddressGuard = Callable[[str, str], "str | None"]
# resolver(host, port) -> addresses as text; raises OSError when the name cannot be resolved. Tests pass a stub
# so that guard refusals are proven without any traffic; the default asks the operating system.
Resolver = Callable[[str, int], list[str]]


class Redirect(NamedTuple):
    """One followed redirect: the status code and the absolute URL it pointed to."""

    status: int
    location: str


@dataclass(slots=True)
class FetchedPage:
    """The outcome of one fetch. `body` holds the decoded (un-gzipped) bytes, empty unless evaluated."""

    url: str  # as requested
    final_url: str  # after redirects
    redirects: list[Redirect] = field(default_factory=list)
    status: int | None = None  # HTTP status of the last response, None when there was none
    headers: dict[str, str] = field(default_factory=dict)  # last response; lower-case names, repeats joined
    body: bytes = b""
    fetch_status: str = "ok"  # a `validators.models.FetchStatus` value
    detail: str | None = None  # in words, for people: why it failed, or what was followed

    @property
    def evaluated(self) -> bool:
        return self.fetch_status in ("ok", "not-modified", "noindex")


class _Failure(Exception):
    """Ends a fetch with a fetch status; internal to this module."""

    def __init__(self, fetch_status: str, detail: str) -> None:
        super().__init__(detail)
        self.fetch_status = fetch_status
        self.detail = detail


class _Deadline:
    """The one wall-clock limit of a fetch: resolve, connect, TLS, headers and body together.

    A socket timeout bounds each read only, so a server sending one byte a second would hold a fetch for as
    long as it likes; at the deadline a timer shuts down the fetch's sockets, which ends any blocked call.
    """

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._expired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def expired(self) -> bool:
        return self._expired or time.monotonic() >= self.at

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0 or self._expired:
            raise _Failure("timeout", "the time limit ran out")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self._expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    # The plain socket method, also for TLS sockets: it acts on the file descriptor (a closed socket has
    # none, so a descriptor reused elsewhere is never touched) and wakes any thread blocked on it.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the guard approved, not to a second DNS answer (no rebinding)."""

    def __init__(self, host: str, port: int, address: str, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=deadline.remaining())
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self._deadline.remaining())
        self._deadline.watch(self.sock)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, address: str, deadline: _Deadline, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=deadline.remaining(), context=context)
        self._address = address
        self._tls_context = context
        self._deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self._deadline.remaining())
        try:
            tls = self._tls_context.wrap_socket(
                sock, server_hostname=self.host, do_handshake_on_connect=False
            )
            self._deadline.watch(tls)
            tls.do_handshake()
            self.sock = tls
        except BaseException:
            sock.close()
            raise


def fetch_url(
    url: str,
    *,
    timeout: float = 15,
    max_bytes: int = MAX_PAGE_BYTES,
    max_redirects: int = 5,
    user_agent: str | None = None,
    guard: AddressGuard | None = None,
    resolver: Resolver | None = None,
    html_only: bool = True,
) -> FetchedPage:
    """GET an http(s) URL, following up to `max_redirects` redirects, within `timeout` seconds in total.

    `max_bytes` limits the decoded body. `html_only=False` accepts any type (a browser's sub-resources).
    Raises ValueError only for a URL that is not http(s) with a host.
    """
    _check_url(url)
    result = FetchedPage(url=url, final_url=url)
    deadline = _Deadline(timeout)
    try:
        return _fetch(
            url,
            result,
            deadline,
            max_bytes,
            max_redirects,
            user_agent or default_user_agent("sdg-tags-check"),
            guard,
            resolver,
            html_only,
        )
    finally:
        deadline.cancel()


def _fetch(
    url: str,
    result: FetchedPage,
    deadline: _Deadline,
    max_bytes: int,
    max_redirects: int,
    user_agent: str,
    guard: AddressGuard | None,
    resolver: Resolver | None,
    html_only: bool,
) -> FetchedPage:
    current = url
    try:
        while True:
            answer = _request(current, deadline, user_agent, guard, resolver)
            try:
                result.status, result.headers, result.final_url = answer.status, answer.headers, current
                location = answer.headers.get("location")
                if answer.status in REDIRECT_STATUSES and location:
                    current = _follow(answer.status, current, location, len(result.redirects), max_redirects)
                    result.redirects.append(Redirect(answer.status, current))
                    continue
                _classify_status(answer.status, answer.reason)
                reason = (
                    not_html_reason(media_type(answer.headers.get("content-type"))) if html_only else None
                )
                if reason:
                    raise _Failure("not-html", reason)
                result.body = _read_body(answer.response, answer.sock, answer.headers, max_bytes, deadline)
                break
            finally:
                answer.connection.close()
    except _Failure as failure:
        result.fetch_status, result.detail = failure.fetch_status, failure.detail
        result.body = b""
        return result
    if result.status == 304:
        result.fetch_status = "not-modified"
    if result.redirects:
        hops = "; ".join(f"{hop.status} -> {hop.location}" for hop in result.redirects)
        result.detail = f"followed {len(result.redirects)} redirect(s): {hops}"
    return result


def _follow(status: int, current: str, location: str, followed: int, max_redirects: int) -> str:
    """The absolute URL a redirect points to, or the failure it amounts to."""
    target = urljoin(current, location.strip())
    if followed >= max_redirects:
        raise _Failure(
            "too-many-redirects",
            f"more than {max_redirects} redirects (the last one, {status}, pointed to {target})",
        )
    if urlsplit(target).scheme.lower() not in ("http", "https"):
        raise _Failure("redirected-off-site", f"{status} redirect to {target}, which is not an http(s) URL")
    return target


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {url!r} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host name: {url!r}")


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _resolve_within(resolve: Resolver, host: str, port: int, deadline: _Deadline) -> list[str]:
    """`resolve(host, port)` in a helper thread, given up at the deadline (getaddrinfo takes no timeout;
    the abandoned thread ends when the system resolver gives up)."""
    answer: list[list[str] | BaseException] = []

    def run() -> None:
        try:
            answer.append(resolve(host, port))
        except BaseException as exc:
            answer.append(exc)

    thread = threading.Thread(target=run, name="sdg-tags-resolve", daemon=True)
    thread.start()
    thread.join(deadline.remaining())
    if not answer:
        raise _Failure("timeout", f"the host name {host} was not resolved within the time limit")
    found = answer[0]
    if isinstance(found, BaseException):
        raise found
    return found


def _resolve(
    host: str, port: int, guard: AddressGuard | None, resolver: Resolver | None, deadline: _Deadline
) -> list[str]:
    """Resolve a host name; every address must pass the guard (a host with one private address is refused)."""
    try:
        addresses = _resolve_within(resolver or _system_resolver, host, port, deadline)
    except (OSError, UnicodeError) as exc:
        raise _Failure("dns-error", f"the host name {host} could not be resolved ({exc})") from None
    if guard is not None:
        for address in addresses:
            refusal = guard(host, address)
            if refusal:
                raise _Failure("out-of-scope", f"refused to connect to {host} ({address}): {refusal}")
    return addresses


@dataclass(slots=True)
class _Response:
    status: int
    reason: str
    headers: dict[str, str]  # lower-case names
    response: http.client.HTTPResponse
    connection: http.client.HTTPConnection
    sock: socket.socket | None  # kept before http.client lets go of it, to shrink its timeout while reading


def _request(
    url: str, deadline: _Deadline, user_agent: str, guard: AddressGuard | None, resolver: Resolver | None
) -> _Response:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _Failure("dns-error", f"the URL {url} has an invalid port") from None
    # Non-ASCII in a path or query is sent percent-encoded, as browsers do; existing escapes stay as they are.
    path = quote(parts.path or "/", safe=_URL_SAFE)
    if parts.query:
        path = f"{path}?{quote(parts.query, safe=_URL_SAFE)}"
    last_error: _Failure | None = None
    for address in _resolve(host, port, guard, resolver, deadline):
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = _PinnedHTTPSConnection(host, port, address, deadline, ssl.create_default_context())
        else:
            connection = _PinnedHTTPConnection(host, port, address, deadline)
        try:
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.putheader("User-Agent", user_agent)
            connection.putheader("Accept", ACCEPT_HEADER)
            connection.putheader("Accept-Encoding", "gzip, deflate")
            connection.putheader("Connection", "close")
            connection.endheaders()
            sock = connection.sock
            response = connection.getresponse()
            if deadline.expired:  # headers cut short by the deadline read as an end of headers
                raise TimeoutError
        except ConnectionRefusedError:
            connection.close()
            last_error = _Failure("connection-refused", f"{parts.netloc} refused the connection")
            continue  # another address of the host may answer
        except Exception as exc:
            connection.close()
            raise _network_failure(exc, url, deadline) from None
        headers: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return _Response(response.status, response.reason, headers, response, connection, sock)
    raise last_error or _Failure("dns-error", f"the host name {host} has no address")


def _network_failure(exc: BaseException, url: str, deadline: _Deadline) -> _Failure:
    if isinstance(exc, _Failure):
        return exc
    if isinstance(exc, TimeoutError) or deadline.expired:
        # At the deadline the sockets are shut down: whatever the blocked call then raised, it is a timeout.
        return _Failure("timeout", f"no answer from {url} within the time limit")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return _Failure("tls-error", f"TLS handshake with {urlsplit(url).hostname} failed ({exc})")
    if isinstance(exc, ConnectionRefusedError):
        return _Failure("connection-refused", f"{urlsplit(url).netloc} refused the connection")
    if isinstance(exc, http.client.HTTPException):
        # The vocabulary has no "protocol error"; the server did not give a usable answer, as with a refusal.
        return _Failure(
            "connection-refused", f"{urlsplit(url).netloc} did not answer with valid HTTP ({exc!r})"
        )
    if isinstance(exc, OSError):
        return _Failure("connection-refused", f"could not connect to {urlsplit(url).netloc} ({exc})")
    return _Failure("connection-refused", f"the request to {url} failed ({type(exc).__name__}: {exc})")


def _classify_status(status: int, reason: str) -> None:
    if 400 <= status < 500:
        raise _Failure("http-4xx", f"HTTP {status} {reason}".strip())
    if status >= 500:
        raise _Failure("http-5xx", f"HTTP {status} {reason}".strip())
    if status in REDIRECT_STATUSES:
        raise _Failure("http-4xx", f"HTTP {status} redirect without a Location header")


def _decompressor(encoding: str, first_bytes: bytes) -> zlib._Decompress | None:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # "deflate" should be zlib-wrapped, but some servers send raw deflate; browsers accept both.
        wrapped = (
            len(first_bytes) >= 2
            and first_bytes[0] & 0x0F == 8
            and (first_bytes[0] * 256 + first_bytes[1]) % 31 == 0
        )
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    if encoding in ("", "identity"):
        return None
    raise _Failure(
        "decode-error", f"the server used the content encoding {encoding!r}, which is not supported"
    )


def _read_body(
    response: http.client.HTTPResponse,
    sock: socket.socket | None,
    headers: dict[str, str],
    max_bytes: int,
    deadline: _Deadline,
) -> bytes:
    """Read the body, decoding gzip/deflate on the fly; the size limit applies to the decoded bytes."""
    encoding = headers.get("content-encoding", "").strip().lower()
    too_large = _Failure("too-large", f"the page is larger than the size limit of {max_bytes:,} bytes")
    declared = headers.get("content-length", "").strip()
    if encoding in ("", "identity") and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    decoded = bytearray()
    decompressor: zlib._Decompress | None = None
    first = True
    try:
        while True:
            if sock is not None:
                # Each read gets only what is left of the total limit: a slow drip must not go on forever.
                sock.settimeout(deadline.remaining())
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            if first:
                decompressor = _decompressor(encoding, chunk)
                first = False
            if decompressor is None:
                decoded += chunk
            else:
                decoded += decompressor.decompress(chunk, max_bytes + 1 - len(decoded))
            if len(decoded) > max_bytes:
                raise too_large
        if deadline.expired:  # the sockets were shut down at the deadline: that end of data is not the page's
            raise TimeoutError
        if decompressor is not None:
            decoded += decompressor.flush()
    except zlib.error as exc:
        raise _Failure("decode-error", f"the {encoding} body could not be decoded ({exc})") from None
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if isinstance(exc, TimeoutError) or deadline.expired:
            raise _Failure("timeout", "the page did not arrive completely within the time limit") from None
        if isinstance(exc, http.client.IncompleteRead):
            raise _Failure(
                "connection-refused", f"the connection closed before the page was complete ({exc!r})"
            ) from None
        raise _Failure(
            "connection-refused", f"the connection failed while reading the page ({exc})"
        ) from None
    if len(decoded) > max_bytes:
        raise too_large
    return bytes(decoded)

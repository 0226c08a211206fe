"""A tiny threaded HTTP server for crawl tests: serves a folder and programmable routes on 127.0.0.x.

    with SiteServer(routes={"/": page("<a href=/a>a</a>"), "/slow": Route(delay=3)}) as site:
        site.url("/")          # http://127.0.0.1:<ephemeral port>/
        site.hits("/a")        # access log entries for a path: (monotonic time, method, path, headers)

A route is a `Route` (fixed answer) or a callable `(hit_number, request_headers) -> Route` (e.g. first 429,
then 200; or 304 when If-None-Match matches). Paths not
in `routes` are served from `root` (a folder; `index.html` for folders), else 404. Every request is logged
with its `time.monotonic()` arrival time, so tests can measure the gaps the crawler leaves between requests.
"""

from __future__ import annotations

import gzip
import mimetypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar
from urllib.parse import urlsplit

from sdg_tags.demo.server import DemoHTTPServer


@dataclass
class Route:
    """One programmed answer."""

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (a timeout test)
    drop: bool = False  # close the connection without any answer
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


RouteSpec = Route | Callable[[int, dict[str, str]], Route]


def page(body: str = "", *, head: str = "", lang: str | None = "en") -> Route:
    """An HTML page with the given head and body markup."""
    lang_attribute = f' lang="{lang}"' if lang else ""
    return Route(
        body=f"<!DOCTYPE html><html{lang_attribute}><head><title>t</title>{head}</head><body>{body}</body></html>"
    )


def redirect(location: str, status: int = 301) -> Route:
    return Route(status=status, headers={"Location": location}, content_type=None)


def gzip_bomb(decompressed_size: int) -> Route:
    """HTML that is small on the wire but `decompressed_size` bytes once gunzipped."""
    payload = b"<html><head></head><body>" + b" " * decompressed_size + b"</body></html>"
    return Route(body=gzip.compress(payload, compresslevel=9), headers={"Content-Encoding": "gzip"})


class LoopbackHTTPServer(DemoHTTPServer):
    # Quiet about clients that hang up (crawlers, port probes): a traceback on stderr lands in whichever test
    # of the same worker captures it.
    # socketserver's listen backlog of 5 drops SYNs under a burst of connections; the retransmit (1 s later)
    # then looks like a connect timeout to the crawler.
    request_queue_size = 128
    daemon_threads = True
    block_on_close = False  # a handler sleeping past a timeout must not hold up the test


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request line was read
    method: str
    path: str  # path and query as requested
    headers: dict[str, str]


class PathHit(Protocol):
    @property
    def path(self) -> str: ...


HitT = TypeVar("HitT", bound=PathHit)


class LoopbackService(Generic[HitT]):
    """A ThreadingHTTPServer on a loopback address (ephemeral port by default) served from a daemon thread,
    with the log of the requests it answered. Subclasses give the handler class and what a hit records."""

    server_class: type[ThreadingHTTPServer] = LoopbackHTTPServer
    thread_name = "loopback"

    def __init__(self, host: str, port: int) -> None:
        self.log: list[HitT] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = self.server_class((host, port), self._handler_class())
        self._thread: threading.Thread | None = None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def hits(self, path: str | None = None) -> list[HitT]:
        with self._lock:
            return [hit for hit in self.log if path is None or hit.path == path]

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"{self.thread_name}-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class SiteServer(LoopbackService[Hit]):
    """Serve `root` and `routes` on `host` (127.0.0.1 or another loopback address), ephemeral port."""

    thread_name = "site"

    def __init__(
        self,
        root: Path | None = None,
        routes: dict[str, RouteSpec] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.root = root
        self.routes: dict[str, RouteSpec] = dict(routes or {})
        super().__init__(host, port)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits()]

    def _answer(self, path: str, headers: dict[str, str]) -> Route:
        spec = self.routes.get(path)
        if spec is None:
            spec = self.routes.get(urlsplit(path).path)
        if spec is not None:
            with self._lock:
                count = self._counts[path] = self._counts.get(path, 0) + 1
            return spec(count, headers) if callable(spec) else spec
        return self._file(urlsplit(path).path)

    def _file(self, path: str) -> Route:
        if self.root is None:
            return Route(status=404, body="not found")
        candidate = (self.root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.root.resolve()):
            return Route(status=404, body="not found")
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            return Route(status=404, body="not found")
        kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        return Route(body=candidate.read_bytes(), content_type=kind)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = dict(self.headers.items())
                with site._lock:
                    site.log.append(Hit(time.monotonic(), "GET", self.path, headers))
                route = site._answer(self.path, headers)
                if route.delay:
                    time.sleep(route.delay)
                if route.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                body = route.body.encode() if isinstance(route.body, str) else route.body
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.content_length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the crawler gave up (timeout, size limit)
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

        return Handler

"""A loopback HTTP server that misbehaves on purpose: the fault-injection suite and the crawl benchmarks.

    with FaultServer(standard_faults(), host="127.0.0.3") as site:
        site.url("/slow-headers")        # http://127.0.0.3:<ephemeral port>/slow-headers
        site.hits("/429-seconds")        # [(monotonic time, path), ...] of the requests it answered

Each path maps to a `Fault`: something that writes to the client socket, including answers no well-behaved
server gives (a reset instead of a response, a body shorter than its Content-Length, headers after seconds).
Every fault counts its own hits, so "503 twice, then 200" is a fault too. Paths under `/page/` that no fault
claims are generated SDG-tagged pages (`tagged_page`); with `links=K` each links to K further pages, so a
folder crawl of a generated site has as many pages as you ask for. Any 127.0.0.x address is loopback: one
server per address makes distinct hosts for politeness and robots.txt without DNS.

Only 127.0.0.0/8 is ever bound; nothing here talks to the network.
"""

from __future__ import annotations

import gzip
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.sites.server import LoopbackHTTPServer, LoopbackService

TAGS = (
    '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="SE">'
    '<meta name="DC.Service" content="information"><meta name="policy-code" content="C2">'
    '<meta name="DC.Policy" content="acquiring and renewing a driving licence">'
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MB = 1024 * 1024
CHUNK = 64 * 1024


def html(body: str = "", *, head: str = TAGS, lang: str = "en") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title>{head}</head>'
        f"<body>{body}</body></html>"
    ).encode()


def tagged_page(number: int, links: int = 0, total: int = 0, padding: int = 0) -> bytes:
    """Generated page `number`: SDG tags, `links` links to its children in a tree of `total` pages, and one
    back to its parent (a link every crawler has seen already: de-duplication at work)."""
    children = [number * links + offset for offset in range(1, links + 1)] if links else []
    if links and number:
        children.append((number - 1) // links)
    anchors = "".join(f'<a href="/page/{child}">page {child}</a> ' for child in children if child < total)
    text = (
        "<p>" + ("Rules, rights and obligations. " * (padding // 32 + 1))[:padding] + "</p>"
        if padding
        else ""
    )
    return html(
        f"<h1>Page {number}</h1>{anchors}{text}", head=TAGS + f'<link rel="canonical" href="/page/{number}">'
    )


class Exchange:
    """One request as a fault sees it: its path, which hit of that path it is, and the raw socket."""

    def __init__(self, handler: BaseHTTPRequestHandler, hit: int) -> None:
        self.handler = handler
        self.hit = hit

    @property
    def path(self) -> str:
        return self.handler.path

    def respond(
        self,
        status: int = 200,
        body: bytes = b"",
        *,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        content_length: int | None = None,
    ) -> None:
        handler = self.handler
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        handler.end_headers()
        self.write(body)

    def write(self, data: bytes) -> bool:
        """Send bytes; False once the client went away (timeout, size limit)."""
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
            return True
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.handler.close_connection = True
            return False

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), before any byte of a response."""
        connection = self.handler.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.handler.close_connection = True
        connection.close()

    def close(self) -> None:
        self.handler.close_connection = True
        try:
            self.handler.wfile.flush()
            self.handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Fault:
    """How one path answers. Subclasses implement `answer`."""

    def answer(self, exchange: Exchange) -> None:
        raise NotImplementedError


@dataclass
class Page(Fault):
    body: bytes = field(default_factory=html)
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def answer(self, exchange: Exchange) -> None:
        exchange.respond(self.status, self.body, content_type=self.content_type, headers=self.headers)


@dataclass
class SlowHeaders(Fault):
    """Nothing at all for `seconds`, then a normal page (a server stuck before its status line)."""

    seconds: float
    then: Fault = field(default_factory=Page)

    def answer(self, exchange: Exchange) -> None:
        time.sleep(self.seconds)
        self.then.answer(exchange)


@dataclass
class SlowBody(Fault):
    """Headers at once, then the body in `pieces` pieces spread over `seconds`."""

    seconds: float
    pieces: int = 10
    body: bytes = field(default_factory=lambda: html("slow " * 400))

    def answer(self, exchange: Exchange) -> None:
        handler = exchange.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        step = max(1, len(self.body) // self.pieces)
        for start in range(0, len(self.body), step):
            if not exchange.write(self.body[start : start + step]):
                return
            time.sleep(self.seconds / self.pieces)


@dataclass
class Reset(Fault):
    """A TCP reset instead of a response: the first `times` hits (None: always), then `then`."""

    times: int | None = None
    then: Fault = field(default_factory=Page)

    def answer(self, exchange: Exchange) -> None:
        if self.times is None or exchange.hit <= self.times:
            exchange.reset()
        else:
            self.then.answer(exchange)


@dataclass
class Burst(Fault):
    """`status` for the first `times` hits (a burst of server errors), then `then`."""

    status: int
    times: int
    then: Fault = field(default_factory=Page)
    headers: dict[str, str] = field(default_factory=dict)

    def answer(self, exchange: Exchange) -> None:
        if exchange.hit <= self.times:
            exchange.respond(self.status, b"<html><body>try later</body></html>", headers=self.headers)
        else:
            self.then.answer(exchange)


@dataclass
class RetryAfter(Fault):
    """`status` (429 or 503) with Retry-After for the first `times` hits, then `then`.

    `seconds` is sent as delta-seconds, or with `as_date` as an HTTP-date that many seconds ahead.
    """

    seconds: float
    status: int = 429
    as_date: bool = False
    times: int = 1
    then: Fault = field(default_factory=Page)

    def answer(self, exchange: Exchange) -> None:
        if exchange.hit > self.times:
            self.then.answer(exchange)
            return
        value = formatdate(time.time() + self.seconds, usegmt=True) if self.as_date else f"{self.seconds:g}"
        exchange.respond(self.status, b"<html><body>slow down</body></html>", headers={"Retry-After": value})


@dataclass
class Redirect(Fault):
    location: str
    status: int = 301

    def answer(self, exchange: Exchange) -> None:
        exchange.respond(self.status, b"", content_type=None, headers={"Location": self.location})


@dataclass
class Huge(Fault):
    """`size` bytes of HTML, streamed; with a Content-Length (`announced`) or without (read until close)."""

    size: int = 50 * MB
    announced: bool = True

    def answer(self, exchange: Exchange) -> None:
        handler = exchange.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if self.announced:
            handler.send_header("Content-Length", str(self.size))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        exchange.write(b"<html><head></head><body>")
        sent = 0
        filler = b" " * CHUNK
        while sent < self.size and exchange.write(filler):
            sent += CHUNK
        exchange.close()


@dataclass
class GzipBomb(Fault):
    """Small on the wire, `size` bytes once decompressed."""

    size: int = 50 * MB

    def __post_init__(self) -> None:
        self.body = gzip.compress(b"<html><body>" + b" " * self.size + b"</body></html>", compresslevel=9)

    def answer(self, exchange: Exchange) -> None:
        exchange.respond(200, self.body, headers={"Content-Encoding": "gzip"})


@dataclass
class Truncated(Fault):
    """Announces `announced` bytes, sends `body`, then closes: a transfer cut off mid-body."""

    body: bytes = field(default_factory=lambda: html("cut off")[:60])
    announced: int = 10_000

    def answer(self, exchange: Exchange) -> None:
        handler = exchange.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(self.announced))
        handler.end_headers()
        exchange.write(self.body)
        exchange.close()


def robots(text: str) -> Page:
    return Page(text.encode(), content_type="text/plain")


def standard_faults() -> dict[str, Fault]:
    """Every fault of the suite on one host (its robots.txt forbids /private)."""
    latin1_page = '<!DOCTYPE html><html lang="sv"><head><title>Körkort</title>{}</head><body>Körkort för bil</body></html>'
    return {
        "/robots.txt": robots("User-agent: *\nDisallow: /private\n"),
        "/ok": Page(),
        "/slow-headers": SlowHeaders(3.0),
        "/slow-body": SlowBody(3.0),
        "/slow-in-time": SlowHeaders(0.3),
        "/reset": Reset(),
        "/reset-once": Reset(times=1),
        "/burst-503": Burst(503, times=2),
        "/burst-500": Burst(500, times=50),
        "/429-seconds": RetryAfter(1),
        "/429-date": RetryAfter(2, status=429, as_date=True),
        "/503-date": RetryAfter(2, status=503, as_date=True),
        "/429-too-long": RetryAfter(100_000, times=50),
        "/loop-a": Redirect("/loop-b"),
        "/loop-b": Redirect("/loop-a", status=302),
        "/chain-5": Redirect("/chain-4"),
        "/chain-4": Redirect("/chain-3"),
        "/chain-3": Redirect("/chain-2"),
        "/chain-2": Redirect("/chain-1"),
        "/chain-1": Redirect("/chain-end", status=307),
        "/chain-end": Page(),
        "/huge-announced": Huge(announced=True),
        "/huge-streamed": Huge(announced=False),
        "/gzip-bomb": GzipBomb(),
        "/charset-wrong": Page(latin1_page.format(TAGS).encode("latin-1")),
        "/charset-missing": Page(latin1_page.format(TAGS).encode("utf-8"), content_type="text/html"),
        "/truncated-markup": Page(html("cut <a href='/x")[:-20]),
        "/truncated-transfer": Truncated(),
        "/octet-stream": Page(html("binary?"), content_type="application/octet-stream"),
        "/doc.pdf": Page(PDF, content_type="application/pdf"),
        "/missing": Page(b"<html><body>gone</body></html>", status=404),
        "/private/page": Page(),
    }


def huge_robots(size: int = 3 * MB) -> Fault:
    """A robots.txt larger than the crawl's size limit."""
    return Page(b"# padding\n" * (size // 10) + b"User-agent: *\nDisallow: /\n", content_type="text/plain")


def malformed_robots() -> Fault:
    """Not robots.txt at all: binary noise and an HTML error page."""
    return Page(
        b"\x00\xff\xfe<html><body><h1>Welcome</h1>Disallow everything?</body></html>\x1b[0m" * 20,
        content_type="text/plain",
    )


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request line was read
    path: str
    user_agent: str
    # When the request's first byte reached this host's socket: the kernel's receive timestamp (CLOCK_REALTIME,
    # seconds), untouched by how late the server's thread got to read it. None where the kernel gives none.
    wire_at: float | None = None


# Linux: the kernel stamps each received segment (struct timespec); accepted sockets inherit the option.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35 if sys.platform.startswith("linux") else None)
TIMESPEC = struct.Struct("qq")


def arrival_stamp(connection: socket.socket) -> float | None:
    """The kernel receive time of the next unread byte (waits for it; reads nothing). None without one."""
    if SO_TIMESTAMPNS is None:
        return None
    try:
        _, ancillary, _, _ = connection.recvmsg(1, socket.CMSG_SPACE(TIMESPEC.size), socket.MSG_PEEK)
    except (OSError, NotImplementedError):  # NotImplementedError: a TLS socket has no recvmsg
        return None
    for level, kind, raw in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(raw) >= TIMESPEC.size:
            seconds, nanoseconds = TIMESPEC.unpack(raw[: TIMESPEC.size])
            return seconds + nanoseconds / 1e9
    return None


class LoopbackServer(LoopbackHTTPServer):
    request_queue_size = 256  # a burst of connections must not be dropped (a retransmit looks like a timeout)

    def server_bind(self) -> None:
        if SO_TIMESTAMPNS is not None:
            self.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        super().server_bind()


class FaultServer(LoopbackService[Hit]):
    """Serve `faults` (and generated `/page/N` pages) on `host` (any 127.0.0.x), ephemeral port."""

    server_class = LoopbackServer
    thread_name = "faults"

    def __init__(
        self,
        faults: dict[str, Fault] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        pages: int = 0,
        links: int = 0,
        padding: int = 0,
    ) -> None:
        if not host.startswith("127."):
            raise ValueError(f"FaultServer binds loopback addresses only, not {host}")
        self.faults: dict[str, Fault] = dict(faults or {})
        self.pages = pages  # generated /page/N exist for N < pages (0: any N)
        self.links = links
        self.padding = padding
        super().__init__(host, port)

    def arrivals(self, *, skip: tuple[str, ...] = ("/robots.txt",)) -> list[float]:
        """When the requests (but `skip`: robots.txt is fetched outside the per-host slots) reached this host,
        sorted: the kernel's stamps if every request has one, else the server's own clock (never mixed)."""
        hits = [hit for hit in self.hits() if hit.path not in skip]
        if all(hit.wire_at is not None for hit in hits):
            return sorted(hit.wire_at for hit in hits if hit.wire_at is not None)
        return sorted(hit.at for hit in hits)

    def fault_for(self, path: str) -> Fault | None:
        fault = self.faults.get(path) or self.faults.get(urlsplit(path).path)
        if fault is not None:
            return fault
        parts = urlsplit(path)
        if parts.path.startswith("/page/"):
            number = parts.path.removeprefix("/page/")
            if number.isdigit() and (not self.pages or int(number) < self.pages):
                links = int(parse_qs(parts.query).get("links", [self.links])[0])
                return Page(tagged_page(int(number), links, self.pages or 10**12, self.padding))
        if parts.path == "/robots.txt":
            return Page(b"", status=404, content_type="text/plain")
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wire_at: float | None = None

            def handle_one_request(self) -> None:
                # Before the request line is read: the stamp of its first byte (no pipelining: nothing buffered).
                self.wire_at = arrival_stamp(self.connection)
                super().handle_one_request()

            def do_GET(self) -> None:
                with server._lock:
                    server.log.append(
                        Hit(time.monotonic(), self.path, self.headers.get("User-Agent", ""), self.wire_at)
                    )
                    hit = server._counts[self.path] = server._counts.get(self.path, 0) + 1
                fault = server.fault_for(self.path) or Page(
                    b"<html><body>not found</body></html>", status=404
                )
                try:
                    fault.answer(Exchange(self, hit))
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


class LoopbackSites:
    """Several FaultServers on 127.0.0.<first>..: distinct hosts for politeness and robots.txt."""

    def __init__(
        self, count: int, *, first: int = 10, make: Callable[[int], FaultServer] | None = None
    ) -> None:
        if first + count > 255:
            raise ValueError("at most 245 loopback hosts from 127.0.0.10")
        self.servers = [
            (make(index) if make else FaultServer(host=f"127.0.0.{first + index}")) for index in range(count)
        ]

    def __enter__(self) -> LoopbackSites:
        for server in self.servers:
            server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Each stop waits for its server's poll interval (0.5 s): all at once, not one after the other.
        stoppers = [threading.Thread(target=server.stop) for server in self.servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()

    def __iter__(self) -> Iterator[FaultServer]:
        return iter(self.servers)

    def __len__(self) -> int:
        return len(self.servers)


def serve_in_this_process(argv: list[str] | None = None) -> int:
    """`python -m faults.server --first 100 --count 20 --pages 50`: serve generated sites until stdin closes.

    For benchmarks that must not share one interpreter (and its GIL) between the servers and the measurement:
    prints one JSON line, the origin of each host, once they listen.
    """
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(description=serve_in_this_process.__doc__)
    parser.add_argument("--first", type=int, default=10, help="first host: 127.0.0.FIRST")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--pages", type=int, default=0, help="generated pages per host (0: any /page/N)")
    parser.add_argument("--links", type=int, default=0)
    parser.add_argument("--padding", type=int, default=0, help="bytes of text per generated page")
    args = parser.parse_args(argv)

    def make(index: int) -> FaultServer:
        return FaultServer(
            host=f"127.0.0.{args.first + index}", pages=args.pages, links=args.links, padding=args.padding
        )

    with LoopbackSites(args.count, first=args.first, make=make) as sites:
        print(json.dumps([server.origin for server in sites]), flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or exits)
    return 0


if __name__ == "__main__":
    raise SystemExit(serve_in_this_process())

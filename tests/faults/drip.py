"""A loopback HTTP server that answers one byte at a time: headers (`/headers...`) or body (`/body...`).

Each byte comes `interval` seconds after the previous one, so a client that only bounds each read (not the
whole fetch) waits for as long as the server cares to drip. `/robots.txt` is a quick 404, so crawls reach the
pages. Stopped by the context manager; every connection ends within `max_seconds` whatever the client does.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

PAGE = (
    b"<!DOCTYPE html><html lang=en><head><title>drip</title></head><body>"
    + b"x" * 100_000
    + b"</body></html>"
)


class DripServer:
    def __init__(self, *, interval: float = 0.5, max_seconds: float = 60.0, host: str = "127.0.0.1") -> None:
        self.interval = interval
        self.max_seconds = max_seconds
        self._listener = socket.create_server((host, 0))
        self.host = host
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.connections = 0

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket, data: bytes, until: float) -> None:
        for byte in data:
            if self._stop.is_set() or time.monotonic() > until:
                return
            connection.sendall(bytes([byte]))
            time.sleep(self.interval)

    def _answer(self, connection: socket.socket) -> None:
        until = time.monotonic() + self.max_seconds
        with connection:
            try:
                connection.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                path = request.split(b" ", 2)[1].decode("latin-1") if request.count(b" ") >= 2 else "/"
                if path == "/robots.txt":
                    connection.sendall(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    return
                head = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    + f"Content-Length: {len(PAGE)}\r\nConnection: close\r\n\r\n".encode()
                )
                if path.startswith("/headers"):
                    self._drip(connection, head + b"X-Padding: " + b"a" * 100_000, until)
                else:
                    connection.sendall(head)
                    self._drip(connection, PAGE, until)
            except OSError:
                return  # the client gave up: that is what the tests expect

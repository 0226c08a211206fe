"""Test helpers: `sdg-tags serve` as a real uvicorn subprocess on 127.0.0.1, and a local site to fetch.

The server binds an ephemeral port (`--port 0`); its address is read from uvicorn's start-up line. It is
stopped by its PID. The local site is a stdlib HTTP server in the test process, also on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "tests" / "artifacts"
STARTED = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")
START_TIMEOUT_S = 60


class WebServer:
    """`sdg-tags serve --host 127.0.0.1 --port 0 [extra args]` in its own process group."""

    def __init__(self, *extra_args: str) -> None:
        self.extra_args = extra_args
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.log: list[str] = []

    def start(self) -> WebServer:
        command = [
            sys.executable,
            "-m",
            "sdg_tags.cli.main",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *self.extra_args,
        ]
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        assert self.process.stderr is not None
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break  # the process ended
            self.log.append(line)
            found = STARTED.search(line)
            if found:
                self.base_url = found.group(1)
                # Keep draining the log so a chatty server never blocks on a full pipe.
                threading.Thread(target=self._drain, daemon=True).start()
                return self
        self.stop()
        raise RuntimeError("sdg-tags serve did not start:\n" + "".join(self.log))

    def _drain(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


Handler = Callable[[BaseHTTPRequestHandler], None]


def answer(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "text/html; charset=utf-8"
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 serving fixed pages; records every request path it receives."""

    def __init__(self, pages: dict[str, tuple[bytes, str]]) -> None:
        self.pages = pages
        self.requests: list[str] = []
        site = self

        class RequestHandler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                site.requests.append(f"{self.command} {self.path}")
                page = site.pages.get(self.path.split("?")[0])
                if page is None:
                    answer(
                        self,
                        404,
                        b"<!DOCTYPE html><html lang='en'><head><title>Not found</title></head></html>",
                    )
                else:
                    answer(self, 200, page[0], page[1])

            do_GET = do_POST = do_HEAD = _any

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

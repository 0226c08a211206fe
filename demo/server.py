"""The demo gateway's web servers: three fictional authorities, one loopback host each (127.0.0.1-3).

Each provider gets its own host so that per-host politeness (robots.txt, Crawl-delay, rate limits) is real, as
on the live gateway. Files come from `demo/site/<key>/` with `demo/site/common/` as fallback (stylesheet);
`{{be}}`, `{{at}}`, `{{se}}` in text files become the providers' actual `host:port` at serve time, because the
port is only known then (8700 by default, ephemeral when taken). `demo/site/redirects.json` lists the permanent
redirects. Stdlib only.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TextIO
from urllib.parse import unquote, urlsplit

SITE_DIR = Path(__file__).resolve().parent / "site"
COMMON_KEY = "common"
# Outside every provider's folder, so no URL serves it with status 200.
NOT_FOUND_PAGE = "404.html"
SERVER_NAME = "sdg-tags-demo"


@dataclass(frozen=True, slots=True)
class DemoProvider:
    """One fictional authority: its key (the placeholder name), country, loopback address and display name."""

    key: str
    country: str
    address: str
    name: str


# Three hosts, three countries; all of 127.0.0.0/8 is loopback on Linux, so each provider is a distinct host.
PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider("be", "BE", "127.0.0.1", "Agence fédérale de la simplification (fictive)"),
    DemoProvider("at", "AT", "127.0.0.2", "Bundesamt für Verwaltungsdienste (fiktiv)"),
    DemoProvider("se", "SE", "127.0.0.3", "Myndigheten för e-tjänster (fiktiv)"),
)

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}
# Files whose `{{key}}` placeholders are replaced; a PDF is served byte for byte.
TEXT_SUFFIXES = frozenset({".html", ".css", ".js", ".txt"})


def placeholder(key: str) -> str:
    return "{{" + key + "}}"


def substitute_hosts(text: str, hosts: Mapping[str, str]) -> str:
    """Replace `{{be}}`, `{{at}}`, `{{se}}` with the providers' `host:port`."""
    for key, host in hosts.items():
        text = text.replace(placeholder(key), host)
    return text


def load_redirects(site_dir: Path = SITE_DIR) -> dict[str, dict[str, str]]:
    """{provider key: {old path: new path}} from `redirects.json`."""
    path = site_dir / "redirects.json"
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    return {key: dict(paths) for key, paths in document.items() if not key.startswith("_")}


def resolve_file(site_dir: Path, key: str, url_path: str) -> Path | None:
    """The file serving `url_path` on provider `key`: `/a/` -> `a/index.html`, `/a/b` -> `a/b.html` or `a/b`.

    Returns None for anything outside the provider's folder (`..`, absolute paths) or not a file.
    """
    parts = PurePosixPath(unquote(url_path)).parts[1:]  # drop the leading "/"
    if any(part in ("..", ".") or part.startswith(".") or "\\" in part for part in parts):
        return None
    relative = "/".join(parts)
    if url_path.endswith("/") or not relative:
        candidates = [f"{relative}/index.html".lstrip("/")]
    else:
        candidates = [relative, f"{relative}.html"]
    for folder in (site_dir / key, site_dir / COMMON_KEY):
        for candidate in candidates:
            path = folder / candidate
            if path.is_file() and path.resolve().is_relative_to(folder.resolve()):
                return path
    return None


def site_paths(site_dir: Path, key: str) -> list[str]:
    """Every URL path the provider serves from files (HTML without `.html`, `index.html` as its folder)."""
    paths: list[str] = []
    root = site_dir / key
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if relative.endswith("index.html"):
            paths.append("/" + relative.removesuffix("index.html"))
        elif relative.endswith(".html"):
            paths.append("/" + relative.removesuffix(".html"))
        else:
            paths.append("/" + relative)
    return paths


@dataclass
class AccessLog:
    """Request lines of all three servers in one file, so the crawl's politeness can be read afterwards."""

    stream: TextIO | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0

    def record(self, host: str, method: str, path: str, status: int, user_agent: str) -> None:
        with self.lock:
            self.requests += 1
            if self.stream is not None:
                stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
                self.stream.write(f"{stamp} {host} {method} {path} {status} {user_agent!r}\n")
                self.stream.flush()


class DemoHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that does not print a traceback when a client hangs up mid-request.

    Crawlers and port probes close connections early; the stdlib default writes each such case to stderr,
    which interleaves with the demo's own output.
    """

    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class DemoRequestHandler(BaseHTTPRequestHandler):
    """Serves one provider's files; GET and HEAD only, ETag-based conditional requests, 301 redirects."""

    server_version = SERVER_NAME
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # Set per server class by `DemoGateway`.
    provider_key: str = ""
    site_dir: Path = SITE_DIR
    hosts: Mapping[str, str] = {}
    redirects: Mapping[str, str] = {}
    access_log: AccessLog | None = None

    def do_GET(self) -> None:
        self.respond(send_body=True)

    def do_HEAD(self) -> None:
        self.respond(send_body=False)

    def respond(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path or "/"
        target = self.redirects.get(path)
        if target is not None:
            location = f"http://{self.hosts[self.provider_key]}{target}"
            self.send_simple(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", send_body, location=location)
            return
        file = resolve_file(self.site_dir, self.provider_key, path)
        if file is None:
            if not path.endswith("/") and resolve_file(self.site_dir, self.provider_key, path + "/"):
                # Like any web server: a folder asked for without its slash is redirected to it.
                location = f"http://{self.hosts[self.provider_key]}{path}/"
                self.send_simple(
                    HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", send_body, location=location
                )
            else:
                self.send_not_found(send_body)
            return
        body = file.read_bytes()
        if file.suffix in TEXT_SUFFIXES:
            body = substitute_hosts(body.decode("utf-8"), self.hosts).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if etag in (self.headers.get("If-None-Match") or ""):
            self.log_access(HTTPStatus.NOT_MODIFIED)  # before the answer, as in send_simple
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        self.send_simple(HTTPStatus.OK, body, content_type, send_body, etag=etag)

    def send_not_found(self, send_body: bool) -> None:
        page = self.site_dir / NOT_FOUND_PAGE
        body = page.read_bytes() if page.is_file() else b"<!DOCTYPE html><title>Not found</title>\n"
        self.send_simple(HTTPStatus.NOT_FOUND, body, CONTENT_TYPES[".html"], send_body)

    def send_simple(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        send_body: bool,
        *,
        location: str | None = None,
        etag: str | None = None,
    ) -> None:
        # Logged before the answer leaves: a client that has its answer finds the request in the log, and the
        # lines of consecutive requests keep their order (logged after the body, the next request's thread
        # could write first).
        self.log_access(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location is not None:
            self.send_header("Location", location)
        if etag is not None:
            self.send_header("ETag", etag)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_access(self, status: int) -> None:
        if self.access_log is not None:
            self.access_log.record(
                self.hosts.get(self.provider_key, "?"),
                self.command,
                self.path,
                int(status),
                self.headers.get("User-Agent", ""),
            )

    def log_message(self, format: str, *args: object) -> None:
        # The default handler writes every request to stderr, which would bury the demo's own output.
        return


@dataclass
class RunningSite:
    provider: DemoProvider
    server: DemoHTTPServer
    thread: threading.Thread

    @property
    def host(self) -> str:
        """`address:port` as it appears in URLs."""
        return f"{self.provider.address}:{self.server.server_address[1]}"

    @property
    def origin(self) -> str:
        return f"http://{self.host}"


class DemoGateway:
    """The three demo sites, each served by a ThreadingHTTPServer in a daemon thread.

    Use as a context manager; `hosts` maps provider keys to `host:port` once started. `ports` fixes the port
    per provider key (0 = ephemeral, the default).
    """

    def __init__(
        self,
        *,
        site_dir: Path = SITE_DIR,
        providers: tuple[DemoProvider, ...] = PROVIDERS,
        ports: Mapping[str, int] | None = None,
        access_log: TextIO | None = None,
    ) -> None:
        self.site_dir = site_dir
        self.providers = providers
        self.ports = dict(ports or {})
        self.access_log = AccessLog(access_log)
        self.sites: list[RunningSite] = []

    @property
    def hosts(self) -> dict[str, str]:
        return {site.provider.key: site.host for site in self.sites}

    def origin(self, key: str) -> str:
        return f"http://{self.hosts[key]}"

    def provider_for_host(self, host: str) -> DemoProvider | None:
        """The provider serving `host:port` (or the bare address), or None."""
        for site in self.sites:
            if host in (site.host, site.provider.address):
                return site.provider
        return None

    def start(self) -> DemoGateway:
        """Bind every provider's address (OSError if one cannot be bound) and start serving."""
        redirects = load_redirects(self.site_dir)
        hosts: dict[str, str] = {}  # filled below; the handlers read it only once requests arrive
        try:
            for provider in self.providers:
                handler = type(
                    f"DemoRequestHandler_{provider.key}",
                    (DemoRequestHandler,),
                    {
                        "provider_key": provider.key,
                        "site_dir": self.site_dir,
                        "hosts": hosts,
                        "redirects": redirects.get(provider.key, {}),
                        "access_log": self.access_log,
                    },
                )
                server = DemoHTTPServer((provider.address, self.ports.get(provider.key, 0)), handler)
                thread = threading.Thread(
                    target=server.serve_forever, name=f"demo-{provider.key}", daemon=True
                )
                self.sites.append(RunningSite(provider, server, thread))
                hosts[provider.key] = self.sites[-1].host
            for site in self.sites:
                site.thread.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every server and wait for its thread."""
        for site in self.sites:
            if site.thread.is_alive():
                site.server.shutdown()
            site.server.server_close()
            if site.thread.is_alive():
                site.thread.join(timeout=5)
        self.sites = []

    def __enter__(self) -> DemoGateway:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def iter_site_urls(gateway: DemoGateway) -> Iterator[tuple[DemoProvider, str]]:
    """(provider, absolute URL) of every file-backed page of a running gateway."""
    for site in gateway.sites:
        for path in site_paths(gateway.site_dir, site.provider.key):
            yield site.provider, f"{site.origin}{path}"

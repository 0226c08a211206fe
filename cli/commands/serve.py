"""`sdg-tags serve`: the editor's web page and JSON API (FastAPI app in `web`, served by uvicorn)."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import socket
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="web page and JSON API for checking one page (paste, upload or URL)",
        description="Serve the editor's web page (paste HTML, upload a file or enter a URL and see the "
        "verdict, tags, findings and highlighted source) and the JSON API (POST /api/check, GET /api/rules, "
        "docs at /docs). URL checks refuse loopback, private, link-local and metadata addresses unless "
        "--allow-private is given.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)"
    )
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="let URL checks (and rendering) reach loopback, private and link-local addresses; only for "
        "local testing, never on a server others can reach",
    )
    parser.add_argument(
        "--max-upload-mb",
        type=float,
        default=5.0,
        help="largest request body (paste, upload, API) in MB (default: 5)",
    )
    parser.add_argument(
        "--fetch-timeout", type=float, default=15.0, help="seconds allowed for fetching a URL (default: 15)"
    )
    parser.add_argument(
        "--render-timeout",
        type=float,
        default=20.0,
        help="seconds a page may take to settle in the browser when its JavaScript is run (default: 20)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError

    from sdg_tags.sizes import MEBIBYTE

    if not 0 <= args.port <= 65535:
        raise CommandLineError(f"--port {args.port} is not a port number (0-65535)")
    for name in ("max_upload_mb", "fetch_timeout", "render_timeout"):
        if getattr(args, name) <= 0:
            raise CommandLineError(f"--{name.replace('_', '-')} must be a positive number")
    try:
        import uvicorn
        from sdg_tags.web.app import create_app
        from sdg_tags.web.checking import WebSettings
    except ImportError as exc:
        raise CommandLineError(
            f"the web app needs {exc.name}; install sdg-tags with its dependencies"
        ) from None

    settings = WebSettings(
        allow_private=args.allow_private,
        max_upload_bytes=int(args.max_upload_mb * MEBIBYTE),
        fetch_timeout=args.fetch_timeout,
        render_timeout=args.render_timeout,
    )
    # Tried here, before uvicorn logs a word: a busy port is one line, not a start-up banner and a traceback.
    _try_binding(args.host, args.port)
    if not _is_loopback(args.host):
        print(
            f"sdg-tags serve: listening on {args.host}, reachable from other machines"
            + (
                "; --allow-private lets them reach this machine's network through URL checks"
                if args.allow_private
                else ""
            ),
            file=sys.stderr,
        )
    # uvicorn binds again itself (its start-up line names the port, which --port 0 needs); should another program
    # take the port in between, uvicorn says so and exits with its start-up failure code.
    try:
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", access_log=False)
    except OSError as exc:
        raise CommandLineError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
    return 0


def _try_binding(host: str, port: int) -> None:
    """Bind (host, port) as uvicorn will, and let go; CommandLineError when that is not possible."""
    from sdg_tags.cli.main import CommandLineError

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listener = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise CommandLineError(
            f"cannot listen on {host}:{port} ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: restart over TIME_WAIT
        listener.bind(address)
    except OSError as exc:
        listener.close()
        hint = (
            "; another program listens there (choose another --port)" if exc.errno == errno.EADDRINUSE else ""
        )
        raise CommandLineError(f"cannot listen on {host}:{port} ({exc.strerror or exc}){hint}") from None
    listener.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

"""`sdg-tags demo`: the README's main job."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT_DIR = "demo-output"
DEFAULT_DB = "sqlite:///sdg-tags.db"
DEFAULT_PORT = 8700  # demo.run.DEFAULT_PORT; repeated so that --help imports nothing heavy


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="serve the bundled demo gateway on 127.0.0.1, crawl it into sdg-tags.db and summarise",
        description="Serve the bundled demo gateway (three fictional authorities on 127.0.0.1, 127.0.0.2 and "
        "127.0.0.3), crawl it from the bundled registry into a repository and print, per provider, the pages "
        "and one column per verdict. No network needed.",
    )
    parser.add_argument(
        "--out",
        default=DEFAULT_OUT_DIR,
        metavar="DIR",
        help=f"folder for the registry used, logs and summary (default ./{DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, metavar="URL", help=f"repository database (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port of the three sites, the same on each address (default {DEFAULT_PORT}; 0 = ephemeral; "
        "ephemeral ports are used when N is taken)",
    )
    parser.add_argument(
        "--keep-serving",
        action="store_true",
        help="keep the demo sites running after the summary until Ctrl-C (to browse or crawl them again)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.demo.run import DemoError, DemoOptions, run_demo

    if not 0 <= args.port <= 65535:
        raise CommandLineError(f"--port {args.port} is not a TCP port (0-65535; 0 = ephemeral)")
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandLineError(f"--out {args.out} is a file; give a folder (it is created if missing)")
    try:
        run_demo(DemoOptions(out_dir=out_dir, db_url=args.db, keep_serving=args.keep_serving, port=args.port))
    except DemoError as exc:
        print(f"sdg-tags demo: error: {exc}", file=sys.stderr)
        return 1
    return 0

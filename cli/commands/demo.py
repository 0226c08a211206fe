"""`sdg-tags demo`: the README's main job."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="serve the bundled demo gateway on 127.0.0.1, crawl it into sdg-tags.db and summarise",
        description="Serve the bundled demo gateway site on loopback, crawl it from the bundled registry into "
        "a SQLite repository and print a summary per provider.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("sdg-tags demo: demo not available yet. It will serve the bundled demo gateway on 127.0.0.1,")
    print("crawl it from the bundled registry into sdg-tags.db and print a compliance summary per provider.")
    return 0

"""`sdg-tags report` (not implemented yet)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="(not available yet)", description="Not available yet.")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("sdg-tags report: not available yet")
    return 0

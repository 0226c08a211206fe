"""Entry point of the `sdg-tags` command.

Sub-command modules are imported to register their parsers, so they must keep their module-level imports
light (standard library only); heavy imports (Scrapy, SQLAlchemy, extruct) go inside their `run` function.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from sdg_tags.version import package_version

# Order is the order of `sdg-tags --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "check",
    "rules",
    "taxonomy",
    "crawl",
    "results",
    "report",
    "diff",
    "export",
    "serve",
    "demo",
    "enqueue",
    "worker",
)


class CommandLineError(Exception):
    """A bad command-line input: printed as one line, exit code 2."""


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse prints the whole usage block on a mistake; users asked for one line saying what is wrong."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class VersionAction(argparse.Action):
    """`--version`, looking the version up only when asked (`sdg-tags check` must start fast)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit"
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"sdg-tags {package_version()}")  # on stdout, as argparse's own version action does
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineArgumentParser(
        prog="sdg-tags",
        description="Crawler and validator for EU Single Digital Gateway metadata tags "
        "(Implementing Regulation (EU) 2020/1121, Art. 2 and Annex I).",
    )
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineArgumentParser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"sdg_tags.cli.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except CommandLineError as exc:
        print(f"sdg-tags {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sdg-tags: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `sdg-tags results | head` must not print a traceback
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    # `python -m sdg_tags.cli.main` runs this file as `__main__`, a second copy of the module: the commands raise
    # `cli.main.CommandLineError`, which this copy's `except` would not catch (exit 1 and a traceback, not 2).
    from sdg_tags.cli.main import main as imported_main

    sys.exit(imported_main())

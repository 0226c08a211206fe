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
    """argparse prints the whole usage block on a mistake; users asked for one line saying what is wrong, with
    "did you mean …" for a mistyped sub-command, option or choice, pointing to the sub-command's own --help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._arguments: list[str] = []  # what this parser was given, for the mistyped-option hint
        self._help_prog = self.prog  # whose --help the error line points to

    def parse_known_args(
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._arguments = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def parse_args(self, args: Any = None, namespace: Any = None) -> argparse.Namespace:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # Reported by the sub-command the options were meant for, with its own options to suggest from.
            self._chosen_subcommand(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def error(self, message: str) -> NoReturn:
        # A mistyped option also shows up as a missing required one (`crawl --registy x`): name the typo instead.
        message = self._mistyped_options() or message
        self.exit(2, f"{self.prog}: error: {message} (see '{self._help_prog} --help')\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices and isinstance(value, str):
            import difflib  # only on a mistake: `check` must start fast

            choices = [str(choice) for choice in action.choices]
            close = difflib.get_close_matches(value, choices, n=1)
            if close:
                if isinstance(action, argparse._SubParsersAction):
                    self._help_prog = f"{self.prog} {close[0]}"
                raise argparse.ArgumentError(action, f"invalid choice: {value!r}; did you mean {close[0]!r}?")
        super()._check_value(action, value)

    def _chosen_subcommand(self, parsed: argparse.Namespace) -> OneLineArgumentParser:
        """The innermost sub-command parser `parsed` went through (this parser when there is none)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
                if isinstance(chosen, OneLineArgumentParser):
                    return chosen._chosen_subcommand(parsed)
        return self

    def _mistyped_options(self) -> str | None:
        """The given options this parser does not know but has one like, as one message ("unrecognized
        arguments: --sugest; did you mean --suggest?"); None when there are none."""
        import difflib  # only on a mistake: `check` must start fast

        known = [option for action in self._actions for option in action.option_strings]
        has_subcommands = any(isinstance(action, argparse._SubParsersAction) for action in self._actions)
        mistyped: list[str] = []
        suggestions: list[str] = []
        for argument in self._arguments:
            if argument == "--":
                break
            name = argument.split("=", 1)[0]
            if not name.startswith("-") or name == "-" or _is_number(name):
                if has_subcommands:
                    break  # the sub-command's name: what follows is its own, not ours
                continue
            if name.startswith("--"):
                if any(option.startswith(name) for option in known):  # argparse takes unique prefixes
                    continue
            elif name[:2] in known:  # -v, -vv, -n4
                continue
            close = difflib.get_close_matches(name, known, n=1)
            if close:
                mistyped.append(name)
                suggestions.append(close[0])
        if not mistyped:
            return None
        return f"unrecognized arguments: {' '.join(mistyped)}; did you mean {' '.join(suggestions)}?"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


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

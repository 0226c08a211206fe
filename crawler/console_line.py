"""The live progress line of this process's console, when the command that started the crawl shows one.

`sdg-tags crawl` (cli/crawl_console.py) puts it here; the progress extension (crawler/extensions/progress.py)
redraws it. The crawler knows it only by what it does, so the crawler does not depend on the command line.
"""

from __future__ import annotations

from typing import Protocol


class LiveLine(Protocol):
    def update(self, text: str, *, force: bool = False) -> bool: ...

    def close(self) -> None: ...


_console_line: LiveLine | None = None


def console_line() -> LiveLine | None:
    """The live line (None: plain progress lines, e.g. under `scrapy crawl` or off a terminal)."""
    return _console_line


def set_console_line(line: LiveLine | None) -> None:
    global _console_line
    _console_line = line

"""What `sdg-tags crawl` shows an operator: the crawl's own lines, warnings and errors, not Scrapy's start-up
banner, settings, component lists and stats dump (those come back with `-v`/`--log-level`, and always go to
`--log-file`); on a terminal, a live progress line (cli/progress_line.py) that log lines do not garble."""

from __future__ import annotations

import logging
import sys
from typing import Any

from sdg_tags.cli.progress_line import LiveLine
from sdg_tags.crawler.console_line import console_line, set_console_line

# Loggers whose INFO lines are Scrapy's machinery rather than the crawl's news (banner, overridden settings,
# enabled components, the stats dump, Twisted's reactor notes).
CHATTY_LOGGERS = ("scrapy", "twisted", "py.warnings", "filelock", "asyncio")
# The interval progress lines (crawler/extensions/progress.py): the live line says the same, continuously.
PROGRESS_LOGGERS = ("sdg_tags.crawler.extensions.progress", "sdg_tags.crawler.distributed.progress")


def close_console_line() -> None:
    """Clear the live line for good (before the closing summary)."""
    line = console_line()
    if line is not None:
        line.close()


class QuietScrapyFilter(logging.Filter):
    """Keep the crawl's own INFO lines, and warnings and errors from anyone."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(CHATTY_LOGGERS)


class NoProgressLines(logging.Filter):
    """The interval progress lines stay out of a console that shows the live line (not out of --log-file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(PROGRESS_LOGGERS)


class LiveLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Each log line clears the live line, is written whole on its own line, and the live line comes back."""

    def __init__(self, live: LiveLine) -> None:
        super().__init__(live.stream)
        self.live = live

    def emit(self, record: logging.LogRecord) -> None:
        with self.live.suspended():
            super().emit(record)


def console_log(settings: Any) -> None:
    """Our handlers beside Scrapy's: the quiet console (Scrapy's own handler is then a null one, as
    `LOG_ENABLED` is off; Scrapy re-installs its handler for every crawler and leaves ours) and `--log-file`.
    With `SDG_PROGRESS` = live the console also carries the live progress line."""
    formatter = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    if settings.getbool("SDG_CONSOLE_QUIET"):
        console: logging.StreamHandler  # type: ignore[type-arg]
        if settings.get("SDG_PROGRESS") == "live":
            live = LiveLine(sys.stderr)
            set_console_line(live)
            console = LiveLineHandler(live)
            console.addFilter(NoProgressLines())
        else:
            console = logging.StreamHandler(sys.stderr)
        console.setLevel(settings.get("LOG_LEVEL") or "INFO")
        console.setFormatter(formatter)
        console.addFilter(QuietScrapyFilter())
        logging.root.addHandler(console)
    log_file = settings.get("SDG_LOG_FILE")
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(formatter)
        logging.root.addHandler(handler)

"""What `sdg-tags crawl` shows an operator: the crawl's own lines, warnings and errors, not Scrapy's start-up
banner, settings, component lists and stats dump (those come back with `-v`/`--log-level`, and always go to
`--log-file`)."""

from __future__ import annotations

import logging
import sys
from typing import Any

# Loggers whose INFO lines are Scrapy's machinery rather than the crawl's news (banner, overridden settings,
# enabled components, the stats dump, Twisted's reactor notes).
CHATTY_LOGGERS = ("scrapy", "twisted", "py.warnings", "filelock", "asyncio")


class QuietScrapyFilter(logging.Filter):
    """Keep the crawl's own INFO lines, and warnings and errors from anyone."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(CHATTY_LOGGERS)


def console_log(settings: Any) -> None:
    """Our handlers beside Scrapy's: the quiet console (Scrapy's own handler is then a null one, as
    `LOG_ENABLED` is off; Scrapy re-installs its handler for every crawler and leaves ours) and `--log-file`."""
    formatter = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    if settings.getbool("SDG_CONSOLE_QUIET"):
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

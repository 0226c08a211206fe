"""A live progress line on a terminal, plain progress lines elsewhere (cron, systemd, a pipe).

`LiveLine` redraws one line in place: carriage return, the text cut to the terminal's width (it never wraps),
clear to the end of the line; at most one redraw per `min_interval` seconds. Whatever else is written to the
same stream meanwhile goes through `suspended()` (clear the line, write, redraw), so log lines stay intact.

`Progress` is what a long command (report, diff, enqueue) shows: nothing while it is short (the first
`quiet_for` seconds), then a live line on a terminal, or a plain line every `interval` seconds otherwise:

    with Progress("sdg-tags report") as progress:
        for done in ...:
            progress.update(f"reading pages {done:,}/{total:,}")   # cheap: call it per batch

Standard library only: `check` never imports this module, and the commands that do pay nothing for it.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import monotonic
from types import TracebackType
from typing import Literal, Self, TextIO

ProgressMode = Literal["live", "lines", "off"]
PROGRESS_MODES: tuple[str, ...] = ("auto", "live", "lines", "off")  # `--progress` choices
CLEAR_TO_END = "\x1b[K"  # ANSI "erase in line", understood by every terminal emulator in use
DEFAULT_COLUMNS = 80
REDRAW_INTERVAL = 0.25  # seconds: at most four redraws a second


def is_terminal(stream: TextIO) -> bool:
    """A terminal that understands carriage return and clear-to-end-of-line (not TERM=dumb)."""
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def resolve_mode(mode: str, stream: TextIO) -> ProgressMode:
    """`auto`: live on a terminal, plain lines otherwise."""
    if mode == "auto":
        return "live" if is_terminal(stream) else "lines"
    if mode not in ("live", "lines", "off"):
        raise ValueError(f"progress mode {mode!r}: expected one of {', '.join(PROGRESS_MODES)}")
    return mode  # type: ignore[return-value]


def terminal_columns(stream: TextIO) -> int:
    """The width of the terminal behind `stream` now (it may have been resized), else 80."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return DEFAULT_COLUMNS
    return columns or DEFAULT_COLUMNS  # a pseudo-terminal nobody sized says 0


def fit(text: str, columns: int) -> str:
    """`text` on one line of a terminal `columns` wide. One column stays free: some terminals wrap as soon as
    the last column is written."""
    text = text.replace("\n", " ").replace("\r", " ")
    room = max(columns - 1, 1)
    if len(text) <= room:
        return text
    return text[: max(room - 3, 0)] + "..."[:room]


class LiveLine:
    """One line redrawn in place on `stream` (a terminal). Thread-safe: log handlers call `suspended()` from
    any thread."""

    def __init__(
        self,
        stream: TextIO,
        *,
        min_interval: float = REDRAW_INTERVAL,
        clock: Callable[[], float] = monotonic,
        columns: Callable[[], int] | None = None,
    ) -> None:
        self.stream = stream
        self.min_interval = min_interval
        self.clock = clock
        self.columns = columns or (lambda: terminal_columns(stream))
        self.text = ""
        self.shown = False  # the line is on the screen now
        self.closed = False
        self.last_draw: float | None = None
        self.lock = threading.RLock()

    def update(self, text: str, *, force: bool = False) -> bool:
        """Show `text`: now if `force` or the last redraw is `min_interval` old, else at the next redraw that
        is due (the newest text wins). Returns whether it was drawn."""
        with self.lock:
            self.text = text
            if self.closed:
                return False
            now = self.clock()
            if not force and self.last_draw is not None and now - self.last_draw < self.min_interval:
                return False
            self.last_draw = now
            self._draw()
            return True

    def _draw(self) -> None:
        self._write("\r" + fit(self.text, self.columns()) + CLEAR_TO_END)
        self.shown = True

    def clear(self) -> None:
        """Take the line off the screen (the cursor is left at the start of the empty line)."""
        with self.lock:
            if self.shown:
                self._write("\r" + CLEAR_TO_END)
                self.shown = False

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Write something else to the stream: the line is cleared first and drawn again after."""
        with self.lock:
            was_shown = self.shown
            self.clear()
            try:
                yield
            finally:
                if was_shown and not self.closed:
                    self._draw()

    def close(self) -> None:
        """Clear the line for good: later updates draw nothing (the closing summary comes next)."""
        with self.lock:
            self.clear()
            self.closed = True

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (
            OSError,
            ValueError,
        ):  # the terminal went away (closed ssh session): progress is not worth a crash
            self.closed = True


class Progress:
    """What a long-running command is doing, for an operator: see the module's docstring."""

    def __init__(
        self,
        prefix: str,
        stream: TextIO | None = None,
        *,
        mode: str = "auto",
        quiet_for: float = 1.5,
        interval: float = 10.0,
        clock: Callable[[], float] = monotonic,
        columns: Callable[[], int] | None = None,
    ) -> None:
        self.prefix = prefix
        self.stream = stream if stream is not None else sys.stderr
        # Started with standard error closed: nowhere to show progress (print would fall back to stdout).
        self.mode = resolve_mode(mode, self.stream) if self.stream is not None else "off"
        self.quiet_for = quiet_for
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last_line: float | None = None
        self.live = LiveLine(self.stream, clock=clock, columns=columns) if self.mode == "live" else None
        self.text = ""
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.ticker: threading.Thread | None = None

    def start_ticking(self, every: float = REDRAW_INTERVAL) -> Self:
        """Show the newest text also between updates (a phase that lasts long with one update at its start):
        a daemon thread looks every `every` seconds."""
        if self.mode != "off" and self.ticker is None:

            def tick() -> None:
                while not self.stopped.wait(every):
                    self.show()

            self.ticker = threading.Thread(target=tick, name="progress", daemon=True)
            self.ticker.start()
        return self

    def update(self, text: str) -> None:
        """The newest news (e.g. "reading pages 120,000/200,000"); shown only once the command has run
        `quiet_for` seconds, and then rate-limited."""
        self.text = text
        self.show()

    def show(self) -> None:
        with self.lock:
            self._show()

    def _show(self) -> None:
        now = self.clock()
        text = self.text
        if self.mode == "off" or not text or now - self.started < self.quiet_for:
            return
        line = f"{self.prefix}: {text}" if self.prefix else text
        if self.live is not None:
            self.live.update(line)
        elif self.last_line is None or now - self.last_line >= self.interval:
            self.last_line = now
            try:
                print(line, file=self.stream, flush=True)
            except (OSError, ValueError):
                self.mode = "off"

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Print other lines (a skipped registry row) without tearing the live line."""
        with self.lock:
            if self.live is None:
                yield
            else:
                with self.live.suspended():
                    yield

    def close(self) -> None:
        self.stopped.set()
        if self.ticker is not None:
            self.ticker.join()
        with self.lock:
            if self.live is not None:
                self.live.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

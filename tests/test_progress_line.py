"""cli/progress_line.py: the live line's rate limit, width bound and clearing; `Progress` for long commands."""

from __future__ import annotations

import io
import time

import pytest
from sdg_tags.cli.progress_line import CLEAR_TO_END, LiveLine, Progress, fit, resolve_mode


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def live_line(columns: int = 40) -> tuple[LiveLine, io.StringIO, Clock]:
    stream, clock = io.StringIO(), Clock()
    return LiveLine(stream, min_interval=0.25, clock=clock, columns=lambda: columns), stream, clock


def test_redraws_in_place_at_most_once_per_interval() -> None:
    line, stream, clock = live_line()
    assert line.update("one") is True
    clock.now += 0.1
    assert line.update("two") is False  # too soon: nothing written
    assert stream.getvalue() == "\rone" + CLEAR_TO_END
    clock.now += 0.15
    assert line.update("three") is True
    assert line.update("four", force=True) is True
    assert stream.getvalue() == "".join(f"\r{text}{CLEAR_TO_END}" for text in ("one", "three", "four"))
    assert "\n" not in stream.getvalue()


def test_never_wider_than_the_terminal() -> None:
    line, stream, _ = live_line(columns=20)
    line.update("x" * 50 + "\nnext")
    drawn = stream.getvalue().removeprefix("\r").removesuffix(CLEAR_TO_END)
    assert drawn == "x" * 16 + "..."
    assert len(drawn) == 19  # the last column stays free: some terminals wrap on writing it
    assert fit("short", 20) == "short"
    assert fit("abcdef", 2) == "."


def test_suspended_clears_writes_and_redraws() -> None:
    line, stream, _ = live_line()
    line.update("42 done")
    with line.suspended():
        stream.write("WARNING: something\n")
    assert stream.getvalue() == (
        f"\r42 done{CLEAR_TO_END}\r{CLEAR_TO_END}WARNING: something\n\r42 done{CLEAR_TO_END}"
    )


def test_close_clears_once_and_silences_later_updates() -> None:
    line, stream, clock = live_line()
    line.update("7 done")
    line.close()
    line.close()
    clock.now += 10
    assert line.update("8 done") is False
    with line.suspended():
        stream.write("summary\n")
    assert stream.getvalue() == f"\r7 done{CLEAR_TO_END}\r{CLEAR_TO_END}summary\n"


def test_clear_without_a_line_writes_nothing() -> None:
    line, stream, _ = live_line()
    line.clear()
    with line.suspended():
        stream.write("first\n")
    assert stream.getvalue() == "first\n"


def test_modes_follow_the_stream() -> None:
    assert resolve_mode("auto", io.StringIO()) == "lines"  # not a terminal
    assert resolve_mode("live", io.StringIO()) == "live"
    assert resolve_mode("off", io.StringIO()) == "off"
    with pytest.raises(ValueError):
        resolve_mode("fancy", io.StringIO())


def test_progress_is_silent_for_short_runs_then_prints_lines_at_an_interval() -> None:
    stream, clock = io.StringIO(), Clock()
    with Progress("sdg-tags report", stream, quiet_for=1.5, interval=10, clock=clock) as progress:
        progress.update("reading pages 10/100")
        clock.now += 1.0
        progress.update("reading pages 20/100")
        assert stream.getvalue() == ""  # a command that ends now showed nothing
        clock.now += 1.0
        progress.update("reading pages 30/100")
        clock.now += 5.0
        progress.update("reading pages 40/100")
        clock.now += 5.0
        progress.update("writing the report")
    assert stream.getvalue() == (
        "sdg-tags report: reading pages 30/100\nsdg-tags report: writing the report\n"
    )


def test_progress_live_mode_draws_one_line_and_clears_it_at_the_end() -> None:
    stream, clock = io.StringIO(), Clock()
    with Progress("diff", stream, mode="live", quiet_for=1.5, clock=clock, columns=lambda: 60) as progress:
        progress.update("reading run 1")
        clock.now += 2
        progress.update("reading run 2: 5,000 pages")
    assert stream.getvalue() == f"\rdiff: reading run 2: 5,000 pages{CLEAR_TO_END}\r{CLEAR_TO_END}"


def test_progress_off_prints_nothing() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("x", stream, mode="off", quiet_for=0, clock=clock)
    progress.update("anything")
    assert stream.getvalue() == ""


def test_progress_with_standard_error_closed_writes_nowhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Started with `2>&-` (sys.stderr is None): no progress, and none in the command's standard output."""
    monkeypatch.setattr("sys.stderr", None)
    clock = Clock()
    progress = Progress("sdg-tags enqueue", quiet_for=0, clock=clock)
    progress.update("5,000 rows read")
    progress.close()
    assert progress.mode == "off"
    assert capsys.readouterr().out == ""


def test_ticking_shows_a_long_phase_announced_during_the_quiet_time() -> None:
    """One update at a phase's start, inside the quiet time: the ticker shows it once the quiet time is over."""
    stream = io.StringIO()
    progress = Progress("sdg-tags report", stream, quiet_for=0.05, interval=60).start_ticking(every=0.01)
    progress.update("reading the pages of run 3")
    deadline = time.monotonic() + 10
    while not stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    progress.close()
    assert stream.getvalue() == "sdg-tags report: reading the pages of run 3\n"

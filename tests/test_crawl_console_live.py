"""The crawl console's progress: a live line redrawn in place on a terminal (a real pseudo-terminal here),
plain progress lines when standard error is a pipe; log lines intact; the summary at the end."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest
from sdg_tags.cli.progress_line import CLEAR_TO_END

from tests.faults.distributed_run import cli, enqueue
from tests.sites.crawl_run import PROJECT_ROOT, crawl_command, run_crawl, write_registry
from tests.sites.server import Route, SiteServer, page

PAGES = 8
COLUMNS = 60
# robots.txt asks for more than the cap the test sets: a WARNING line while the live line is up.
ROBOTS = Route(body="User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain")
OPTIONS = ("--set", "SDG_CRAWL_DELAY_MAX=0.15")


def site_routes() -> dict[str, Route]:
    # FIFO scheduler: the 404 comes first, the pages after it, one per Crawl-delay, keep the live line going.
    links = '<a href="/missing">gone</a>' + "".join(f'<a href="/p{n}">p{n}</a>' for n in range(PAGES))
    routes = {"/robots.txt": ROBOTS, "/": page(links), "/missing": Route(status=404)}
    routes.update({f"/p{number}": page(f"page {number}") for number in range(PAGES)})
    return routes


def crawl_on_a_terminal(command: list[str], columns: int, timeout: float = 120) -> tuple[int, str, str]:
    """Run `command` with standard error on a pseudo-terminal `columns` wide; (exit code, stdout, the
    terminal's bytes as text)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = dict(os.environ, TERM="xterm")
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every holder of the slave closed it (the crawl is over)
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        stdout = process.communicate(timeout=max(deadline - time.monotonic(), 1))[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    # The terminal's line discipline turns "\n" into "\r\n"; back to what the program wrote.
    terminal = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return process.returncode, stdout.decode("utf-8", "replace"), terminal


def screen_lines(terminal: str) -> list[str]:
    """What stays on the screen line by line: the text after the last carriage return of each line, without
    the clear-to-end sequences."""
    return [line.rsplit("\r", 1)[-1].replace(CLEAR_TO_END, "") for line in terminal.split("\n")]


def test_a_terminal_gets_one_live_line_redrawn_in_place(tmp_path: Path) -> None:
    with SiteServer(routes=site_routes()) as site:
        registry = write_registry(
            tmp_path / "registry.json",
            [{"url": site.url("/"), "urlType": "web folder"}],
        )
        code, stdout, terminal = crawl_on_a_terminal(
            crawl_command(registry, f"sqlite:///{tmp_path / 'crawl.db'}", *OPTIONS), COLUMNS
        )
    assert code == 0, terminal[-3000:]
    redraws = [part for part in terminal.split("\r") if part.endswith(CLEAR_TO_END) and " done, " in part]
    assert len(redraws) >= 2, terminal
    for redraw in redraws:
        drawn = redraw.removesuffix(CLEAR_TO_END)
        assert "\n" not in drawn
        assert len(drawn) <= COLUMNS - 1, drawn  # never wraps
    assert not any(line.startswith("Progress: ") for line in screen_lines(terminal))  # no interval lines
    # The warning logged while the live line was up is whole, on its own line.
    warning = f"WARNING: Host {site.host}:{site.port}: robots.txt Crawl-delay 0.3 s is above "
    warnings = [line for line in screen_lines(terminal) if warning in line]
    assert len(warnings) == 1, terminal
    assert warnings[0].endswith("SDG_CRAWL_DELAY_MAX; using 0.15 s")
    # The crawl ends with the live line cleared: the terminal's last bytes are the clearing, nothing after.
    assert terminal.rstrip("\n").endswith("\r" + CLEAR_TO_END)
    assert stdout.startswith(f"Run 1 (finished): {PAGES + 2} pages")
    assert stdout.splitlines()[1:] == [
        f"  fetch status: ok {PAGES + 1}, http-4xx 1",
        f"  verdict: not-self-describing {PAGES + 1}, not-evaluated 1",
    ]


def test_the_live_line_carries_the_verdicts_and_statuses(tmp_path: Path) -> None:
    with SiteServer(routes=site_routes()) as site:
        registry = write_registry(
            tmp_path / "registry.json",
            [{"url": site.url("/"), "urlType": "web folder"}],
        )
        code, _, terminal = crawl_on_a_terminal(
            crawl_command(registry, f"sqlite:///{tmp_path / 'crawl.db'}", *OPTIONS), 400
        )
    assert code == 0, terminal[-3000:]
    last = [part.removesuffix(CLEAR_TO_END) for part in terminal.split("\r") if " done, " in part][-1]
    assert re.search(r" \| verdict: not-self-describing \d+, not-evaluated 1 \| ", last), last
    assert "| fetch status: http-4xx 1 |" in last, last
    assert " waiting on politeness" in last, last


def test_a_pipe_gets_plain_progress_lines(tmp_path: Path) -> None:
    with SiteServer(routes=site_routes()) as site:
        registry = write_registry(
            tmp_path / "registry.json",
            [{"url": site.url("/"), "urlType": "web folder"}],
        )
        run = run_crawl(
            registry, f"sqlite:///{tmp_path / 'crawl.db'}", *OPTIONS, "--progress-interval", "0.3"
        )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "\r" not in run.stderr and "\x1b" not in run.stderr
    progress = [line for line in run.stderr.splitlines() if "Progress: " in line]
    assert progress, run.stderr
    assert all(
        "; verdict: " in line and "; fetch status: " in line and "waiting on politeness" in line
        for line in progress
    ), progress
    assert run.stdout.startswith(f"Run 1 (finished): {PAGES + 2} pages")


def test_progress_off_and_verbose_on_a_terminal(tmp_path: Path) -> None:
    """`--progress off` shows no progress; `-v` (Scrapy's log back) gives plain lines, not a live line."""
    with SiteServer(routes=site_routes()) as site:
        registry = write_registry(tmp_path / "registry.json", [{"url": site.url("/p1")}])
        off = crawl_on_a_terminal(
            crawl_command(registry, f"sqlite:///{tmp_path / 'off.db'}", "--progress", "off"), COLUMNS
        )
        verbose = crawl_on_a_terminal(
            crawl_command(
                registry, f"sqlite:///{tmp_path / 'verbose.db'}", "-v", "--progress-interval", "0.05"
            ),
            COLUMNS,
        )
    assert off[0] == verbose[0] == 0, off[2][-2000:] + verbose[2][-2000:]
    assert "\r" not in off[2] and " done, " not in off[2]
    assert CLEAR_TO_END not in verbose[2]


@pytest.mark.redis
def test_a_worker_on_a_terminal_gets_one_live_line_of_the_whole_run(tmp_path: Path, redis_url: str) -> None:
    """`sdg-tags worker` on a terminal: the run's figures from Redis redrawn in place, never wrapping, cleared
    before the closing lines."""
    db = f"sqlite:///{tmp_path / 'run.db'}"
    with SiteServer(routes=site_routes()) as site:
        registry = write_registry(
            tmp_path / "registry.json", [{"url": site.url("/"), "urlType": "web folder"}]
        )
        enqueued = enqueue(registry, redis_url, db, "--delay", "0.3", name="live")
        assert enqueued.returncode == 0, enqueued.stderr
        code, stdout, terminal = crawl_on_a_terminal(
            cli("worker", "--redis", redis_url, "--db", db, "--name", "live", "--lease-ttl", "3"), COLUMNS
        )
    assert code == 0, terminal[-3000:]
    redraws = [
        part.removesuffix(CLEAR_TO_END)
        for part in terminal.split("\r")
        if part.endswith(CLEAR_TO_END) and " pages stored by all workers" in part
    ]
    assert len(redraws) >= 2, terminal
    assert all("\n" not in drawn and len(drawn) <= COLUMNS - 1 for drawn in redraws), redraws
    assert not any(" pages stored by all workers" in line for line in screen_lines(terminal)), terminal
    assert f"{PAGES + 2} pages" in stdout + terminal, stdout + terminal

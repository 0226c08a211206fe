"""Throwaway redis-server and PostgreSQL on 127.0.0.1: the test session's fixtures (tests/conftest.py) and the
distributed benchmarks (`make bench`, plain scripts) both start them with these context managers: a free port,
no persistence, stopped by PID on exit.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ServiceError(RuntimeError):
    """A server could not be started (the message says which and why)."""


class ServiceMissing(ServiceError):
    """The server is not installed on this machine (the message says which package to install)."""


def free_port() -> int:
    """A port nothing listens on (bound, read, released): for a server to take, or to be refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(pid: int, first: int = signal.SIGTERM, timeout: float = 30) -> None:
    try:
        os.kill(pid, first)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


@contextmanager
def redis_server(password: str | None = None) -> Iterator[str]:
    """A redis-server without RDB/AOF on a free loopback port (requiring `password`, if given); yields its URL
    (without the password)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise ServiceMissing("no redis-server (apt-get install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="sdg-bench-redis-"))
    port = free_port()
    with (folder / "redis.log").open("wb") as log:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(folder),
                *(("--requirepass", password) if password else ()),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith((b"+PONG", b"-NOAUTH")):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServiceError(
                    f"redis-server did not start: {(folder / 'redis.log').read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process.pid)
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; then its tools run as the `postgres` OS user."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *command]
    return ["su", "postgres", "-c", shlex.join(command)]


@contextmanager
def postgres_server() -> Iterator[str]:
    """initdb + pg_ctl start (trust auth, fsync off) on a free loopback port; yields an admin URL
    (`postgresql+psycopg://postgres@127.0.0.1:PORT/postgres`)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parent.parent.name)
    )
    if not candidates:
        raise ServiceMissing("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)")
    bin_dir = candidates[-1].parent
    # Not under pytest's tmp dir: that one is private to root and the postgres user could not enter it.
    base = Path(tempfile.mkdtemp(prefix="sdg-tags-pg-"))
    data, sockets = base / "data", base / "socket"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    pid: int | None = None
    try:
        initialised = subprocess.run(
            as_postgres_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--no-instructions",
                ]
            ),
            capture_output=True,
            text=True,
        )
        if initialised.returncode != 0:
            raise ServiceError(f"initdb failed: {initialised.stderr.strip()}")
        port = free_port()
        options = f"-k {sockets} -p {port} -h 127.0.0.1 -F -c full_page_writes=off -c synchronous_commit=off"
        started = subprocess.run(
            as_postgres_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(data),
                    "-l",
                    str(base / "pg.log"),
                    "-o",
                    options,
                ]
            ),
            capture_output=True,
            text=True,
        )
        if started.returncode != 0:
            log_file = base / "pg.log"
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            raise ServiceError(f"pg_ctl start failed: {started.stderr.strip()} {log[-2000:]}")
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if pid is not None:
            stop(pid, first=signal.SIGINT)
        shutil.rmtree(base, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """A fresh database `name` on the server of `admin_url`; its URL."""
    import psycopg

    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"

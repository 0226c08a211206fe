"""Shared pytest fixtures. Each area keeps its fixtures in its own clearly marked block below."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# ======================================================================================================
# Databases (repository): a throwaway PostgreSQL server per test session, a fresh database per test, and
# `db_url` parametrised over SQLite and PostgreSQL so repository tests run on both.
# ======================================================================================================

POSTGRES_START_TIMEOUT_S = 60


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server started by the test session on 127.0.0.1."""

    port: int
    pid: int
    data_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


def postgres_bin_dir() -> Path | None:
    """The newest `/usr/lib/postgresql/<version>/bin` that has initdb, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parent.parent.name)
    )
    return candidates[-1].parent if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; when we are root, run its tools as the `postgres` OS user."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *command]
    return ["su", "postgres", "-c", shlex.join(command)]


def postgres_unavailable(reason: str) -> None:
    """Skip locally, but fail in CI: there a missing server must not turn into silently skipped tests."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start PostgreSQL (initdb into a temporary folder, trust auth, fsync off) and stop it by PID at the end."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        postgres_unavailable("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)")
    assert bin_dir is not None
    # Not under pytest's tmp dir: that one is private to root and the postgres user could not enter it.
    base = Path(tempfile.mkdtemp(prefix="sdg-tags-pg-"))
    data_dir, socket_dir = base / "data", base / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(socket_dir, "postgres", "postgres")
    log_file = base / "server.log"
    pid: int | None = None
    try:
        subprocess.run(
            as_postgres_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--no-instructions",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        port = free_port()
        options = (
            f"-k {socket_dir} -p {port} -h 127.0.0.1 -F -c full_page_writes=off -c synchronous_commit=off"
        )
        started = subprocess.run(
            as_postgres_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    str(POSTGRES_START_TIMEOUT_S),
                    "-D",
                    str(data_dir),
                    "-l",
                    str(log_file),
                    "-o",
                    options,
                ]
            ),
            capture_output=True,
            text=True,
        )
        if started.returncode != 0:
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            pytest.fail(f"pg_ctl start failed: {started.stderr.strip()} {log[-2000:]}")
        pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
        yield PostgresServer(port=port, pid=pid, data_dir=data_dir)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"initdb failed: {exc.stderr.strip()}")
    finally:
        if pid is not None:
            stop_process(pid)
        shutil.rmtree(base, ignore_errors=True)


def stop_process(pid: int) -> None:
    """Fast shutdown (SIGINT to the postmaster), then wait until it is gone; SIGKILL as a last resort."""
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of the session's PostgreSQL server (database `postgres`)."""
    return postgres_server.url


@pytest.fixture
def pg_db_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = f"postgresql://postgres@127.0.0.1:{postgres_server.port}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server.port}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'repository.db'}"
    return request.getfixturevalue("pg_db_url")


# ====================================================================================== end of databases


# ======================================================================================================
# Reports (report, diff, export): one repository built by two real `sdg-tags crawl` runs of
# tests/sites/report_site, built once per session (see tests/sites/report_crawl.py for what each page is).
# ======================================================================================================


@pytest.fixture(scope="session")
def report_crawl(tmp_path_factory: pytest.TempPathFactory):  # -> sites.report_crawl.ReportCrawl
    """The report test site crawled twice (a page changed in between) into one SQLite repository."""
    from sites.report_crawl import build_report_crawl

    return build_report_crawl(tmp_path_factory.mktemp("report-crawl"))


# ======================================================================================== end of reports


# ======================================================================================================
# Distributed crawl (Redis): a throwaway redis-server per test session on 127.0.0.1 (no persistence), an
# empty Redis per test. Missing redis-server: skipped locally, a failure in CI (as PostgreSQL above).
# ======================================================================================================

REDIS_START_TIMEOUT_S = 15


@dataclass(frozen=True)
class RedisServer:
    """A redis-server started by the test session on 127.0.0.1."""

    port: int
    pid: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """Start redis-server (no RDB, no AOF, loopback only) on a free port; stop it by PID at the end."""
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Redis tests cannot run in CI: no redis-server (apt-get install redis-server)")
        pytest.skip("Redis not available: no redis-server (apt-get install redis-server)")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = (folder / "redis.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", str(folder),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while not redis_answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"redis-server did not start: {(folder / 'redis.log').read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.05)
        yield RedisServer(port=port, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    with socket.create_connection(("127.0.0.1", redis_server.port), timeout=5) as conn:
        conn.sendall(b"FLUSHALL\r\n")
        assert conn.recv(16).startswith(b"+OK")
    return redis_server.url


# ===================================================================================== end of distributed

"""Shared pytest fixtures. Each area keeps its fixtures in its own clearly marked block below."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.faults import services
from tests.faults.services import ServiceError, ServiceMissing

# ======================================================================================================
# Databases (repository): a throwaway PostgreSQL server per test session, a fresh database per test, and
# `db_url` parametrised over SQLite and PostgreSQL so repository tests run on both.
# ======================================================================================================


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server started by the test session on 127.0.0.1."""

    url: str  # the admin database `postgres`

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)


def start_service(stack: ExitStack, service: AbstractContextManager[str], name: str) -> str:
    """Enter a server of tests/faults/services.py; not installed: skipped locally but a failure in CI (there a
    missing server must not turn into silently skipped tests); installed but not starting: a failure."""
    try:
        return stack.enter_context(service)
    except ServiceMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{name} tests cannot run in CI: {exc}")
        pytest.skip(f"{name} not available: {exc}")
    except ServiceError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start PostgreSQL (initdb into a temporary folder, trust auth, fsync off) and stop it by PID at the end."""
    with ExitStack() as stack:
        yield PostgresServer(start_service(stack, services.postgres_server(), "PostgreSQL"))


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of the session's PostgreSQL server (database `postgres`)."""
    return postgres_server.url


@pytest.fixture
def pg_db_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    yield services.create_database(postgres_server.url, name)
    admin = postgres_server.url.replace("postgresql+psycopg://", "postgresql://")
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
    from tests.sites.report_crawl import build_report_crawl

    return build_report_crawl(tmp_path_factory.mktemp("report-crawl"))


# ======================================================================================== end of reports


# ======================================================================================================
# Distributed crawl (Redis): a throwaway redis-server per test session on 127.0.0.1 (no persistence), an
# empty Redis per test. Missing redis-server: skipped locally, a failure in CI (as PostgreSQL above).
# Both servers are the context managers of tests/faults/services.py, which the benchmarks use too.
# ======================================================================================================


@dataclass(frozen=True)
class RedisServer:
    """A redis-server started by the test session on 127.0.0.1."""

    url: str

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """Start redis-server (no RDB, no AOF, loopback only) on a free port; stop it by PID at the end."""
    with ExitStack() as stack:
        yield RedisServer(start_service(stack, services.redis_server(), "Redis"))


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    with socket.create_connection(("127.0.0.1", redis_server.port), timeout=5) as conn:
        conn.sendall(b"FLUSHALL\r\n")
        assert conn.recv(16).startswith(b"+OK")
    return redis_server.url


# ===================================================================================== end of distributed

"""Opening a repository database: the URL forms we accept, the engine set-up (SQLite pragmas, write
transactions) and bringing the schema to the shipped Alembic head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sdg_tags.repository.errors import RepositoryError, failure_reason
from sdg_tags.repository.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
# pg_advisory_xact_lock key ("sdgtag"): first users of a new database migrate one at a time.
MIGRATION_LOCK_KEY = 0x736467746167


def database_url(url: str) -> str:
    """Normalise a `--db` value: `postgresql://` and `postgres://` use psycopg 3 (the driver we ship)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_in_memory(url: str) -> bool:
    """An SQLite database in this process's memory (no other process or connection can reach it)."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def build_engine(url: str, *, create: bool) -> Engine:
    """An engine for `url`: PostgreSQL as is; SQLite in WAL mode, with foreign keys and BEGIN IMMEDIATE for
    writers. `create=False` refuses to create a new SQLite file. RepositoryError for an unusable file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    in_memory = is_in_memory(url)
    if not in_memory:
        path = Path(parsed.database or "")
        if path.is_dir():
            raise RepositoryError(f"database file '{path}' is a folder, not a database file")
        if not create and not path.exists():
            raise RepositoryError(
                f"database file '{path}' does not exist; run 'sdg-tags crawl --db {url}' first "
                "or pass the right --db"
            )
        if not path.parent.exists():
            raise RepositoryError(f"cannot create database '{path}': folder '{path.parent}' does not exist")
    engine = create_engine(url, poolclass=StaticPool) if in_memory else create_engine(url)

    @event.listens_for(engine, "connect")
    def configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
        # pysqlite's own transaction handling cannot BEGIN IMMEDIATE; we emit BEGIN ourselves (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")  # readers (results, web) never block the crawl
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin_sqlite(conn: Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that upgrades later fails at once
        # with "database is locked" in WAL mode instead of waiting for busy_timeout.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction (SQLite: BEGIN IMMEDIATE), committed on success, rolled back on error."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


@cache
def known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def migrate(engine: Engine, display_url: str) -> None:
    """Bring the schema to the head revision; concurrent first users serialise on a database lock."""
    head = head_revision()
    try:
        with engine.connect() as conn:
            current = current_revision(conn)
        if current == head:
            return
        if current is not None and current not in known_revisions():
            raise RepositoryError(
                f"database {display_url} has schema revision '{current}', which this version of "
                "sdg-tags does not know; upgrade sdg-tags"
            )
        with write_transaction(engine) as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            if current_revision(conn) != head:
                upgrade_to_head(conn)
    except DatabaseError as exc:  # locked, not a database, corrupt (OperationalError is one of them)
        raise RepositoryError(f"cannot open database {display_url}: {failure_reason(exc)}") from None

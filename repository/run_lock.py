"""The repository-wide run lock: one crawl at a time writes a repository (a row in `run_locks`).

A lock whose process is gone (same host) or silent for longer than the timeout is broken by the next run.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sdg_tags.repository.errors import RepositoryError, RunLockedError, failure_reason
from sdg_tags.repository.schema import run_locks, runs
from sdg_tags.repository.timestamps import as_utc, iso_utc, utc_now
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

if TYPE_CHECKING:
    from sdg_tags.repository.store import Repository

LOCK_NAME = "run"
DEFAULT_LOCK_TIMEOUT_HOURS = 24.0


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (signal 0 checks without signalling)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def touch_lock_of_this_process(conn: Connection, **values: Any) -> None:
    """Refresh the heartbeat (and set `values`) of the run lock if this process holds it.

    Matched on pid and host, not on the RunLock object: the CLI takes the lock and the crawl writes through
    another Repository instance of the same process, and both must keep the lock alive and named.
    """
    conn.execute(
        update(run_locks)
        .where(
            run_locks.c.name == LOCK_NAME,
            run_locks.c.pid == os.getpid(),
            run_locks.c.host == socket.gethostname(),
        )
        .values(heartbeat_at=utc_now(), **values)
    )


class RunLock:
    """The repository-wide run lock: a row in `run_locks`. Use as a context manager; see `Repository.run_lock`."""

    def __init__(self, repository: Repository, *, owner: str, timeout_hours: float) -> None:
        self.repository = repository
        self.owner = owner
        self.timeout = timedelta(hours=timeout_hours)
        self.token: str | None = None
        self.broken: str | None = None  # why a stale lock was broken on acquisition, for the crawl log

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self.token is not None

    def acquire(self) -> None:
        """Take the lock, breaking it first if stale; raise RunLockedError if a live run holds it."""
        for attempt in range(2):
            try:
                with self.repository.transaction() as conn:
                    holder = (
                        conn.execute(select(run_locks).where(run_locks.c.name == LOCK_NAME))
                        .mappings()
                        .first()
                    )
                    if holder is not None:
                        stale_because = self.stale_reason(holder)
                        if stale_because is None:
                            raise RunLockedError(self.describe_holder(conn, holder))
                        conn.execute(
                            delete(run_locks).where(
                                run_locks.c.name == LOCK_NAME, run_locks.c.token == holder["token"]
                            )
                        )
                        self.broken = f"broke a stale run lock: {stale_because}"
                    token = uuid.uuid4().hex
                    now = utc_now()
                    conn.execute(
                        run_locks.insert().values(
                            name=LOCK_NAME,
                            owner=self.owner,
                            pid=os.getpid(),
                            host=socket.gethostname(),
                            token=token,
                            run_id=None,
                            acquired_at=now,
                            heartbeat_at=now,
                        )
                    )
                self.token = token
                self.repository._lock = self
                return
            except IntegrityError:  # PostgreSQL: another process inserted between our read and our insert
                if attempt == 1:
                    raise
            except OperationalError as exc:  # a read-only or locked file: before any work starts
                raise RepositoryError(
                    f"cannot write to database {self.repository.display_url}: {failure_reason(exc)}"
                ) from None
        raise AssertionError("unreachable")

    def stale_reason(self, holder: Any) -> str | None:
        """Why the holder's lock may be broken (its process is gone, or no heartbeat for too long), else None."""
        if holder["host"] == socket.gethostname() and not process_alive(holder["pid"]):
            return f"pid {holder['pid']} on host {holder['host']} is no longer running"
        heartbeat = as_utc(holder["heartbeat_at"])
        if utc_now() - heartbeat > self.timeout:
            hours = self.timeout.total_seconds() / 3600
            return f"no heartbeat from pid {holder['pid']} on host {holder['host']} since {iso_utc(heartbeat)} (more than {hours:g} hours)"
        return None

    def describe_holder(self, conn: Connection, holder: Any) -> str:
        where = self.repository.display_url
        who = f"by pid {holder['pid']} on host {holder['host']} (owner '{holder['owner']}')"
        if holder["run_id"] is not None:
            started = conn.execute(select(runs.c.started_at).where(runs.c.id == holder["run_id"])).scalar()
            what = f"run {holder['run_id']} started {iso_utc(started or holder['acquired_at'])} {who}"
        else:
            what = f"a run being prepared since {iso_utc(holder['acquired_at'])} {who}"
        hours = self.timeout.total_seconds() / 3600
        return (
            f"repository {where} is busy: {what} holds the lock (last heartbeat "
            f"{iso_utc(holder['heartbeat_at'])}); wait for it to finish. The lock is broken automatically "
            f"once that process is gone (same host) or silent for {hours:g} hours (--lock-timeout)"
        )

    def heartbeat(self) -> None:
        """Tell other processes this run is alive (also done by every `write_pages` batch of this process)."""
        if self.token is not None:
            self.repository.heartbeat()

    def release(self) -> None:
        """Give the lock up (only our own row: a successor that broke it keeps theirs)."""
        if self.token is None:
            return
        token, self.token = self.token, None
        if self.repository._lock is self:
            self.repository._lock = None
        with self.repository.transaction() as conn:
            conn.execute(delete(run_locks).where(run_locks.c.name == LOCK_NAME, run_locks.c.token == token))

"""The run lock: two runs never write one repository at once; stale locks are broken. Real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sdg_tags.repository.errors import RunLockedError
from sdg_tags.repository.schema import run_locks
from sdg_tags.repository.store import Repository
from sdg_tags.repository.timestamps import iso_utc, utc_now
from sqlalchemy import select, update

from tests.repository_records import failed_record

# A separate process that takes the lock, opens a run, says "<run id> <started_at>" and then either waits
# for a line on stdin (releasing the lock afterwards) or dies without releasing it.
HOLDER = textwrap.dedent(
    """
    import os, signal, sys
    from sdg_tags.repository.store import Repository
    from sdg_tags.repository.timestamps import iso_utc
    repository = Repository(sys.argv[1])
    lock = repository.run_lock(owner="nightly crawl")
    lock.acquire()
    run_id = repository.start_run(profile="harvester", settings={}, code_lists={})
    started = [info.started_at for info in repository.runs() if info.id == run_id][0]
    print(run_id, iso_utc(started), flush=True)
    if sys.argv[2] == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.readline()
    lock.release()
    repository.close()
    print("released", flush=True)
    """
)


@contextmanager
def holder_process(db_url: str, mode: str) -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db_url, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            pytest.fail(f"lock holder did not start: {process.stderr.read() if process.stderr else ''}")
        run_id, started = line.split()
        yield process, int(run_id), started
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream:
                stream.close()


def test_a_second_process_gets_a_clear_message_until_the_first_releases(db_url: str) -> None:
    with Repository(db_url) as repository:
        repository.runs()  # create the schema up front, so only the lock is contended
    with holder_process(db_url, "wait") as (process, run_id, started), Repository(db_url) as repository:
        with pytest.raises(RunLockedError) as caught, repository.run_lock(owner="second crawl"):
            pytest.fail("the lock was granted twice")
        message = str(caught.value)
        assert message.startswith(
            f"repository {repository.display_url} is busy: run {run_id} started {started} by pid {process.pid} "
            f"on host {socket.gethostname()} (owner 'nightly crawl') holds the lock (last heartbeat "
        )
        assert message.endswith(
            "wait for it to finish. The lock is broken automatically once that process is gone (same host) "
            "or silent for 24 hours (--lock-timeout)"
        )
        assert "\n" not in message

        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "released"
        assert process.wait() == 0

        with repository.run_lock(owner="second crawl") as lock:
            assert lock.held and lock.broken is None


def test_lock_of_a_dead_process_on_this_host_is_broken(db_url: str) -> None:
    with Repository(db_url) as repository:
        repository.runs()
    with holder_process(db_url, "die") as (process, _run_id, _started):
        assert process.wait() == -signal.SIGKILL
        with Repository(db_url) as repository, repository.run_lock(owner="next crawl") as lock:
            assert lock.broken == (
                f"broke a stale run lock: pid {process.pid} on host {socket.gethostname()} is no longer running"
            )


def test_lock_without_heartbeat_for_the_timeout_is_broken(db_url: str) -> None:
    with Repository(db_url) as first, Repository(db_url) as second:
        held = first.run_lock(owner="stuck crawl")
        held.acquire()
        silent_since = utc_now() - timedelta(hours=30)
        with first.transaction() as conn:
            conn.execute(update(run_locks).values(heartbeat_at=silent_since))
        # The holder's process (this one) is alive, so only the missing heartbeat makes the lock stale.
        with pytest.raises(RunLockedError):
            second.run_lock(owner="next crawl", timeout_hours=48).acquire()
        with second.run_lock(owner="next crawl", timeout_hours=24) as lock:
            assert lock.broken == (
                f"broke a stale run lock: no heartbeat from pid {os.getpid()} on host {socket.gethostname()} "
                f"since {iso_utc(silent_since)} (more than 24 hours)"
            )
            # The old holder releasing late must not remove its successor's lock.
            held.release()
            with second.engine.connect() as conn:
                assert conn.execute(select(run_locks.c.owner)).scalars().all() == ["next crawl"]
        with second.engine.connect() as conn:
            assert conn.execute(select(run_locks.c.owner)).scalars().all() == []


def test_run_started_under_the_lock_is_named_and_writes_keep_it_alive(db_url: str) -> None:
    # As in `sdg-tags crawl`: the command holds the lock, the crawl writes through its own Repository object.
    with Repository(db_url) as command, Repository(db_url) as crawl, command.run_lock(owner="crawl"):
        run_id = crawl.start_run(profile="harvester", settings={}, code_lists={})
        with crawl.transaction() as conn:
            conn.execute(update(run_locks).values(heartbeat_at=utc_now() - timedelta(hours=2)))
        crawl.write_pages(run_id, [])  # an empty batch writes nothing, not even a heartbeat
        with crawl.engine.connect() as conn:
            assert utc_now() - conn.execute(select(run_locks.c.heartbeat_at)).scalar_one() > timedelta(
                hours=1
            )
        crawl.write_pages(run_id, [failed_record("https://www.example.se/")])
        with crawl.engine.connect() as conn:
            row = conn.execute(select(run_locks)).mappings().one()
        assert row["run_id"] == run_id
        assert utc_now() - row["heartbeat_at"] < timedelta(hours=1)


def test_closing_the_repository_releases_its_lock(db_url: str) -> None:
    repository = Repository(db_url)
    repository.run_lock(owner="crawl").acquire()
    repository.close()
    with Repository(db_url) as again, again.run_lock(owner="crawl") as lock:
        assert lock.broken is None

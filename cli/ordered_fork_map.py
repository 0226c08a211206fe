"""A map over processes whose results come back in input order, streamed: `check` on a folder.

The items are cut into chunks; chunk c is produced by process c % jobs, where process 0 is the calling
process itself and the others are forked from it (they inherit the imported modules, the options and the
items, and are sent nothing). A forked worker writes each chunk's results, pickled, to its own pipe; the
caller yields the chunks in order, producing its own chunks in between and, while a worker's next chunk is
not ready, up to `AHEAD_CHUNKS` of its own in advance. What waits in memory is bounded by that and by the
pipes' capacity, whatever the number of items.

Why not `multiprocessing.Pool`: its task and result queues, the pickling of every task, and its three threads
in a parent that does no checking of its own cost a folder check a quarter of its time on two cores
(bench/bench_check_dir.py). A pool also waits forever when a worker is killed; here the caller gets
`WorkerFailed` naming the process and the signal.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
CHUNK_ITEMS = 16  # small enough to spread a few hundred pages evenly, large enough to make a pipe write cheap
AHEAD_CHUNKS = 32  # the caller's own chunks produced in advance while it waits for a worker
PIPE_BYTES = 1 << 20  # a worker may run ahead of the writer by this much output (Linux's default limit)
_FRAME_HEADER = struct.Struct(">Q")


class WorkerFailed(Exception):
    """A worker process could not be started, raised, or ended before its last chunk (one line: which, why)."""


def ordered_fork_map(
    produce: Callable[[Item], Any], items: Sequence[Item], jobs: int, *, chunk_items: int = CHUNK_ITEMS
) -> Iterator[Any]:
    """`produce(item)` for every item, in order, computed by `jobs` processes (this one included). The
    results of forked workers must pickle. Closing the iterator early stops the workers."""
    chunks = [items[start : start + chunk_items] for start in range(0, len(items), chunk_items)]
    jobs = max(1, min(jobs, len(chunks)))
    if jobs == 1:
        for item in items:
            yield produce(item)
        return
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and not stream.closed:
            stream.flush()  # else a child's copy of the buffer could be written twice
    workers: dict[int, _Worker] = {}
    try:
        for number in range(1, jobs):
            try:
                read_end, write_end = os.pipe()
            except OSError as exc:  # out of file descriptors
                raise WorkerFailed(f"could not start a checking process ({exc.strerror or exc})") from None
            try:
                pid = os.fork()
            except OSError as exc:  # out of processes or memory
                os.close(read_end)
                os.close(write_end)
                raise WorkerFailed(f"could not start a checking process ({exc.strerror or exc})") from None
            if pid == 0:  # the worker: never returns
                os.close(read_end)
                for other in workers.values():
                    os.close(other.read_end)
                _work(produce, chunks, number, jobs, write_end)
            os.close(write_end)
            workers[number] = _Worker(pid, read_end)
        ahead: deque[list[Any]] = deque()  # this process's own chunks produced in advance, in order
        next_own = 0  # this process's next chunk not yet produced
        for index in range(len(chunks)):
            owner = index % jobs
            if owner == 0:
                if ahead:
                    results = ahead.popleft()
                else:
                    results = [produce(item) for item in chunks[index]]
                    next_own = index + jobs
                yield from results
                continue
            worker = workers[owner]
            while len(ahead) < AHEAD_CHUNKS and next_own < len(chunks) and not _readable(worker.read_end):
                ahead.append([produce(item) for item in chunks[next_own]])
                next_own += jobs
            yield from worker.read_chunk()
    finally:
        _stop(workers)


def _work(
    produce: Callable[[Any], Any], chunks: list[Sequence[Any]], number: int, jobs: int, fd: int
) -> None:
    """A forked worker's life: its chunks, each as one frame (length, pickled (ok, results or traceback))."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
        _grow_pipe(fd)
        for index in range(number, len(chunks), jobs):
            try:
                payload = pickle.dumps(
                    (True, [produce(item) for item in chunks[index]]), pickle.HIGHEST_PROTOCOL
                )
            except Exception:
                payload = pickle.dumps((False, traceback.format_exc()), pickle.HIGHEST_PROTOCOL)
                code = 1
            _write_all(fd, _FRAME_HEADER.pack(len(payload)) + payload)
            if code:
                break
    except BaseException:  # the reader is gone (BrokenPipeError) or the worker is being stopped
        code = 1
    finally:
        os._exit(code)  # never run the caller's cleanup (atexit, finally blocks, buffered output) here


def _grow_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above /proc/sys/fs/pipe-max-size: the default capacity (64 KiB) still works


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


class _Worker:
    """A forked worker as the caller sees it: its pid and the read end of its pipe."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self.read_end = read_end
        self.status: int | None = None  # once reaped

    def read_chunk(self) -> list[Any]:
        (size,) = _FRAME_HEADER.unpack(self.read_exactly(_FRAME_HEADER.size))
        ok, results = pickle.loads(self.read_exactly(size))
        if not ok:
            last_line = results.strip().splitlines()[-1] if results.strip() else "no traceback"
            raise WorkerFailed(f"checking process {self.pid} failed: {last_line}")
        return results

    def read_exactly(self, size: int) -> bytes:
        parts = bytearray()
        while len(parts) < size:
            part = os.read(self.read_end, min(size - len(parts), PIPE_BYTES))
            if not part:
                raise WorkerFailed(f"checking process {self.pid} ended unexpectedly ({self.exit_reason()})")
            parts += part
        return bytes(parts)

    def reap(self) -> int:
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)
        return self.status

    def exit_reason(self) -> str:
        status = self.reap()
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            return f"killed by {name}" + ("; out of memory?" if number == signal.SIGKILL else "")
        return f"exit code {os.waitstatus_to_exitcode(status)}"


def _stop(workers: dict[int, _Worker]) -> None:
    """Close the pipes (a worker still writing gets a broken pipe and ends), end the workers, reap them."""
    for worker in workers.values():
        os.close(worker.read_end)
        if worker.status is None:  # not reaped: its pid cannot belong to another process yet
            os.kill(worker.pid, signal.SIGTERM)
    for worker in workers.values():
        worker.reap()

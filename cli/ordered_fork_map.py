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

import select
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sdg_tags.crawler.forked_process import (
    ForkedProcess,
    WorkerFailed,
    fork_child,
    stop_children,
    write_frame,
)

__all__ = ["WorkerFailed", "ordered_fork_map"]
Item = TypeVar("Item")
CHUNK_ITEMS = 16  # small enough to spread a few hundred pages evenly, large enough to make a pipe write cheap
AHEAD_CHUNKS = 32  # the caller's own chunks produced in advance while it waits for a worker
WHAT = "checking process"


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
    workers: dict[int, ForkedProcess] = {}
    try:
        for number in range(1, jobs):
            workers[number] = fork_child(
                lambda fd, number=number: _work(produce, chunks, number, jobs, fd),
                WHAT,
                close_in_child=[worker.read_end for worker in workers.values()],
            )
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
            yield from _read_chunk(worker)
    finally:
        stop_children(workers.values())


def _work(
    produce: Callable[[Any], Any], chunks: list[Sequence[Any]], number: int, jobs: int, fd: int
) -> None:
    """A forked worker's chunks, each as one frame: (True, results) or (False, traceback), then it ends."""
    for index in range(number, len(chunks), jobs):
        try:
            results = [produce(item) for item in chunks[index]]
        except Exception:
            write_frame(fd, (False, traceback.format_exc()))
            raise
        write_frame(fd, (True, results))


def _read_chunk(worker: ForkedProcess) -> list[Any]:
    ok, results = worker.read_frame()
    if not ok:
        last_line = results.strip().splitlines()[-1] if results.strip() else "no traceback"
        raise WorkerFailed(f"{WHAT} {worker.pid} failed: {last_line}")
    return results


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])

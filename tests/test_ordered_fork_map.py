"""The forked map behind `check DIR`: results in input order whoever produced them, a worker's failure named in
one line, and no process left behind however the iteration ends."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sdg_tags.cli.ordered_fork_map import AHEAD_CHUNKS, WorkerFailed, ordered_fork_map


def children() -> set[int]:
    """This process's child processes, reaped or not (zombies included)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


@pytest.fixture(autouse=True)
def no_children_left() -> object:
    before = children()
    yield
    assert children() == before


def test_results_come_in_input_order_from_every_process() -> None:
    results = list(ordered_fork_map(lambda item: (item * 2, os.getpid()), list(range(301)), 3, chunk_items=4))
    assert [value for value, _ in results] == [item * 2 for item in range(301)]
    pids = [pid for _, pid in results]
    assert pids[:4] == [os.getpid()] * 4  # chunk 0 is this process's
    assert len(set(pids[4:8])) == 1 and pids[4] != os.getpid()  # chunk 1 a worker's
    assert len(set(pids)) == 3


def test_order_holds_when_a_worker_is_slow_and_this_process_runs_ahead() -> None:
    def produce(item: int) -> tuple[int, int]:
        if item // 2 % 2:  # every chunk of the one worker
            time.sleep(0.01)
        return item, os.getpid()

    count = 2 * 2 * (AHEAD_CHUNKS + 8)
    results = list(ordered_fork_map(produce, list(range(count)), 2, chunk_items=2))
    assert [value for value, _ in results] == list(range(count))
    assert {pid for value, pid in results if value // 2 % 2 == 0} == {os.getpid()}


def test_fewer_items_than_processes() -> None:
    assert list(ordered_fork_map(lambda item: item + 1, [1, 2], 8, chunk_items=16)) == [2, 3]
    assert list(ordered_fork_map(lambda item: item, [], 4)) == []


def test_an_exception_in_a_worker_is_one_line_naming_it() -> None:
    def produce(item: int) -> int:
        if item == 37:  # chunk 9 of 4: a worker's (9 % 2 == 1)
            raise ValueError("no page 37")
        return item

    seen: list[int] = []
    with pytest.raises(WorkerFailed, match=r"^checking process \d+ failed: ValueError: no page 37$"):
        for value in ordered_fork_map(produce, list(range(100)), 2, chunk_items=4):
            seen.append(value)
    assert seen == list(range(36))


def test_a_killed_worker_ends_the_map_instead_of_hanging() -> None:
    def produce(item: int) -> int:
        if item == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        return item

    with pytest.raises(WorkerFailed, match=r"^checking process \d+ ended unexpectedly \(killed by SIGKILL"):
        list(ordered_fork_map(produce, list(range(40)), 2, chunk_items=4))


def test_an_exception_in_this_process_stops_the_workers() -> None:
    def produce(item: int) -> int:
        if item == 8 and os.getpid() == parent:
            raise KeyError("own chunk")
        return item

    parent = os.getpid()
    with pytest.raises(KeyError):
        list(ordered_fork_map(produce, list(range(1000)), 2, chunk_items=4))


def test_stopping_early_stops_the_workers() -> None:
    iterator = ordered_fork_map(lambda item: item, list(range(100_000)), 2, chunk_items=4)
    assert [next(iterator) for _ in range(10)] == list(range(10))
    iterator.close()

"""A generator run in a forked process (`forked_stream`, the enqueue's registry reader): its items in order from
the other process, its exception raised again here, its death one line, and no process left behind."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from sdg_tags.crawler.forked_process import WorkerFailed, forked_stream
from sdg_tags.crawler.registry import RegistryFileError

from tests.test_ordered_fork_map import children, no_children_left  # noqa: F401 (the autouse fixture)


def test_items_come_in_order_from_the_forked_process() -> None:
    def produce() -> Iterator[tuple[int, int]]:
        for number in range(20_000):  # more than a pipe holds: the child waits for the reader
            yield number, os.getpid()

    items = list(forked_stream(produce, "reading process"))
    assert [number for number, _ in items] == list(range(20_000))
    assert {pid for _, pid in items} != {os.getpid()} and len({pid for _, pid in items}) == 1


def test_an_exception_in_the_child_is_raised_here_as_it_was() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise RegistryFileError("registry.csv: not UTF-8 text (byte 0xff on line 7)")

    stream = forked_stream(produce, "reading process")
    assert next(stream) == 1
    with pytest.raises(RegistryFileError, match=r"^registry.csv: not UTF-8 text \(byte 0xff on line 7\)$"):
        next(stream)


class Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:  # pickle calls it with one argument: it fails
        super().__init__(f"{first} {second}")


def test_an_exception_that_does_not_pickle_is_one_line() -> None:
    def produce() -> Iterator[int]:
        raise Unpicklable("disk", "gone")
        yield 0

    with pytest.raises(WorkerFailed, match=r"^reading process \d+ failed: .*Unpicklable: disk gone$"):
        list(forked_stream(produce, "reading process"))


def test_a_killed_child_is_one_line() -> None:
    def produce() -> Iterator[int]:
        yield 1
        os.kill(os.getpid(), signal.SIGKILL)
        yield 2

    with pytest.raises(WorkerFailed, match=r"^reading process \d+ ended unexpectedly \(killed by SIGKILL"):
        list(forked_stream(produce, "reading process"))


def test_stopping_early_stops_the_child() -> None:
    def produce() -> Iterator[int]:
        number = 0
        while True:
            yield number
            number += 1

    stream = forked_stream(produce, "reading process")
    assert [next(stream) for _ in range(5)] == [0, 1, 2, 3, 4]
    stream.close()  # the autouse fixture checks that no child is left

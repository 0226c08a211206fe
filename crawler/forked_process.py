"""Work in a forked process whose results come back through a pipe, as length-prefixed pickled frames.

`forked_stream` runs a generator in a forked child and yields its items in this process, as they come: the
enqueue reads, checks and imports a registry there while this process plans it into Redis (two cores, where
threads would share one). `cli/ordered_fork_map.py` (`check` on a folder) maps over several such processes.

A forked child inherits the imported modules and its arguments, so nothing is sent to it. It ends with
`os._exit`, never running the caller's cleanup (atexit, finally blocks, buffered output). What it has not
delivered waits in the pipe (`PIPE_BYTES`), so memory is bounded whatever the amount of work. A child that
raises, or ends without its last frame (killed, out of memory), is a `WorkerFailed` (one line: which process,
why) or, for a stream, the child's own exception raised again here.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

Item = TypeVar("Item")
PIPE_BYTES = 1 << 20  # a child may run ahead of its reader by this much output (Linux's default limit)
_FRAME_HEADER = struct.Struct(">Q")
# A stream's frames: (ITEM, item), (FAILED, exception or traceback text), (END, None).
ITEM, FAILED, END = 0, 1, 2


class WorkerFailed(Exception):
    """A forked process could not be started, raised, or ended before its last frame (one line: which, why)."""


class ForkedProcess:
    """A forked child as its parent sees it: its pid and the read end of its pipe."""

    def __init__(self, pid: int, read_end: int, what: str) -> None:
        self.pid = pid
        self.read_end = read_end
        self.what = what  # "checking process": how messages name it
        self.status: int | None = None  # once reaped

    def read_frame(self) -> Any:
        (size,) = _FRAME_HEADER.unpack(self.read_exactly(_FRAME_HEADER.size))
        return pickle.loads(self.read_exactly(size))

    def read_exactly(self, size: int) -> bytes:
        parts = bytearray()
        while len(parts) < size:
            part = os.read(self.read_end, min(size - len(parts), PIPE_BYTES))
            if not part:
                raise WorkerFailed(f"{self.what} {self.pid} ended unexpectedly ({self.exit_reason()})")
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


def fork_child(child: Callable[[int], None], what: str, close_in_child: Iterable[int] = ()) -> ForkedProcess:
    """Fork a process that runs `child(write_end)` and then ends (`os._exit`: 0, or 1 if it raised). The
    descriptors `close_in_child` (other children's pipes) are closed in the child."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and not stream.closed:
            stream.flush()  # else a child's copy of the buffer could be written twice
    try:
        read_end, write_end = os.pipe()
    except OSError as exc:  # out of file descriptors
        raise WorkerFailed(f"could not start a {what} ({exc.strerror or exc})") from None
    try:
        pid = os.fork()
    except OSError as exc:  # out of processes or memory
        os.close(read_end)
        os.close(write_end)
        raise WorkerFailed(f"could not start a {what} ({exc.strerror or exc})") from None
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read_end)
            for fd in close_in_child:
                os.close(fd)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            grow_pipe(write_end)
            child(write_end)
            code = 0
        except BaseException:  # the reader is gone (BrokenPipeError) or the child is being stopped
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    return ForkedProcess(pid, read_end, what)


def stop_children(children: Iterable[ForkedProcess]) -> None:
    """Close the pipes (a child still writing gets a broken pipe and ends), end the children, reap them."""
    children = list(children)
    for child in children:
        os.close(child.read_end)
        if child.status is None:  # not reaped: its pid cannot belong to another process yet
            os.kill(child.pid, signal.SIGTERM)
    for child in children:
        child.reap()


def write_frame(fd: int, value: Any) -> None:
    payload = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    view = memoryview(_FRAME_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def grow_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above /proc/sys/fs/pipe-max-size: the default capacity (64 KiB) still works


def forked_stream(produce: Callable[[], Iterable[Item]], what: str) -> Iterator[Item]:
    """The items of `produce()`, produced in a forked child (they must pickle). An exception in the child is
    raised here again (as the child's exception when it pickles); a child that ends early is WorkerFailed.
    Closing the iterator early stops the child."""
    process = fork_child(lambda fd: _stream(produce, fd), what)
    try:
        while True:
            kind, value = process.read_frame()
            if kind == ITEM:
                yield value
            elif kind == FAILED:
                if isinstance(value, BaseException):
                    raise value
                last_line = value.strip().splitlines()[-1] if value.strip() else "no traceback"
                raise WorkerFailed(f"{what} {process.pid} failed: {last_line}")
            else:
                return
    finally:
        stop_children([process])


def _stream(produce: Callable[[], Iterable[Any]], fd: int) -> None:
    try:
        for item in produce():
            write_frame(fd, (ITEM, item))
    except Exception as exc:
        failure: BaseException | str = traceback.format_exc()
        try:
            pickle.loads(pickle.dumps(exc, pickle.HIGHEST_PROTOCOL))
            failure = exc  # the parent raises the child's own exception (RegistryFileError, ...)
        except Exception:  # it does not survive pickling: its traceback as text
            pass
        write_frame(fd, (FAILED, failure))
        raise
    write_frame(fd, (END, None))

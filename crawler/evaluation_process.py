"""The evaluation process: validation and repository writes of a crawl, beside the Scrapy process.

Scrapy runs on one thread. Validating a page (~0.3 ms) and storing its record (~0.3 ms of Python under the
GIL, in the writer thread) on that thread left the crawl at 0.6-0.7 of a bare Scrapy spider's rate, with the
second core half idle. So the repository writer hands batches of fetch outcomes (bodies included) to one
child process, which validates them (crawler/evaluation.py), upserts the records in one transaction, and
answers with the URLs committed and the stats they add. No page record travels back: only URLs and counters.

Nothing is lost when the child is: the writer keeps every batch until its answer comes, and if the child
exits (killed, out of memory) the unanswered batches and all later ones are evaluated and stored on the
writer thread instead (`EvaluationProcessGone`). The child ignores SIGINT and SIGTERM (a Ctrl-C or a
systemd stop reaches the whole process group; the crawl process drains the child before it exits), and
exits by itself once the crawl process is gone.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import queue
import signal
import threading
from typing import Any

from sdg_tags.crawler.evaluation import StoredBatch, evaluate_and_store
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.validators.models import ValidationOptions

logger = logging.getLogger(__name__)

# How often (seconds) the child checks that the crawl process is still there, and the reader thread that
# the child is, while nothing arrives.
LIVENESS_INTERVAL = 1.0
# A child that has not exited this long (seconds) after "stop" and its last batch is terminated.
STOP_TIMEOUT = 30.0


class EvaluationProcessGone(RuntimeError):
    """The evaluation process exited; its batches must be evaluated elsewhere."""


def serve(inbox: Any, outbox: Any, db_url: str, options: ValidationOptions) -> None:
    """The child's main loop: ("batch", id, run_id, outcomes) -> ("stored", id, StoredBatch) | ("failed", id, why)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from sdg_tags.crawler.garbage_collection import tune_for_crawl
    from sdg_tags.repository.store import Repository

    parent = multiprocessing.parent_process()
    tuned = False
    with Repository(db_url) as repository:
        while True:
            try:
                message = inbox.get(timeout=LIVENESS_INTERVAL)
            except queue.Empty:
                if parent is not None and not parent.is_alive():
                    return  # the crawl process was killed: nobody is left to answer
                continue
            if message[0] == "stop":
                return
            _, batch_id, run_id, outcomes = message
            try:
                stored = evaluate_and_store(repository, run_id, outcomes, options)
            except Exception as exc:  # the repository failed: the crawl process decides (retry, stop)
                outbox.put(("failed", batch_id, f"{type(exc).__name__}: {exc}"))
            else:
                outbox.put(("stored", batch_id, stored))
            if not tuned:  # after the first batch: the taxonomy and validators are loaded by then, and frozen
                tune_for_crawl()
                tuned = True


class EvaluationProcess:
    """The crawl side of the child: submit batches, await their StoredBatch; see the module docstring."""

    def __init__(self, db_url: str, options: ValidationOptions) -> None:
        self.db_url = db_url
        self.options = options
        # spawn, not fork: the crawl process runs a reactor and threads, which a forked child would inherit.
        context = multiprocessing.get_context("spawn")
        self.inbox: Any = context.Queue()
        self.outbox: Any = context.Queue()
        self.process = context.Process(
            target=serve,
            args=(self.inbox, self.outbox, db_url, options),
            name="sdg-tags-evaluation",
            daemon=True,
        )
        self.waiting: dict[int, asyncio.Future[StoredBatch]] = {}
        self.batch_ids = itertools.count(1)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.reader = threading.Thread(target=self.read_answers, name="sdg-evaluation-answers", daemon=True)
        self.stopping = threading.Event()
        self.gone: str | None = None  # why the child is not there any more

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.process.start()
        self.reader.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def submit(self, run_id: int, outcomes: list[FetchOutcome]) -> asyncio.Future[StoredBatch]:
        """Send a batch (pickled by the queue's feeder thread); the future ends when the child answers."""
        assert self.loop is not None, "start() first"
        future: asyncio.Future[StoredBatch] = self.loop.create_future()
        if self.gone is not None:
            future.set_exception(EvaluationProcessGone(self.gone))
            return future
        batch_id = next(self.batch_ids)
        self.waiting[batch_id] = future
        self.inbox.put(("batch", batch_id, run_id, outcomes))
        return future

    def read_answers(self) -> None:
        """Reader thread: hand each answer to the event loop; notice the child's exit."""
        while True:
            try:
                answer = self.outbox.get(timeout=LIVENESS_INTERVAL)
            except queue.Empty:
                if not self.process.is_alive():
                    if not self.stopping.is_set():
                        self.post(
                            self.child_gone, f"the evaluation process exited (code {self.process.exitcode})"
                        )
                    return
                continue
            except (EOFError, OSError) as exc:
                self.post(self.child_gone, f"the evaluation process cannot be reached ({exc})")
                return
            self.post(self.answered, answer)

    def post(self, function: Any, argument: Any) -> None:
        assert self.loop is not None
        try:
            self.loop.call_soon_threadsafe(function, argument)
        except RuntimeError:  # the loop is closed: the crawl process is shutting down
            pass

    def answered(self, answer: tuple[Any, ...]) -> None:
        kind, batch_id, payload = answer
        future = self.waiting.pop(batch_id, None)
        if future is None or future.done():
            return
        if kind == "stored":
            future.set_result(payload)
        else:
            future.set_exception(RuntimeError(payload))

    def child_gone(self, why: str) -> None:
        self.gone = why
        # A batch the child never read may fill the pipe; without this the queue's feeder thread would block
        # on it and hold up the crawl process at exit. The batches are evaluated elsewhere anyway.
        self.inbox.cancel_join_thread()
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(EvaluationProcessGone(why))

    def stop(self) -> None:
        """Tell the child to exit after its queued batches (their answers still arrive) and wait for it."""
        self.stopping.set()
        if self.process.is_alive():
            self.inbox.put(("stop",))
            self.process.join(STOP_TIMEOUT)
            if self.process.is_alive():
                logger.error("The evaluation process did not stop within %g s; terminating it", STOP_TIMEOUT)
                self.process.terminate()
                self.process.join(5)
        self.reader.join(LIVENESS_INTERVAL * 2)
        self.inbox.cancel_join_thread()  # every batch was answered; nothing unread is worth waiting for
        self.inbox.close()
        self.outbox.close()

"""Progress log of a worker: the whole run's figures from Redis, and this worker's share.

Replaces crawler/extensions/progress.py in a worker (its figures are one process's). One line every
`SDG_PROGRESS_INTERVAL` seconds: pages committed by all workers, queued, in flight, held back, live workers,
this worker's pages, rate, verdicts and non-ok fetch statuses. `sdg-tags worker --status` prints the run's
figures once, from anywhere. A worker that stopped sending heartbeats (killed) is not counted as live: a line says how long it has been silent and
when the requests it holds go back to the queue (its lease time after its last heartbeat). With
`SDG_PROGRESS` = live (`sdg-tags worker` on a terminal) the same line is redrawn in place every second.
"""

from __future__ import annotations

import logging
from time import monotonic

import redis
from sdg_tags.crawler.distributed.context import worker_context
from sdg_tags.crawler.distributed.frontier import FrontierState, WorkerView
from sdg_tags.crawler.extensions.progress import ProgressDisplay, format_duration, prefixed_counts
from sdg_tags.validators.models import FETCH_STATUSES, VERDICTS

logger = logging.getLogger(__name__)
LIVE_REFRESH = 1.0  # seconds between redraws of the live line: each asks Redis for the run's figures


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def live_workers(views: list[WorkerView]) -> int:
    return sum(1 for view in views if not view.silent and view.expires_in > 0)


def silence_line(views: list[WorkerView]) -> str | None:
    """'n workers silent for s seconds; their k requests return to the queue in t s' (None: nobody is silent).
    The requests go back at the first heartbeat of a live worker after the silent one's lease runs out."""
    silent = [view for view in views if view.silent]
    if not silent:
        return None
    longest = max(view.silent_for or 0.0 for view in silent)
    held = sum(view.leases for view in silent)
    back = max(view.expires_in + (view.lease_ttl or 0.0) / 3 for view in silent)
    return (
        f"{plural(len(silent), 'worker')} silent for {longest:.0f} s; "
        f"{'its' if len(silent) == 1 else 'their'} {plural(held, 'request')} return to the queue "
        f"within {back:.0f} s"
    )


def remaining_line(state: FrontierState, views: list[WorkerView]) -> str:
    """What is left of a run that is not finished, and who holds it."""
    run_id = state.run.get("run_id", "?")
    if state.run.get("state") == "finished":
        return f"run {run_id} is finished"
    left = f"{state.queued} queued, {state.leased} in flight, {state.held} held back"
    holders = ", ".join(f"{view.worker} holds {view.leases}" for view in views if view.leases)
    live = live_workers(views)
    if live:
        who = f"{plural(live, 'worker')} still at work" + (f" ({holders})" if holders else "")
        return f"run {run_id} is still running: {left}; {who}; the last to leave finishes it"
    return (
        f"run {run_id} is not finished: {left}; no worker is at work"
        + (f" ({holders}, silent)" if holders else "")
        + "; start one: sdg-tags worker --redis URL --db URL"
    )


class SharedProgressLog(ProgressDisplay):
    live_refresh = LIVE_REFRESH

    def draw_live(self) -> None:
        try:
            super().draw_live()
        except redis.RedisError:
            pass  # the next redraw asks again; the interval lines say when Redis does not answer

    def live_text(self) -> str:
        return self.progress_line()

    def progress_line(self) -> str:
        frontier = worker_context(self.crawler).frontier
        state = frontier.state()
        views = frontier.workers()
        stats = self.crawler.stats.get_stats()
        mine = stats.get("sdg/pages/total", 0)
        elapsed = monotonic() - self.started
        silence = silence_line(views)
        # Verdicts and fetch statuses are this worker's (its crawl stats): Redis keeps no run-wide tally of them.
        verdicts = prefixed_counts(stats, "sdg/verdict/", VERDICTS) or "none yet"
        statuses = prefixed_counts(stats, "sdg/status/", FETCH_STATUSES, skip="ok") or "all ok"
        return (
            f"Run {state.run.get('run_id', '?')}: {state.stats.get('pages', 0)} pages stored by all workers, "
            f"{state.queued} queued, {state.leased} in flight, {state.held} held back, "
            f"{plural(live_workers(views), 'live worker')}; "
            f"this worker {mine} pages ({mine / max(elapsed, 1e-9) * 60:.0f}/min), "
            f"elapsed {format_duration(elapsed)}; this worker's verdicts: {verdicts}; fetch status: {statuses}"
            + (f"; {silence}" if silence else "")
        )

    def log_progress(self) -> None:
        try:
            logger.info("%s", self.progress_line())
        except redis.RedisError as exc:
            logger.warning("Progress: Redis did not answer (%s)", exc)

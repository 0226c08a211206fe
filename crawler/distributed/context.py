"""One worker's connection to a distributed run: the frontier, the worker's id, the run's pace.

Built once per crawler (`worker_context(crawler)`), shared by the scheduler, the politeness middleware, the
spider and the repository writer of that worker. The pace (base delay, concurrency, back-off limits) comes
from the run in Redis, not from the worker's own settings, so every worker of a run is equally polite.

Settings: `SDG_REDIS_URL`, `SDG_REDIS_NAME` ("sdg"), `SDG_LEASE_TTL` (15 s: a worker silent this long is dead
and its leases are requeued), `SDG_DISTRIBUTED_LOOKAHEAD` (0.25 s: how far ahead a worker takes a host's next
slot), `SDG_DISTRIBUTED_POLL` (0.5 s: how often an idle worker looks for new work).
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from typing import Any

from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.distributed.frontier import DEFAULT_NAME, SharedFrontier

DEFAULT_LEASE_TTL = 15.0
DEFAULT_LOOKAHEAD = 0.25
DEFAULT_POLL = 0.5


class NoRunError(Exception):
    """Redis holds no distributed run under this name (enqueue first)."""


@dataclass(frozen=True, slots=True)
class Pace:
    """Per-host politeness of a run, the same for every worker."""

    delay: float = 1.0
    concurrency: int = 2
    crawl_delay_max: float = 60.0
    backoff_max: float = 60.0
    slow_response: float = 5.0
    retry_after_max: float = 300.0
    token_ttl: float = 90.0  # an in-flight token left by a vanished request expires after this

    @classmethod
    def from_settings(cls, settings: Any) -> Pace:
        timeout = settings.getfloat("DOWNLOAD_TIMEOUT", default_settings.DOWNLOAD_TIMEOUT)
        render = settings.getfloat("SDG_RENDER_TIMEOUT", default_settings.SDG_RENDER_TIMEOUT)
        return cls(
            delay=settings.getfloat(
                "SDG_HOST_DELAY", settings.getfloat("DOWNLOAD_DELAY", default_settings.DOWNLOAD_DELAY)
            ),
            concurrency=max(
                1, settings.getint("SDG_HOST_CONCURRENCY", default_settings.SDG_HOST_CONCURRENCY)
            ),
            crawl_delay_max=settings.getfloat("SDG_CRAWL_DELAY_MAX", default_settings.SDG_CRAWL_DELAY_MAX),
            backoff_max=settings.getfloat("SDG_BACKOFF_MAX_DELAY", default_settings.SDG_BACKOFF_MAX_DELAY),
            slow_response=settings.getfloat("SDG_SLOW_RESPONSE", default_settings.SDG_SLOW_RESPONSE),
            retry_after_max=settings.getfloat("SDG_RETRY_AFTER_MAX", default_settings.SDG_RETRY_AFTER_MAX),
            token_ttl=2 * (timeout + render) + 30.0,
        )


@dataclass
class WorkerContext:
    frontier: SharedFrontier
    worker_id: str
    run_id: int
    pace: Pace
    lease_ttl: float
    lookahead: float
    poll: float


def new_worker_id() -> str:
    """host:pid:random, readable in `sdg-tags worker --status` and unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def worker_context(crawler: Any) -> WorkerContext:
    """The crawler's worker context (created on first use)."""
    context: WorkerContext | None = getattr(crawler, "sdg_worker_context", None)
    if context is not None:
        return context
    settings = crawler.settings
    url = settings.get("SDG_REDIS_URL")
    if not url:
        raise NoRunError("SDG_REDIS_URL is not set: a distributed worker needs the run's Redis")
    frontier = SharedFrontier.connect(url, settings.get("SDG_REDIS_NAME") or DEFAULT_NAME)
    info = frontier.run_info()
    if not info.get("run_id"):
        raise NoRunError(f"no distributed run named '{frontier.name}' in Redis; run 'sdg-tags enqueue' first")
    config = frontier.run_config()
    context = WorkerContext(
        frontier=frontier,
        worker_id=new_worker_id(),
        run_id=int(info["run_id"]),
        pace=Pace(**config.get("pace", {})),
        lease_ttl=settings.getfloat("SDG_LEASE_TTL", DEFAULT_LEASE_TTL),
        lookahead=settings.getfloat("SDG_DISTRIBUTED_LOOKAHEAD", DEFAULT_LOOKAHEAD),
        poll=settings.getfloat("SDG_DISTRIBUTED_POLL", DEFAULT_POLL),
    )
    crawler.sdg_worker_context = context
    return context

"""The adaptive back-off, one table for both computations: the single process's (Python) and the workers'
shared one (Lua, on a real Redis). A change to one that the other does not follow fails here."""

from __future__ import annotations

import pytest
from sdg_tags.crawler.distributed.frontier import SharedFrontier
from sdg_tags.crawler.middlewares.politeness import MIN_BACKOFF, next_backoff

pytestmark = pytest.mark.redis

# kind, back-off before, base delay, crawl delay, latency, maximum -> back-off after
BACKOFF_TABLE: list[tuple[str, float, float, float, float, float, float]] = [
    ("widen", 0.0, 0.5, 0.0, 0.0, 8.0, 1.0),  # at least the minimum
    ("widen", 1.0, 0.5, 0.0, 0.0, 8.0, 2.0),  # doubles
    ("widen", 0.0, 3.0, 0.0, 0.0, 60.0, 6.0),  # doubles the base delay
    ("widen", 0.0, 0.5, 2.0, 0.0, 60.0, 4.0),  # doubles the robots Crawl-delay
    ("widen", 5.0, 0.5, 0.0, 0.0, 8.0, 8.0),  # capped
    ("widen", 0.0, 0.5, 0.0, 0.0, 0.0, 0.0),  # a maximum of 0: no back-off at all
    ("slow", 2.0, 0.5, 0.0, 5.0, 8.0, 5.0),  # widened to the latency
    ("slow", 0.0, 0.5, 0.0, 12.0, 8.0, 8.0),  # capped
    ("slow", 4.0, 0.5, 0.0, 3.0, 8.0, 4.0),  # a latency below the back-off changes nothing
    ("ok", 4.0, 0.5, 0.0, 0.0, 8.0, 2.0),  # halves
    ("ok", 2.0, 0.5, 0.0, 0.0, 8.0, 1.0),  # halves down to the minimum
    ("ok", 1.0, 0.5, 0.0, 0.0, 8.0, 0.0),  # below the minimum: none
    ("ok", 4.0, 3.0, 0.0, 0.0, 8.0, 0.0),  # below the base delay: none
    ("ok", 0.0, 0.5, 0.0, 0.0, 8.0, 0.0),
]


@pytest.mark.parametrize(
    ("kind", "before", "base", "crawl_delay", "latency", "maximum", "after"), BACKOFF_TABLE
)
def test_python_and_lua_backoff_follow_one_table(
    redis_url: str,
    kind: str,
    before: float,
    base: float,
    crawl_delay: float,
    latency: float,
    maximum: float,
    after: float,
) -> None:
    python = next_backoff(
        kind,
        before,
        base=base,
        crawl_delay=crawl_delay,
        latency=latency,
        maximum=maximum,
        minimum=MIN_BACKOFF,
    )
    frontier = SharedFrontier.connect(redis_url, "backoff")
    if before:
        frontier.client.hset(frontier.key("backoff"), "host", f"{before:.6f}")
    if crawl_delay:
        frontier.set_crawl_delay("host", crawl_delay)
    lua = frontier.adjust_backoff(
        "host", kind, latency=latency, delay=base, maximum=maximum, minimum=MIN_BACKOFF
    )
    assert (python, lua) == (after, after)

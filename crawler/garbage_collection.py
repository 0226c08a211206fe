"""Garbage-collector settings for the crawl process and its evaluation process.

A crawl allocates container objects at a high rate (requests, responses, Deferreds, parsed trees, records)
on top of ~a million long-lived ones from start-up (Scrapy, Twisted, lxml, pydantic schemas, the taxonomy,
the registry). With CPython's defaults the collector ran ~3,000 times and took ~12 % of the crawl process's
CPU on the 20,000-page benchmark (bench/bench_crawl.py), a third of it walking the start-up objects again
and again. So, once start-up is over: collect, `gc.freeze()` the survivors (never scanned again), and let
the young generation grow to `YOUNG_GENERATION_THRESHOLD` allocations before a collection (about 50 per
20,000 pages; each takes tens of milliseconds, which no download notices). Cyclic garbage is still freed.
"""

from __future__ import annotations

import gc

# Net container allocations before a young-generation collection (CPython's default is 700).
YOUNG_GENERATION_THRESHOLD = 20_000


def tune_for_crawl() -> None:
    """Collect what start-up left behind, exempt the survivors from later collections, collect less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)

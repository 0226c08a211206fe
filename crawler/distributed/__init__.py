"""Distributed crawl: N workers share one frontier, one dupefilter and per-host politeness in Redis.

`sdg-tags enqueue` plans a registry into Redis (crawler/distributed/enqueue.py); each `sdg-tags worker` runs the
registry spider's distributed variant (spider.py) on scrapy-redis's scheduler with our host-aware queue
(scheduler.py), waits for its host's reserved start time (politeness.py) and writes to the shared repository
(writer.py). All Redis state and its atomic Lua scripts live in frontier.py; docs/distributed.md explains the
design and how to run it.
"""

"""Signals the crawl's components use to talk to each other (sent with `crawler.signals.send_catch_log`)."""

# A host asked us to slow down (HTTP 429/503 with Retry-After): args `slot` (site key), `seconds`, `reason`.
# The retry-after middleware sends it, the politeness middleware pauses the host's download slot.
host_backoff_requested = object()

# A batch of page records is committed to the repository: arg `urls` (the records' URLs). The spider marks
# them done in its resume journal only now, so a crash before the commit refetches them.
records_committed = object()

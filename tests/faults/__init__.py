"""The loopback fault server of the fault-injection suite (also used by the crawl benchmarks)."""

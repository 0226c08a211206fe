"""What a distributed run shares with its workers through Redis, and what stays each process's own."""

from __future__ import annotations

from pathlib import Path


def test_a_console_setting_of_the_enqueuing_process_is_not_shared_with_the_workers(tmp_path: Path) -> None:
    """`crawl --distributed` runs a quiet console (Scrapy's log off, our handler on): the workers it starts
    read the run's settings from Redis and must keep their own console, or they print nothing."""
    import argparse

    from sdg_tags.cli.commands.crawl import register, setting_overrides
    from sdg_tags.crawler.distributed.settings import run_settings

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        ["crawl", "--registry", "r.csv", "--db", "sqlite:///x.db", "--log-file", str(tmp_path / "crawl.log")]
    )
    overrides = setting_overrides(args)
    assert overrides["LOG_ENABLED"] is False and overrides["SDG_CONSOLE_QUIET"] is True
    shared = run_settings({**overrides, "SDG_PROGRESS": "live"})
    assert {"LOG_ENABLED", "SDG_CONSOLE_QUIET", "SDG_LOG_FILE", "SDG_PROGRESS"}.isdisjoint(shared)
    assert shared["SDG_PROFILE"] == "harvester"

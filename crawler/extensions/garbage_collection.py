"""Tune the garbage collector once the engine has started (crawler/garbage_collection.py says why).

Setting `SDG_TUNE_GC` (true); off leaves CPython's defaults.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sdg_tags.crawler import settings as default_settings
from sdg_tags.crawler.garbage_collection import tune_for_crawl


class TuneGarbageCollection:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TuneGarbageCollection:
        if not crawler.settings.getbool("SDG_TUNE_GC", default_settings.SDG_TUNE_GC):
            raise NotConfigured
        extension = cls()
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        tune_for_crawl()

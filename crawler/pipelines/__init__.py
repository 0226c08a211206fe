"""Pipelines of the registry crawl: one component per module (Scrapy style)."""

"""The item the spider yields for every URL: how the fetch ended, plus what validation needs.

The validation pipeline turns it into a `repository.records.PageRecord` (and drops the body); the repository
writer stores that record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sdg_tags.crawler.scope import Scope
from sdg_tags.repository.records import ConditionalInfo, PageRecord
from sdg_tags.validators.models import FetchStatus


@dataclass(slots=True)
class FetchOutcome:
    url: str  # as registered or discovered (after ignored parameters were stripped)
    scope: Scope  # the registry entry the URL belongs to
    fetch_status: FetchStatus
    fetched_at: datetime  # UTC
    registry_url: str | None = None  # the registry entry's URL (itself or its folder)
    registered: bool = False  # the URL is a registry entry itself (a seed), not only inside a folder
    registry_types: list[str] | None = None  # page types of that registry entry, for type inference
    discovered: bool = False
    depth: int = 0
    http_status: int | None = None
    status_detail: str | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)  # URLs that answered with a redirect, in order
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # None when nothing is to be validated
    noindex_source: str | None = None  # the page itself says noindex (where: meta robots / X-Robots-Tag)
    nofollow_source: str | None = None
    noindex_via: str | None = None  # a page on the discovery path said noindex
    # a registered page that the folder crawl from this root never reached
    not_reachable_from: str | None = None
    linked_via_other_host: str | None = None  # ... though a link to its address on another host was seen
    folder_limited: bool = False  # that folder crawl stopped at --max-pages-per-folder / --max-depth
    canonical_of: str | None = None  # the page is an alias: its in-scope canonical was already crawled
    robots_url: str | None = None  # for robots-disallowed: which robots.txt said no
    previous: ConditionalInfo | None = None  # for not-modified: the carried-forward evaluation
    rendered_html: str | None = None  # render mode: the DOM after JavaScript (crawler/render_mode.py)
    record: PageRecord | None = None  # filled by the validation pipeline

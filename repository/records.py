"""Boundary records written to and read from the repository (SPEC §7.4).

The crawler builds `RegistryEntry` and `PageRecord`; reports, the registry diff and the web app read them back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sdg_tags.validators.models import FetchStatus, PageResult, TagOccurrence

UrlType = Literal["web page", "web folder"]
NotificationType = Literal["CRAWL", "UPLOAD", "MANUAL", "WEBSERVICE"]


class RegistryEntry(BaseModel):
    """One row of a link-registry upload file / web-service `linkData` item (SPEC §7.1)."""

    url: str
    title: str | None = None
    description: str | None = None
    types: list[str] = Field(default_factory=list)  # "Information" / "Procedure" as in the registry
    categories: list[str] = Field(default_factory=list)  # Annex I/II codes as written in the registry
    languages: list[str] = Field(default_factory=list)
    url_type: UrlType = "web page"
    national_code: str | None = None
    parent_url: str | None = None
    excluded_paths: list[str] = Field(default_factory=list)
    ignore_params: list[str] = Field(default_factory=list)
    country: str | None = None
    provider: str | None = None
    notification_type: NotificationType | None = None
    delete: bool = False
    source_row: int | None = None  # row (CSV) or index (JSON) in the file it came from


class RegistryRowError(BaseModel):
    """A registry row that was skipped: where, which column, and why."""

    file: str
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" + (f" column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


class PageRecord(BaseModel):
    """What the crawl learnt about one URL in one run: fetch outcome plus validation result."""

    url: str  # as registered or discovered
    final_url: str | None = None
    redirects: list[str] = Field(default_factory=list)
    fetch_status: FetchStatus
    http_status: int | None = None
    status_detail: str | None = None
    content_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime  # UTC
    render_mode: Literal["static", "rendered"] = "static"
    registry_url: str | None = None  # the registry entry this URL belongs to (itself or its folder)
    discovered: bool = False  # found by following links inside a web folder
    depth: int = 0
    result: PageResult | None = None  # None when the page was not evaluated
    # Every SDG-ish <meta> in document order (duplicates included), stored as the RawTag rows; when empty the
    # repository stores the effective tags of `result.tags` instead, so duplicates are lost.
    occurrences: list[TagOccurrence] = Field(default_factory=list)
    # For `not-modified` (304): when the carried-forward result was evaluated; None means "at fetched_at".
    evaluated_at: datetime | None = None


class RunInfo(BaseModel):
    """One crawl run as stored: when, with which settings, and what it counted (`Repository.runs()`)."""

    id: int
    started_at: datetime  # UTC
    finished_at: datetime | None = None  # None while the run is in progress (or was interrupted)
    profile: str
    settings: dict = Field(default_factory=dict)
    config_hash: str
    code_lists: dict[str, str] = Field(default_factory=dict)
    planned_hosts: int = 0
    covered_hosts: int = 0
    resume_key: str | None = None
    # {"pages": n, "fetch_status": {status: n}, "verdict": {verdict: n}, "findings": {severity: n}}
    counts: dict = Field(default_factory=dict)
    stats: dict = Field(default_factory=dict)  # what the crawler passed to finish_run (e.g. Scrapy stats)


class ConditionalInfo(BaseModel):
    """What a conditional GET needs from the last evaluated fetch of a URL (`Repository.previous_validators`)."""

    run_id: int
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    fetched_at: datetime  # UTC, of the previous fetch
    previous: PageRecord  # carried forward on a 304, with its date

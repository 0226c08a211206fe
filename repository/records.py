"""Boundary records written to and read from the repository (SPEC §7.4).

The crawler builds `RegistryEntry` and `PageRecord`; reports, the registry diff and the web app read them back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from validators.models import FetchStatus, PageResult

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

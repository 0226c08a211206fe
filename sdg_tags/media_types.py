"""Which responses are HTML pages: one answer for `check URL`, `serve`, rendering and the crawl.

A gateway page is HTML as the harvester reads it: `text/html`, or XHTML served as `application/xhtml+xml`.
Generic XML types (`text/xml`, `application/xml`) are feeds, sitemaps and data, not pages: `not-html`.
A response without Content-Type is sniffed as browsers do for markup (it starts with `<`).
"""

from __future__ import annotations

from collections.abc import Mapping

HTML_MEDIA_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})
ACCEPT_HEADER = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


def media_type(content_type: str | None) -> str | None:
    """`text/html` from `Text/HTML; charset=utf-8`; None when there is no type."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind or None


def content_type_of(headers: Mapping[str, str]) -> str | None:
    """The media type of a response's headers (any key case)."""
    for name, value in headers.items():
        if name.lower() == "content-type":
            return media_type(value)
    return None


def looks_like_html(body: bytes) -> bool:
    """Sniffing for a response without Content-Type: markup starts with `<` after a BOM and whitespace."""
    return body[:512].lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def not_html_reason(kind: str | None, body: bytes | None = None) -> str | None:
    """Why a response of media type `kind` is not a page to check (the `not-html` detail), or None.

    Without a type, `body` (when already read) is sniffed; without either, the body decides later."""
    if kind is None:
        if body is None or looks_like_html(body):
            return None
        return "the server sent no Content-Type and the body does not look like HTML"
    if kind in HTML_MEDIA_TYPES:
        return None
    return f"the server sent {kind}, not an HTML page"

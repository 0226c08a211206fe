"""Fetching single pages over HTTP(S) with the standard library (the editor's `check URL`, the web app)."""

from sdg_tags.fetcher.url_fetch import (
    DEFAULT_USER_AGENT,
    AddressGuard,
    FetchedPage,
    Redirect,
    Resolver,
    fetch_url,
)

__all__ = ["DEFAULT_USER_AGENT", "AddressGuard", "FetchedPage", "Redirect", "Resolver", "fetch_url"]

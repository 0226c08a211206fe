"""Fetching single pages over HTTP(S) with the standard library (the editor's `check URL`, the web app)."""

from sdg_tags.fetcher.url_fetch import (
    AddressGuard,
    FetchedPage,
    Redirect,
    Resolver,
    fetch_url,
)

__all__ = ["AddressGuard", "FetchedPage", "Redirect", "Resolver", "fetch_url"]

"""One URL identity: when two spellings name the same page, for the crawler, the registry diff, export, reports.

A registry URL typed by a person (an IRI or percent-encoded, any host case, with or without the default port or
a trailing slash) and the URL the crawler reached must meet. `url_identity` is the one place that says when
they do; the crawler de-duplicates and the reports match on it.

Identity (after w3lib's `canonicalize_url`, the form Scrapy itself de-duplicates on):

* IRI and percent-encoding are one: `/café` = `/caf%C3%A9` = `/caf%c3%a9`; an IDN host is its punycode;
  unreserved characters are not escaped (`%7E` = `~`); `.` and `..` path segments are resolved.
* Query parameters are sorted (`?b=2&a=1` = `?a=1&b=2`); a blank query is none; `ignore_params` (names
  compared case-insensitively) are removed.
* Scheme and host are lower case, a trailing dot of the host is dropped, the default port (80 for http, 443
  for https) is dropped; any other port stays.
* The fragment is dropped: it never reaches the server.
* The root path is `/` (`https://a.se` = `https://a.se/`), and a trailing slash on any other path is not
  significant (`/docs/` = `/docs`): servers answer one with a redirect to the other, and registry entries are
  typed either way. The crawler therefore fetches only one of the two.
* The scheme stays significant: `http://` and `https://` are two addresses (a redirect between them is what
  `registry-url-redirected` reports).

Here, in validators, because it is the lowest layer that the crawler, the repository, reports and web may all
import (reports must not import the crawler; the repository must not import reports), and it needs nothing but
the standard library and w3lib (no Scrapy).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from sdg_tags.validators.limits import short_text_cache
from w3lib.url import canonicalize_url

DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}
# A URL already in identity form but for its trailing slash: lower-case scheme and ASCII host (no port, no
# punycode, no trailing dot), a path of unreserved characters without `//` or dot segments, no query, no
# fragment. Most registry URLs are; they skip canonicalize_url (~35 us each, a million in one registry).
PLAIN_URL = re.compile(
    r"(https?://(?!xn--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.(?!xn--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)"
    r"((?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*/?)"
)


def site_key(url: str) -> str:
    """`host[:port]` in lower case, default ports dropped: the unit of scope and of politeness (one slot)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # `http://[::1`: no parser reads it; the address itself stays distinct
        return url.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the URL's own spelling so it stays distinct
        return parts.netloc.lower()
    if port is None or port == DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def url_identity(url: str | None, ignore_params: Collection[str] = ()) -> str | None:
    """The form in which two spellings of one address are equal (see the module docstring); None for no URL.

    `ignore_params`: query parameter names that do not change the page (a registry entry's "ignore params").
    """
    if not url or not url.strip():
        return None
    plain = PLAIN_URL.fullmatch(url)
    if plain is not None:
        origin, path = plain.groups()
        return origin + (path.rstrip("/") or "/")
    return _identity(url.strip(), frozenset(name.strip().lower() for name in ignore_params if name.strip()))


@short_text_cache(maxsize=8192)
def _identity(url: str, ignored: frozenset[str]) -> str:
    # Crawls and reports look the same URLs up again and again (a site's navigation links repeat on every page):
    # ~1 us cached against ~50 us; 8,192 entries of at most CACHED_TEXT_CHARS stay within a few MB.
    try:
        parts = urlsplit(canonicalize_url(url))
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # an unparsable port or host: the URL as written is its own identity
        return url
    scheme = parts.scheme.lower()
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = parts.query
    if query and ignored:
        query = "&".join(
            pair for pair in query.split("&") if unquote_plus(pair.split("=", 1)[0]).lower() not in ignored
        )
    return urlunsplit((scheme, host, path, query, ""))

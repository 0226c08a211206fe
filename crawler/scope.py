"""Which URLs a registry entry covers, and how URLs are cleaned and compared (SPEC §7.2, §7.3).

A *site* is host plus explicit port, whatever the scheme: `http://example.se` and `https://example.se` are one
site (a redirect that upgrades to HTTPS does not leave it), `www.example.se` and `example.se` are two, and so are
two ports of one address. A *web folder* scope is narrower (SPEC §7.3): same scheme and site, under the path
prefix, minus excluded paths; ignored query parameters are stripped before de-duplication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sdg_tags.validators.url_identity import site_key, url_identity

FETCHABLE_SCHEMES: frozenset[str] = frozenset({"http", "https"})


def folder_prefix(path: str) -> str:
    """The path prefix a web folder covers: `/docs` and `/docs/` both cover `/docs` and `/docs/...`."""
    return path.rstrip("/")


def path_under(path: str, prefix: str) -> bool:
    """True when `path` is `prefix` itself or below it (`/docsx` is not under `/docs`)."""
    if not prefix:
        return True
    return path == prefix or path.startswith(prefix + "/")


@dataclass(frozen=True, slots=True)
class Scope:
    """What one registry entry covers. Picklable, so it can travel in request meta."""

    entry_url: str  # the registered URL this scope belongs to
    scheme: str  # lower-case scheme of the registered URL
    site: str  # site_key of the registered URL
    path_prefix: str  # "" for a whole host; only meaningful for folders
    is_folder: bool
    excluded_paths: tuple[str, ...] = ()  # path prefixes (or absolute URL prefixes) never crawled
    ignore_params: frozenset[str] = field(default_factory=frozenset)  # lower-cased query parameter names

    @property
    def fast_prefix(self) -> str:
        """`scheme://site/path-prefix`: a URL spelled exactly so needs no parsing to be placed (hot path)."""
        return f"{self.scheme}://{self.site}{self.path_prefix}"

    @classmethod
    def for_entry(
        cls,
        url: str,
        *,
        is_folder: bool,
        excluded_paths: list[str] | tuple[str, ...] = (),
        ignore_params: list[str] | tuple[str, ...] = (),
    ) -> Scope:
        # Site and folder in their identity spelling (punycode host, percent-encoded path): a person may type
        # the registry URL as an IRI (`/café/`), while the links the crawler follows are percent-encoded.
        parts = urlsplit(url_identity(url) or url)
        excluded = tuple(_identity_path(path.strip()) for path in excluded_paths if path and path.strip())
        return cls(
            entry_url=url,
            scheme=parts.scheme.lower(),
            site=site_key(parts.geturl()),
            path_prefix=folder_prefix(parts.path) if is_folder else "",
            is_folder=is_folder,
            excluded_paths=excluded,
            ignore_params=frozenset(name.strip().lower() for name in ignore_params if name.strip()),
        )

    def same_site(self, url: str) -> bool:
        """Same host and port as the registered URL (scheme may differ)."""
        if urlsplit(url).scheme.lower() not in FETCHABLE_SCHEMES:
            return False
        if site_key(url) == self.site:
            return True
        identity = url_identity(url)  # an IDN host typed as Unicode is its punycode
        return identity is not None and site_key(identity) == self.site

    def excluded_by(self, url: str) -> str | None:
        """The excluded path that matches `url`, if any (paths compared in their identity spelling)."""
        identity = url_identity(url) or url
        path = urlsplit(identity).path or "/"
        for excluded in self.excluded_paths:
            if "://" in excluded:
                if url.startswith(excluded) or identity.startswith(excluded):
                    return excluded
            elif path_under(path, folder_prefix(excluded if excluded.startswith("/") else "/" + excluded)):
                return excluded
        return None

    def contains(self, url: str) -> bool:
        """In scope: same scheme and site, under the folder's path prefix, not excluded (a page scope: its site)."""
        if self.is_folder:
            prefix = self.fast_prefix
            # Most links are spelled like the registered URL; the character after the prefix decides (so that
            # `/docsx` is not under `/docs`, nor `example.se.evil.com` under `example.se`).
            if url.startswith(prefix) and (len(url) == len(prefix) or url[len(prefix)] in "/?#"):
                return not self.excluded_paths or self.excluded_by(url) is None
        if not self.same_site(url):
            return False
        if self.is_folder:
            parts = urlsplit(url_identity(url) or url)
            if parts.scheme.lower() != self.scheme or not path_under(parts.path or "/", self.path_prefix):
                return False
        return self.excluded_by(url) is None

    def clean(self, url: str) -> str:
        """The URL to fetch: fragment dropped, ignored query parameters removed (others keep their order)."""
        if "#" not in url and ("?" not in url or not self.ignore_params) and url.count("/") >= 3:
            return url  # nothing to drop (hot path: most links)
        parts = urlsplit(url)
        query = parts.query
        if query and self.ignore_params:
            kept = [
                (name, value)
                for name, value in parse_qsl(query, keep_blank_values=True)
                if name.lower() not in self.ignore_params
            ]
            query = urlencode(kept)
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def _identity_path(excluded: str) -> str:
    """An excluded path spelt as URL identities spell it (`/café` -> `/caf%C3%A9`); an absolute URL prefix is
    kept as typed (its trailing `/` matters to a prefix)."""
    if "://" in excluded:
        return excluded
    path = excluded if excluded.startswith("/") else "/" + excluded
    return urlsplit(url_identity("http://h" + path) or path).path


def dedupe_key(url: str) -> str:
    """The key two spellings of one address share: the URL identity (validators.url_identity) that the registry
    diff, export and reports match on too. Ignored parameters are already gone (`Scope.clean`)."""
    return url_identity(url) or url

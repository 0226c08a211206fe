"""The one version of sdg-tags: the installed distribution's metadata (pyproject.toml's `version`)."""

from __future__ import annotations

from functools import cache

DISTRIBUTION = "sdg-tags"
# Where a site operator who sees our requests learns who we are (User-Agent, SARIF informationUri).
PROJECT_URL = "https://github.com/sdg-tags/sdg-tags"


@cache
def package_version() -> str:
    """The version `--version`, the User-Agent, reports and exports show; `0+unknown` in an uninstalled tree."""
    from importlib import metadata  # ~40 ms of imports: only when a version is shown or written out

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def user_agent(product: str = "sdg-tags") -> str:
    """A truthful User-Agent with version and contact URL (SPEC §7.3): `sdg-tags/0.1.0 (+URL; …)`.

    `product` is `sdg-tags` for the crawl (robots.txt groups match that token), `sdg-tags-check` for `check` and
    `serve` fetches, `sdg-tags-render` for the browser."""
    return f"{product}/{package_version()} (+{PROJECT_URL}; SDG metadata validator)"

"""The one version of sdg-tags: the installed distribution's metadata (pyproject.toml's `version`)."""

from __future__ import annotations

from functools import cache

DISTRIBUTION = "sdg-tags"


@cache
def package_version() -> str:
    """The version `--version`, the User-Agent, reports and exports show; `0+unknown` in an uninstalled tree."""
    from importlib import metadata  # ~40 ms of imports: only when a version is shown or written out

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"

"""sdg-tags: crawler and validator for the EU Single Digital Gateway page-metadata tags.

The library API for integrations (a CMS, a publishing pipeline) is what this module exports; docs/api.md
describes it. Everything else lives in the subpackages (`sdg_tags.validators`, `sdg_tags.crawler`, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sdg_tags.validators.engine import check_page, validate
    from sdg_tags.validators.extraction import extract_tags
    from sdg_tags.validators.models import (
        ExtractedPage,
        Finding,
        PageResult,
        TagOccurrence,
        TagView,
        ValidationOptions,
    )

# Name -> module. Loaded on first use (PEP 562) so that `import sdg_tags.taxonomy` or the crawler's start-up
# does not pay for the validators, and `sdg-tags check` keeps its start-up time.
_PUBLIC: dict[str, str] = {
    "check_page": "sdg_tags.validators.engine",
    "validate": "sdg_tags.validators.engine",
    "extract_tags": "sdg_tags.validators.extraction",
    "ExtractedPage": "sdg_tags.validators.models",
    "Finding": "sdg_tags.validators.models",
    "PageResult": "sdg_tags.validators.models",
    "TagOccurrence": "sdg_tags.validators.models",
    "TagView": "sdg_tags.validators.models",
    "ValidationOptions": "sdg_tags.validators.models",
}

__all__ = [
    "ExtractedPage",
    "Finding",
    "PageResult",
    "TagOccurrence",
    "TagView",
    "ValidationOptions",
    "__version__",
    "check_page",
    "extract_tags",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from sdg_tags.version import package_version

        return package_version()
    module_name = _PUBLIC.get(name)
    if module_name is None:
        raise AttributeError(f"module 'sdg_tags' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

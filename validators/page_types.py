"""Which page type(s) a page has (SPEC §4): DC.Service, else the registry type, else inferred."""

from __future__ import annotations

from validators.models import PAGE_TYPES
from validators.rules.table import RuleContext


def determine_page_types(ctx: RuleContext) -> tuple[list[str], bool]:
    """Return (page types, inferred?). Stub: DC.Service items only, until the policy family lands."""
    types = [item.text.lower() for item in ctx.items("DC.Service") if item.text.lower() in PAGE_TYPES]
    if types:
        return list(dict.fromkeys(types)), False
    if ctx.options.registry_types:
        registry = [t.lower() for t in ctx.options.registry_types if t.lower() in PAGE_TYPES]
        return list(dict.fromkeys(registry)), True
    return [], False

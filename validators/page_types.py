"""Which page type(s) a page has (SPEC §4): the valid items of `DC.Service`, else the registry type, else
inferred from `policy-code` (Annex I code -> information, Annex II code -> procedure, known assistance service
title -> assistance). Combined pages carry several types; their requirements are the union."""

from __future__ import annotations

from sdg_tags.validators.models import PAGE_TYPES
from sdg_tags.validators.rules.context import RuleContext
from sdg_tags.validators.rules.policy_items import policy_items

_TYPES = frozenset(PAGE_TYPES)


def declared_types(ctx: RuleContext) -> list[str]:
    """The valid items of the effective `DC.Service`, case-insensitively, in written order without repeats."""
    types = (item.text.lower() for item in ctx.items("DC.Service"))
    return list(dict.fromkeys(t for t in types if t in _TYPES))


def inferred_types(ctx: RuleContext) -> list[str]:
    """Types suggested by `policy-code` items, in the order information, procedure, assistance."""
    found: set[str] = set()
    for policy in policy_items(ctx):
        if policy.kind == "annex1":
            found.add("information")
        elif policy.kind == "annex2":
            found.add("procedure")
        elif policy.kind == "free-text" and policy.service is not None:
            found.add("assistance")
    return [t for t in PAGE_TYPES if t in found]


def determine_page_types(ctx: RuleContext) -> tuple[list[str], bool]:
    """Return (page types, inferred?): inferred is True when the types do not come from `DC.Service`."""
    types = declared_types(ctx)
    if types:
        return types, False
    if ctx.options.registry_types:
        # The registry knows Information and Procedure (once Database); it has no assistance type.
        registry = list(dict.fromkeys(t.strip().lower() for t in ctx.options.registry_types))
        registry = [t for t in registry if t in _TYPES]
        if registry:
            return registry, True
    inferred = inferred_types(ctx)
    return inferred, bool(inferred)

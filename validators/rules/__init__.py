"""Rule families; importing this package fills `validators.rules.table.RULES` in SPEC §6.2 order.

The order is data, not an import list, because import sorters would reorder an import statement and with
it the rule table (docs, `sdg-tags rules` and evaluation order all follow registration order).
"""

from importlib import import_module

from sdg_tags.validators.rules.context import RuleContext
from sdg_tags.validators.rules.table import RULES, Rule, page_rules

FAMILIES: tuple[str, ...] = (
    "presence",  # A
    "marker",  # B
    "country",  # C
    "location",  # D
    "service",  # E
    "policy",  # F
    "assistance",  # G
    "language",  # H
    "crawl",  # I
    "registry",  # J
)
for _family in FAMILIES:
    import_module(f"sdg_tags.validators.rules.{_family}")
# Families import each other (marker uses language), so registration order follows the import graph; the
# table is put in group order once everything is registered (a stable sort keeps each family's own order).
_in_group_order = sorted(RULES.values(), key=lambda rule: rule.group)
RULES.clear()
RULES.update((rule.id, rule) for rule in _in_group_order)

__all__ = ["FAMILIES", "RULES", "Rule", "RuleContext", "page_rules"]

"""Rule families in SPEC §6.2 order; importing this package fills `validators.rules.table.RULES`."""

from validators.rules import (  # noqa: F401  (imported for their registrations)
    presence,
    marker,
    country,
    location,
    service,
    policy,
    assistance,
    language,
    crawl,
    registry,
)
from validators.rules.table import RULES, Rule, RuleContext, page_rules

__all__ = ["RULES", "Rule", "RuleContext", "page_rules"]

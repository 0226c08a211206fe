"""Rule family language (SPEC §6.2)."""

from __future__ import annotations

from validators.rules.table import RuleContext


def effective_language(ctx: RuleContext) -> str | None:
    """Effective page language (SPEC §3.3): primary subtag of `lang`, else DC.Language. Stub until H lands."""
    if ctx.page.html_lang is not None and ctx.page.html_lang.value.strip():
        return ctx.page.html_lang.value.strip().split("-")[0].lower() or None
    occ = ctx.effective("DC.Language")
    return occ.values[0].lower() if occ is not None and occ.values else None

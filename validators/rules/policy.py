"""Rule family policy (SPEC §6.2)."""

from __future__ import annotations

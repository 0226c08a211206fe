"""Page-level robots directives: `<meta name="robots">` and the `X-Robots-Tag` header (noindex, nofollow).

`X-Robots-Tag` may address one crawler (`X-Robots-Tag: googlebot: noindex`); such a line counts only when it
names our robots token. Directives are case-insensitive and comma-separated; `none` means both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_KNOWN = frozenset({"noindex", "nofollow", "none", "all", "index", "follow"})


@dataclass(frozen=True, slots=True)
class RobotsDirectives:
    noindex: bool = False
    nofollow: bool = False
    sources: tuple[str, ...] = ()  # where each directive came from, for messages ("meta robots 'noindex'")

    @property
    def noindex_source(self) -> str | None:
        return next((source for source in self.sources if "noindex" in source or "none" in source), None)


def _directives(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def robots_directives(
    meta_values: Iterable[str], header_values: Iterable[str], *, agent: str
) -> RobotsDirectives:
    """Combine meta robots contents and X-Robots-Tag header lines that apply to `agent` (a robots token)."""
    noindex = nofollow = False
    sources: list[str] = []
    agent = agent.lower()
    for origin, values in (("meta robots", meta_values), ("X-Robots-Tag", header_values)):
        for value in values:
            text = value
            if origin == "X-Robots-Tag":
                target, colon, rest = value.partition(":")
                name = target.strip().lower()
                # "googlebot: noindex" addresses one crawler; "unavailable_after: <date>" is a directive.
                if colon and name not in _KNOWN and name != "unavailable_after":
                    if name != agent:
                        continue
                    text = rest
            found = _directives(text)
            page_noindex = bool(found & {"noindex", "none"})
            page_nofollow = bool(found & {"nofollow", "none"})
            if page_noindex or page_nofollow:
                sources.append(f"{origin} '{value.strip()}'")
            noindex |= page_noindex
            nofollow |= page_nofollow
    return RobotsDirectives(noindex=noindex, nofollow=nofollow, sources=tuple(sources))

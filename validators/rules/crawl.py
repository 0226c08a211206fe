"""Rule family crawl (SPEC §6.2 group I): canonical link and crawl reach.

These rules need what only a crawl knows (the registered scope, robots.txt, the discovery path), so they
have no page check function: the crawler builds their findings with the functions below and appends them to
the page's result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urljoin, urlsplit

from sdg_tags.validators.models import Finding, LinkOccurrence
from sdg_tags.validators.rules.table import declare, rule_finding

declare(
    "canonical-missing",
    "info",
    "I",
    "No canonical link",
    "Guidance 2020 §canonical",
    "Add one",
    mode="crawl",
    fail_example="""
url: https://www.example.be/fr/permis
scope: https://www.example.be/fr/
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
scope: https://www.example.be/fr/
<link rel="canonical" href="https://www.example.be/fr/permis">
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "canonical-invalid",
    "warning",
    "I",
    "Several canonical links, unresolvable URL, other host, or outside the registered scope",
    "Guidance 2020 §canonical",
    "One absolute in-scope URL",
    mode="crawl",
    fail_example="""
url: https://www.example.be/fr/permis
scope: https://www.example.be/fr/
<link rel="canonical" href="https://www.example.com/fr/permis">
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
scope: https://www.example.be/fr/
<link rel="canonical" href="https://www.example.be/fr/permis">
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "crawl-robots-disallowed",
    "warning",
    "I",
    "robots.txt forbids the page for the crawler or `*`",
    "Guidance 2020 §crawler access; DIGG guidance",
    "Allow the harvester",
    mode="crawl",
    fail_example="""
url: https://www.example.be/fr/permis
robots.txt:
  User-agent: *
  Disallow: /fr/
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
robots.txt:
  User-agent: *
  Disallow: /admin/
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "crawl-noindex",
    "warning",
    "I",
    "Page, or a page on its discovery path, has `noindex` (meta robots or `X-Robots-Tag`)",
    "DIGG guidance",
    "Remove `noindex`",
    mode="crawl",
    fail_example="""
url: https://www.example.be/fr/permis
<meta name="robots" content="noindex, follow">
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
<meta name="robots" content="index, follow">
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "crawl-not-reachable",
    "warning",
    "I",
    "Tagged or registered page not reachable by links from the registered root within scope (same host, "
    "under the path, excluded paths honoured), incl. links that only pass through another host "
    "(`www.` vs bare)",
    "DIGG guidance; Guidance 2020 §crawler access",
    "Link it from an in-scope page, or register it",
    mode="crawl",
    fail_example="""
url: https://www.example.be/fr/permis
scope: https://www.example.be/fr/
links: https://www.example.be/fr/ -> https://example.be/fr/permis
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
scope: https://www.example.be/fr/
links: https://www.example.be/fr/ -> https://www.example.be/fr/permis
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)


def canonical_findings(
    links: Sequence[LinkOccurrence],
    *,
    page_url: str,
    same_site: Callable[[str], bool],
    in_scope: Callable[[str], bool],
) -> list[Finding]:
    """`canonical-missing` / `canonical-invalid` for the `<link rel="canonical">` elements of one page.

    `page_url` resolves relative hrefs; `same_site` and `in_scope` come from the registry entry's scope.
    """
    if not links:
        return [rule_finding("canonical-missing", 'The page has no <link rel="canonical">.')]
    if len(links) > 1:
        hrefs = ", ".join(repr(link.href) for link in links)
        second = links[1]
        return [
            rule_finding(
                "canonical-invalid",
                f"The page has {len(links)} canonical links ({hrefs}); the harvester can use only one.",
                value=second.href,
                line=second.line,
                column=second.column,
            )
        ]
    link = links[0]
    href = (link.href or "").strip()
    where = {"value": link.href, "line": link.line, "column": link.column}
    if not href:
        return [rule_finding("canonical-invalid", "The canonical link has an empty href.", **where)]
    try:
        target = urljoin(page_url, href)
        parts = urlsplit(target)
        resolvable = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        resolvable = False
    if not resolvable:
        return [
            rule_finding(
                "canonical-invalid",
                f"The canonical link {href!r} does not resolve to an http(s) URL.",
                **where,
            )
        ]
    if not same_site(target):
        return [
            rule_finding(
                "canonical-invalid",
                f"The canonical link {target!r} points to another host than the registered one.",
                **where,
            )
        ]
    if not in_scope(target):
        return [
            rule_finding(
                "canonical-invalid",
                f"The canonical link {target!r} is outside the registered scope (path prefix or excluded paths).",
                **where,
            )
        ]
    return []

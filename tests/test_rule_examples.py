"""Every rule's failing and passing example (declared beside the rule, shown in docs/rules.md, `sdg-tags rules
RULE` and the web app's rule pages) does what it says.

Page rules run through the engine (`check_page`; render-mode rules through `validate_with_rendering`) with the
rule switched on: the failing example gets the rule and no other warning or error, the passing example gets
no warning or error at all. Crawl rules run through the crawler's own functions: canonical and noindex through
`crawl_findings` (the page's links and meta robots, the registered folder's `Scope`), robots.txt through the
parser the crawler uses (Protego), reach through the real `Scope` over the example's `links:`. Registry rules
run through the registry diff (`RegistryDiff`) with the example's entry and the checked page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape

import httpx
import pytest
from protego import Protego
from sdg_tags.crawler.evaluation import crawl_findings
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.crawler.robots_directives import robots_directives
from sdg_tags.crawler.scope import Scope
from sdg_tags.rendering.comparison import extract_rendered, validate_with_rendering
from sdg_tags.reports.compliance import glossary
from sdg_tags.reports.pages import ReportPage
from sdg_tags.reports.registry_diff import RegistryDiff
from sdg_tags.repository.queries import PageOutcome
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import CANONICAL_TAGS, Finding, ValidationOptions
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.rules.table import RENDERED_MARK, Rule, example_document, example_parts
from sdg_tags.validators.rules_doc import render_markdown

from tests.browser.web_server import WebServer

AGENT = "sdg-tags"


def page_findings(rule: Rule, example: str) -> list[Finding]:
    options = ValidationOptions(enable=frozenset({rule.id}))
    if f"\n{RENDERED_MARK}\n" in example:
        static, rendered = example.split(f"\n{RENDERED_MARK}\n")
        return validate_with_rendering(
            extract_tags(example_document(static)),
            extract_rendered(example_document(rendered).decode("utf-8")),
            options,
        ).findings
    return check_page(example_document(example), options=options).findings


def reached(scope: Scope, root: str, url: str, links: list[tuple[str, str]]) -> bool:
    """Whether following in-scope links from the registered root reaches `url` (the harvester's walk)."""
    seen, todo = {root}, [root]
    while todo:
        here = todo.pop()
        for source, target in links:
            if source == here and target not in seen and scope.contains(target):
                seen.add(target)
                todo.append(target)
    return url in seen


def crawl_rule_findings(example: str) -> list[str]:
    context, snippet = example_parts(example)
    url = context["url"]
    if "robots.txt" in context:
        allowed = Protego.parse(context["robots.txt"]).can_fetch(url, AGENT)
        return [] if allowed else ["crawl-robots-disallowed"]
    page = extract_tags(example_document(snippet), url=url)
    root = context.get("scope", url)
    scope = Scope.for_entry(root, is_folder=root.endswith("/"))
    outcome = FetchOutcome(url=url, scope=scope, fetch_status="ok", fetched_at=datetime.now(UTC))
    outcome.registered = True
    outcome.noindex_source = robots_directives([page.robots or ""], [], agent=AGENT).noindex_source
    if "links" in context:
        links = [tuple(part.strip() for part in line.split("->")) for line in context["links"].splitlines()]
        if not reached(scope, root, url, links):  # type: ignore[arg-type]
            outcome.not_reachable_from = root
    return [finding.rule for finding in crawl_findings(outcome, page.canonical_links, url, True)]


def registry_rule_findings(example: str) -> list[str]:
    context, snippet = example_parts(example)
    url = context["url"]
    entries = [] if context["registry"] == "none" else [RegistryEntry(**json.loads(context["registry"]))]
    fetch = context.get("fetch", "200").split()
    status = int(fetch[0].rstrip(","))
    previous: dict[str, PageOutcome] = {}
    fields: dict[str, object] = {"final_url": url, "fetch_status": "ok", "http_status": status}
    if status >= 400:
        fields.update(fetch_status="http-4xx", verdict="not-evaluated", tags={}, language=None)
        if "previous" in context.get("fetch", ""):
            previous[url] = PageOutcome("not-evaluated", "http-4xx", status, None, None, None, None)
    else:
        result = check_page(example_document(snippet), url=url)
        raw = {tag: view.raw for tag, view in result.tags.items() if tag in CANONICAL_TAGS}
        fields.update(
            verdict=result.verdict,
            tags=raw,
            language=result.language,
            page_types=tuple(result.page_types),
        )
        if status in (301, 308):
            fields.update(final_url=fetch[1], status_detail=f"redirected ({status}) to {fetch[1]}")
    registered = entries[0] if entries else None
    page = ReportPage(
        url=url,
        status_detail=fields.pop("status_detail", None),  # type: ignore[arg-type]
        country=registered.country if registered else None,
        provider=None,
        registry_url=url if registered else None,
        discovered=registered is None,
        **fields,  # type: ignore[arg-type]
    )
    return [row.rule for row in RegistryDiff(entries, [page], previous=previous).run() if row.rule]


def rules_raised(rule: Rule, example: str) -> tuple[list[str], list[str]]:
    """(rules found, rules found with severity warning or error) for one example of `rule`."""
    if rule.mode == "page":
        findings = page_findings(rule, example)
        return [f.rule for f in findings], [f.rule for f in findings if f.severity != "info"]
    found = crawl_rule_findings(example) if rule.mode == "crawl" else registry_rule_findings(example)
    return found, [rule_id for rule_id in found if RULES[rule_id].severity != "info"]


ALL_RULES = list(RULES.values())


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.id for rule in ALL_RULES])
def test_every_rule_has_both_examples(rule: Rule) -> None:
    assert rule.fail_example.strip() and rule.pass_example.strip()
    assert rule.fail_example != rule.pass_example


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.id for rule in ALL_RULES])
def test_the_failing_example_raises_the_rule_and_nothing_else(rule: Rule) -> None:
    found, serious = rules_raised(rule, rule.fail_example)
    assert rule.id in found
    assert [rule_id for rule_id in serious if rule_id != rule.id] == []


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.id for rule in ALL_RULES])
def test_the_passing_example_raises_no_warning_or_error(rule: Rule) -> None:
    found, serious = rules_raised(rule, rule.pass_example)
    assert rule.id not in found
    assert serious == []


# --- where the examples are shown -------------------------------------------------------------------------


def test_the_markdown_shows_each_rule_with_its_examples() -> None:
    document = render_markdown(RULES.values())
    for rule in RULES.values():
        section = document.split(f"\n### {rule.id}\n", 1)[1].split("\n### ", 1)[0]
        assert f"**Fails:**\n\n```html\n{rule.fail_example}\n```" in section
        assert f"**Passes:**\n\n```html\n{rule.pass_example}\n```" in section


def test_reports_embed_the_rule_text_and_examples_instead_of_linking_out() -> None:
    (entry,) = glossary(["country-case"])
    assert entry["fail_example"] == RULES["country-case"].fail_example
    assert "docs_url" not in entry


@pytest.fixture(scope="module")
def server() -> Iterator[WebServer]:
    with WebServer() as running:
        yield running


def test_the_web_app_serves_a_page_per_rule(server: WebServer) -> None:
    rule = RULES["country-gr-instead-of-el"]
    response = httpx.get(f"{server.base_url}{rule.page_path}", timeout=30)
    assert response.status_code == 200
    text = unescape(response.text)
    assert f'<pre class="example"><code>{rule.fail_example}</code></pre>' in text
    assert f'<pre class="example"><code>{rule.pass_example}</code></pre>' in text
    listing = httpx.get(f"{server.base_url}/rules", timeout=30)
    assert listing.status_code == 200
    assert all(f'<a href="/rules/{rule_id}">' in listing.text for rule_id in RULES)
    missing = httpx.get(f"{server.base_url}/rules/country-nope", timeout=30)
    assert missing.status_code == 404
    assert "There is no rule <code>country-nope</code>." in missing.text


def test_findings_on_the_web_page_link_to_the_apps_rule_pages(server: WebServer) -> None:
    page = RULES["country-gr-instead-of-el"].fail_example
    response = httpx.post(f"{server.base_url}/", data={"html": page}, timeout=60)
    assert response.status_code == 200
    assert (
        '<a href="/rules/country-gr-instead-of-el" rel="noopener noreferrer">country-gr-instead-of-el</a>'
        in (response.text)
    )
    assert "github.com" not in response.text

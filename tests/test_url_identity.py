"""One URL identity (validators/url_identity.py): the spellings a person types into the registry and the URLs the
crawler reaches meet, in the crawler's de-duplication and scope, the registry diff, export and run comparison."""

from __future__ import annotations

from typing import Any

import pytest
from sdg_tags.crawler.scope import Scope, dedupe_key
from sdg_tags.reports.changes import compare_runs
from sdg_tags.reports.pages import ReportPage
from sdg_tags.reports.registry_diff import RegistryDiff
from sdg_tags.reports.registry_export import export_links
from sdg_tags.repository.queries import PageOutcome
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.validators.url_identity import url_identity

SAME = [
    ("https://example.se/café", "https://example.se/caf%C3%A9", "IRI vs percent-encoded"),
    ("https://example.se/caf%c3%a9", "https://example.se/caf%C3%A9", "percent-encoding case"),
    ("https://example.se/%7Euser", "https://example.se/~user", "unreserved character escaped"),
    ("https://bücher.de/a", "https://xn--bcher-kva.de/a", "IDN host vs punycode"),
    ("https://example.se/a?b=2&a=1", "https://example.se/a?a=1&b=2", "query order"),
    ("https://example.se", "https://example.se/", "root with and without slash"),
    ("https://example.se/docs/", "https://example.se/docs", "trailing slash on a path"),
    ("http://example.se:80/a", "http://example.se/a", "default http port"),
    ("https://example.se:443/a", "https://example.se/a", "default https port"),
    ("HTTPS://WWW.Example.SE/a", "https://www.example.se/a", "scheme and host case"),
    ("https://example.se./a", "https://example.se/a", "trailing dot of the host"),
    ("https://example.se/a#section", "https://example.se/a", "fragment"),
    ("https://example.se/a?", "https://example.se/a", "empty query"),
    ("https://example.se/x/../a", "https://example.se/a", "dot segments"),
    ("  https://example.se/a ", "https://example.se/a", "surrounding whitespace"),
]
DIFFERENT = [
    ("https://example.se/a", "http://example.se/a", "scheme"),
    ("https://example.se:8443/a", "https://example.se/a", "non-default port"),
    ("https://example.se/A", "https://example.se/a", "path case"),
    ("https://www.example.se/a", "https://example.se/a", "www. is another host"),
    ("https://example.se/a?x=1", "https://example.se/a?x=2", "query value"),
    ("http://example.se:443/a", "https://example.se/a", "443 is not http's default port"),
]


@pytest.mark.parametrize(("one", "other", "why"), SAME, ids=[case[2] for case in SAME])
def test_spellings_of_one_address_have_one_identity(one: str, other: str, why: str) -> None:
    assert url_identity(one) == url_identity(other) == url_identity(url_identity(other))
    assert dedupe_key(one) == dedupe_key(other)  # the crawler de-duplicates on the same identity


@pytest.mark.parametrize(("one", "other", "why"), DIFFERENT, ids=[case[2] for case in DIFFERENT])
def test_different_addresses_stay_different(one: str, other: str, why: str) -> None:
    assert url_identity(one) != url_identity(other)
    assert dedupe_key(one) != dedupe_key(other)


def test_the_identity_spelling() -> None:
    assert url_identity("HTTPS://Example.SE:443/café/?b=2&a=1#top") == "https://example.se/caf%C3%A9?a=1&b=2"
    assert url_identity("http://example.se:8080") == "http://example.se:8080/"
    assert url_identity(None) is None
    assert url_identity("  ") is None


def test_ignore_params_are_removed_case_insensitively() -> None:
    ignored = ["utm_source", "SessionID"]
    assert (
        url_identity("https://example.se/a?sessionid=9&b=1&UTM_SOURCE=x", ignored)
        == "https://example.se/a?b=1"
    )
    assert url_identity("https://example.se/a?sessionid=9", ignored) == "https://example.se/a"
    assert url_identity("https://example.se/a?b=1&sessionid=9") == "https://example.se/a?b=1&sessionid=9"


# --- scope ---------------------------------------------------------------------------------------------------


def test_folder_registered_as_an_iri_contains_percent_encoded_links() -> None:
    scope = Scope.for_entry("https://Example.se/tjänster/", is_folder=True)
    assert scope.contains("https://example.se/tj%C3%A4nster/bygglov")
    assert scope.contains("https://example.se/tjänster/bygglov")
    assert not scope.contains("https://example.se/tj%C3%A4nsterx")


def test_idn_site_typed_in_unicode_contains_punycode_links() -> None:
    scope = Scope.for_entry("https://bücher.de/", is_folder=False)
    assert scope.contains("https://xn--bcher-kva.de/katalog")
    assert scope.contains("https://bücher.de/katalog")


def test_excluded_path_typed_as_an_iri_excludes_percent_encoded_links() -> None:
    scope = Scope.for_entry("https://example.se/", is_folder=True, excluded_paths=["/söka"])
    assert scope.excluded_by("https://example.se/s%C3%B6ka/resultat") == "/s%C3%B6ka"
    assert not scope.contains("https://example.se/s%C3%B6ka/resultat")
    assert scope.contains("https://example.se/soka")


# --- registry diff, export, run comparison -------------------------------------------------------------------


def report_page(url: str, **fields: Any) -> ReportPage:
    values: dict[str, Any] = {
        "url": url,
        "final_url": url,
        "fetch_status": "ok",
        "http_status": 200,
        "status_detail": None,
        "verdict": "compliant",
        "country": "SE",
        "provider": "Kommun",
        "registry_url": url,
        "discovered": False,
        "language": "sv",
        "page_types": ("information",),
        "tags": {"sdg-tag": "sdg", "DC.ISO3166": "SE", "DC.Service": "information", "policy-code": "C2"},
    }
    values.update(fields)
    return ReportPage(**values)


def registry_entry(url: str, **fields: Any) -> RegistryEntry:
    values: dict[str, Any] = {
        "url": url,
        "types": ["Information"],
        "categories": ["C2"],
        "languages": ["sv"],
        "country": "SE",
        "notification_type": "CRAWL",
    }
    values.update(fields)
    return RegistryEntry(**values)


@pytest.mark.parametrize(
    ("typed", "crawled"),
    [
        ("https://example.se/café", "https://example.se/caf%C3%A9"),
        ("https://EXAMPLE.se:443/tjanst/?b=2&a=1", "https://example.se/tjanst?a=1&b=2"),
        ("https://example.se", "https://example.se/"),
    ],
)
def test_registry_entry_typed_by_a_person_meets_the_crawled_page(typed: str, crawled: str) -> None:
    rows = RegistryDiff([registry_entry(typed)], [report_page(crawled)]).run()
    assert [row.kind for row in rows if row.kind == "not-crawled"] == []
    assert [row.rule for row in rows] == []


def test_registry_diff_drops_the_sites_ignored_parameters() -> None:
    entry = registry_entry("https://example.se/sok?lang=sv", ignore_params=["lang"])
    rows = RegistryDiff([entry], [report_page("https://example.se/sok")]).run()
    assert [row.kind for row in rows] == []


def test_export_lists_one_link_per_identity() -> None:
    links, skipped, refused = export_links(
        [report_page("https://example.se/café"), report_page("https://example.se/caf%C3%A9/")]
    )
    assert len(links) == 1
    assert skipped == {"same address as another exported page (canonical link)": 1}
    assert refused == []


def test_run_comparison_matches_pages_by_identity() -> None:
    previous = {"https://example.se/café": PageOutcome("compliant", "ok", 200, None, None, None, None)}
    changes = compare_runs([report_page("https://example.se/caf%C3%A9")], previous, previous_run_id=1)
    assert changes["new_page_urls"] == []
    assert changes["gone_page_urls"] == []


@pytest.mark.parametrize(
    "url",
    ["http://[::1", "http://a.se:99999/", "mailto:x@y.se", "javascript:void(0)", "/relative", "not a url"],
)
def test_unparsable_or_odd_urls_are_their_own_identity_and_never_raise(url: str) -> None:
    identity = url_identity(url, ["x"])
    assert identity is not None
    assert url_identity(identity) == url_identity(url)
    assert RegistryDiff([registry_entry(url, ignore_params=["x"])], []).key(url) is not None

"""The registry diff's rules (SPEC §6.2 group J), each with cases that must and must not trigger it."""

from __future__ import annotations

from typing import Any

import pytest
from sdg_tags.reports.pages import ReportPage
from sdg_tags.reports.registry_diff import RegistryDiff
from sdg_tags.repository.queries import PageOutcome
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.url_identity import url_identity as url_key

BASE = "https://www.example.be"


def page(path: str = "/page", *, verdict: str = "compliant", **fields: Any) -> ReportPage:
    tags = {"sdg-tag": "sdg", "DC.ISO3166": "BE", "DC.Service": "information", "policy-code": "C2"}
    tags.update(fields.pop("tags", {}))
    values: dict[str, Any] = {
        "url": BASE + path,
        "final_url": BASE + path,
        "fetch_status": "ok",
        "http_status": 200,
        "status_detail": None,
        "verdict": verdict,
        "country": "BE",
        "provider": "Agence",
        "registry_url": BASE + path,
        "discovered": False,
        "language": "fr",
        "page_types": ("information",),
        "tags": {key: value for key, value in tags.items() if value is not None},
    }
    values.update(fields)
    return ReportPage(**values)


def failed(path: str, status: str = "http-4xx", http_status: int | None = 404, **fields: Any) -> ReportPage:
    return page(
        path,
        verdict="not-evaluated",
        fetch_status=status,
        http_status=http_status,
        tags={},
        language=None,
        **fields,
    )


def entry(path: str = "/page", **fields: Any) -> RegistryEntry:
    values: dict[str, Any] = {
        "url": BASE + path,
        "types": ["Information"],
        "categories": ["C2"],
        "languages": ["fr"],
        "country": "BE",
        "notification_type": "CRAWL",
    }
    values.update(fields)
    return RegistryEntry(**values)


def outcome(
    fetch_status: str = "ok", http_status: int | None = 200, final_url: str | None = None
) -> PageOutcome:
    return PageOutcome("not-evaluated", fetch_status, http_status, final_url, None, None, None)


def rules_of(
    entries: list[RegistryEntry], pages: list[ReportPage], previous: dict[str, PageOutcome] | None = None
) -> list[str]:
    return sorted(
        row.rule or f"note:{row.kind}" for row in RegistryDiff(entries, pages, previous=previous).run()
    )


def test_group_j_is_declared_with_the_spec_severities() -> None:
    group_j = {rule.id: rule.severity for rule in RULES.values() if rule.group == "J"}
    assert group_j == {
        "registry-entry-missing": "info",
        "registry-crawl-entry-untagged": "warning",
        "registry-url-dead": "error",
        "registry-url-redirected": "warning",
        "registry-type-mismatch": "warning",
        "registry-category-mismatch": "warning",
        "registry-language-mismatch": "warning",
        "registry-location-mismatch": "warning",
        "registry-country-mismatch": "warning",
    }
    assert {RULES[rule].mode for rule in group_j} == {"registry"}
    assert RULES["registry-url-dead"].reference == "Reg 2018/1724 Art 19"


def test_an_entry_that_agrees_with_its_page_gives_nothing() -> None:
    assert rules_of([entry()], [page()]) == []


@pytest.mark.parametrize(
    ("notification", "expected"),
    [
        ("CRAWL", ["registry-crawl-entry-untagged"]),
        ("UPLOAD", ["note:untagged-notified"]),
        ("MANUAL", ["note:untagged-notified"]),
        ("WEBSERVICE", ["note:untagged-notified"]),
        (None, ["note:untagged-notified"]),
    ],
)
def test_untagged_page_is_a_finding_only_for_crawl_entries(
    notification: str | None, expected: list[str]
) -> None:
    untagged = page(
        verdict="not-self-describing",
        tags={key: None for key in ("sdg-tag", "DC.ISO3166", "DC.Service", "policy-code")},
    )
    assert rules_of([entry(notification_type=notification)], [untagged]) == expected


def test_dead_needs_404_410_or_dns_failure_on_two_consecutive_runs() -> None:
    gone = failed("/page", http_status=410)
    assert rules_of([entry()], [gone], {BASE + "/page": outcome("http-4xx", 404)}) == ["registry-url-dead"]
    assert rules_of(
        [entry()], [failed("/page", "dns-error", None)], {BASE + "/page": outcome("dns-error", None)}
    ) == ["registry-url-dead"]
    assert rules_of([entry()], [gone]) == ["note:not-checked"]  # first failure
    assert rules_of([entry()], [gone], {BASE + "/page": outcome()}) == ["note:not-checked"]  # was fine before
    forbidden = failed("/page", http_status=403)
    assert rules_of([entry()], [forbidden], {BASE + "/page": outcome("http-4xx", 403)}) == [
        "note:not-checked"
    ]
    server_error = failed("/page", "http-5xx", 503)
    assert rules_of([entry()], [server_error], {BASE + "/page": outcome("http-5xx", 503)}) == [
        "note:not-checked"
    ]


def test_redirect_is_permanent_when_seen_twice_or_named_301() -> None:
    moved = page("/old", final_url=BASE + "/new")
    assert rules_of([entry("/old")], [moved], {BASE + "/old": outcome(final_url=BASE + "/new")}) == [
        "registry-url-redirected"
    ]
    assert rules_of([entry("/old")], [moved]) == ["note:redirected-once"]
    named = page("/old", final_url=BASE + "/new", status_detail="redirected (301) to /new")
    assert rules_of([entry("/old")], [named]) == ["registry-url-redirected"]
    off_site = failed("/old", "redirected-off-site", 301, final_url="https://elsewhere.example/")
    assert rules_of(
        [entry("/old")], [off_site], {BASE + "/old": outcome(final_url="https://elsewhere.example/")}
    ) == ["registry-url-redirected"]


def test_type_comparison_is_case_insensitive_and_ignores_database_and_assistance() -> None:
    assert rules_of([entry(types=["information"])], [page(tags={"DC.Service": "Information"})]) == []
    assert rules_of([entry(types=["Procedure"])], [page()]) == ["registry-type-mismatch"]
    assert rules_of([entry(types=["Information", "Database"])], [page()]) == []
    assert rules_of([entry(types=["Database"])], [page()]) == []
    assert rules_of([entry(types=[])], [page()]) == []
    assistance = page(tags={"DC.Service": "assistance", "policy-code": "SOLVIT"})
    rows = RegistryDiff([entry(categories=[])], [assistance]).run()
    assert [row.rule for row in rows] == ["registry-type-mismatch"]
    assert "assistance has no registry type" in rows[0].message


def test_categories_are_compared_after_normalisation() -> None:
    assert rules_of([entry(categories=["c02", "J1"])], [page(tags={"policy-code": "J1;C2"})]) == []
    assert rules_of([entry(categories=["C2", "X1"])], [page()]) == ["registry-category-mismatch"]
    assert rules_of([entry(categories=[])], [page()]) == []


def test_language_compares_the_primary_language() -> None:
    assert rules_of([entry(languages=["es", "fr"])], [page()]) == []
    assert rules_of([entry(languages=["fr-BE"])], [page()]) == []
    assert rules_of([entry(languages=["nl"])], [page()]) == ["registry-language-mismatch"]
    assert rules_of([entry(languages=[])], [page()]) == []


def test_location_compares_national_code_with_dc_location() -> None:
    assert rules_of([entry(national_code="be1")], [page(tags={"DC.Location": "BE1"})]) == []
    assert rules_of([entry(national_code="21001")], [page(tags={"DC.Location": "BE_21001"})]) == []
    assert rules_of([entry(national_code="BE2")], [page(tags={"DC.Location": "BE1"})]) == [
        "registry-location-mismatch"
    ]
    assert rules_of([entry(national_code="BE1")], [page()]) == ["registry-location-mismatch"]
    assert rules_of([entry()], [page(tags={"DC.Location": "BE1"})]) == ["registry-location-mismatch"]


def test_country_treats_gr_and_el_alike() -> None:
    assert rules_of([entry(country="GR")], [page(tags={"DC.ISO3166": "EL"})]) == []
    assert rules_of([entry(country="SE")], [page()]) == ["registry-country-mismatch"]
    assert rules_of([entry(country=None)], [page()]) == []


def test_entries_match_on_canonical_then_final_url() -> None:
    alias = page("/page?utm=1", canonical_url=BASE + "/page/", tags={"policy-code": "A1"})
    direct = page("/other", final_url=BASE + "/page", tags={"policy-code": "B1"})
    diff = RegistryDiff([entry(categories=["A1"])], [direct, alias])
    assert [row.rule for row in diff.run()] == []  # the canonical page (A1) is the one compared
    diff = RegistryDiff([entry(categories=["B1"])], [direct])
    assert [row.rule for row in diff.run()] == []  # no canonical: the final URL matches


def test_valid_pages_without_an_entry_are_candidates_once() -> None:
    folder = entry("/folder/", url_type="web folder")
    member = page("/folder/a", registry_url=BASE + "/folder/", discovered=True)
    alias = page(
        "/folder/a?print=1", registry_url=BASE + "/folder/", discovered=True, canonical_url=BASE + "/folder/a"
    )
    broken = page("/folder/b", verdict="non-compliant", registry_url=BASE + "/folder/", discovered=True)
    registered = page("/folder/c", registry_url=BASE + "/folder/", discovered=True)
    rows = RegistryDiff(
        [folder, entry("/folder/c")], [page("/folder/"), member, alias, broken, registered]
    ).run()
    assert [(row.rule, row.page_url) for row in rows] == [("registry-entry-missing", BASE + "/folder/a")]
    assert rows[0].registry_url == BASE + "/folder/"


def test_pages_under_a_folder_are_compared_with_the_folders_country() -> None:
    folder = entry("/folder/", url_type="web folder", country="BE")
    member = page(
        "/folder/a",
        verdict="non-compliant",
        registry_url=BASE + "/folder/",
        discovered=True,
        tags={"DC.ISO3166": "FR"},
    )
    assert rules_of([folder], [page("/folder/"), member]) == ["registry-country-mismatch"]


def test_registry_categories_that_are_no_item_codes() -> None:
    rows = RegistryDiff([entry(categories=["C2", "I", "CITIZENS", "J12"])], []).run()
    assert [(row.rule, row.registry_value) for row in rows if row.kind == "category"] == [
        ("policy-code-area-only", "I"),
        ("policy-code-unknown", "CITIZENS"),
        ("policy-code-unknown", "J12"),
    ]


def test_legacy_annex2_meaning_from_the_entry_title() -> None:
    legacy = entry(title="Registering a change of address", categories=["U1"])
    rows = RegistryDiff([legacy], []).run()
    assert [(row.rule, row.hint) for row in rows if row.kind == "category"] == [
        ("policy-legacy-annex2-meaning", "registering a change of address is V1 in the final Annex II")
    ]
    final = entry(title="Determination of applicable legislation for social security", categories=["U1"])
    assert [row.rule for row in RegistryDiff([final], []).run() if row.kind == "category"] == []


def test_entries_marked_for_deletion_and_entries_not_crawled() -> None:
    diff = RegistryDiff([entry(delete=True), entry("/elsewhere")], [page()])
    rows = diff.run()
    assert diff.deleted == 1
    # The page's only entry is to be deleted, so the page is a candidate again.
    assert [(row.kind, row.registry_url, row.page_url) for row in rows] == [
        ("not-crawled", BASE + "/elsewhere", None),
        ("missing", BASE + "/page", BASE + "/page"),
    ]


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTPS://WWW.Example.be:443/a/#top", "https://www.example.be/a"),
        ("http://example.be", "http://example.be/"),
        ("http://example.be:8080/a?b=1", "http://example.be:8080/a?b=1"),
    ],
)
def test_url_key(url: str, key: str) -> None:
    assert url_key(url) == key

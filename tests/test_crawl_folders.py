"""Web-folder crawls: scope boundaries, de-duplication, limits, noindex paths, reachability (real crawls)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sites.crawl_run import observation, rules, run_crawl, write_registry
from tests.sites.server import Route, SiteServer, page, redirect

pytestmark = pytest.mark.slow  # real crawls (Scrapy in a subprocess or in-process) against loopback sites

TAGS = (
    '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="SE">'
    '<meta name="DC.Service" content="information"><meta name="policy-code" content="C2">'
    '<meta name="DC.Policy" content="acquiring and renewing a driving licence">'
)


def links(*hrefs: str, rel: str | None = None) -> str:
    rel_attribute = f' rel="{rel}"' if rel else ""
    return " ".join(f'<a href="{href}"{rel_attribute}>{href}</a>' for href in hrefs)


@pytest.fixture(scope="module")
def other_host() -> Iterator[SiteServer]:
    with SiteServer(routes={"/docs/c": page("other host")}, host="127.0.0.2") as server:
        yield server


@pytest.fixture(scope="module")
def site(other_host: SiteServer) -> Iterator[SiteServer]:
    with SiteServer() as server:  # the routes need the server's port
        server.routes.update(
            {
                "/robots.txt": Route(status=404, body=""),
                "/docs/": page(
                    links(
                        "/docs/a",
                        "/docs/a#section",
                        "a",  # relative: the same page again
                        "/docs/b?session=123",
                        "/docs/b",
                        "/docsx/not-in-folder",
                        "/other/",
                        "/docs/excluded/x",
                        other_host.url("/docs/c"),
                        f"http://localhost:{server.port}/docs/a",  # same address, another host name
                        # the registered orphan, but on the www. host: not followed, named in its finding
                        f"http://www.127.0.0.1:{server.port}/docs/registered-orphan",
                        "/docs/p1",
                        "/docs/p1-print",
                        "/docs/p2?x=1",
                        "/docs/registered-linked",
                        "/docs/noindex-hub",
                        "/docs/redirect-out",
                        "mailto:info@example.se",
                        "javascript:void(0)",
                    )
                    + links("/docs/nofollowed", rel="nofollow"),
                    head=TAGS + '<link rel="canonical" href="/docs/">',
                ),
                "/docs/a": page(links("/docs/deep/1"), head=TAGS + '<link rel="canonical" href="/docs/a">'),
                "/docs/b": page("b", head=TAGS + '<link rel="canonical" href="/elsewhere/b">'),
                "/docs/deep/1": page(links("/docs/deep/2")),
                "/docs/deep/2": page(links("/docs/deep/3", "/docs/p2")),
                "/docs/deep/3": page("deepest"),
                "/docs/p1": page("p1", head=TAGS + '<link rel="canonical" href="/docs/p1">'),
                "/docs/p1-print": page(
                    links("/docs/print-only"), head=TAGS + '<link rel="canonical" href="/docs/p1">'
                ),
                "/docs/p2": page("p2 itself", head=TAGS),
                "/docs/p2?x=1": page("p2 variant", head=TAGS + '<link rel="canonical" href="/docs/p2">'),
                "/docs/registered-linked": page("linked", head=TAGS),
                "/docs/registered-orphan": page("orphan", head=TAGS),
                "/docs/noindex-hub": page(
                    links("/docs/behind-noindex"), head='<meta name="robots" content="noindex">' + TAGS
                ),
                "/docs/behind-noindex": page(
                    "behind", head=TAGS + '<link rel="canonical" href="/docs/behind-noindex">'
                ),
                "/docs/nofollowed": page("nofollowed"),
                "/docs/redirect-out": redirect("/other/target"),
                "/elsewhere/page": page(links("/docs/a"), head=TAGS),
            }
        )
        yield server


def registry(tmp_path: Path, site: SiteServer) -> Path:
    return write_registry(
        tmp_path / "registry.json",
        [
            {
                "url": site.url("/docs/"),
                "urlType": "web folder",
                "excludedPaths": ["/docs/excluded"],
                "ignoreParams": ["session"],
            },
            {"url": site.url("/docs/registered-linked"), "type": "Information"},
            {"url": site.url("/docs/registered-orphan")},
            {"url": site.url("/elsewhere/page")},
        ],
    )


def crawl(tmp_path: Path, db_url: str, site: SiteServer, *options: str) -> dict[str, dict[str, Any]]:
    # One request at a time: breadth-first order (and so which alias is seen first) is deterministic.
    run = run_crawl(registry(tmp_path, site), db_url, "--concurrency-per-host", "1", *options)
    assert run.returncode == 0, run.stderr[-4000:]
    return run.pages()


FULL_CRAWL = {
    "/docs/": (0, False),
    "/docs/a": (1, True),
    "/docs/b": (1, True),
    "/docs/p1": (1, True),
    "/docs/p1-print": (1, True),
    "/docs/p2?x=1": (1, True),
    "/docs/registered-linked": (1, True),
    "/docs/noindex-hub": (1, True),
    "/docs/nofollowed": (1, True),
    "/docs/redirect-out": (1, True),
    "/docs/deep/1": (2, True),
    "/docs/behind-noindex": (2, True),
    "/docs/deep/2": (3, True),
    "/docs/deep/3": (4, True),
    "/docs/registered-orphan": (0, False),
    "/elsewhere/page": (0, False),
}


@pytest.fixture(scope="module")
def full_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('folders') / 'crawl.db'}"


@pytest.fixture(scope="module")
def full(
    tmp_path_factory: pytest.TempPathFactory, full_db: str, site: SiteServer
) -> dict[str, dict[str, Any]]:
    return crawl(tmp_path_factory.mktemp("registry"), full_db, site)


def test_folder_crawl_stays_in_scope_and_dedupes(
    full: dict[str, dict[str, Any]], site: SiteServer, other_host: SiteServer
) -> None:
    assert {url.removeprefix(site.origin) for url in full} == set(FULL_CRAWL)
    for path, (_, discovered) in FULL_CRAWL.items():
        assert full[site.url(path)]["discovered"] is discovered, path
    # never requested: outside the folder, excluded, another host, aliases covered by a canonical link
    for path in (
        "/docsx/not-in-folder",
        "/other/",
        "/docs/excluded/x",
        "/docs/p2",
        "/other/target",
        "/docs/print-only",
    ):
        assert site.hits(path) == [], path
    assert other_host.hits() == []
    assert [
        hit.path
        for hit in site.hits()
        if hit.path.startswith(("/docs/b?", "/docs/b#")) or hit.path == "/docs/b"
    ] == ["/docs/b"]
    assert len(site.hits("/docs/a")) == 1


def test_depths_follow_the_shortest_path(
    full: dict[str, dict[str, Any]], full_db: str, site: SiteServer
) -> None:
    depths = {path: observation(full_db, site.url(path))["depth"] for path in FULL_CRAWL}
    assert depths == {path: depth for path, (depth, _) in FULL_CRAWL.items()}


def test_discovered_pages_belong_to_their_folder(full: dict[str, dict[str, Any]], site: SiteServer) -> None:
    assert full[site.url("/docs/deep/3")]["registry_url"] == site.url("/docs/")
    # a registered page reached by links is stored as that registry entry's page
    linked = full[site.url("/docs/registered-linked")]
    assert linked["registry_url"] == site.url("/docs/registered-linked")
    assert "crawl-not-reachable" not in rules(linked)


def test_registered_page_not_reached_by_links(full: dict[str, dict[str, Any]], site: SiteServer) -> None:
    orphan = full[site.url("/docs/registered-orphan")]
    assert orphan["fetch_status"] == "ok"
    assert "crawl-not-reachable" in rules(orphan)
    finding = next(f for f in orphan["findings"] if f["rule"] == "crawl-not-reachable")
    assert site.url("/docs/") in finding["message"]
    other_host_link = f"http://www.127.0.0.1:{site.port}/docs/registered-orphan"
    assert f"only on another host ({other_host_link})" in finding["message"]
    assert finding["value"] == other_host_link
    assert finding["severity"] == "warning"
    assert orphan["verdict"] == "compliant-with-warnings"
    # outside every registered folder: nothing to be reachable from
    assert "crawl-not-reachable" not in rules(full[site.url("/elsewhere/page")])


def test_alias_is_stored_but_not_followed(full: dict[str, dict[str, Any]], site: SiteServer) -> None:
    alias = full[site.url("/docs/p1-print")]
    assert alias["fetch_status"] == "ok"
    assert site.url("/docs/p1") in alias["status_detail"]
    assert site.hits("/docs/print-only") == []


def test_canonical_findings(full: dict[str, dict[str, Any]], site: SiteServer) -> None:
    assert "canonical-missing" not in rules(full[site.url("/docs/a")])
    assert "canonical-missing" in rules(full[site.url("/docs/registered-linked")])
    outside = next(f for f in full[site.url("/docs/b")]["findings"] if f["rule"] == "canonical-invalid")
    assert "outside the registered scope" in outside["message"]
    assert outside["line"] == 1


def test_noindex_on_the_discovery_path(full: dict[str, dict[str, Any]], site: SiteServer) -> None:
    hub = full[site.url("/docs/noindex-hub")]
    assert hub["fetch_status"] == "noindex"
    behind = full[site.url("/docs/behind-noindex")]
    assert behind["fetch_status"] == "ok"
    assert rules(behind) == ["crawl-noindex"]
    assert site.url("/docs/noindex-hub") in behind["findings"][0]["message"]


def test_redirect_out_of_the_folder(full: dict[str, dict[str, Any]], site: SiteServer) -> None:
    record = full[site.url("/docs/redirect-out")]
    assert record["fetch_status"] == "out-of-scope"
    assert record["final_url"] == site.url("/other/target")
    assert record["verdict"] == "not-evaluated"


def test_max_depth(tmp_path: Path, site: SiteServer) -> None:
    pages = crawl(tmp_path, f"sqlite:///{tmp_path / 'crawl.db'}", site, "--max-depth", "2")
    fetched = {url.removeprefix(site.origin) for url in pages}
    assert fetched == {path for path, (depth, _) in FULL_CRAWL.items() if depth <= 2}
    orphan = next(
        f
        for f in pages[site.url("/docs/registered-orphan")]["findings"]
        if f["rule"] == "crawl-not-reachable"
    )
    assert "--max-depth" in orphan["message"]


def test_max_pages_per_folder(tmp_path: Path, site: SiteServer) -> None:
    pages = crawl(tmp_path, f"sqlite:///{tmp_path / 'crawl.db'}", site, "--max-pages-per-folder", "3")
    in_folder = sorted(
        url.removeprefix(site.origin)
        for url, record in pages.items()
        if record["registry_url"] == site.url("/docs/")
    )
    # the root and the first two links in document order (breadth-first, one request at a time)
    assert in_folder == ["/docs/", "/docs/a", "/docs/b"]
    assert set(pages) == {
        site.url(p)
        for p in (
            "/docs/",
            "/docs/a",
            "/docs/b",
            "/docs/registered-linked",
            "/docs/registered-orphan",
            "/elsewhere/page",
        )
    }


def test_harvester_emulation_does_not_follow_noindex_or_nofollow(tmp_path: Path, site: SiteServer) -> None:
    pages = crawl(tmp_path, f"sqlite:///{tmp_path / 'crawl.db'}", site, "--harvester-emulation")
    fetched = {url.removeprefix(site.origin) for url in pages}
    assert fetched == set(FULL_CRAWL) - {"/docs/behind-noindex", "/docs/nofollowed"}


@pytest.mark.postgres
def test_folder_crawl_on_postgresql(tmp_path: Path, pg_db_url: str, site: SiteServer) -> None:
    pages = crawl(tmp_path, pg_db_url, site)
    assert {url.removeprefix(site.origin) for url in pages} == set(FULL_CRAWL)
    assert "crawl-not-reachable" in rules(pages[site.url("/docs/registered-orphan")])
    assert pages[site.url("/docs/redirect-out")]["fetch_status"] == "out-of-scope"

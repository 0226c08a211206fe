"""`sdg-tags crawl --render-hosts`: a real crawl (subprocess) with scrapy-playwright driving system Chromium.

Script-made tags are diagnosed, both tag sets are stored (raw_tags.origin static / rendered), and a page that
never settles ends with the fetch status `timeout`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sdg_tags.repository.schema import observations, raw_tags
from sqlalchemy import create_engine, select

from tests.browser.sample_pages import (
    EXAMPLE_1,
    NEVER_SETTLES_PAGE,
    SCRIPT_CHANGES_PAGE,
    SCRIPT_TAGS_JS,
    SCRIPT_TAGS_PAGE,
)
from tests.sites.crawl_run import CrawlRun, rules, run_crawl, write_registry
from tests.sites.server import Route, SiteServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PATHS = ("/script-tags", "/static", "/changes", "/never-settles")
SCRIPT_MADE_TAGS = [
    "html-lang",
    "sdg-tag",
    "DC.ISO3166",
    "DC.Location",
    "DC.Service",
    "policy-code",
    "DC.Policy",
]


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    routes = {
        "/script-tags": Route(body=SCRIPT_TAGS_PAGE),
        "/tags.js": Route(body=SCRIPT_TAGS_JS, content_type="text/javascript"),
        "/static": Route(body=EXAMPLE_1),
        "/changes": Route(body=SCRIPT_CHANGES_PAGE),
        "/never-settles": Route(body=NEVER_SETTLES_PAGE),
        "/poll": Route(body="{}", content_type="application/json"),
    }
    with SiteServer(routes=routes) as server:
        yield server


@pytest.fixture(scope="module")
def rendered_run(tmp_path_factory: pytest.TempPathFactory, site: SiteServer) -> CrawlRun:
    folder = tmp_path_factory.mktemp("render-crawl")
    registry = write_registry(folder / "registry.json", [{"url": site.url(path)} for path in PATHS])
    run = run_crawl(
        registry, f"sqlite:///{folder / 'crawl.db'}", "--render-hosts", "127.0.0.1", "--render-timeout", "3"
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return run


@pytest.fixture(scope="module")
def pages(rendered_run: CrawlRun, site: SiteServer) -> dict[str, dict[str, Any]]:
    by_url = rendered_run.pages()
    return {path: by_url[site.url(path)] for path in PATHS}


def stored_origins(run: CrawlRun, url: str) -> list[tuple[str, str]]:
    """(origin, canonical) of every raw tag stored for the URL, in document order per origin."""
    engine = create_engine(run.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(raw_tags.c.origin, raw_tags.c.canonical)
                .join(observations, observations.c.id == raw_tags.c.observation_id)
                .where(observations.c.url == url)
                .order_by(raw_tags.c.position)
            ).all()
    finally:
        engine.dispose()
    return [(row.origin, row.canonical) for row in rows]


def test_tags_set_by_a_script_are_diagnosed_in_a_rendered_crawl(pages: dict[str, dict[str, Any]]) -> None:
    record = pages["/script-tags"]
    assert record["fetch_status"] == "ok"
    assert record["verdict"] == "compliant-with-warnings"
    script_made = [f["tag"] for f in record["findings"] if f["rule"] == "tags-only-after-javascript"]
    assert script_made == SCRIPT_MADE_TAGS
    assert rules(record) == ["canonical-missing"] + ["tags-only-after-javascript"] * 7
    assert record["tags"]["DC.ISO3166"]["origin"] == "rendered"


def test_static_and_rendered_tag_sets_are_both_stored(rendered_run: CrawlRun, site: SiteServer) -> None:
    origins = stored_origins(rendered_run, site.url("/changes"))
    static = [canonical for origin, canonical in origins if origin == "static"]
    rendered = [canonical for origin, canonical in origins if origin == "rendered"]
    tags = ["sdg-tag", "DC.ISO3166", "DC.Location", "DC.Service", "policy-code", "DC.Policy"]
    assert static == tags
    assert rendered == tags
    assert stored_origins(rendered_run, site.url("/script-tags")) == [("rendered", tag) for tag in tags]


def test_a_value_changed_by_a_script_is_reported(pages: dict[str, dict[str, Any]]) -> None:
    record = pages["/changes"]
    changed = [
        (f["tag"], f["expected"]) for f in record["findings"] if f["rule"] == "tags-changed-by-javascript"
    ]
    assert changed == [("DC.ISO3166", "FR")]
    assert record["tags"]["DC.ISO3166"]["raw"] == "BE"


def test_static_tags_get_no_rendering_findings(pages: dict[str, dict[str, Any]]) -> None:
    assert not [f for f in pages["/static"]["findings"] if "javascript" in f["rule"]]


def test_a_page_that_never_settles_times_out(pages: dict[str, dict[str, Any]]) -> None:
    record = pages["/never-settles"]
    assert record["fetch_status"] == "timeout"
    assert record["verdict"] == "not-evaluated"
    assert record["status_detail"] == "rendering did not settle within 3 s"
    assert record["findings"] == []


def test_without_render_hosts_the_script_page_is_untagged(tmp_path: Path, site: SiteServer) -> None:
    registry = write_registry(tmp_path / "registry.json", [{"url": site.url("/script-tags")}])
    run = run_crawl(registry, f"sqlite:///{tmp_path / 'crawl.db'}")
    assert run.returncode == 0, run.stderr[-4000:]
    record = run.pages()[site.url("/script-tags")]
    assert record["verdict"] == "not-self-describing"
    assert "playwright" not in run.stderr  # no browser is started when no host is rendered

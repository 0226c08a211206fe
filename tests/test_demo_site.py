"""The demo gateway: its servers serve every page, its registry loads, and each page gets the intended verdict.

`demo/expected.json` is the demo's own regression test: per page, the verdict of `check_page` and the exact set
of error and warning rule ids (plus info rule ids the page must at least carry).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sdg_tags.crawler.registry import load_registry
from sdg_tags.demo.run import REGISTRY_TEMPLATE, VERDICT_COLUMNS, format_summary, summarise, write_registry
from sdg_tags.demo.server import PROVIDERS, SITE_DIR, DemoGateway, load_redirects, site_paths
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.models import VERDICTS

EXPECTED = json.loads((SITE_DIR.parent / "expected.json").read_text(encoding="utf-8"))
# "<provider key> <path>" of every HTML page the sites serve from files.
HTML_PAGES: list[str] = [
    f"{provider.key} {path}"
    for provider in PROVIDERS
    for path in site_paths(SITE_DIR, provider.key)
    if not path.startswith("/static/") and "." not in path.rsplit("/", 1)[-1]
]


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def request(host: str, path: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """One request without following redirects (http.client), so 301s and 304s are seen as sent."""
    address, port = host.split(":")
    connection = http.client.HTTPConnection(address, int(port), timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def gateway() -> Iterator[DemoGateway]:
    with DemoGateway() as running:
        yield running


# -- the servers ------------------------------------------------------------------------------------------


def test_three_providers_on_three_loopback_hosts(gateway: DemoGateway) -> None:
    hosts = gateway.hosts
    assert sorted(hosts) == ["at", "be", "se"]
    assert [host.split(":")[0] for host in (hosts["be"], hosts["at"], hosts["se"])] == [
        "127.0.0.1",
        "127.0.0.2",
        "127.0.0.3",
    ]


def test_site_has_62_pages_and_a_pdf() -> None:
    pdfs = [
        path for provider in PROVIDERS for path in site_paths(SITE_DIR, provider.key) if path.endswith(".pdf")
    ]
    assert len(HTML_PAGES) == 62
    assert len(HTML_PAGES) + len(pdfs) == 63


def test_every_file_is_served_with_its_type_and_real_hosts(gateway: DemoGateway) -> None:
    served = 0
    for provider in PROVIDERS:
        host = gateway.hosts[provider.key]
        for path in site_paths(SITE_DIR, provider.key):
            response = request(host, path)
            assert response.status == 200, f"{provider.key} {path}"
            content_type = response.headers["content-type"]
            if path.endswith(".pdf"):
                assert content_type == "application/pdf"
                assert response.body.startswith(b"%PDF-1.4")
            else:
                text = response.body.decode("utf-8")
                assert "{{" not in text, f"{provider.key} {path}: placeholder left in the page"
                assert content_type.endswith("charset=utf-8")
            served += 1
    assert served == 62 + 1 + 2 + 1  # pages, PDF, two robots.txt, the JS file of the JavaScript-only page


def test_canonical_links_name_the_running_host(gateway: DemoGateway) -> None:
    body = request(gateway.hosts["be"], "/fr/permis-de-conduire").body.decode()
    assert f'<link rel="canonical" href="http://{gateway.hosts["be"]}/fr/permis-de-conduire">' in body


def test_shared_stylesheet_is_served_on_every_host(gateway: DemoGateway) -> None:
    for host in gateway.hosts.values():
        response = request(host, "/static/site.css")
        assert (response.status, response.headers["content-type"]) == (200, "text/css; charset=utf-8")


def test_robots_txt_crawl_delay_and_disallow_only_on_the_swedish_host(gateway: DemoGateway) -> None:
    swedish = request(gateway.hosts["se"], "/robots.txt").body.decode()
    assert "Crawl-delay: 1" in swedish.splitlines()
    assert "Disallow: /intern/" in swedish.splitlines()
    assert "Crawl-delay" not in request(gateway.hosts["be"], "/robots.txt").body.decode()
    assert request(gateway.hosts["at"], "/robots.txt").status == 404


def test_redirects_are_permanent_and_stay_on_the_host(gateway: DemoGateway) -> None:
    host = gateway.hosts["be"]
    assert load_redirects() == {
        "be": {"/fr/permis-de-conduire-ancien": "/fr/permis-de-conduire"},
        "at": {},
        "se": {},
    }
    old = request(host, "/fr/permis-de-conduire-ancien")
    assert (old.status, old.headers["location"]) == (301, f"http://{host}/fr/permis-de-conduire")
    folder = request(host, "/fr")
    assert (folder.status, folder.headers["location"]) == (301, f"http://{host}/fr/")


def test_missing_pages_and_escapes_are_404(gateway: DemoGateway) -> None:
    host = gateway.hosts["be"]
    for path in (
        "/fr/actualites/reforme-2019",
        "/../server.py",
        "/%2e%2e/redirects.json",
        "/404.html",
        "/404",
    ):
        response = request(host, path)
        assert response.status == 404, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert request(gateway.hosts["at"], "/de/unternehmen/betriebsanlage").status == 404


def test_head_and_conditional_get(gateway: DemoGateway) -> None:
    host = gateway.hosts["se"]
    full = request(host, "/sv/om-oss")
    head = request(host, "/sv/om-oss", method="HEAD")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == str(len(full.body))
    again = request(host, "/sv/om-oss", headers={"If-None-Match": full.headers["etag"]})
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", full.headers["etag"])
    assert request(host, "/sv/om-oss", method="POST").status == 501


def test_access_log_records_each_request(tmp_path: Path) -> None:
    log_file = tmp_path / "access.log"
    with log_file.open("w", encoding="utf-8") as log, DemoGateway(access_log=log) as running:
        host = running.hosts["at"]
        request(host, "/de/", headers={"User-Agent": "probe/1"})
        request(host, "/nothing")
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        f"{host} GET /de/ 200 'probe/1'",
        f"{host} GET /nothing 404 ''",
    ]


# -- the registry -----------------------------------------------------------------------------------------


def test_registry_loads_with_real_hosts_and_covers_every_kind_of_entry(
    gateway: DemoGateway, tmp_path: Path
) -> None:
    registry_file = write_registry(gateway.hosts, tmp_path / "registry.csv")
    assert "{{" not in registry_file.read_text(encoding="utf-8")
    load = load_registry(registry_file)
    assert load.errors == []
    assert load.format == "csv"
    entries = load.entries
    assert len(entries) == 22
    by_country: dict[str, int] = {}
    for entry in entries:
        by_country[entry.country or ""] = by_country.get(entry.country or "", 0) + 1
        provider = gateway.provider_for_host(urlsplit(entry.url).netloc)
        assert provider is not None and provider.country == entry.country and provider.name == entry.provider
    assert by_country == {"BE": 9, "AT": 7, "SE": 6}
    assert sum(entry.url_type == "web folder" for entry in entries) == 5
    assert {entry.notification_type for entry in entries} == {"CRAWL", "UPLOAD", "MANUAL"}
    upload_untagged = [
        entry
        for entry in entries
        if entry.notification_type == "UPLOAD" and entry.url.endswith("/sv/e-tjanster/bilregistrering")
    ]
    assert len(upload_untagged) == 1 and upload_untagged[0].types == ["Procedure"]


def test_every_registry_url_is_a_page_a_redirect_or_a_known_failure(tmp_path: Path) -> None:
    known = set(HTML_PAGES) | set(EXPECTED["crawl"]["urls"])
    # Hosts named after the provider keys, so each URL reads "<key> <path>" like the keys of expected.json.
    hosts = {provider.key: provider.key for provider in PROVIDERS}
    load = load_registry(write_registry(hosts, tmp_path / "registry.csv", REGISTRY_TEMPLATE))
    for entry in load.entries:
        parts = urlsplit(entry.url)
        assert f"{parts.netloc} {parts.path}" in known, entry.url


# -- the intended verdicts --------------------------------------------------------------------------------


def test_expected_lists_exactly_the_pages_of_the_site() -> None:
    assert sorted(EXPECTED["pages"]) == sorted(HTML_PAGES)


@pytest.mark.parametrize("page_key", HTML_PAGES)
def test_page_gets_the_intended_verdict_and_rules(gateway: DemoGateway, page_key: str) -> None:
    key, path = page_key.split(" ", 1)
    url = f"http://{gateway.hosts[key]}{path}"
    response = request(gateway.hosts[key], path)
    result = check_page(response.body, url=url, headers=response.headers)
    expected = EXPECTED["pages"][page_key]
    failing = sorted({f.rule for f in result.findings if f.severity in ("error", "warning")})
    infos = {f.rule for f in result.findings if f.severity == "info"}
    assert (result.verdict, failing) == (expected["verdict"], expected["rules"]), page_key
    assert set(expected["infos"]) <= infos, page_key


def test_expected_summary_adds_up() -> None:
    """The summary the demo should print follows from the pages and the crawl outcomes."""
    summary = EXPECTED["summary"]
    crawled = [key for key in HTML_PAGES if key not in EXPECTED["crawl"]["not_crawled"]]
    extra = [key for key in EXPECTED["crawl"]["urls"] if key not in EXPECTED["pages"]]
    assert sum(counts["pages"] for counts in summary.values()) == len(crawled) + len(extra) == 63
    for counts in summary.values():
        assert counts["pages"] == sum(counts[verdict] for verdict in VERDICTS)


# -- the summary table ------------------------------------------------------------------------------------


def test_summary_columns_are_the_spec_verdicts() -> None:
    assert VERDICT_COLUMNS == VERDICTS


def test_summarise_counts_by_host_and_formats_one_row_per_provider() -> None:
    hosts = {"be": "127.0.0.1:1000", "at": "127.0.0.2:1000", "se": "127.0.0.3:1000"}
    records = [
        {"url": "http://127.0.0.1:1000/fr/a", "verdict": "compliant"},
        {"url": "http://127.0.0.1:1000/fr/b", "verdict": "not-evaluated"},
        {"url": "http://127.0.0.3:1000/sv/c", "verdict": "non-compliant"},
        {"url": "http://127.0.0.9:1000/x", "verdict": "compliant"},  # not a demo host: ignored
    ]
    summaries = summarise(records, hosts)
    assert [(s.provider.key, s.pages, s.verdicts["compliant"]) for s in summaries] == [
        ("be", 2, 1),
        ("at", 0, 0),
        ("se", 1, 0),
    ]
    lines = format_summary(summaries).splitlines()
    assert lines[0].split() == ["compliant-with-", "non-", "not-self-", "not-"]
    assert lines[1].split() == [
        "Provider",
        "Country",
        "Pages",
        "compliant",
        "warnings",
        "compliant",
        "describing",
        "evaluated",
    ]
    assert lines[3].split()[-7:] == ["BE", "2", "1", "0", "0", "0", "1"]
    assert lines[-1].split() == ["Total", "3", "1", "0", "1", "0", "1"]


def test_a_client_hanging_up_is_not_printed_but_other_handler_errors_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with DemoGateway() as gateway:
        server = gateway.sites[0].server
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError:
            server.handle_error(None, ("127.0.0.1", 40000))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a bug in the handler")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 40001))
        err = capsys.readouterr().err
    assert "ValueError: a bug in the handler" in err
    assert "('127.0.0.1', 40001)" in err

"""The crawl's components one by one: scope, status classifier, robots directives, Retry-After, journal,
crawl-mode findings, the validation pipeline's records, politeness built through a real Crawler."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from time import monotonic

import pytest
from OpenSSL.SSL import Error as OpenSSLError
from scrapy import Request, Spider, signals
from scrapy.core.downloader import Slot
from scrapy.core.engine import ExecutionEngine
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.http import HtmlResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler
from sdg_tags.crawler.evaluation import build_record
from sdg_tags.crawler.extensions.progress import ProgressLog
from sdg_tags.crawler.frontier import CrawlTarget, FrontierJournal
from sdg_tags.crawler.items import FetchOutcome
from sdg_tags.crawler.middlewares.politeness import PolitenessMiddleware
from sdg_tags.crawler.middlewares.retry_after import retry_after_seconds
from sdg_tags.crawler.robots_directives import robots_directives
from sdg_tags.crawler.scope import Scope, dedupe_key, site_key
from sdg_tags.crawler.signals import host_backoff_requested
from sdg_tags.crawler.status import FetchAborted, status_of_failure, status_of_response
from sdg_tags.validators.models import LinkOccurrence, ValidationOptions
from sdg_tags.validators.rules.crawl import canonical_findings
from sdg_tags.validators.rules.table import RULES, rule_finding
from twisted.internet.error import ConnectionLost, DNSLookupError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

# --- scope ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://Example.SE/a", "example.se"),
        ("http://example.se:80/a", "example.se"),
        ("https://example.se:443/", "example.se"),
        ("https://example.se:8443/", "example.se:8443"),
        ("http://www.example.se/", "www.example.se"),
    ],
)
def test_site_key(url: str, key: str) -> None:
    assert site_key(url) == key


FOLDER = Scope.for_entry(
    "https://example.se/docs/",
    is_folder=True,
    excluded_paths=["/docs/archive", "https://example.se/docs/tmp-"],
    ignore_params=["Session", "utm_source"],
)


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("https://example.se/docs/", True),
        ("https://example.se/docs", True),
        ("https://example.se/docs/a/b?x=1", True),
        ("https://example.se/docsx/a", False),
        ("https://example.se/other/", False),
        ("https://www.example.se/docs/a", False),
        ("http://example.se/docs/a", False),  # a folder keeps its scheme (SPEC §7.3)
        ("https://example.se:8443/docs/a", False),
        ("https://example.se/docs/archive", False),
        ("https://example.se/docs/archive/2020", False),
        ("https://example.se/docs/archived", True),
        ("https://example.se/docs/tmp-1", False),
    ],
)
def test_folder_scope(url: str, inside: bool) -> None:
    assert FOLDER.contains(url) is inside


def test_page_scope_is_its_site() -> None:
    scope = Scope.for_entry("https://example.se/a/page", is_folder=False)
    assert scope.contains("https://example.se/elsewhere")
    assert scope.same_site("http://example.se/")  # an HTTPS upgrade (or downgrade) stays on the site
    assert not scope.same_site("https://www.example.se/a/page")


def test_clean_strips_fragment_and_ignored_parameters() -> None:
    assert (
        FOLDER.clean("https://example.se/docs/a?b=2&session=9&UTM_SOURCE=x&a=1#top")
        == "https://example.se/docs/a?b=2&a=1"
    )
    assert FOLDER.clean("https://example.se") == "https://example.se/"


def test_dedupe_key_merges_spellings_of_one_address() -> None:
    assert dedupe_key("https://Example.se:443/a?b=2&a=1") == dedupe_key("https://example.se/a?a=1&b=2")
    assert dedupe_key("https://example.se/a%7e") == dedupe_key("https://example.se/a~")
    assert dedupe_key("https://example.se/a") != dedupe_key("http://example.se/a")


# --- status classifier -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (200, {"Content-Type": "text/html; charset=utf-8"}, b"<html>", None),
        (200, {"content-type": "application/xhtml+xml"}, b"<html>", None),
        (200, {}, b"  <!DOCTYPE html>", None),
        (200, {}, b"%PDF-1.4", "not-html"),
        (200, {"Content-Type": "application/pdf"}, b"%PDF", "not-html"),
        (200, {"Content-Type": "text/plain"}, b"<html>", "not-html"),
        (304, {}, b"", "not-modified"),
        (404, {"Content-Type": "text/html"}, b"<html>", "http-4xx"),
        (429, {}, b"", "http-4xx"),
        (500, {}, b"", "http-5xx"),
        (599, {}, b"", "http-5xx"),
    ],
)
def test_status_of_response(status: int, headers: dict[str, str], body: bytes, expected: str | None) -> None:
    assert status_of_response(status, headers, body)[0] == expected


def test_http_error_detail_has_the_reason_phrase() -> None:
    assert status_of_response(404, {}, b"") == ("http-4xx", "HTTP 404 Not Found")


def wrapped(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (FetchAborted("redirected-off-site", "to elsewhere"), "redirected-off-site"),
        (wrapped(CannotResolveHostError("x"), DNSLookupError("x.invalid")), "dns-error"),
        (DownloadConnectionRefusedError("refused"), "connection-refused"),
        (DownloadTimeoutError("Getting x took longer than 1 seconds."), "timeout"),
        (
            DownloadCancelledError("Expected to receive 9 bytes which is larger than download max size (5)"),
            "too-large",
        ),
        (IgnoreRequest("exceeded DOWNLOAD_MAXSIZE (5 B) during decompression."), "too-large"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots-disallowed"),
        (IgnoreRequest("max redirections reached"), "too-many-redirects"),
        (
            ResponseNeverReceived([Failure(OpenSSLError([("SSL routines", "", "wrong version number")]))]),
            "tls-error",
        ),
        (zlib.error("invalid stored block lengths"), "decode-error"),
        (ConnectionLost("gone"), "connection-refused"),
    ],
)
def test_status_of_failure(error: BaseException, expected: str) -> None:
    status, detail = status_of_failure(Failure(error))
    assert status == expected
    assert detail


def test_timeout_detail_names_the_limit() -> None:
    assert status_of_failure(DownloadTimeoutError("slow"), timeout=1.5)[1].startswith(
        "no complete response within the 1.5 s timeout"
    )


# --- robots directives, Retry-After ------------------------------------------------------------------------------


def test_robots_directives() -> None:
    both = robots_directives(
        ["NOINDEX, Follow"], ["sdg-tags: nofollow", "googlebot: noindex"], agent="sdg-tags"
    )
    assert (both.noindex, both.nofollow) == (True, True)
    assert both.sources == ("meta robots 'NOINDEX, Follow'", "X-Robots-Tag 'sdg-tags: nofollow'")
    other_bot = robots_directives([], ["googlebot: noindex, nofollow"], agent="sdg-tags")
    assert (other_bot.noindex, other_bot.nofollow) == (False, False)
    none = robots_directives([], ["none"], agent="sdg-tags")
    assert (none.noindex, none.nofollow, none.noindex_source) == (True, True, "X-Robots-Tag 'none'")
    assert not robots_directives(
        [], ["unavailable_after: 25 Jun 2030 15:00:00 PST"], agent="sdg-tags"
    ).noindex


def test_retry_after_seconds() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("") is None


# --- resume journal -----------------------------------------------------------------------------------------------


def test_journal_replay_ignores_a_torn_line(tmp_path: Path) -> None:
    journal = FrontierJournal(tmp_path)
    first = CrawlTarget(url="https://e.se/a", key="k-a", scope_url="https://e.se/")
    second = CrawlTarget(url="https://e.se/b", key="k-b", scope_url="https://e.se/", discovered=True, depth=1)
    journal.add(first)
    journal.add(second)
    journal.seen("k-canonical")
    journal.done("https://e.se/a")
    journal.close()
    with journal.path.open("a") as torn:  # a kill in the middle of a write
        torn.write('{"add": {"url": "https://e.se/c", "ke')
    reopened = FrontierJournal(tmp_path)
    reopened.done("https://e.se/b")  # appended after the torn line, on its own line
    reopened.close()
    state = FrontierJournal(tmp_path).replay()
    assert state.torn_lines == 1
    assert state.seen_keys == {"k-a", "k-b", "k-canonical"}
    assert state.done_urls == {"https://e.se/a", "https://e.se/b"}
    assert state.pending == []
    FrontierJournal(tmp_path).reset()
    assert FrontierJournal(tmp_path).replay().targets == {}


# --- crawl-mode findings ---------------------------------------------------------------------------------------------


def test_group_i_rules_are_declared_as_in_the_spec() -> None:
    declared = {
        rule_id: (RULES[rule_id].severity, RULES[rule_id].mode, RULES[rule_id].reference, RULES[rule_id].hint)
        for rule_id in (
            "canonical-missing",
            "canonical-invalid",
            "crawl-robots-disallowed",
            "crawl-noindex",
            "crawl-not-reachable",
        )
    }
    assert declared == {
        "canonical-missing": ("info", "crawl", "Guidance 2020 §canonical", "Add one"),
        "canonical-invalid": ("warning", "crawl", "Guidance 2020 §canonical", "One absolute in-scope URL"),
        "crawl-robots-disallowed": (
            "warning",
            "crawl",
            "Guidance 2020 §crawler access; DIGG guidance",
            "Allow the harvester",
        ),
        "crawl-noindex": ("warning", "crawl", "DIGG guidance", "Remove `noindex`"),
        "crawl-not-reachable": (
            "warning",
            "crawl",
            "DIGG guidance; Guidance 2020 §crawler access",
            "Link it from an in-scope page, or register it",
        ),
    }


def link(href: str | None, line: int = 3) -> LinkOccurrence:
    return LinkOccurrence(href=href, line=line, column=5)


@pytest.mark.parametrize(
    ("links", "rule", "says"),
    [
        ([], "canonical-missing", "no <link"),
        ([link("/docs/a"), link("/docs/b", line=4)], "canonical-invalid", "2 canonical links"),
        ([link("")], "canonical-invalid", "empty href"),
        ([link("mailto:x@example.se")], "canonical-invalid", "does not resolve"),
        ([link("https://www.example.se/docs/a")], "canonical-invalid", "another host"),
        ([link("https://example.se/other/a")], "canonical-invalid", "outside the registered scope"),
        ([link("https://example.se/docs/archive/1")], "canonical-invalid", "outside the registered scope"),
    ],
)
def test_canonical_findings(links: list[LinkOccurrence], rule: str, says: str) -> None:
    found = canonical_findings(
        links, page_url="https://example.se/docs/a?x=1", same_site=FOLDER.same_site, in_scope=FOLDER.contains
    )
    assert [finding.rule for finding in found] == [rule]
    assert says in found[0].message
    if links:
        assert (found[0].line, found[0].column) == (links[-1].line, 5)


@pytest.mark.parametrize("href", ["/docs/a", "a", "https://example.se/docs/b"])
def test_valid_canonical_links(href: str) -> None:
    assert (
        canonical_findings(
            [link(href)],
            page_url="https://example.se/docs/x",
            same_site=FOLDER.same_site,
            in_scope=FOLDER.contains,
        )
        == []
    )


def test_crawl_rule_finding_takes_metadata_from_the_rule_table() -> None:
    finding = rule_finding("crawl-noindex", "says noindex", value="meta robots 'noindex'")
    assert (finding.severity, finding.reference, finding.hint) == (
        "warning",
        "DIGG guidance",
        "Remove `noindex`",
    )


# --- validation pipeline ------------------------------------------------------------------------------------------------

TAGGED = (
    b'<!DOCTYPE html><html lang="sv"><head><meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="SE">'
    b'<meta name="DC.Service" content="information"><meta name="policy-code" content="C2">'
    b'<meta name="DC.Policy" content="acquiring and renewing a driving licence">'
    b'<link rel="canonical" href="https://example.se/docs/a"></head><body></body></html>'
)


def outcome(**fields: object) -> FetchOutcome:
    values: dict[str, object] = {
        "url": "https://example.se/docs/a",
        "scope": FOLDER,
        "fetch_status": "ok",
        "fetched_at": datetime(2026, 1, 1, tzinfo=UTC),
        "http_status": 200,
        "final_url": "https://example.se/docs/a",
        "headers": {"Content-Type": "text/html; charset=utf-8", "ETag": '"e1"'},
        "body": TAGGED,
    }
    values.update(fields)
    return FetchOutcome(**values)  # type: ignore[arg-type]


def test_evaluated_page_record() -> None:
    record = build_record(outcome(), ValidationOptions())
    assert (record.fetch_status, record.result.verdict, record.etag) == ("ok", "compliant", '"e1"')
    assert record.result.findings == []
    assert [occ.canonical for occ in record.occurrences] == [
        "sdg-tag",
        "DC.ISO3166",
        "DC.Service",
        "policy-code",
        "DC.Policy",
    ]
    assert len(record.content_hash or "") == 64


def test_noindex_page_gets_crawl_noindex_and_a_recomputed_verdict() -> None:
    record = build_record(
        outcome(fetch_status="noindex", noindex_source="meta robots 'noindex'"), ValidationOptions()
    )
    assert [finding.rule for finding in record.result.findings] == ["crawl-noindex"]
    assert record.result.verdict == "compliant-with-warnings"
    assert record.status_detail == "noindex (meta robots 'noindex')"


def test_ignored_crawl_rule_is_dropped() -> None:
    options = ValidationOptions(ignore=frozenset({"crawl-noindex"}))
    record = build_record(outcome(fetch_status="noindex", noindex_source="meta robots 'noindex'"), options)
    assert (record.result.findings, record.result.verdict) == ([], "compliant")


def test_robots_disallowed_record_has_only_its_crawl_finding() -> None:
    record = build_record(
        outcome(
            fetch_status="robots-disallowed",
            http_status=None,
            body=None,
            headers={},
            status_detail="forbidden",
            robots_url="https://example.se/robots.txt",
        ),
        ValidationOptions(),
    )
    assert record.result.verdict == "not-evaluated"
    assert [finding.rule for finding in record.result.findings] == ["crawl-robots-disallowed"]
    assert record.result.status_detail == "forbidden"


def test_unreadable_html_is_a_decode_error_or_not_html() -> None:
    png = build_record(outcome(body=b"\x89PNG\r\n\x1a\n" + bytes(200)), ValidationOptions())
    assert (png.fetch_status, png.result.verdict, png.result.findings) == ("not-html", "not-evaluated", [])


def test_untagged_page_gets_no_crawl_findings_unless_registered() -> None:
    plain = b"<html lang='sv'><head><title>x</title></head><body></body></html>"
    discovered = build_record(
        outcome(body=plain, noindex_via="https://example.se/docs/"), ValidationOptions()
    )
    assert [finding.rule for finding in discovered.result.findings] == ["no-sdg-tags"]
    registered = build_record(
        outcome(body=plain, registered=True, not_reachable_from="https://example.se/docs/"),
        ValidationOptions(),
    )
    assert sorted(finding.rule for finding in registered.result.findings) == [
        "crawl-not-reachable",
        "no-sdg-tags",
    ]
    assert registered.result.verdict == "not-self-describing"


# --- politeness, through a real Crawler ---------------------------------------------------------------------------------


@pytest.fixture
def politeness() -> PolitenessMiddleware:
    crawler = get_crawler(
        Spider,
        {
            "SDG_HOST_DELAY": 0.25,
            "SDG_HOST_CONCURRENCY": 2,
            "SDG_BACKOFF_MAX_DELAY": 8,
            "SDG_CRAWL_DELAY_MAX": 5,
        },
    )
    crawler.engine = ExecutionEngine(crawler, lambda _: None)
    return PolitenessMiddleware.from_crawler(crawler)


def test_host_slot_gets_the_configured_pace(politeness: PolitenessMiddleware) -> None:
    request = Request("https://example.se:8443/a")
    politeness.process_request(request)
    assert request.meta["download_slot"] == "example.se:8443"
    assert politeness.crawler.engine.downloader.per_slot_settings["example.se:8443"] == {
        "delay": 0.25,
        "concurrency": 2,
        "jitter": 0.0,
    }


def test_robots_crawl_delay_is_applied_and_capped(politeness: PolitenessMiddleware) -> None:
    downloader = politeness.crawler.engine.downloader
    for host, robots, delay in (("a.se", "Crawl-delay: 2", 2.0), ("b.se", "Crawl-delay: 30", 5.0)):
        parser = ProtegoRobotParser(f"User-agent: *\n{robots}\n".encode(), None)
        politeness.crawler.signals.send_catch_log(
            signal=signals.robots_parsed, robotparser=parser, request=Request(f"https://{host}/")
        )
        assert downloader.per_slot_settings[host] == {"delay": delay, "concurrency": 1, "jitter": 0.0}
    assert politeness.crawler.stats.get_value("sdg/politeness/crawl_delay_hosts") == 2


def test_errors_widen_the_delay_and_success_narrows_it(politeness: PolitenessMiddleware) -> None:
    request = Request("https://example.se/a")
    politeness.process_request(request)
    delays = []
    for status in (503, 503, 429, 500, 500, 200, 200, 200, 200):
        politeness.process_response(request, HtmlResponse(request.url, status=status, request=request))
        delays.append(politeness.hosts["example.se"].delay)
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 4.0, 2.0, 1.0, 0.25]
    politeness.process_exception(request, DownloadTimeoutError("slow"))
    assert politeness.hosts["example.se"].delay == 1.0


def test_retry_after_pauses_the_live_slot(politeness: PolitenessMiddleware) -> None:
    downloader = politeness.crawler.engine.downloader
    downloader.slots["example.se"] = slot = Slot(2, 0.25, 0.0)
    slot.lastseen = monotonic()
    politeness.crawler.signals.send_catch_log(
        signal=host_backoff_requested, slot="example.se", seconds=10.0, reason="HTTP 429 with Retry-After 10"
    )
    # The slot dispatches its next request at lastseen + delay: that is the end of the pause.
    assert slot.lastseen + slot.delay == pytest.approx(politeness.hosts["example.se"].paused_until)
    assert slot.lastseen + slot.delay - monotonic() > 9.5


# --- progress log -------------------------------------------------------------------------------------------------------


def test_progress_line_reports_done_queued_rate_and_eta() -> None:
    crawler = get_crawler(Spider, {"SDG_PROGRESS_INTERVAL": 10})
    crawler.engine = ExecutionEngine(crawler, lambda _: None)
    progress = ProgressLog.from_crawler(crawler)
    for key, value in (("sdg/pages/total", 120), ("scheduler/enqueued", 200), ("scheduler/dequeued", 150)):
        crawler.stats.set_value(key, value)
    now = monotonic()
    progress.started, progress.last_time, progress.last_done = now - 60, now - 10, 100
    line = progress.progress_line()
    assert line.startswith("Progress: 120 pages done, 50 queued, 120 pages/min (average 120), ETA >= 25s")


def test_progress_log_is_off_at_interval_zero() -> None:
    with pytest.raises(NotConfigured):
        ProgressLog.from_crawler(get_crawler(Spider, {"SDG_PROGRESS_INTERVAL": 0}))


def test_crawl_settings_switch_off_listening_ports() -> None:
    from sdg_tags.crawler import settings

    assert (settings.TELNETCONSOLE_ENABLED, settings.REMOTE_CONTROL_ENABLED, settings.LOG_LEVEL) == (
        False,
        False,
        "INFO",
    )
    assert settings.SCHEDULER_PRIORITY_QUEUE == "scrapy.pqueues.DownloaderAwarePriorityQueue"


@pytest.mark.parametrize(
    ("status", "allowed", "reason"),
    [
        (200, False, None),  # the body's own rules: Disallow /
        (404, True, None),  # no robots.txt, whatever the error page says
        (410, True, None),
        (429, False, "robots.txt answered HTTP 429, so under RFC 9309 the whole host is off limits"),
        (500, False, "robots.txt answered HTTP 500, so under RFC 9309 the whole host is off limits"),
        (503, False, "robots.txt answered HTTP 503, so under RFC 9309 the whole host is off limits"),
    ],
)
def test_robots_txt_status_decides_before_its_body(status: int, allowed: bool, reason: str | None) -> None:
    from sdg_tags.crawler.middlewares.robots import robots_body_for_status

    body, why = robots_body_for_status(status, b"User-agent: *\nDisallow: /\n")
    assert why == reason
    parser = ProtegoRobotParser(body, Spider("t"))
    assert parser.allowed("https://example.be/page", "sdg-tags") is allowed

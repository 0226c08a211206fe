"""Abuse: hostile pages give bounded results on every surface (JSON, text, JUnit, SARIF), in linear work.

The limits are those of `validators/limits.py` (docs/output-format.md "Bounded output"); the pages are built
here: one value repeated 16,000 times (48 KB), a 4.5 MB page of long values, pages of 100,000 items.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdg_tags.fetcher import fetch_url
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.limits import (
    CACHED_TEXT_CHARS,
    FINDINGS_PER_RULE,
    ITEMS_CHECKED,
    QUOTE_CHARS,
    RESULT_BYTES,
    TAG_ITEMS,
    TEXT_CHARS,
    abridge,
)
from sdg_tags.validators.models import PageResult
from sdg_tags.validators.output.json_format import format_json
from sdg_tags.validators.output.junit import format_junit
from sdg_tags.validators.output.sarif import format_sarif
from sdg_tags.validators.output.text import format_text

from tests.faults.drip import DripServer
from tests.pages import VALID_TAGS, page
from tests.sites.crawl_run import run_crawl, write_registry

ROOT = Path(__file__).resolve().parent.parent
# The surfaces other than compact JSON add their own framing (indentation, XML, the SARIF rule table); a page
# bounded at RESULT_BYTES stays within this many bytes in each of them.
SURFACE_BYTES = 4 * RESULT_BYTES + 64 * 1024


def with_tags(replaced: dict[str, str]) -> bytes:
    """The valid page with some tags replaced by the given values."""
    tags = [(name, value) for name, value in VALID_TAGS if name not in replaced] + list(replaced.items())
    return page(tags)


def result_bytes(result: PageResult) -> int:
    return len(result.model_dump_json().encode("utf-8"))


def surface_sizes(result: PageResult) -> dict[str, int]:
    return {
        "json": len(format_json([result], version="0").encode()),
        "text": len(format_text([result]).encode()),
        "junit": len(format_junit([result]).encode()),
        "sarif": len(format_sarif([result], version="0").encode()),
    }


REPEATED = 16_000
REPEATED_PAGE = with_tags({"policy-code": ";".join(["C2"] * REPEATED)})


def test_repeated_item_is_reported_twenty_times_and_counted_once() -> None:
    result = check_page(REPEATED_PAGE)
    duplicates = [f for f in result.findings if f.rule == "value-duplicate-item"]
    assert len(duplicates) == FINDINGS_PER_RULE + 1
    counting = duplicates[-1]
    # The rules check the first ITEMS_CHECKED items: items 2..10,000 repeat item 1.
    left_out = ITEMS_CHECKED - 1 - FINDINGS_PER_RULE
    assert counting.message.startswith(f"{left_out} more value-duplicate-item findings on this page")
    assert counting.value is None and counting.item is None
    assert counting.severity == duplicates[0].severity
    assert result.verdict == check_page(with_tags({"policy-code": "C2;C2"})).verdict


def test_finding_quotes_are_abridged_with_the_full_length() -> None:
    raw = ";".join(["C2"] * REPEATED)
    result = check_page(REPEATED_PAGE)
    finding = next(f for f in result.findings if f.rule == "value-duplicate-item")
    assert finding.value == raw[:QUOTE_CHARS] + f"… (abridged, {len(raw)} characters)"
    assert finding.value == abridge(raw, QUOTE_CHARS)
    for finding in result.findings:
        for text in (finding.value, finding.normalized, finding.expected):
            assert text is None or len(text) <= QUOTE_CHARS + 40
        assert len(finding.message) <= TEXT_CHARS + 40 and len(finding.hint) <= TEXT_CHARS + 40


def test_tag_view_lists_twenty_items_then_the_count() -> None:
    view = check_page(REPEATED_PAGE).tags["policy-code"]
    assert view.values == ["C2"] * TAG_ITEMS + [f"… (abridged, {REPEATED} items)"]
    assert len(view.raw or "") <= QUOTE_CHARS + 40
    assert view.raw is not None and view.raw.endswith(f"… (abridged, {3 * REPEATED - 1} characters)")


def test_caches_keep_no_long_value() -> None:
    from sdg_tags.validators.rules.policy_items import classify_value
    from sdg_tags.validators.rules.values import value_items

    check_page(with_tags({"policy-code": "C2;C3"}))
    before = (value_items.cache_info().currsize, classify_value.cache_info().currsize)
    check_page(with_tags({"policy-code": ";".join(f"C{i % 9 + 1}" for i in range(CACHED_TEXT_CHARS))}))
    assert (value_items.cache_info().currsize, classify_value.cache_info().currsize) == before


def test_a_page_of_a_hundred_thousand_sdg_metas_is_checked_on_the_first_ones() -> None:
    result = check_page(page([("policy-code", "C2")] * 100_000 + VALID_TAGS))
    assert result.status_detail == (
        f"more than {ITEMS_CHECKED} SDG meta elements; only the first {ITEMS_CHECKED} are checked"
    )
    assert result_bytes(result) <= RESULT_BYTES
    assert [f.rule for f in result.findings].count("tag-duplicate") <= FINDINGS_PER_RULE + 1


def test_short_values_are_untouched() -> None:
    result = check_page(with_tags({"policy-code": "C2;C2"}))
    (duplicate,) = [f for f in result.findings if f.rule == "value-duplicate-item"]
    assert duplicate.value == "C2;C2"
    assert result.tags["policy-code"].values == ["C2", "C2"]


def test_repeated_item_page_is_bounded_on_every_surface() -> None:
    result = check_page(REPEATED_PAGE)
    assert result_bytes(result) <= RESULT_BYTES
    for surface, size in surface_sizes(result).items():
        assert size <= SURFACE_BYTES, surface


def test_check_cli_json_of_the_repeated_item_page_is_bounded(tmp_path: Path) -> None:
    target = tmp_path / "repeated.html"
    target.write_bytes(REPEATED_PAGE)
    done = subprocess.run(
        [sys.executable, "-m", "sdg_tags.cli.main", "check", "--format", "json", str(target)],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # duplicates are warnings
    assert len(done.stdout) <= SURFACE_BYTES
    document = json.loads(done.stdout)
    rules = [f["rule"] for f in document["pages"][0]["findings"]]
    assert rules.count("value-duplicate-item") == FINDINGS_PER_RULE + 1


def hostile_page() -> bytes:
    """~4.5 MB: every tag long and broken in many ways, with long items of control characters and non-ASCII
    (escaped or multi-byte in JSON), duplicate elements, a 2.2 MB title, long canonical link and robots."""
    nasty = '\x01é\u2028"<'  # a control character (6 bytes in JSON), 2-byte UTF-8, escaped characters
    long_item = nasty * 4_000
    shorts = {
        "sdg-tag": ["SDG", "sdg ", "Sdg", "x"],
        "DC.ISO3166": ["be", "XX", "GR", "BE,FR"],
        "DC.Location": ["BE1", "ZZ9", "be_12", "BE10000"],
        "DC.Service": ["information", "Procedure", "x"],
        "policy-code": ["C2", "c2", "Z99", "C", "C02", "A1:B2"],
        "DC.Policy": ["title", "other"],
        "DC.Language": ["EN", "xx", "en_gb"],
    }
    tags = [(name, ";".join(items * 8_000 + [long_item] * 5)) for name, items in shorts.items()]
    tags += [("dc.iso3166", long_item), ("policy_code", long_item), ("sdg-tag", long_item)]
    head = f'<link rel="canonical" href="https://x.example/{long_item}"><meta name="robots" content="{long_item}">'
    body = page(tags, lang=long_item[:1000], head_extra=head)
    return body.replace(b"<title>Test page</title>", f"<title>{long_item * 80}</title>".encode())


def test_hostile_page_of_megabytes_is_bounded() -> None:
    body = hostile_page()
    assert len(body) >= 4_500_000
    result = check_page(body)
    assert result_bytes(result) <= RESULT_BYTES
    assert result.verdict == "non-compliant"
    assert all(len(f.message) <= TEXT_CHARS + 40 for f in result.findings)
    for surface, size in surface_sizes(result).items():
        assert size <= SURFACE_BYTES, surface


HUNDRED_THOUSAND = 100_000


@pytest.mark.slow
@pytest.mark.parametrize(
    "tags",
    [
        {"policy-code": ";".join(f"Z{i % 1000}" for i in range(HUNDRED_THOUSAND))},
        {"policy-code": ",".join(["C2", "q1"] * (HUNDRED_THOUSAND // 2))},
        {"DC.ISO3166": " ".join(["be", "fr"] * (HUNDRED_THOUSAND // 2))},
        {"DC.Location": ";".join(f"BE{i % 1000}" for i in range(HUNDRED_THOUSAND))},
        {"DC.Service": ";".join(["information", "procedure", "x"] * (HUNDRED_THOUSAND // 3))},
        {"sdg-tag": ";".join(["sdg", "SDG"] * (HUNDRED_THOUSAND // 2))},
    ],
    ids=["policy-unknown", "policy-separators", "country-spaces", "location", "service", "marker"],
)
def test_hundred_thousand_items_give_a_bounded_result(tags: dict[str, str]) -> None:
    # Finishing at all is the linearity check: the quadratic version wrote gigabytes for a tenth of this.
    result = check_page(with_tags(tags))
    assert result_bytes(result) <= RESULT_BYTES
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    assert max(counts.values()) <= FINDINGS_PER_RULE + 1
    assert len(next(iter(result.tags.values())).values) <= TAG_ITEMS + 1


# --- one deadline per fetch ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drip() -> Iterator[DripServer]:
    with DripServer(interval=0.5, max_seconds=40) as server:
        yield server


@pytest.mark.parametrize("path", ["/headers", "/body"])
def test_fetch_deadline_covers_headers_and_body(drip: DripServer, path: str) -> None:
    fetched = fetch_url(drip.url(path), timeout=1.5)
    assert fetched.fetch_status == "timeout", fetched.detail
    assert fetched.body == b""


@pytest.mark.parametrize("path", ["/headers", "/body"])
def test_check_url_ends_at_its_timeout_as_not_evaluated(drip: DripServer, path: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sdg_tags.cli.main",
            "check",
            "--timeout",
            "2",
            "--format",
            "json",
            drip.url(path),
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=30,  # the bound: the dripping server would hold a per-read timeout for a minute
    )
    assert done.returncode == 2, done.stderr
    (result,) = json.loads(done.stdout)["pages"]
    assert result["verdict"] == "not-evaluated"
    assert result["status_detail"].startswith("timeout: ")


def test_crawler_download_timeout_covers_a_header_drip(drip: DripServer, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.json", [{"url": drip.url("/headers")}])
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    run = run_crawl(registry, db_url, "--timeout", "2", "--set", "RETRY_TIMES=0", timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    record = run.pages()[drip.url("/headers")]
    assert (record["fetch_status"], record["verdict"]) == ("timeout", "not-evaluated")


# --- random values --------------------------------------------------------------------------------------------

TAG_NAMES = ("sdg-tag", "DC.ISO3166", "DC.Location", "DC.Service", "policy-code", "DC.Policy", "DC.Language")
# Pieces real and broken values are made of, so that random values hit the rules (not only "unknown").
PIECES = st.sampled_from(
    [
        "sdg",
        "SDG",
        "BE",
        "gr",
        "EL",
        "BE1",
        "be_12",
        "information",
        "procedure",
        "assistance",
        "C2",
        "c02",
        "R1",
        "Z9",
        "A",
        "en",
        "xx",
        "en-GB",
        ";",
        ",",
        ":",
        " ",
        "/",
        "|",
        "“",
        "\x01",
        "é",
        "\u2028",
        "&amp;",
    ]
)
VALUES = st.one_of(st.lists(PIECES, max_size=60).map("".join), st.text(max_size=200))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(TAG_NAMES), VALUES), max_size=10), st.integers(1, 400))
def test_random_tag_values_never_raise_and_stay_bounded(tags: list[tuple[str, str]], repeat: int) -> None:
    # Each value repeated up to 400 times as `;` items: rules that fire per item meet their limit.
    body = page([(name, ";".join([value] * repeat)) for name, value in tags])
    result = check_page(body)
    assert result_bytes(result) <= RESULT_BYTES
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    assert all(count <= FINDINGS_PER_RULE + 1 for count in counts.values())

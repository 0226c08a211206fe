"""`sdg-tags check --render` as a real process: script-made tags diagnosed for URLs, files and stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.sample_pages import NEVER_SETTLES_PAGE, SCRIPT_TAGS_JS, SCRIPT_TAGS_PAGE
from tests.browser.web_server import REPO_ROOT, LocalSite

pytestmark = pytest.mark.browser

HTML = "text/html; charset=utf-8"
SCRIPT_MADE = [
    ("tags-only-after-javascript", "html-lang"),
    ("tags-only-after-javascript", "sdg-tag"),
    ("tags-only-after-javascript", "DC.ISO3166"),
    ("tags-only-after-javascript", "DC.Location"),
    ("tags-only-after-javascript", "DC.Service"),
    ("tags-only-after-javascript", "policy-code"),
    ("tags-only-after-javascript", "DC.Policy"),
]


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    pages = {
        "/script-tags": (SCRIPT_TAGS_PAGE.encode(), HTML),
        "/tags.js": (SCRIPT_TAGS_JS.encode(), "text/javascript"),
        "/never-settles": (NEVER_SETTLES_PAGE.encode(), HTML),
        "/poll": (b"{}", "application/json"),
    }
    with LocalSite(pages) as local:
        yield local


def sdg_check(*args: str, stdin: bytes | None = None) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "sdg_tags.cli.main", "check", "--format", "json", *args],
        cwd=REPO_ROOT,
        input=stdin,
        capture_output=True,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout)


def rules_and_tags(page: dict) -> list[tuple[str, str]]:
    return [(finding["rule"], finding["tag"]) for finding in page["findings"]]


def test_check_render_diagnoses_tags_set_by_a_script_at_a_url(site: LocalSite) -> None:
    url = f"{site.base}/script-tags"
    code, static = sdg_check(url)
    assert code == 0
    assert static["pages"][0]["verdict"] == "not-self-describing"

    code, rendered = sdg_check("--render", url)
    page = rendered["pages"][0]
    assert code == 0  # warnings do not fail a run by default
    assert page["verdict"] == "compliant-with-warnings"
    assert rules_and_tags(page) == SCRIPT_MADE
    assert {finding["origin"] for finding in page["findings"]} == {"rendered"}
    assert page["tags"]["DC.ISO3166"]["raw"] == "BE"
    assert page["tags"]["DC.ISO3166"]["origin"] == "rendered"

    code, strict = sdg_check("--render", "--profile", "strict", url)
    assert code == 1
    assert strict["pages"][0]["verdict"] == "non-compliant"


def test_check_render_of_a_file_loads_its_scripts_from_beside_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(SCRIPT_TAGS_PAGE.replace('src="/tags.js"', 'src="tags.js"'))
    (tmp_path / "tags.js").write_text(SCRIPT_TAGS_JS)
    code, rendered = sdg_check("--render", str(tmp_path / "page.html"))
    assert code == 0
    assert rendered["pages"][0]["verdict"] == "compliant-with-warnings"
    assert rules_and_tags(rendered["pages"][0]) == SCRIPT_MADE


def test_check_render_of_standard_input_runs_inline_scripts() -> None:
    inline = SCRIPT_TAGS_PAGE.replace(
        '<script src="/tags.js"></script>', f"<script>{SCRIPT_TAGS_JS}</script>"
    )
    code, rendered = sdg_check("--render", "-", stdin=inline.encode())
    assert code == 0
    assert rules_and_tags(rendered["pages"][0]) == SCRIPT_MADE


def test_check_render_of_a_page_that_never_settles_is_a_timeout(site: LocalSite) -> None:
    url = f"{site.base}/never-settles"
    code, rendered = sdg_check("--render", "--render-timeout", "2", url)
    assert code == 2
    page = rendered["pages"][0]
    assert page["verdict"] == "not-evaluated"
    assert page["status_detail"] == "timeout: rendering did not settle within 2 s"

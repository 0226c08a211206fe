"""`sdg-tags check`: files, folders, stdin and URLs (a local server on 127.0.0.1) in all four formats, exit codes,
usage errors, fetch failures, options, and what the command imports."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdg_tags.cli.main import main

from tests.faults.services import free_port
from tests.sites.server import Route, SiteServer, redirect

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"
VALID = str(FIXTURES / "valid.html")
WARNINGS = str(FIXTURES / "warnings.html")
ERRORS = str(FIXTURES / "errors.html")
UNTAGGED = str(FIXTURES / "untagged.html")
SITE = str(FIXTURES / "site")
FORMATS = ("text", "json", "junit", "sarif")


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `sdg-tags check` in this process: (exit code, stdout, stderr)."""
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code, out, _ = check(capsys, "--format", "json", *argv)
    return code, json.loads(out)


def run_cli(*argv: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sdg_tags.cli.main", "check", *argv],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def page_of(document: dict, index: int = 0) -> dict:
    return document["pages"][index]


def rules_of(page: dict) -> list[str]:
    return [finding["rule"] for finding in page["findings"]]


def assert_format(fmt: str, out: str, verdicts: list[str]) -> None:
    """The output parses in its format and shows the expected verdicts, in order."""
    if fmt == "text":
        for verdict in verdicts:
            assert f": {verdict}" in out
        assert out.splitlines()[-1].startswith(f"{len(verdicts)} page")
    elif fmt == "json":
        assert [page["verdict"] for page in json.loads(out)["pages"]] == verdicts
    elif fmt == "junit":
        suite = ET.fromstring(out.encode("utf-8")).find("testsuite")
        assert suite is not None
        assert suite.get("tests") == str(len(verdicts))
        assert suite.get("failures") == str(verdicts.count("non-compliant"))
        assert suite.get("errors") == str(verdicts.count("not-evaluated"))
    else:
        log = json.loads(out)
        assert log["version"] == "2.1.0"
        notifications = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert len(notifications) == verdicts.count("not-evaluated")


# --- files, folders, stdin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_in_every_format(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = check(capsys, "--format", fmt, VALID, WARNINGS, UNTAGGED)
    assert (code, err) == (0, "")
    assert_format(fmt, out, ["compliant", "compliant-with-warnings", "not-self-describing"])
    code, out, err = check(capsys, "--format", fmt, VALID, ERRORS)
    assert (code, err) == (1, "")
    assert_format(fmt, out, ["compliant", "non-compliant"])


def test_streamed_text_equals_format_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from sdg_tags.validators.models import PageResult
    from sdg_tags.validators.output.text import format_text

    targets = [VALID, WARNINGS, ERRORS, UNTAGGED, str(tmp_path / "missing.html")]
    for options in ([], ["--quiet"], ["--quiet", "--fail-on", "warning"], ["--suggest"]):
        _, document = check_json(capsys, *options, *targets)
        results = [PageResult.model_validate(page) for page in document["pages"]]
        fail_on = "warning" if "warning" in options else "error"
        code, out, _ = check(capsys, *options, *targets)
        assert code == 2
        assert out == format_text(results, fail_on=fail_on, quiet="--quiet" in options)


def test_json_document_of_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = check_json(capsys, ERRORS)
    assert code == 1
    assert document["tool"] == "sdg-tags"
    assert document["summary"] == {
        "pages": 1,
        "compliant": 0,
        "compliant-with-warnings": 0,
        "non-compliant": 1,
        "not-self-describing": 0,
        "not-evaluated": 0,
    }
    page = page_of(document)
    assert (page["target"], page["url"], page["verdict"], page["language"]) == (
        ERRORS,
        None,
        "non-compliant",
        "el",
    )
    assert page["page_types"] == ["information"]
    assert page["tags"]["DC.ISO3166"] == {
        "raw": "GR",
        "values": ["GR"],
        "attribute": "name",
        "name_as_written": "DC.ISO3166",
        "line": 7,
        "column": 3,
        "origin": "static",
    }
    gr = [finding for finding in page["findings"] if finding["rule"] == "country-gr-instead-of-el"]
    assert len(gr) == 1
    assert (gr[0]["severity"], gr[0]["line"], gr[0]["column"], gr[0]["value"]) == ("error", 7, 3, "GR")
    assert page["suggested_tags"] is None and page["structured_data"] is None


def test_folder_is_expanded_recursively_sorted_html_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = check_json(capsys, SITE)
    assert code == 1
    assert [page["target"] for page in document["pages"]] == [f"{SITE}/a.html", f"{SITE}/sub/b.htm"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.slow
def test_stdin_in_every_format(fmt: str) -> None:
    done = run_cli("--format", fmt, "-", stdin=Path(VALID).read_bytes())
    assert (done.returncode, done.stderr) == (0, b"")
    assert_format(fmt, done.stdout.decode("utf-8"), ["compliant"])
    done = run_cli("--format", fmt, "-", stdin=Path(ERRORS).read_bytes())
    assert (done.returncode, done.stderr) == (1, b"")
    assert_format(fmt, done.stdout.decode("utf-8"), ["non-compliant"])
    if fmt == "json":
        assert page_of(json.loads(done.stdout))["target"] == "-"
    if fmt == "text":
        assert done.stdout.decode().startswith("-: non-compliant")


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda tmp: tmp / "missing.html", "no such file"),
        (
            lambda tmp: write(tmp / "image.html", b"\x89PNG\r\n\x1a\n" + bytes(200)),
            "content is a PNG image, not HTML",
        ),
        (
            lambda tmp: write(tmp / "big.html", b"<html>" + b"x" * 2000),
            "too-large: larger than the size limit of 1,024 bytes (--max-size)",
        ),
        (lambda tmp: mkdir(tmp / "empty"), "no *.html or *.htm files in this folder"),
    ],
)
def test_unreadable_targets_are_not_evaluated_pages_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make, detail: str
) -> None:
    target = str(make(tmp_path))
    code, document = check_json(capsys, "--max-size", "1k", target, VALID)
    assert code == 2
    page = page_of(document)
    assert (page["target"], page["verdict"]) == (target, "not-evaluated")
    assert page["status_detail"].endswith(detail)  # extraction may say more first (how it decoded the bytes)
    assert page_of(document, 1)["verdict"] == "compliant"


def test_not_checked_wins_over_failing_findings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = check(capsys, ERRORS, str(tmp_path / "missing.html"))
    assert code == 2
    assert f"{tmp_path / 'missing.html'}: not-evaluated\n  not checked: no such file\n" in out


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def mkdir(path: Path) -> Path:
    path.mkdir()
    return path


# --- URLs ----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    with SiteServer(
        routes={
            "/valid": Route(body=Path(VALID).read_bytes()),
            "/errors": Route(body=Path(ERRORS).read_bytes()),
            "/moved": redirect("/valid", 301),
            "/slow": Route(delay=3, body=Path(VALID).read_bytes()),
            "/big": Route(body=b"<html>" + b"x" * 5000),
            "/gone": Route(status=410, body="gone"),
        }
    ) as server:
        yield server


@pytest.mark.parametrize("fmt", FORMATS)
def test_url_in_every_format(capsys: pytest.CaptureFixture[str], site: SiteServer, fmt: str) -> None:
    code, out, err = check(capsys, "--format", fmt, site.url("/valid"))
    assert (code, err) == (0, "")
    assert_format(fmt, out, ["compliant"])
    code, out, err = check(capsys, "--format", fmt, site.url("/errors"), site.url("/missing"))
    assert (code, err) == (2, "")
    assert_format(fmt, out, ["non-compliant", "not-evaluated"])


def test_redirects_are_followed_and_reported(capsys: pytest.CaptureFixture[str], site: SiteServer) -> None:
    code, document = check_json(capsys, site.url("/moved"))
    assert code == 0
    page = page_of(document)
    assert (page["target"], page["url"], page["verdict"]) == (
        site.url("/moved"),
        site.url("/valid"),
        "compliant",
    )
    assert page["status_detail"] == f"followed 1 redirect(s): 301 -> {site.url('/valid')}"
    hit = site.hits("/valid")[-1]
    assert hit.headers["User-Agent"].startswith("sdg-tags-check/")


def test_sarif_locations_of_a_url_point_at_the_final_url(
    capsys: pytest.CaptureFixture[str], site: SiteServer
) -> None:
    code, out, _ = check(capsys, "--format", "sarif", site.url("/errors"))
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    gr = [result for result in results if result["ruleId"] == "country-gr-instead-of-el"]
    assert gr[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": site.url("/errors")},
        "region": {"startLine": 7, "startColumn": 3},
    }


@pytest.mark.parametrize(
    ("path", "options", "detail"),
    [
        ("/missing", [], "http-4xx: HTTP 404 Not Found"),
        ("/gone", [], "http-4xx: HTTP 410 Gone"),
        ("/slow", ["--timeout", "1"], "timeout: no answer from {url} within the time limit"),
        ("/big", ["--max-size", "1000"], "too-large: the page is larger than the size limit of 1,000 bytes"),
    ],
)
def test_fetch_failures_are_not_evaluated_pages_exit_2(
    capsys: pytest.CaptureFixture[str], site: SiteServer, path: str, options: list[str], detail: str
) -> None:
    url = site.url(path)
    code, document = check_json(capsys, *options, url)
    assert code == 2
    page = page_of(document)
    assert (page["target"], page["verdict"], page["status_detail"]) == (
        url,
        "not-evaluated",
        detail.format(url=url),
    )
    assert page["findings"] == []


def test_refused_port_is_a_not_evaluated_page(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    code, out, _ = check(capsys, f"http://127.0.0.1:{port}/page")
    assert code == 2
    assert out.startswith(
        f"http://127.0.0.1:{port}/page: not-evaluated\n"
        f"  not checked: connection-refused: 127.0.0.1:{port} refused the connection\n"
    )


# --- options -------------------------------------------------------------------------------------------------------


def test_fail_on_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, WARNINGS)[0] == 0
    assert check(capsys, "--fail-on", "warning", WARNINGS)[0] == 1
    assert check(capsys, "--fail-on", "warning", VALID, UNTAGGED)[0] == 0


def test_ignore_and_severity(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = check_json(capsys, "--ignore", "service-type-case", WARNINGS)
    assert (code, page_of(document)["verdict"], rules_of(page_of(document))) == (0, "compliant", [])
    code, document = check_json(capsys, "--severity", "service-type-case=error", WARNINGS)
    assert (code, page_of(document)["verdict"]) == (1, "non-compliant")
    assert [f["severity"] for f in page_of(document)["findings"]] == ["error"]
    code, document = check_json(capsys, "--severity", "country-gr-instead-of-el=warning", ERRORS)
    assert (code, page_of(document)["verdict"]) == (0, "compliant-with-warnings")


def test_enable_an_off_by_default_rule_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    from sdg_tags.validators.rules import RULES

    off = [rule.id for rule in RULES.values() if not rule.enabled_by_default]
    assert off, "the SPEC has rules that are off by default (language-content-mismatch)"
    assert check(capsys, "--enable", off[0], VALID)[0] == 0


def test_country_mismatch_is_reported_as_registry_country_mismatch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document = check_json(capsys, "--country", "fr", VALID)
    assert code == 0
    page = page_of(document)
    assert page["verdict"] == "compliant-with-warnings"
    [finding] = page["findings"]
    assert finding == {
        "rule": "registry-country-mismatch",
        "severity": "warning",
        "message": "DC.ISO3166 is 'BE'; expected FR (--country)",
        "tag": "DC.ISO3166",
        "item": None,
        "value": "BE",
        "normalized": None,
        "expected": "FR",
        "line": 8,
        "column": 3,
        "origin": "static",
        "reference": "IR 2020/1121 Art 2(2)",
        "hint": "Set DC.ISO3166 to FR, or check that the page belongs to FR",
        "code_list": None,
        "type_inferred": False,
    }
    assert check(capsys, "--country", "FR", "--fail-on", "warning", VALID)[0] == 1
    assert (
        check(
            capsys, "--country", "FR", "--ignore", "registry-country-mismatch", "--fail-on", "warning", VALID
        )[0]
        == 0
    )
    # GR on the page and GR or EL on the command line mean the same country: only the GR error remains.
    for expected in ("GR", "el"):
        _, document = check_json(capsys, "--country", expected, ERRORS)
        assert "registry-country-mismatch" not in rules_of(page_of(document))
    _, document = check_json(capsys, "--country", "BE", UNTAGGED)
    assert rules_of(page_of(document)) == ["no-sdg-tags"]


def test_quiet_shows_only_failing_pages(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--quiet", VALID, WARNINGS, ERRORS)
    assert code == 1
    assert VALID not in out and WARNINGS not in out
    assert out.startswith(f"{ERRORS}: non-compliant")
    assert "policy-name-missing" not in out  # info is not failing
    assert out.splitlines()[-1] == (
        "3 pages: 1 compliant, 1 compliant-with-warnings, 1 non-compliant; 1 error, 1 warning, 1 info; "
        "1 failing (--fail-on error)"
    )


def test_suggest_adds_the_block(capsys: pytest.CaptureFixture[str]) -> None:
    expected = (
        '<meta name="sdg-tag" content="sdg">\n'
        '<meta name="DC.ISO3166" content="EL">\n'
        '<meta name="DC.Service" content="information">\n'
        '<meta name="policy-code" content="C2">\n'
        '<meta name="DC.Policy" content="acquiring and renewing a driving licence">'
    )
    _, document = check_json(capsys, "--suggest", ERRORS)
    assert page_of(document)["suggested_tags"] == expected
    _, out, _ = check(capsys, "--suggest", ERRORS)
    assert "  suggested tags (paste in place of the page's SDG tags):\n" in out
    assert "\n    " + expected.replace("\n", "\n    ") + "\n" in out


def test_strict_profile_turns_name_variants_into_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    variant = tmp_path / "variant.html"
    variant.write_bytes(Path(VALID).read_bytes().replace(b'name="DC.Service"', b'name="dc.service"'))
    _, document = check_json(capsys, str(variant))
    assert page_of(document)["verdict"] == "compliant-with-warnings"
    code, document = check_json(capsys, "--profile", "strict", str(variant))
    assert (code, page_of(document)["verdict"], page_of(document)["profile"]) == (
        1,
        "non-compliant",
        "strict",
    )


def test_structured_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "ld.html"
    page.write_text(
        Path(VALID)
        .read_text(encoding="utf-8")
        .replace(
            "</head>",
            '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "GovernmentService",'
            ' "name": "Permis"}</script>\n<meta property="og:title" content="Permis">\n</head>',
        ),
        encoding="utf-8",
    )
    _, document = check_json(capsys, "--structured-data", str(page))
    data = page_of(document)["structured_data"]
    assert data["json-ld"] == [
        {"@context": "https://schema.org", "@type": "GovernmentService", "name": "Permis"}
    ]
    assert data["opengraph"][0]["og:title"] == "Permis"
    assert data["microdata"] == []
    _, document = check_json(capsys, str(page))
    assert page_of(document)["structured_data"] is None


# --- usage errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--ignore", "no-such-rule", VALID],
            "unknown rule id 'no-such-rule' in --ignore; 'sdg-tags rules' lists them",
        ),
        (
            ["--ignore", "country-cas", VALID],
            "unknown rule id 'country-cas' in --ignore; did you mean 'country-case'?",
        ),
        (["--enable", "nope", VALID], "unknown rule id 'nope' in --enable; 'sdg-tags rules' lists them"),
        (
            ["--severity", "country-case", VALID],
            "--severity needs RULE=LEVEL with LEVEL error, warning or info; got 'country-case'",
        ),
        (
            ["--severity", "country-case=fatal", VALID],
            "--severity needs RULE=LEVEL with LEVEL error, warning or info; got 'country-case=fatal'",
        ),
        (
            ["--severity", "nope=error", VALID],
            "unknown rule id 'nope' in --severity; 'sdg-tags rules' lists them",
        ),
        (["--country", "UK", VALID], "--country 'UK' is not an EEA country code (e.g. BE, EL, SE)"),
        (
            ["ftp://example.invalid/x"],
            "cannot check 'ftp://example.invalid/x': only http and https URLs, files, folders and - are supported",
        ),
        (["http://:80/x"], "'http://:80/x' is not a valid URL (no host name, or a bad port)"),
        (["-", "-"], "'-' (standard input) is given more than once"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = check(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"sdg-tags check: error: {message}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--format", "xml", VALID],
            "argument --format: invalid choice: 'xml' (choose from 'text', 'json', 'junit', 'sarif')",
        ),
        (
            ["--max-size", "lots", VALID],
            "argument --max-size: invalid size: 'lots' is not a size (give bytes, or e.g. 500k, 5M, 1G)",
        ),
        (
            ["--timeout", "0", VALID],
            "argument --timeout: invalid time limit '0'; give seconds, e.g. 15 or 2.5",
        ),
        ([], "the following arguments are required: TARGET"),
    ],
)
@pytest.mark.slow
def test_argument_errors_are_one_line_exit_2(argv: list[str], message: str) -> None:
    done = run_cli(*argv)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == f"sdg-tags check: error: {message} (see 'sdg-tags check --help')\n"


# --- start-up and terminal behaviour -------------------------------------------------------------------------------


@pytest.mark.slow
def test_check_path_imports_no_crawler_database_or_web_stack() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sdg_tags.cli.main", "check", VALID],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    modules = {
        line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")
    }
    assert "sdg_tags.validators" in modules  # the listing is real
    forbidden = {"scrapy", "twisted", "sqlalchemy", "alembic", "extruct", "jinja2", "fastapi"}
    assert {module.split(".")[0] for module in modules} & forbidden == set()


def run_in_terminal(argv: list[str], env: dict[str, str]) -> str:
    """Run `sdg-tags check` with its stdout on a pseudo-terminal; returns what it printed."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "sdg_tags.cli.main", "check", *argv],
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=30)
        return b"".join(chunks).decode("utf-8")
    finally:
        os.close(leader)


@pytest.mark.slow
def test_colour_on_a_terminal_unless_no_color() -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "TERM")}
    coloured = run_in_terminal([ERRORS], env)
    assert "\033[1;31mnon-compliant\033[0m" in coloured
    plain = run_in_terminal([ERRORS], {**env, "NO_COLOR": "1"})
    assert "\033[" not in plain and "non-compliant" in plain
    piped = run_cli(ERRORS, env=env)
    assert b"\033[" not in piped.stdout

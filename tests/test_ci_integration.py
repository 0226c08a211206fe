"""Where editors already work: the pre-commit hook (.pre-commit-hooks.yaml) and the CI jobs of docs/ci.md.

The hook file is read with a small parser for the plain YAML it is written in (no PyYAML in the test extras); the
`sdg-tags check` commands of docs/ci.md run as written, in a folder whose `public/` is a copy of the fixtures."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sdg_tags.cli.commands.check import HTML_SUFFIXES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "check"
HTML_FIXTURES = sorted(
    path.relative_to(FIXTURES).as_posix() for path in FIXTURES.rglob("*") if path.suffix in HTML_SUFFIXES
)


def plain_yaml_list(text: str) -> list[dict[str, object]]:
    """A YAML list of flat mappings whose values are plain or single-quoted scalars or flow lists of plain
    scalars: what .pre-commit-hooks.yaml uses. Anything else fails the test instead of being guessed at."""
    items: list[dict[str, object]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(- |  )([a-z_]+): (.+)", line)
        assert match is not None, f"not plain YAML: {line!r}"
        if match.group(1) == "- ":
            items.append({})
        key, raw = match.group(2), match.group(3)
        value: object
        if raw.startswith("["):
            assert raw.endswith("]"), raw
            value = [part.strip() for part in raw[1:-1].split(",")]
        elif raw.startswith("'"):
            assert raw.endswith("'") and "'" not in raw[1:-1], raw
            value = raw[1:-1]
        else:
            assert not raw.startswith(('"', "{", "&", "*", "!", "|", ">")), raw
            value = {"true": True, "false": False}.get(raw, raw)
        assert key not in items[-1], f"{key} given twice"
        items[-1][key] = value
    return items


def hook() -> dict[str, object]:
    [only] = plain_yaml_list((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return only


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site repository: the check fixtures under public/, and `sdg-tags` on PATH as installed."""
    shutil.copytree(FIXTURES, tmp_path / "public")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "sdg-tags"
    shim.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m sdg_tags.cli.main "$@"\n', encoding="utf-8"
    )
    shim.chmod(0o755)
    return tmp_path


def run_in_site(site: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=site,
        env={"PATH": f"{site / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- pre-commit --------------------------------------------------------------------------------------------------


def test_the_hook_runs_sdg_tags_check_on_html_files() -> None:
    found = hook()
    assert found["id"] == "sdg-tags-check"
    assert found["entry"] == "sdg-tags check --quiet"
    assert found["language"] == "python"  # pre-commit installs this repository (pyproject.toml) for it
    assert found["types"] == ["html"]
    files = re.compile(str(found["files"]))
    # the files a folder check takes (HTML_SUFFIXES), in any case, and nothing else
    for suffix in HTML_SUFFIXES:
        assert files.search(f"site/page{suffix}")
        assert files.search(f"site/PAGE{suffix.upper()}")
    for name in ("site/page.xml", "site/page.html.j2", "site/readme.txt", "site/html"):
        assert not files.search(name), name


def test_the_hook_entry_gates_a_commit(site: Path) -> None:
    entry = str(hook()["entry"])
    # pre-commit appends the staged files that match to the entry (and the user's args before them)
    good = run_in_site(site, f"{entry} public/valid.html")
    assert (good.returncode, good.stderr) == (0, "")
    assert good.stdout.splitlines()[-1].startswith("1 page: 1 compliant")
    bad = run_in_site(site, f"{entry} --country BE public/valid.html public/errors.html")
    assert bad.returncode == 1
    assert "public/errors.html: non-compliant" in bad.stdout
    assert "public/valid.html" not in bad.stdout  # --quiet: only failing pages and the summary


# --- the CI jobs of docs/ci.md -----------------------------------------------------------------------------------


def documented_commands() -> dict[str, list[str]]:
    """{block title: the `sdg-tags check` shell commands of each yaml block of docs/ci.md}."""
    text = (PROJECT_ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks: dict[str, list[str]] = {}
    for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.S):
        first = block.splitlines()[0]
        commands = []
        for line in block.splitlines():
            stripped = line.strip().removeprefix("- ").removeprefix("run: ")
            if stripped.startswith("sdg-tags check"):
                commands.append(stripped)
        blocks[first] = commands
    return blocks


def test_docs_show_a_github_and_a_gitlab_job() -> None:
    blocks = documented_commands()
    assert blocks["# .github/workflows/sdg-tags.yml"] == [
        "sdg-tags check --format sarif public/ > sdg-tags.sarif"
    ]
    assert blocks["# .gitlab-ci.yml"] == ["sdg-tags check --format junit public/ > sdg-tags-junit.xml"]


def test_the_documented_sarif_command_gives_valid_sarif(site: Path) -> None:
    [command] = documented_commands()["# .github/workflows/sdg-tags.yml"]
    done = run_in_site(site, command)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")  # the fixtures have failing pages
    sarif = json.loads((site / "sdg-tags.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    [run] = sarif["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert run["tool"]["driver"]["name"] == "sdg-tags"
    assert run["results"], "the fixtures have findings"
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        [location] = result["locations"]
        physical = location["physicalLocation"]
        # relative to the checkout, as given: GitHub links the finding to the file
        assert physical["artifactLocation"]["uri"].removeprefix("public/") in HTML_FIXTURES
        # page-level findings (a missing tag) have no region
        assert physical.get("region", {"startLine": 1})["startLine"] >= 1
    assert any("region" in r["locations"][0]["physicalLocation"] for r in run["results"])
    failing = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert {"public/errors.html", "public/site/sub/b.htm"} <= failing


def test_the_documented_junit_command_gives_valid_junit(site: Path) -> None:
    [command] = documented_commands()["# .gitlab-ci.yml"]
    done = run_in_site(site, command)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")
    root = ET.parse(site / "sdg-tags-junit.xml").getroot()
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert sorted(case.get("name", "").removeprefix("public/") for case in cases) == HTML_FIXTURES
    assert int(suite.get("tests", "")) == len(cases) == len(HTML_FIXTURES)
    failed = sorted(case.get("name", "") for case in cases if case.find("failure") is not None)
    assert int(suite.get("failures", "")) == len(failed)
    assert "public/errors.html" in failed
    assert "public/valid.html" not in failed

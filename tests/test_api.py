"""The library API of docs/api.md, used as an integration would: only names importable from `sdg_tags`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sdg_tags
from sdg_tags import ValidationOptions, check_page, extract_tags, validate

FIXTURES = Path(__file__).parent / "fixtures" / "check"
SDG_TAGS = Path(sys.executable).with_name("sdg-tags")


@pytest.mark.parametrize("name", ["valid.html", "warnings.html", "errors.html", "untagged.html"])
@pytest.mark.slow
def test_check_page_returns_what_the_check_command_prints(name: str) -> None:
    path = FIXTURES / name
    printed = subprocess.run(
        [str(SDG_TAGS), "check", "--format", "json", str(path)], capture_output=True, text=True, timeout=60
    )
    [page] = json.loads(printed.stdout)["pages"]
    result = check_page(path.read_bytes(), target=str(path))
    assert result.model_dump(mode="json") == page


def test_check_page_is_extract_then_validate() -> None:
    body = (FIXTURES / "errors.html").read_bytes()
    assert validate(extract_tags(body)) == check_page(body)
    assert check_page(body).target == "-"
    assert check_page(body, url="https://www.example.be/x").target == "https://www.example.be/x"


def test_options_switch_rules_off_and_ask_for_the_suggested_block() -> None:
    body = (FIXTURES / "errors.html").read_bytes()
    rules = {finding.rule for finding in check_page(body).findings}
    dropped = sorted(rules)[0]
    options = ValidationOptions(ignore=frozenset({dropped}), suggest=True)
    result = check_page(body, options=options)
    assert {finding.rule for finding in result.findings} == rules - {dropped}
    assert result.suggested_tags is not None and "sdg-tag" in result.suggested_tags


@pytest.mark.parametrize("body", [b"", b"\x00\xff" * 100, b"<html", "<p>caf\u00e9</p>".encode("utf-16")])
def test_check_page_never_raises(body: bytes) -> None:
    assert check_page(body).verdict in {"not-evaluated", "not-self-describing"}


def test_the_public_names_and_version() -> None:
    from importlib import metadata

    assert sdg_tags.__version__ == metadata.version("sdg-tags")
    for name in sdg_tags.__all__:
        assert getattr(sdg_tags, name) is not None
    assert set(dir(sdg_tags)) >= set(sdg_tags.__all__)
    with pytest.raises(AttributeError):
        sdg_tags.no_such_name  # noqa: B018


@pytest.mark.slow
def test_importing_the_package_loads_no_validator_until_asked() -> None:
    """`import sdg_tags.taxonomy` (crawler start-up, taxonomy CLI) must not pay for the engine."""
    script = "import sys, sdg_tags.taxonomy; print('sdg_tags.validators.engine' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr

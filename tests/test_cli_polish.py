"""Mistakes at the command line get one line and exit 2: "did you mean …" for mistyped sub-commands, options and
choices (pointing to the sub-command's own --help), `https://` for a URL typed without it, and a busy port for
`serve` before any start-up banner."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sdg_tags.cli.main import main

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    return err.rstrip("\n")


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["chek", "page.html"],
            "sdg-tags: error: argument COMMAND: invalid choice: 'chek'; did you mean 'check'? "
            "(see 'sdg-tags check --help')",
        ),
        (
            ["taxonomy", "lokup", "BE1"],
            "sdg-tags taxonomy: error: argument SUBCOMMAND: invalid choice: 'lokup'; did you mean 'lookup'? "
            "(see 'sdg-tags taxonomy lookup --help')",
        ),
        (
            ["check", "--sugest", "page.html"],
            "sdg-tags check: error: unrecognized arguments: --sugest; did you mean --suggest? "
            "(see 'sdg-tags check --help')",
        ),
        (
            ["check", "page.html", "--formt=json"],
            "sdg-tags check: error: unrecognized arguments: --formt; did you mean --format? "
            "(see 'sdg-tags check --help')",
        ),
        (
            ["check", "--format", "jsn", "page.html"],
            "sdg-tags check: error: argument --format: invalid choice: 'jsn'; did you mean 'json'? "
            "(see 'sdg-tags check --help')",
        ),
        # the required --registry is missing too, but the typo is what to fix
        (
            ["crawl", "--registy", "registry.csv"],
            "sdg-tags crawl: error: unrecognized arguments: --registy; did you mean --registry? "
            "(see 'sdg-tags crawl --help')",
        ),
        (
            ["taxonomy", "lookup", "--jsn", "BE1"],
            "sdg-tags taxonomy lookup: error: unrecognized arguments: --jsn; did you mean --json? "
            "(see 'sdg-tags taxonomy lookup --help')",
        ),
        (
            ["--verson"],
            "sdg-tags: error: unrecognized arguments: --verson; did you mean --version? (see 'sdg-tags --help')",
        ),
    ],
)
def test_mistypes_get_did_you_mean(capsys: pytest.CaptureFixture[str], argv: list[str], line: str) -> None:
    assert one_line_exit_2(capsys, argv) == line


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["zzzz"],
            "sdg-tags: error: argument COMMAND: invalid choice: 'zzzz' (choose from 'check', 'rules', 'taxonomy', "
            "'crawl', 'results', 'report', 'diff', 'export', 'serve', 'demo', 'enqueue', 'worker') "
            "(see 'sdg-tags --help')",
        ),
        (
            ["check", "--qqqqqqq", "page.html"],
            "sdg-tags check: error: unrecognized arguments: --qqqqqqq (see 'sdg-tags check --help')",
        ),
        (
            ["serve", "extra"],
            "sdg-tags serve: error: unrecognized arguments: extra (see 'sdg-tags serve --help')",
        ),
    ],
)
def test_nothing_alike_no_suggestion(capsys: pytest.CaptureFixture[str], argv: list[str], line: str) -> None:
    assert one_line_exit_2(capsys, argv) == line


def test_known_options_in_all_their_forms_are_not_taken_for_typos(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html lang='en'><head><title>x</title></head></html>", encoding="utf-8")
    # an unambiguous prefix given as --option=value, and a short option: no typo
    assert main(["check", "--form=json", "-q", str(page)]) in (0, 1)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "target", ["www.example.be/x", "example.be", "www.example.be", "example.be:8080/a?b=1"]
)
def test_a_url_without_scheme_says_to_add_https(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, target: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", target]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"sdg-tags check: error: {target!r} is neither a file nor a URL; for the web page add https:// "
        f"('https://{target}')\n"
    )


def test_missing_files_and_files_named_like_hosts_are_still_files(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    # a missing page.html is a missing file (not-evaluated, exit 2 from the verdict), not a host name
    assert main(["check", "page.html"]) == 2
    assert "page.html: not-evaluated\n  not checked: no such file\n" in capsys.readouterr().out
    # an existing file whose name looks like a host is checked as the file
    Path("example.be").write_text("<html lang='fr'><head><title>x</title></head></html>", encoding="utf-8")
    assert main(["check", "--format", "json", "example.be"]) in (0, 1)
    out, err = capsys.readouterr()
    assert err == ""
    assert '"target": "example.be"' in out


def test_serve_on_a_busy_port_is_one_line_before_any_banner() -> None:
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as another uvicorn would
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "sdg_tags.cli.main", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=PROJECT_ROOT,
            check=False,
        )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"sdg-tags serve: error: cannot listen on 127.0.0.1:{port} (Address already in use); another program "
        "listens there (choose another --port)\n"
    )


def test_serve_on_an_unknown_host_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "no-such-host.invalid", "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("sdg-tags serve: error: cannot listen on no-such-host.invalid:0 (")
    assert err.count("\n") == 1

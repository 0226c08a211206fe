"""After `make demo` the README's `sdg-tags …` commands work as printed: the demo's closing lines say how to reach
the command of `.venv/bin`, and `make install-user` links it into the user's ~/.local/bin."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sdg_tags.demo.run import command_hint

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def fake_venv(folder: Path) -> Path:
    scripts = folder / "bin"
    scripts.mkdir(parents=True)
    for name in ("sdg-tags", "activate"):
        (scripts / name).write_text("#!/bin/sh\n", encoding="utf-8")
        (scripts / name).chmod(0o755)
    return scripts


def test_hint_when_the_command_is_on_no_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    scripts = fake_venv(tmp_path / ".venv")
    assert command_hint(scripts, search_path=str(tmp_path / "elsewhere")) == [
        "The sdg-tags commands above need `. .venv/bin/activate` in this shell first (or call .venv/bin/sdg-tags …).",
        f"`make -C {PROJECT_ROOT} install-user` puts sdg-tags on the PATH of every shell (a link in ~/.local/bin).",
    ]
    # from the checkout, as after `make demo`
    monkeypatch.chdir(PROJECT_ROOT)
    assert command_hint(scripts, search_path=str(tmp_path / "elsewhere"))[1] == (
        "`make install-user` puts sdg-tags on the PATH of every shell (a link in ~/.local/bin)."
    )


def test_no_hint_when_the_shell_finds_this_command(tmp_path: Path) -> None:
    scripts = fake_venv(tmp_path / "venv")
    assert command_hint(scripts, search_path=os.pathsep.join(["/nonexistent", str(scripts)])) == []
    # a link to it (make install-user) is the same command
    linked = tmp_path / "local-bin"
    linked.mkdir()
    (linked / "sdg-tags").symlink_to(scripts / "sdg-tags")
    assert command_hint(scripts, search_path=str(linked)) == []


def test_no_hint_without_a_command_script(tmp_path: Path) -> None:
    # `python -m sdg_tags.cli.main demo` from an interpreter with no sdg-tags script beside it
    (tmp_path / "bin").mkdir()
    assert command_hint(tmp_path / "bin", search_path=str(tmp_path)) == []


def test_make_install_user_links_the_command(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    venv_bin = Path(sys.executable).parent
    if not (venv_bin / "sdg-tags").is_file() or venv_bin != PROJECT_ROOT / ".venv" / "bin":
        pytest.skip("the tests do not run from this checkout's .venv")
    stamp = tmp_path / "stamp"  # newer than pyproject.toml: make does not reinstall
    stamp.touch()
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "PATH": os.defpath}
    done = subprocess.run(
        [make, "-s", "--no-print-directory", "install-user", f"STAMP={stamp}"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    link = home / ".local" / "bin" / "sdg-tags"
    assert link.resolve() == (venv_bin / "sdg-tags").resolve()
    assert done.stdout.splitlines() == [
        f"linked {link}; {link.parent} is not on your PATH yet: log in again, or add it "
        f'(export PATH="{link.parent}:$PATH")'
    ]
    version = subprocess.run(
        [str(link), "--version"], capture_output=True, text=True, timeout=60, check=True, env=env
    )
    assert version.stdout.startswith("sdg-tags ")

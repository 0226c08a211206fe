""".ci/system-packages, the first step of `make test`: missing Debian packages are installed where the machine allows
it, and elsewhere the run stops before any test with one line giving the exact apt-get command.

The binaries are hidden with a PATH holding only bash, PostgreSQL with SDG_POSTGRESQL_LIB; nothing is installed:
SDG_SYSTEM_PACKAGES_DRY_RUN prints the commands, SDG_SYSTEM_PACKAGES_UNPRIVILEGED simulates a user without sudo.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT_ROOT / ".ci" / "system-packages"
MISSING_ALL = (
    "missing Debian packages: chromium redis-server postgresql; install them as root, then rerun: "
    "apt-get install -y chromium redis-server postgresql"
)


@pytest.fixture
def bare_path(tmp_path: Path) -> Path:
    """A PATH folder with bash only (the script's shebang needs it): no chromium, redis-server, sudo, apt-get."""
    folder = tmp_path / "bin"
    folder.mkdir()
    bash = shutil.which("bash")
    assert bash is not None
    (folder / "bash").symlink_to(bash)
    return folder


def run_script(bare_path: Path, tmp_path: Path, *args: str, **knobs: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(bare_path), "SDG_POSTGRESQL_LIB": str(tmp_path / "no-postgresql"), **knobs}
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def fake_command(folder: Path, name: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)


def test_without_root_or_sudo_one_line_with_the_apt_get_command(bare_path: Path, tmp_path: Path) -> None:
    done = run_script(bare_path, tmp_path, SDG_SYSTEM_PACKAGES_UNPRIVILEGED="1")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [MISSING_ALL]
    assert done.stdout == ""


def test_without_apt_get_the_same_line(bare_path: Path, tmp_path: Path) -> None:
    # The bare PATH has no apt-get: even root cannot install, so it says what the tests need.
    done = run_script(bare_path, tmp_path)
    assert (done.returncode, done.stderr.splitlines(), done.stdout) == (1, [MISSING_ALL], "")


def test_only_the_missing_packages_are_named(bare_path: Path, tmp_path: Path) -> None:
    fake_command(bare_path, "chromium")
    initdb = tmp_path / "postgresql" / "17" / "bin" / "initdb"
    initdb.parent.mkdir(parents=True)
    fake_command(initdb.parent, "initdb")
    done = run_script(
        bare_path,
        tmp_path,
        SDG_SYSTEM_PACKAGES_UNPRIVILEGED="1",
        SDG_POSTGRESQL_LIB=str(tmp_path / "postgresql"),
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "missing Debian packages: redis-server; install them as root, then rerun: apt-get install -y redis-server"
    ]


def test_everything_installed_says_nothing(bare_path: Path, tmp_path: Path) -> None:
    fake_command(bare_path, "chromium")
    fake_command(bare_path, "redis-server")
    (tmp_path / "postgresql" / "16" / "bin").mkdir(parents=True)
    fake_command(tmp_path / "postgresql" / "16" / "bin", "initdb")
    done = run_script(
        bare_path,
        tmp_path,
        SDG_SYSTEM_PACKAGES_UNPRIVILEGED="1",
        SDG_POSTGRESQL_LIB=str(tmp_path / "postgresql"),
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_where_it_can_install_it_runs_apt_get(bare_path: Path, tmp_path: Path) -> None:
    # As root, apt-get itself; otherwise through password-less sudo (here a stand-in that says yes).
    fake_command(bare_path, "sudo")
    done = run_script(bare_path, tmp_path, "redis-server", "make", SDG_SYSTEM_PACKAGES_DRY_RUN="1")
    assert done.returncode == 0
    assert done.stderr.splitlines() == ["installing Debian packages: redis-server make"]
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    prefix = lines[0].removesuffix("apt-get update -qq")
    assert prefix in ("", "sudo -n ")
    assert lines[1] == f"{prefix}apt-get install -y -qq redis-server make"


def test_make_test_stops_before_any_test(bare_path: Path, tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        # A virtual environment that cannot be made: were the order wrong, nothing would be installed either.
        [make, "--no-print-directory", "test", "VENV=/nonexistent/venv", "PYTHON=/nonexistent/python3"],
        cwd=PROJECT_ROOT,
        env={
            "PATH": str(bare_path),
            "SDG_POSTGRESQL_LIB": str(tmp_path / "no-postgresql"),
            "SDG_SYSTEM_PACKAGES_UNPRIVILEGED": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    # The script's line, then make's own note of the failed target; no venv step, no pytest.
    assert done.stderr.splitlines()[0] == MISSING_ALL
    assert "system-packages" in done.stderr.splitlines()[1]
    assert done.stdout == ""

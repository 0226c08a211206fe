"""What a user installs: one top-level package, `sdg_tags`, whose layering the import contracts hold.

The wheel is built once per session from this checkout and unpacked; the tests import it from there (ahead of
the editable install) so that they see exactly what ships.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdg_tags.version import package_version
from tests.source_tree import FOLDERS, PROJECT_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("wheel")
    # setuptools stages into build/lib and never empties it: a module removed from the tree would still ship.
    shutil.rmtree(PROJECT_ROOT / "build", ignore_errors=True)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            ".",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    shutil.rmtree(PROJECT_ROOT / "build", ignore_errors=True)
    assert built.returncode == 0, built.stderr[-3000:]
    [path] = out.glob("sdg_tags-*.whl")
    yield path


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


@pytest.mark.slow
def test_the_wheel_has_one_top_level_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"sdg_tags", f"sdg_tags-{package_version()}.dist-info"}
    # every folder is inside it, with its data files
    for folder in FOLDERS:
        assert f"sdg_tags/{folder}/__init__.py" in names
    for data in (
        "sdg_tags/taxonomy/data/annex1.tsv",
        "sdg_tags/web/templates/index.html",
        "sdg_tags/reports/templates/report.html",
        "sdg_tags/repository/migrations/script.py.mako",
        "sdg_tags/demo/site/be/fr/index.html",
        "sdg_tags/demo/registry.csv",
        "sdg_tags/crawler/distributed/frontier_claim.lua",
    ):
        assert data in names
    # the reference files the tables are generated from stay in the repository (taxonomy/sources/README.md)
    assert [name for name in names if name.startswith("sdg_tags/taxonomy/sources/")] == []
    top_level_txt = [name for name in names if name.endswith(".dist-info/top_level.txt")]
    if top_level_txt:
        with zipfile.ZipFile(wheel) as archive:
            assert archive.read(top_level_txt[0]).decode().split() == ["sdg_tags"]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    """A new subpackage folder that pyproject.toml does not list would be missing from the wheel."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    listed = set(config["packages"])
    on_disk = {"sdg_tags"} | {
        "sdg_tags." + ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for folder in FOLDERS
        for init in (PROJECT_ROOT / folder).rglob("__init__.py")
    }
    assert listed == on_disk
    assert config["package-dir"] == {"sdg_tags": "sdg_tags"} | {f"sdg_tags.{name}": name for name in FOLDERS}


OLD_IMPORT = re.compile(rf"^\s*(?:from|import) (?:{'|'.join(FOLDERS)})\b", re.MULTILINE)
OLD_MODULE_STRING = re.compile(rf"[\"'](?:{'|'.join(FOLDERS)})\.[a-z_]+\.[A-Za-z_.]+[\"']")


def test_no_code_imports_the_old_top_level_names() -> None:
    """From the project root `import crawler` would still work by accident; installed, it would not."""
    offenders = []
    for path in PROJECT_ROOT.rglob("*.py"):
        if ".venv" in path.parts or "build" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (OLD_IMPORT, OLD_MODULE_STRING):
            offenders += [
                f"{path.relative_to(PROJECT_ROOT)}: {m.group(0).strip()}" for m in pattern.finditer(text)
            ]
    assert offenders == []
    assert "sdg_tags.crawler.settings" in (PROJECT_ROOT / "scrapy.cfg").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_installed_package_checks_a_page_outside_the_checkout(unpacked: Path, tmp_path: Path) -> None:
    script = (
        "import sdg_tags; "
        "print(sdg_tags.__file__); "
        "print(sdg_tags.check_page(b'<html lang=fr><head><meta name=sdg-tag content=sdg></head></html>').verdict)"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    location, verdict = done.stdout.split()
    assert Path(location).is_relative_to(unpacked)
    assert verdict == "non-compliant"


@pytest.mark.slow
def test_import_contracts_hold(unpacked: Path, tmp_path: Path) -> None:
    """The layering of README "Layout", checked by import-linter on the code that ships."""
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("lint-imports")),
            "--no-cache",
            str(PROJECT_ROOT / "pyproject.toml"),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
    assert re.search(r"Contracts: \d+ kept, 0 broken", done.stdout)


def test_version_is_the_package_metadata_version() -> None:
    from importlib import metadata

    from sdg_tags.crawler import settings

    version = metadata.version("sdg-tags")
    assert package_version() == version
    done = subprocess.run(
        [str(Path(sys.executable).with_name("sdg-tags")), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == f"sdg-tags {version}"
    assert settings.USER_AGENT.startswith(f"sdg-tags/{version} ")

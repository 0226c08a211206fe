"""What other parts of sdg-tags call: the report, the registry diff, the registry export and the demo's outputs.

Each function opens the repository read-only (an unknown SQLite file is an error, never created) except
`write_export`, which records the export in the repository's ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sdg_tags.reports.compliance import ReportError, ReportOutputs, write_report
from sdg_tags.reports.diff_report import DiffOutputs, write_diff
from sdg_tags.reports.registry_export import EXPORT_FORMATS, ExportError, ExportResult, write_export
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.repository.store import Repository

__all__ = [
    "EXPORT_FORMATS",
    "DiffOutputs",
    "ExportError",
    "ExportResult",
    "ReportError",
    "ReportOutputs",
    "registry_diff",
    "registry_export",
    "report",
    "write_demo_outputs",
]


def report(
    db_url: str,
    out_dir: Path,
    *,
    run_id: int | None = None,
    country: str | None = None,
    provider: str | None = None,
    by_provider: bool = False,
) -> ReportOutputs:
    """`sdg-tags report`: index.html, pages.csv, findings.csv and report.json of a run in `out_dir`."""
    with Repository(db_url, create=False) as repository:
        return write_report(
            repository,
            Path(out_dir),
            run_id=run_id,
            country=country,
            provider=provider,
            by_provider=by_provider,
        )


def registry_diff(
    db_url: str,
    out_dir: Path,
    *,
    run_id: int | None = None,
    entries: Sequence[RegistryEntry] | None = None,
    registry_source: str | None = None,
) -> DiffOutputs:
    """`sdg-tags diff`: diff.html, diff.csv and diff.json (entries default to those stored with the crawl)."""
    with Repository(db_url, create=False) as repository:
        return write_diff(
            repository, Path(out_dir), entries=entries, registry_source=registry_source, run_id=run_id
        )


def registry_export(
    db_url: str,
    *,
    file_format: str,
    out: Path | None = None,
    run_id: int | None = None,
    country: str | None = None,
    provider: str | None = None,
    corrects: str | None = None,
) -> ExportResult:
    """`sdg-tags export`: an upload file of the correctly tagged pages, recorded in the export ledger."""
    with Repository(db_url, create=False) as repository:
        return write_export(
            repository,
            file_format=file_format,
            out=out,
            run_id=run_id,
            country=country,
            provider=provider,
            corrects=corrects,
        )


def write_demo_outputs(db_url: str, run_id: int | None, out_dir: Path) -> dict[str, Path]:
    """The demo's last step: the report (with per-provider pages) and the registry diff of its crawl.

    Returns {"report": .../report/index.html, "diff": .../diff/diff.html, plus every other file by name}.
    """
    out_dir = Path(out_dir)
    written = report(db_url, out_dir / "report", run_id=run_id, by_provider=True)
    diff = registry_diff(db_url, out_dir / "diff", run_id=run_id)
    paths: dict[str, Path] = {"report": written.files["index.html"], "diff": diff.files["diff.html"]}
    paths.update({f"report/{name}": path for name, path in written.files.items()})
    paths.update({f"diff/{name}": path for name, path in diff.files.items()})
    return paths

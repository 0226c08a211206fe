"""The export ledger: every registry upload file `sdg-tags export` wrote, under a unique, stable id.

A provider who uploads a file and later finds a mistake sends a corrected file that names the one it corrects
(SPEC §8: a correction refers to the same transmission). The ledger lives in the repository, next to the run
the export was built from, so `sdg-tags export --list` finds every id again. Its table is registered on the
shared metadata (`repository.schema.metadata`) and created by migration `0002_exports`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sdg_tags.repository.schema import UtcDateTime, metadata
from sdg_tags.repository.store import Repository
from sdg_tags.repository.timestamps import utc_now
from sqlalchemy import JSON, Column, Connection, ForeignKey, Index, Integer, String, Table, Text, select

exports = Table(
    "exports",
    metadata,
    Column("id", String(40), primary_key=True),  # a UUID, printed in the file and on the console
    Column("created_at", UtcDateTime, nullable=False),
    # No foreign key to runs: deleting old runs must not erase the record of what was sent.
    Column("run_id", Integer, nullable=False),
    Column("format", String(16), nullable=False),  # "registry-csv" or "registry-json"
    Column("filters", JSON, nullable=False),  # {"country": ..., "provider": ...}
    Column("page_count", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),  # of the file as written
    Column("out_path", Text),  # None when written to standard output
    Column("corrects", String(40), ForeignKey("exports.id")),
    Column("tool_version", String(32), nullable=False),
    Index("ix_exports_run_id", "run_id"),
)


class UnknownExportError(LookupError):
    """An export id that is not in the ledger."""


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One ledger row."""

    id: str
    created_at: datetime
    run_id: int
    format: str
    filters: dict
    page_count: int
    sha256: str
    out_path: str | None
    corrects: str | None
    tool_version: str


def new_export_id() -> str:
    """A fresh unique export id (a random UUID: unguessable, and unique across repositories)."""
    return str(uuid.uuid4())


def export_record(repository: Repository, export_id: str) -> ExportRecord:
    """The ledger row of `export_id`; UnknownExportError when there is none."""
    with repository.engine.connect() as conn:
        row = conn.execute(select(exports).where(exports.c.id == export_id.strip())).mappings().first()
    if row is None:
        raise UnknownExportError(export_id)
    return ExportRecord(**row)


def list_exports(repository: Repository) -> list[ExportRecord]:
    """Every recorded export, oldest first."""
    with repository.engine.connect() as conn:
        rows = conn.execute(select(exports).order_by(exports.c.created_at, exports.c.id)).mappings().all()
    return [ExportRecord(**row) for row in rows]


def record_export(
    repository: Repository,
    *,
    export_id: str,
    created_at: datetime | None,
    run_id: int,
    format: str,
    filters: dict[str, Any],
    page_count: int,
    sha256: str,
    out_path: str | None,
    corrects: str | None,
    tool_version: str,
    write: Callable[[], None] | None = None,
) -> ExportRecord:
    """Insert a ledger row; `write` (the file write) runs inside the transaction, so a failed write leaves none."""
    row = {
        "id": export_id,
        "created_at": created_at or utc_now(),
        "run_id": run_id,
        "format": format,
        "filters": dict(filters),
        "page_count": page_count,
        "sha256": sha256,
        "out_path": out_path,
        "corrects": corrects,
        "tool_version": tool_version,
    }
    with repository.transaction() as conn:
        insert_export(conn, row)
        if write is not None:
            write()
    return ExportRecord(**row)


def insert_export(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(exports.insert().values(**row))

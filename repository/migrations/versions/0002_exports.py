"""Export ledger: one row per registry upload file written by `sdg-tags export` (`repository/exports.py`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("out_path", sa.Text(), nullable=True),
        sa.Column("corrects", sa.String(length=40), nullable=True),
        sa.Column("tool_version", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["corrects"], ["exports.id"], name=op.f("fk_exports_corrects_exports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_index("ix_exports_run_id", "exports", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_exports_run_id", table_name="exports")
    op.drop_table("exports")

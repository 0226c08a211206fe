"""Initial schema: registry entries, runs, run lock, observations, raw tags, tag sets, tag items, findings.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Timestamps are zone-less UTC (`repository.schema.UtcDateTime`); the revision spells out plain column types so
that it keeps working when the code of later versions changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_entries",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("url_type", sa.String(length=16), nullable=False),
        sa.Column("national_code", sa.String(length=64), nullable=True),
        sa.Column("parent_url", sa.Text(), nullable=True),
        sa.Column("excluded_paths", sa.JSON(), nullable=False),
        sa.Column("ignore_params", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("notification_type", sa.String(length=16), nullable=True),
        sa.Column("delete", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_registry_entries")),
    )
    op.create_index("ix_registry_entries_country", "registry_entries", ["country"])
    op.create_index("ix_registry_entries_provider", "registry_entries", ["provider"])

    op.create_table(
        "run_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_run_locks")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("code_lists", sa.JSON(), nullable=False),
        sa.Column("planned_hosts", sa.Integer(), nullable=False),
        sa.Column("covered_hosts", sa.Integer(), nullable=False),
        sa.Column("resume_key", sa.Text(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index("ix_runs_resume_key", "runs", ["resume_key"])

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("fetch_status", sa.String(length=32), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("status_detail", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=128), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=True),
        sa.Column("render_mode", sa.String(length=16), nullable=False),
        sa.Column("registry_url", sa.Text(), nullable=True),
        sa.Column("discovered", sa.Boolean(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("warning_count", sa.Integer(), nullable=False),
        sa.Column("info_count", sa.Integer(), nullable=False),
        sa.Column("page_result", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_observations_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        sa.UniqueConstraint("run_id", "url", name="uq_observations_run_id_url"),
    )
    op.create_index("ix_observations_registry_url", "observations", ["registry_url"])
    op.create_index("ix_observations_run_id_fetch_status", "observations", ["run_id", "fetch_status"])
    op.create_index("ix_observations_run_id_verdict", "observations", ["run_id", "verdict"])
    op.create_index("ix_observations_url_fetched_at", "observations", ["url", "fetched_at"])

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=True),
        sa.Column("item", sa.Integer(), nullable=True),
        sa.Column("observed", sa.Text(), nullable=True),
        sa.Column("normalized", sa.Text(), nullable=True),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("column", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("code_list", sa.String(length=32), nullable=True),
        sa.Column("type_inferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_findings_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index("ix_findings_observation_id", "findings", ["observation_id"])
    op.create_index("ix_findings_run_id_rule", "findings", ["run_id", "rule"])
    op.create_index("ix_findings_run_id_severity", "findings", ["run_id", "severity"])

    op.create_table(
        "raw_tags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("canonical", sa.String(length=32), nullable=False),
        sa.Column("name_as_written", sa.Text(), nullable=False),
        sa.Column("attribute", sa.String(length=16), nullable=False),
        sa.Column("match", sa.String(length=16), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("column", sa.Integer(), nullable=True),
        sa.Column("in_head", sa.Boolean(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_raw_tags_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_tags")),
    )
    op.create_index("ix_raw_tags_observation_id", "raw_tags", ["observation_id"])
    op.create_index("ix_raw_tags_run_id_canonical", "raw_tags", ["run_id", "canonical"])

    op.create_table(
        "tag_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("area", sa.String(length=1), nullable=True),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_tag_items_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_items")),
    )
    op.create_index("ix_tag_items_observation_id", "tag_items", ["observation_id"])
    op.create_index("ix_tag_items_run_id_area", "tag_items", ["run_id", "area"])
    op.create_index("ix_tag_items_run_id_tag_value", "tag_items", ["run_id", "tag", "value"])

    op.create_table(
        "tag_sets",
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("sdg_tag", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("service", sa.Text(), nullable=True),
        sa.Column("policy_code", sa.Text(), nullable=True),
        sa.Column("policy", sa.Text(), nullable=True),
        sa.Column("dc_language", sa.Text(), nullable=True),
        sa.Column("html_lang", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("page_types", sa.String(length=64), nullable=False),
        sa.Column("page_types_inferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_tag_sets_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("observation_id", name=op.f("pk_tag_sets")),
    )
    op.create_index("ix_tag_sets_run_id_country", "tag_sets", ["run_id", "country"])
    op.create_index("ix_tag_sets_run_id_language", "tag_sets", ["run_id", "language"])


def downgrade() -> None:
    op.drop_index("ix_tag_sets_run_id_language", table_name="tag_sets")
    op.drop_index("ix_tag_sets_run_id_country", table_name="tag_sets")

    op.drop_table("tag_sets")
    op.drop_index("ix_tag_items_run_id_tag_value", table_name="tag_items")
    op.drop_index("ix_tag_items_run_id_area", table_name="tag_items")
    op.drop_index("ix_tag_items_observation_id", table_name="tag_items")

    op.drop_table("tag_items")
    op.drop_index("ix_raw_tags_run_id_canonical", table_name="raw_tags")
    op.drop_index("ix_raw_tags_observation_id", table_name="raw_tags")

    op.drop_table("raw_tags")
    op.drop_index("ix_findings_run_id_severity", table_name="findings")
    op.drop_index("ix_findings_run_id_rule", table_name="findings")
    op.drop_index("ix_findings_observation_id", table_name="findings")

    op.drop_table("findings")
    op.drop_index("ix_observations_url_fetched_at", table_name="observations")
    op.drop_index("ix_observations_run_id_verdict", table_name="observations")
    op.drop_index("ix_observations_run_id_fetch_status", table_name="observations")
    op.drop_index("ix_observations_registry_url", table_name="observations")

    op.drop_table("observations")
    op.drop_index("ix_runs_resume_key", table_name="runs")

    op.drop_table("runs")
    op.drop_table("run_locks")
    op.drop_index("ix_registry_entries_provider", table_name="registry_entries")
    op.drop_index("ix_registry_entries_country", table_name="registry_entries")

    op.drop_table("registry_entries")

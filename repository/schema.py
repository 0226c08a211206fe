"""Database tables of the repository (SPEC §7.4), defined once for the code and for Alembic's comparisons.

A schema change here needs a new revision in `repository/migrations/versions/` (a test compares the two).
Every timestamp column holds UTC without a zone (`UtcDateTime`), the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Fixed constraint names so that SQLite and PostgreSQL migrations name (and can later drop) the same things.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in Python, a zone-less UTC timestamp in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite hands back text when read through raw SQL
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


registry_entries = Table(
    "registry_entries",
    metadata,
    # RegistryLink and RegistryPage of SPEC §7.4 merged: one row per registered URL (page or folder root).
    Column("url", Text, primary_key=True),
    Column("title", Text),
    Column("description", Text),
    Column("types", JSON, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("url_type", String(16), nullable=False),
    Column("national_code", String(64)),
    Column("parent_url", Text),
    Column("excluded_paths", JSON, nullable=False),
    Column("ignore_params", JSON, nullable=False),
    Column("country", String(8)),
    Column("provider", Text),
    Column("notification_type", String(16)),
    Column("delete", Boolean, nullable=False),
    Column("source", Text, nullable=False),  # the file (or service) the entry was imported from
    Column("source_row", Integer),
    Column("imported_at", UtcDateTime, nullable=False),
    Index("ix_registry_entries_country", "country"),
    Index("ix_registry_entries_provider", "provider"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("profile", String(32), nullable=False),
    Column("settings", JSON, nullable=False),
    Column("config_hash", String(64), nullable=False),
    Column("code_lists", JSON, nullable=False),
    Column("planned_hosts", Integer, nullable=False),
    Column("covered_hosts", Integer, nullable=False),
    Column("resume_key", Text),
    Column("counts", JSON, nullable=False),
    Column("stats", JSON, nullable=False),
    Index("ix_runs_resume_key", "resume_key"),
)

run_locks = Table(
    "run_locks",
    metadata,
    # At most one row per lock name: inserting it is the atomic "acquire" on both databases.
    Column("name", String(64), primary_key=True),
    Column("owner", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("host", Text, nullable=False),
    Column("token", String(32), nullable=False),  # tells the holder its own row apart from a successor's
    Column("run_id", Integer),
    Column("acquired_at", UtcDateTime, nullable=False),
    Column("heartbeat_at", UtcDateTime, nullable=False),
)

observations = Table(
    "observations",
    metadata,
    # CrawlObservation: one page (URL) per run.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("final_url", Text),
    Column("redirects", JSON, nullable=False),
    Column("fetch_status", String(32), nullable=False),
    Column("http_status", Integer),
    Column("status_detail", Text),
    Column("content_hash", String(128)),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("fetched_at", UtcDateTime, nullable=False),
    Column("evaluated_at", UtcDateTime),
    Column("render_mode", String(16), nullable=False),
    Column("registry_url", Text),
    Column("discovered", Boolean, nullable=False),
    Column("depth", Integer, nullable=False),
    Column("verdict", String(32), nullable=False),
    Column("error_count", Integer, nullable=False),
    Column("warning_count", Integer, nullable=False),
    Column("info_count", Integer, nullable=False),
    # The PageResult exactly as the validator returned it, so `results` re-emits it without re-joining.
    Column("page_result", Text),
    UniqueConstraint("run_id", "url", name="uq_observations_run_id_url"),
    Index("ix_observations_run_id_verdict", "run_id", "verdict"),
    Index("ix_observations_run_id_fetch_status", "run_id", "fetch_status"),
    Index("ix_observations_url_fetched_at", "url", "fetched_at"),
    Index("ix_observations_registry_url", "registry_url"),
)

raw_tags = Table(
    "raw_tags",
    metadata,
    # RawTag: every SDG-ish <meta> occurrence as written, duplicates included.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("observation_id", Integer, ForeignKey("observations.id", ondelete="CASCADE"), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),  # document order within the page
    Column("canonical", String(32), nullable=False),
    Column("name_as_written", Text, nullable=False),
    Column("attribute", String(16), nullable=False),
    Column("match", String(16)),  # NULL when only the effective tag (PageResult.tags) was known
    Column("raw", Text),
    Column("line", Integer),
    Column("column", Integer),
    Column("in_head", Boolean),
    Column("origin", String(16), nullable=False),
    Index("ix_raw_tags_observation_id", "observation_id"),
    Index("ix_raw_tags_run_id_canonical", "run_id", "canonical"),
)

tag_sets = Table(
    "tag_sets",
    metadata,
    # TagSet: the effective value of each tag (first occurrence), page types, language, canonical URL.
    Column(
        "observation_id",
        Integer,
        ForeignKey("observations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("run_id", Integer, nullable=False),
    Column("sdg_tag", Text),
    Column("country", Text),  # DC.ISO3166 as written
    Column("location", Text),
    Column("service", Text),
    Column("policy_code", Text),
    Column("policy", Text),
    Column("dc_language", Text),
    Column("html_lang", Text),
    Column("language", String(16)),  # effective page language (ISO 639-1)
    Column("canonical_url", Text),
    Column("page_types", String(64), nullable=False),  # ";"-joined, in PAGE_TYPES order as validated
    Column("page_types_inferred", Boolean, nullable=False),
    Index("ix_tag_sets_run_id_country", "run_id", "country"),
    Index("ix_tag_sets_run_id_language", "run_id", "language"),
)

tag_items = Table(
    "tag_items",
    metadata,
    # One row per ";"-item of an effective tag value, so reports can GROUP BY service type, code or area.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("observation_id", Integer, ForeignKey("observations.id", ondelete="CASCADE"), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("tag", String(32), nullable=False),
    Column("item", Integer, nullable=False),
    Column("value", Text, nullable=False),
    Column("area", String(1)),  # policy-code only: the Annex letter of a code-shaped item
    Index("ix_tag_items_observation_id", "observation_id"),
    Index("ix_tag_items_run_id_tag_value", "run_id", "tag", "value"),
    Index("ix_tag_items_run_id_area", "run_id", "area"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("observation_id", Integer, ForeignKey("observations.id", ondelete="CASCADE"), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),  # order within the page's findings
    Column("rule", String(64), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("message", Text, nullable=False),
    Column("tag", String(32)),
    Column("item", Integer),
    Column("observed", Text),
    Column("normalized", Text),
    Column("expected", Text),
    Column("line", Integer),
    Column("column", Integer),
    Column("origin", String(16), nullable=False),
    Column("citation", Text, nullable=False),
    Column("hint", Text, nullable=False),
    Column("code_list", String(32)),
    Column("type_inferred", Boolean, nullable=False),
    Index("ix_findings_observation_id", "observation_id"),
    Index("ix_findings_run_id_rule", "run_id", "rule"),
    Index("ix_findings_run_id_severity", "run_id", "severity"),
)

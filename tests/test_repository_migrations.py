"""Migrations: the shipped Alembic revisions build exactly the schema the code defines, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sdg_tags.repository.exports  # noqa: F401  (the export ledger's table shares the metadata)
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sdg_tags.repository.errors import RepositoryError
from sdg_tags.repository.migrate import alembic_config, head_revision, upgrade_to_head
from sdg_tags.repository.schema import metadata
from sdg_tags.repository.store import Repository
from sqlalchemy import create_engine, inspect, text


def test_alembic_upgrade_head_on_an_empty_sqlite_database_builds_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    command.upgrade(alembic_config(url=url), "head")  # the plain Alembic command, as a developer would run it
    engine = create_engine(url)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"alembic_version", *metadata.tables}
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        assert {index["name"] for index in inspect(conn).get_indexes("findings")} == {
            "ix_findings_observation_id",
            "ix_findings_run_id_rule",
            "ix_findings_run_id_severity",
        }
    engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        upgrade_to_head(conn)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = alembic_config(url=url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"alembic_version"}
    engine.dispose()
    command.upgrade(config, "head")
    with Repository(url) as repository:
        assert repository.runs() == []


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    with Repository(url) as repository:
        repository.runs()  # first use creates the schema
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(
        RepositoryError, match=r"has schema revision '9999', which this version of sdg-tags does not know"
    ):
        _ = Repository(url).engine


@pytest.mark.slow
def test_two_processes_using_a_new_database_at_once_both_succeed(db_url: str) -> None:
    script = textwrap.dedent(
        """
        import sys
        from sdg_tags.repository.store import Repository
        with Repository(sys.argv[1]) as repository:
            print(len(repository.runs()))
        """
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outcomes = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outcomes
    assert [stdout.strip() for stdout, _ in outcomes] == ["0", "0"]

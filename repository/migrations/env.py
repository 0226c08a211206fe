"""Alembic environment: the connection comes from `repository.migrate` (config attribute "connection")."""

from __future__ import annotations

import sdg_tags.repository.exports  # noqa: F401  (registers the export ledger table on the shared metadata)
from alembic import context
from sdg_tags.repository.schema import metadata
from sqlalchemy import create_engine


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table so later revisions work there too.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:  # a developer running alembic by hand with sqlalchemy.url set
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as own_connection:
        run_migrations(own_connection)

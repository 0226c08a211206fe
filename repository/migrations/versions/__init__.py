"""Alembic revisions of the repository schema, oldest first (`0001_...`)."""

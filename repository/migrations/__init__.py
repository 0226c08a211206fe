"""Alembic environment of the repository; run through `repository.migrate`, no alembic.ini needed."""

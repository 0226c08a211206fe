"""Errors of the repository, as one line for people (the commands print them and exit 2)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError


class RepositoryError(Exception):
    """The database cannot be used: bad URL, missing file, unknown schema revision. One line, for people."""


class UnknownRunError(RepositoryError, LookupError):
    """A run id that is not in the repository."""


class RunLockedError(RepositoryError):
    """Another run holds the repository's run lock."""


def failure_reason(exc: BaseException) -> str:
    """The driver's reason for a database error in one line (no SQL, no parameters): what a person needs."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def database_failure(display_url: str, exc: DBAPIError) -> RepositoryError:
    """A database error met while a command used the repository, as one line naming the database."""
    return RepositoryError(f"database {display_url}: {failure_reason(exc)}")

"""Where storyline keeps what it read and computed: one :class:`Store` interface, SQLite by default,
PostgreSQL when the database is named by a ``postgresql://`` URL."""

from __future__ import annotations

from pathlib import Path

from ..config import is_database_url
from ..errors import MissingDependencyError
from .base import IngestRun, Store
from .sqlite import SQLiteStore


def open_store(db: str | Path) -> Store:
    """Open (creating and migrating if needed) the store named by ``db``: a ``postgresql://`` (or
    ``postgres://``) URL, or else a SQLite file path."""
    if is_database_url(db):
        try:
            from .postgres import PostgresStore
        except ImportError as exc:
            raise MissingDependencyError("psycopg", "postgres") from exc
        return PostgresStore(str(db))
    return SQLiteStore(Path(db))


__all__ = ["IngestRun", "SQLiteStore", "Store", "open_store"]

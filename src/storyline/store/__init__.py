"""Where storyline keeps what it read and computed: one :class:`Store` interface, SQLite by default."""

from __future__ import annotations

from pathlib import Path

from .base import IngestRun, Store
from .sqlite import SQLiteStore


def open_store(db: str | Path) -> Store:
    """Open (creating and migrating if needed) the store named by ``db``: a SQLite file path."""
    return SQLiteStore(Path(db))


__all__ = ["IngestRun", "SQLiteStore", "Store", "open_store"]

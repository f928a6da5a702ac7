"""What only the SQLite store does: WAL, migrating files, refusing files it cannot use, FTS5 syntax.

What every store does (round-trips, transactions, search, corrections) is in test_store_contract.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import make_article
from storyline.errors import StoreError
from storyline.store import SQLiteStore, open_store
from storyline.store.sqlite import MIGRATIONS


def test_new_database_records_every_migration(tmp_path: Path) -> None:
    with open_store(tmp_path / "sub" / "s.db") as store:
        assert isinstance(store, SQLiteStore)
        assert store.schema_version() == MIGRATIONS[-1][0]
    rows = sqlite3.connect(tmp_path / "sub" / "s.db").execute("SELECT version, name FROM schema_migrations")
    assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]
    mode = sqlite3.connect(tmp_path / "sub" / "s.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    open_store(tmp_path / "s.db").close()
    open_store(tmp_path / "s.db").close()
    count = sqlite3.connect(tmp_path / "s.db").execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert count == len(MIGRATIONS)


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    open_store(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer storyline"):
        open_store(tmp_path / "s.db")


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        open_store(path)
    assert path.read_text().startswith("these are my notes")


def test_fts5_syntax_errors_are_explained(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        run = store.start_run([])
        store.write_batch(run.id, [make_article("The dam spillway opened.", source="1.txt")], [])
        assert len(store.search('"dam spillway"')) == 1
        with pytest.raises(StoreError, match="cannot search .*double quotes"):
            store.search('"unbalanced')

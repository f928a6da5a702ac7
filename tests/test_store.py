"""The SQLite store: migrations, round-trips, transactions, full-text search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import make_article
from storyline.errors import NotFoundError, StoreError
from storyline.model import DateMethod, DatePrecision, DateValue, FieldMethod, ReadFailure, Removal
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


def test_article_round_trip_keeps_every_field(tmp_path: Path) -> None:
    published = DateValue("2024-04-08", DatePrecision.DAY, DateMethod.DATELINE, 1.0, "Beijing, 8 April 2024")
    article = make_article(
        "Cleaned body.",
        source="a/b.txt",
        title="A title",
        title_method=FieldMethod.FIRST_LINE,
        outlet="TDI",
        outlet_method=FieldMethod.DATELINE,
        publication_date=published,
        removed=[Removal("Follow us", "share-widget")],
        extra={"line": 3},
        content_id="c1",
        minhash=b"\x00" * 8,
        stage_versions={"clean": "1"},
    )
    with open_store(tmp_path / "s.db") as store:
        run = store.start_run(["a"])
        store.write_batch(run.id, [article], [ReadFailure("bad.bin", "binary file, not text")])
        back = store.get_article(article.id[:6])
        assert back == article
        assert store.failures(run.id) == [ReadFailure("bad.bin", "binary file, not text")]


def test_unknown_or_ambiguous_ids_raise_not_found(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        with pytest.raises(NotFoundError):
            store.get_article("abc")
        with pytest.raises(NotFoundError, match="hexadecimal"):
            store.get_article("'; DROP TABLE articles; --")


def test_a_failed_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        run = store.start_run([])
        good = make_article("first", source="1.txt")
        store.write_batch(run.id, [good], [])
        with pytest.raises(StoreError):
            # The second article of the batch cannot be stored: the first must not be either.
            store.write_batch(
                run.id,
                [make_article("second", source="2.txt"), make_article("third", source="3.txt", minhash=[1])],
                [],
            )
        assert store.count_articles() == 1


def test_full_text_search_and_bad_syntax(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        run = store.start_run([])
        store.write_batch(
            run.id,
            [
                make_article("The dam spillway opened at dawn.", source="1.txt", title="Spillway"),
                make_article("Council approves the budget.", source="2.txt"),
            ],
            [],
        )
        hits = store.search("spillway")
        assert [h.title for h in hits] == ["Spillway"]
        assert "[spillway]" in hits[0].snippet.lower()
        with pytest.raises(StoreError, match="cannot search"):
            store.search('"unbalanced')


def test_rows_are_read_in_ingest_order_without_duplicates_on_request(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        run = store.start_run([])
        first = make_article("one", source="b.txt")
        second = make_article("one", source="a.txt", duplicate_of=first.id, duplicate_similarity=1.0)
        store.write_batch(run.id, [first, second], [])
        assert [a.source for a in store.iter_articles()] == ["b.txt", "a.txt"]
        assert [a.source for a in store.iter_articles(include_duplicates=False)] == ["b.txt"]

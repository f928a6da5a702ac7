"""A store in a PostgreSQL database, chosen with ``--db postgresql://user@host/dbname``.

It keeps the same tables as the SQLite store (see postgres_schema.py) and maps rows to articles with the
same code, so both backends give the same articles, dates and outlets. Full-text search is a generated
``tsvector`` column with a GIN index, queried with ``websearch_to_tsquery``: the query syntax users know
from web search engines ("phrases", OR, -word), which never fails to parse.

The connection runs in autocommit mode and every write is one explicit transaction that first bumps the
``store_state`` counter: a batch is all-or-nothing, concurrent writers queue instead of deadlocking,
and readers learn from :meth:`data_version` that the data changed. Long reads page through the
articles by ``seq`` (keyset pagination) rather than holding a cursor open, so a caller may write while
it iterates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from ..config import display_database
from ..errors import NotFoundError, StoreError
from ..model import Article, ReadFailure
from .base import Fingerprint, Grouper, IngestRun, SearchHit, Store
from .postgres_analysis import PostgresAnalysisTables
from .postgres_schema import MIGRATIONS, TS_CONFIG
from .sqlite import _ARTICLE_COLUMNS, SQLiteStore, article_columns, select_articles

# Rows become articles with the SQLite store's own mapping (the same columns, the same aliases), so the
# precedence of corrections is written once: a user's date > the stated date > an inferred date, and a
# user's outlet > the detected outlet.
_article = SQLiteStore._article
_article_row = SQLiteStore._article_row

_COLUMNS = "a.seq, " + article_columns()
_SLIM_COLUMNS = "a.seq, " + article_columns(slim=True)
_SELECT_ARTICLES = select_articles(columns=_COLUMNS)

# ts_headline options: the same markers as the SQLite snippet, a fragment or two around the matches.
_HEADLINE = 'StartSel=[, StopSel=], MaxWords=20, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "'

# Any constant key serialises the migrations of concurrent first openings of a new database.
_MIGRATION_LOCK = 0x5707_711E

_PAGE = 200


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class PostgresStore(PostgresAnalysisTables, Store):
    def __init__(self, url: str, *, connect_timeout: int = 10) -> None:
        self.url = url
        self.where = display_database(url)
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            reason = " ".join(str(exc).split())  # libpq's message spans lines; errors are one line
            raise StoreError(f"{self.where}: cannot connect to PostgreSQL ({reason})") from exc
        try:
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    # -- schema -----------------------------------------------------------------------------------

    def _migrate(self) -> None:
        try:
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                applied = {r[0] for r in self._db.execute("SELECT version FROM schema_migrations")}
                known = {version for version, _, _ in MIGRATIONS}
                if applied - known:
                    raise StoreError(
                        f"{self.where}: made by a newer storyline (schema version {max(applied)}); "
                        "upgrade storyline to open it"
                    )
                for version, name, sql in MIGRATIONS:
                    if version not in applied:
                        self._db.execute(sql)  # our own constant DDL
                        self._db.execute(
                            "INSERT INTO schema_migrations(version, name, applied_at) VALUES (%s, %s, %s)",
                            (version, name, _now()),
                        )
        except psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot open as a storyline database ({exc})") from exc

    def schema_version(self) -> int:
        return int(self._rows("SELECT max(version) FROM schema_migrations")[0][0])

    def data_version(self) -> int:
        return int(self._rows("SELECT data_version FROM store_state WHERE id = 1")[0][0])

    @contextmanager
    def _transaction(self, what: str = "write") -> Iterator[psycopg.Connection[Any]]:
        """One write transaction, rolled back on any exception (Ctrl-C included)."""
        try:
            with self._db.transaction():
                self._db.execute("UPDATE store_state SET data_version = data_version + 1 WHERE id = 1")
                yield self._db
        except psycopg.Error as exc:
            raise StoreError(f"{self.where}: could not {what} ({exc})") from exc

    def _rows(self, sql: str, params: Sequence[Any] = (), *, as_dict: bool = False) -> list[Any]:
        """All rows of one read, with database errors turned into StoreError."""
        try:
            with self._db.cursor(row_factory=dict_row) if as_dict else self._db.cursor() as cursor:
                return cursor.execute(sql, params).fetchall()
        except psycopg.Error as exc:
            raise StoreError(f"{self.where}: could not read ({exc})") from exc

    def close(self) -> None:
        self._db.close()

    # -- writing ----------------------------------------------------------------------------------

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        return {r[0] for r in self._rows("SELECT id FROM articles WHERE id = ANY(%s)", (wanted,))}

    def write_batch(
        self,
        run_id: int,
        articles: Sequence[Article],
        failures: Sequence[ReadFailure],
        *,
        group: Grouper | None = None,
    ) -> list[Article]:
        now = _now()
        marks = ",".join(["%s"] * len(_ARTICLE_COLUMNS))
        stored = list(articles)
        with self._transaction(f"store a batch of {len(stored)} articles") as db, db.cursor() as cursor:
            # The transaction began by updating store_state's one row: other writers wait on that lock,
            # and each statement here sees everything they committed before.
            if group is not None:
                stored = group(stored)
            rows = [_article_row(article, run_id, now) for article in stored]
            # ON CONFLICT DO NOTHING: a concurrent ingest may have stored the same article meanwhile.
            cursor.executemany(
                f"INSERT INTO articles({','.join(_ARTICLE_COLUMNS)}) VALUES ({marks}) "
                "ON CONFLICT (id) DO NOTHING",
                rows,
            )
            cursor.executemany(
                "INSERT INTO ingest_failures(run_id, source, line, reason) VALUES (%s, %s, %s, %s)",
                [(run_id, f.source, f.line, f.reason) for f in failures],
            )
        return stored

    # -- reading ----------------------------------------------------------------------------------

    def get_article(self, article_id: str) -> Article:
        prefix = article_id.strip().lower()
        if not prefix or not all(c in "0123456789abcdef" for c in prefix):
            raise NotFoundError(f"no article with id {article_id!r} (ids are hexadecimal)")
        rows = self._rows(
            _SELECT_ARTICLES + " WHERE a.id >= %s AND a.id < %s ORDER BY a.id LIMIT 2",
            (prefix, prefix + "g"),
            as_dict=True,
        )
        if not rows:
            raise NotFoundError(f"no article with id {article_id!r} in {self.where}")
        if len(rows) > 1 and rows[0]["id"] != prefix:
            raise NotFoundError(f"id prefix {article_id!r} matches several articles; give more characters")
        return _article(rows[0])

    def iter_articles(
        self, *, include_duplicates: bool = True, corpus_dates: bool = True, slim: bool = False
    ) -> Iterator[Article]:
        where = "" if include_duplicates else " AND a.duplicate_of IS NULL"
        select = select_articles(corpus_dates=corpus_dates, columns=_SLIM_COLUMNS if slim else _COLUMNS)
        last = 0
        while rows := self._rows(
            select + f" WHERE a.seq > %s{where} ORDER BY a.seq LIMIT {_PAGE}", (last,), as_dict=True
        ):
            yield from map(_article, rows)
            last = rows[-1]["seq"]

    def iter_fingerprints(self, after: int = 0) -> Iterator[Fingerprint]:
        last = after
        while rows := self._rows(
            "SELECT seq, id, content_id, minhash, duplicate_of FROM articles WHERE seq > %s "
            f"ORDER BY seq LIMIT {_PAGE * 5}",
            (last,),
        ):
            for row in rows:
                yield Fingerprint(row[1], row[2], row[3], row[4], row[0])
            last = rows[-1][0]

    def count_articles(self) -> int:
        return int(self._rows("SELECT count(*) FROM articles")[0][0])

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Web-search syntax ("a phrase", OR, -word), which never fails to parse; best hits first, with
        ``rank`` the negated ts_rank so that, as with SQLite's bm25, lower is better."""
        # Rank and limit first, then build headlines for the few hits only: ts_headline re-parses text.
        rows = self._rows(
            f"""
            WITH q AS (SELECT websearch_to_tsquery('{TS_CONFIG}', %s) AS query),
            hits AS (
                SELECT a.seq, a.id, a.title, a.text, q.query, ts_rank(a.search_vector, q.query) AS rank
                FROM articles a, q
                WHERE numnode(q.query) > 0 AND a.search_vector @@ q.query
                ORDER BY rank DESC, a.seq
                LIMIT %s
            )
            SELECT id, title, ts_headline('{TS_CONFIG}', text, query, %s), rank
            FROM hits ORDER BY rank DESC, seq
            """,
            (query, limit, _HEADLINE),
        )
        return [SearchHit(r[0], r[1], r[2], -float(r[3])) for r in rows]

    # -- runs and failures ------------------------------------------------------------------------

    def start_run(self, inputs: Sequence[str]) -> IngestRun:
        started = _now()
        with self._transaction("start an ingest run") as db:
            row = db.execute(
                "INSERT INTO ingest_runs(started_at, inputs) VALUES (%s, %s) RETURNING id",
                (started, json.dumps(list(inputs))),
            ).fetchone()
        assert row is not None  # RETURNING always gives the new row
        return IngestRun(id=int(row[0]), started_at=started, inputs=list(inputs))

    def finish_run(self, run: IngestRun) -> None:
        run.finished_at = _now()
        with self._transaction("finish an ingest run") as db:
            db.execute(
                "UPDATE ingest_runs SET finished_at = %s, counts = %s WHERE id = %s",
                (run.finished_at, json.dumps(run.counts), run.id),
            )

    def last_run(self) -> IngestRun | None:
        rows = self._rows("SELECT * FROM ingest_runs ORDER BY id DESC LIMIT 1", as_dict=True)
        if not rows:
            return None
        row = rows[0]
        return IngestRun(
            id=row["id"],
            started_at=row["started_at"],
            inputs=json.loads(row["inputs"]),
            finished_at=row["finished_at"],
            counts=json.loads(row["counts"]),
        )

    def failures(self, run_id: int | None = None) -> list[ReadFailure]:
        sql, params = "SELECT source, line, reason FROM ingest_failures", ()
        if run_id is not None:
            sql, params = sql + " WHERE run_id = %s", (run_id,)
        rows = self._rows(sql + " ORDER BY id", params)
        return [ReadFailure(source=r[0], reason=r[2], line=r[1]) for r in rows]

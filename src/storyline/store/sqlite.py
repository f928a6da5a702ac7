"""The default store: one SQLite file, in WAL mode, with an FTS5 index over the cleaned text.

Schema changes are ordered migrations recorded in the ``schema_migrations`` table of the database itself,
so an old file is brought up to date when opened, and a file made by a newer storyline is refused rather
than damaged. Every batch of writes is one ``BEGIN IMMEDIATE`` transaction: a crash or Ctrl-C leaves the
file as it was after the last whole batch.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, StoreError
from ..model import Article, DateValue, FieldMethod, RawTextNotRead, ReadFailure, Removal
from .base import Fingerprint, Grouper, IngestRun, SearchHit, Store
from .migrations import MIGRATIONS
from .sqlite_analysis import SQLiteAnalysisTables

_ARTICLE_COLUMNS = (
    "id",
    "source",
    "format",
    "encoding",
    "url",
    "title",
    "title_method",
    "outlet",
    "outlet_method",
    "author",
    "language",
    "publication_date",
    "modification_date",
    "raw_text",
    "extracted_text",
    "text",
    "removed",
    "extra",
    "content_id",
    "minhash",
    "duplicate_of",
    "duplicate_similarity",
    "words",
    "stage_versions",
    "run_id",
    "ingested_at",
)

# What a slim read (``iter_articles(slim=True)``) leaves out, selected as NULL: what only ingest (cleaning,
# dedup), ``storyline show`` and the raw-text page read, never the corpus stages or the exports. raw_text
# is NOT NULL in the table, so a NULL one is a slim read.
_NOT_READ_WHEN_SLIM = ("raw_text", "extracted_text", "removed", "minhash")


def article_columns(*, slim: bool = False) -> str:
    """The articles' columns (prefix ``a.``), those a slim read leaves out selected as NULL."""
    left_out = _NOT_READ_WHEN_SLIM if slim else ()
    return ", ".join(f"NULL AS {c}" if c in left_out else f"a.{c}" for c in _ARTICLE_COLUMNS)


# An article as the user should see it: a user's date correction wins, then the date the article
# states, then one inferred later from the corpus, then one inferred from its own text.
def select_articles(*, corpus_dates: bool = True, columns: str = "a.*") -> str:
    inferred = "coalesce(k.date, i.date)" if corpus_dates else "i.date"
    return (
        f"SELECT {columns}, c.date AS corrected_date, {inferred} AS inferred_date, "
        "o.outlet AS corrected_outlet FROM articles a "
        "LEFT JOIN date_corrections c ON c.article_id = a.id "
        "LEFT JOIN inferred_dates i ON i.article_id = a.id "
        "LEFT JOIN corpus_dates k ON k.article_id = a.id "
        "LEFT JOIN outlet_corrections o ON o.article_id = a.id"
    )


_SELECT_ARTICLES = select_articles()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _date_json(value: DateValue | None) -> str | None:
    return json.dumps(value.to_dict(), ensure_ascii=False) if value else None


def _date_from_json(text: str | None) -> DateValue | None:
    return DateValue.from_dict(json.loads(text)) if text else None


class SQLiteStore(SQLiteAnalysisTables, Store):
    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are opened explicitly, so their bounds are ours.
            self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open as a storyline database ({exc})") from exc
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the database ({exc.strerror or exc})") from exc

    # -- schema -----------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._transaction():
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
            known = {version for version, _, _ in MIGRATIONS}
            if applied - known:
                raise StoreError(
                    f"{self.path}: made by a newer storyline (schema version {max(applied)}); "
                    "upgrade storyline to open it"
                )
            for version, name, sql in MIGRATIONS:
                if version in applied:
                    continue
                for statement in _split_sql(sql):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now()),
                )

    def schema_version(self) -> int:
        return int(self._db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0])

    def data_version(self) -> int:
        # SQLite's own change counter: it moves when any other connection commits.
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)

    def close(self) -> None:
        self._db.close()

    # -- writing ----------------------------------------------------------------------------------

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0] for r in self._db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
        return found

    def write_batch(
        self,
        run_id: int,
        articles: Sequence[Article],
        failures: Sequence[ReadFailure],
        *,
        group: Grouper | None = None,
    ) -> list[Article]:
        now = _now()
        marks = ",".join("?" * len(_ARTICLE_COLUMNS))
        stored = list(articles)
        rows: list[tuple[Any, ...]] = []
        try:
            with self._transaction():
                # BEGIN IMMEDIATE holds the write lock from here: no other connection commits until we do.
                if group is not None:
                    stored = group(stored)
                rows = [self._article_row(article, run_id, now) for article in stored]
                # INSERT OR IGNORE: a concurrent ingest may have stored the same article meanwhile.
                self._db.executemany(
                    f"INSERT OR IGNORE INTO articles({','.join(_ARTICLE_COLUMNS)}) VALUES ({marks})", rows
                )
                self._db.executemany(
                    "INSERT INTO ingest_failures(run_id, source, line, reason) VALUES (?, ?, ?, ?)",
                    [(run_id, f.source, f.line, f.reason) for f in failures],
                )
        except StoreError as exc:
            raise StoreError(f"{exc} (a batch of {len(stored)} articles was not stored)") from exc.__cause__
        return stored

    @staticmethod
    def _article_row(article: Article, run_id: int, now: str) -> tuple[Any, ...]:
        if not article.raw_text_read:
            # What would be stored is not the article: no raw text, cleaning's removals, fingerprint.
            raise ValueError(f"article {article.id} was read without its raw text (slim): not stored")
        return (
            article.id,
            article.source,
            article.format,
            article.encoding,
            article.url,
            article.title,
            str(article.title_method) if article.title_method else None,
            article.outlet,
            str(article.outlet_method) if article.outlet_method else None,
            article.author,
            article.language,
            _date_json(article.publication_date),
            _date_json(article.modification_date),
            article.raw_text,
            article.extracted_text,
            article.text,
            json.dumps([[r.text, r.reason] for r in article.removed], ensure_ascii=False),
            json.dumps(article.extra, ensure_ascii=False, default=str),
            article.content_id,
            article.minhash,
            article.duplicate_of,
            article.duplicate_similarity,
            article.words,
            json.dumps(article.stage_versions, sort_keys=True),
            run_id,
            now,
        )

    # -- reading ----------------------------------------------------------------------------------

    @staticmethod
    def _article(row: sqlite3.Row) -> Article:
        article = SQLiteStore._article_as_read(row)
        corrected = _date_from_json(row["corrected_date"])
        if corrected is not None:
            if article.publication_date is not None:
                article.extra["publication_date_as_read"] = article.publication_date.to_dict()
            article.publication_date = corrected
        elif article.publication_date is None:
            article.publication_date = _date_from_json(row["inferred_date"])
        if row["corrected_outlet"] is not None:
            if article.outlet is not None:
                article.extra["outlet_as_read"] = article.outlet
            article.outlet, article.outlet_method = row["corrected_outlet"], FieldMethod.MANUAL
        return article

    @staticmethod
    def _article_as_read(row: sqlite3.Row) -> Article:
        raw_text = row["raw_text"]
        if raw_text is None:  # a slim read: the id is the stored one, as the text to hash is not here
            raw_text = RawTextNotRead(row["source"], row["id"])
        return Article(
            source=row["source"],
            raw_text=raw_text,
            format=row["format"],
            encoding=row["encoding"],
            url=row["url"],
            title=row["title"],
            title_method=FieldMethod(row["title_method"]) if row["title_method"] else None,
            outlet=row["outlet"],
            outlet_method=FieldMethod(row["outlet_method"]) if row["outlet_method"] else None,
            author=row["author"],
            language=row["language"],
            publication_date=_date_from_json(row["publication_date"]),
            modification_date=_date_from_json(row["modification_date"]),
            extracted_text=row["extracted_text"],
            extra=json.loads(row["extra"]),
            text=row["text"],
            removed=[Removal(text, reason) for text, reason in json.loads(row["removed"] or "[]")],
            content_id=row["content_id"],
            minhash=row["minhash"],
            duplicate_of=row["duplicate_of"],
            duplicate_similarity=row["duplicate_similarity"],
            stage_versions=json.loads(row["stage_versions"]),
        )

    def get_article(self, article_id: str) -> Article:
        prefix = article_id.strip().lower()
        if not prefix or not all(c in "0123456789abcdef" for c in prefix):
            raise NotFoundError(f"no article with id {article_id!r} (ids are hexadecimal)")
        rows = self._db.execute(
            _SELECT_ARTICLES + " WHERE a.id >= ? AND a.id < ? ORDER BY a.id LIMIT 2", (prefix, prefix + "g")
        ).fetchall()
        if not rows:
            raise NotFoundError(f"no article with id {article_id!r} in {self.path}")
        if len(rows) > 1 and rows[0]["id"] != prefix:
            raise NotFoundError(f"id prefix {article_id!r} matches several articles; give more characters")
        return self._article(rows[0])

    def iter_articles(
        self, *, include_duplicates: bool = True, corpus_dates: bool = True, slim: bool = False
    ) -> Iterator[Article]:
        columns = article_columns(slim=True) if slim else "a.*"
        sql = select_articles(corpus_dates=corpus_dates, columns=columns)
        if not include_duplicates:
            sql += " WHERE a.duplicate_of IS NULL"
        # fetchmany keeps memory flat on a large corpus.
        cursor = self._db.execute(sql + " ORDER BY a.seq")
        while rows := cursor.fetchmany(200):
            yield from map(self._article, rows)

    def iter_fingerprints(self, after: int = 0) -> Iterator[Fingerprint]:
        cursor = self._db.execute(
            "SELECT id, content_id, minhash, duplicate_of, seq FROM articles WHERE seq > ? ORDER BY seq",
            (after,),
        )
        while rows := cursor.fetchmany(1000):
            for row in rows:
                yield Fingerprint(*row)

    def count_articles(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        try:
            rows = self._db.execute(
                "SELECT a.id, a.title, snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snip, rank "
                "FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
                "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"cannot search for {query!r}: {exc}. Put phrases in double quotes; "
                "AND, OR, NOT and NEAR must join two terms"
            ) from exc
        return [SearchHit(r[0], r[1], r[2], float(r[3])) for r in rows]

    # -- runs and failures ------------------------------------------------------------------------

    def start_run(self, inputs: Sequence[str]) -> IngestRun:
        started = _now()
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO ingest_runs(started_at, inputs) VALUES (?, ?)",
                (started, json.dumps(list(inputs))),
            )
        return IngestRun(id=int(cursor.lastrowid or 0), started_at=started, inputs=list(inputs))

    def finish_run(self, run: IngestRun) -> None:
        run.finished_at = _now()
        with self._transaction():
            self._db.execute(
                "UPDATE ingest_runs SET finished_at = ?, counts = ? WHERE id = ?",
                (run.finished_at, json.dumps(run.counts), run.id),
            )

    def last_run(self) -> IngestRun | None:
        row = self._db.execute("SELECT * FROM ingest_runs ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
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
            sql, params = sql + " WHERE run_id = ?", (run_id,)
        rows = self._db.execute(sql + " ORDER BY id", params).fetchall()
        return [ReadFailure(source=r[0], reason=r[2], line=r[1]) for r in rows]


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (Ctrl-C included).

    A database error inside or at ``COMMIT`` (a full disk, a read-only file) becomes a :class:`StoreError`
    naming the database, in one line, after the rollback: the file keeps its last whole transaction.
    """

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, _: Any) -> None:
        error = exc if isinstance(exc, sqlite3.Error) else None
        try:
            if exc_type is None:
                self._db.execute("COMMIT")
        except sqlite3.Error as commit_error:
            error = commit_error
        finally:
            # SQLite may have rolled back already (it does on SQLITE_FULL); a second ROLLBACK would fail.
            if self._db.in_transaction and (exc_type is not None or error is not None):
                self._db.execute("ROLLBACK")
        if error is not None:
            raise StoreError(f"{self._path}: cannot write to the database: {_explain(error)}") from error


def _explain(error: sqlite3.Error) -> str:
    if getattr(error, "sqlite_errorname", "") == "SQLITE_FULL":
        return "the disk is full (or the database reached its size limit); free some space and run again"
    return str(error).split("\n", 1)[0]


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (triggers contain ';' inside BEGIN … END)."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.strip().splitlines():
        current.append(line)
        candidate = "\n".join(current).strip()
        if candidate and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    if "".join(current).strip():
        statements.append("\n".join(current))
    return statements

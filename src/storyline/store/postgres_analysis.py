"""PostgreSQL tables of the analysis: mentions, time references, quotes, entities, dates found later,
and what users decided (date and outlet corrections, entity overrides, hidden timeline entries).

The same tables and the same rules as store/sqlite_analysis.py: computed results are replaced freely by
a re-analysis; what users decided lives in tables of its own that no computation writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import psycopg

from ..analysis import ArticleAnalysis, Entity, Merge, Sentence, TimeRef
from ..model import DateValue
from .base import EntityOverride
from .sqlite_analysis import (
    _time_exprs,
    _time_exprs_json,
    _time_ref,
    _time_ref_row,
    mention_from_row,
    quote_from_row,
    shared,
)

_TIME_REF_COLUMNS = 'start, "end", text, sentence, value, precision, end_value, anchor, confidence'


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _date_json(value: DateValue) -> str:
    return json.dumps(value.to_dict(), ensure_ascii=False)


def _upsert(table: str, columns: str, key: str) -> str:
    """INSERT that replaces the row with the same key, as SQLite's INSERT OR REPLACE does."""
    names = [c.strip() for c in columns.split(",")]
    keys = {k.strip() for k in key.split(",")}
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in keys)
    marks = ", ".join(["%s"] * len(names))
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({key}) {action}"


_UPSERT_ANALYSIS = _upsert(
    "analyses", "article_id, content_id, versions, sentences, analysed_at, time_exprs", "article_id"
)
_UPSERT_MENTION = _upsert(
    "mentions", 'article_id, start, "end", text, label, key, sentence, role', 'article_id, start, "end"'
)
_UPSERT_TIME_REF = _upsert("time_refs", "article_id, " + _TIME_REF_COLUMNS, 'article_id, start, "end"')
_UPSERT_QUOTE = _upsert(
    "quotes",
    'article_id, start, "end", text, sentence, kind, speaker, speaker_start, speaker_end, cue',
    'article_id, start, "end"',
)
_UPSERT_DATE = {
    table: _upsert(table, "article_id, date, inferred_at", "article_id")
    for table in ("inferred_dates", "corpus_dates")
}
_UPSERT_CORRECTION = _upsert("date_corrections", "article_id, date, corrected_at", "article_id")
_UPSERT_OUTLET = _upsert("outlet_corrections", "article_id, outlet, corrected_at", "article_id")
_UPSERT_HIDDEN = _upsert("hidden_entries", "date, hidden_at", "date")


class PostgresAnalysisTables:
    """Mixed into :class:`PostgresStore`; uses its connection, reads and transactions."""

    _db: psycopg.Connection[Any]

    def _transaction(self, what: str = "write") -> AbstractContextManager[psycopg.Connection[Any]]:
        raise NotImplementedError  # provided by PostgresStore

    def _rows(self, sql: str, params: Sequence[Any] = (), *, as_dict: bool = False) -> list[Any]:
        raise NotImplementedError  # provided by PostgresStore

    # -- per-article analysis ---------------------------------------------------------------------

    def write_analyses(
        self,
        analyses: Sequence[tuple[ArticleAnalysis, str | None]],
        inferred_dates: dict[str, DateValue | None] | None = None,
    ) -> None:
        """Replace the analysis of each article (with the content id it was made from) and the dates
        inferred from its text, in one transaction."""
        now = _now()
        with self._transaction(f"store the analyses of {len(analyses)} articles") as db, db.cursor() as cur:
            self._write_inferred_dates(cur, inferred_dates or {}, now)
            for analysis, content_id in analyses:
                aid = analysis.article_id
                for table in ("mentions", "time_refs", "quotes"):
                    cur.execute(f"DELETE FROM {table} WHERE article_id = %s", (aid,))
                sentences = json.dumps([[s.start, s.end] for s in analysis.sentences])
                versions = json.dumps(analysis.versions, sort_keys=True)
                expressions = _time_exprs_json(analysis.time_exprs)
                cur.execute(_UPSERT_ANALYSIS, (aid, content_id, versions, sentences, now, expressions))
                cur.executemany(
                    _UPSERT_MENTION,
                    [
                        (aid, m.start, m.end, m.text, m.label, m.key, m.sentence, m.role)
                        for m in analysis.mentions
                    ],
                )
                cur.executemany(_UPSERT_TIME_REF, [_time_ref_row(aid, t) for t in analysis.time_refs])
                cur.executemany(
                    _UPSERT_QUOTE,
                    [
                        (
                            aid,
                            q.start,
                            q.end,
                            q.text,
                            q.sentence,
                            q.kind,
                            q.speaker,
                            q.speaker_start,
                            q.speaker_end,
                            q.cue,
                        )
                        for q in analysis.quotes
                    ],
                )

    def replace_time_refs(self, article_id: str, time_refs: Sequence[TimeRef]) -> None:
        with self._transaction("replace time references") as db, db.cursor() as cur:
            cur.execute("DELETE FROM time_refs WHERE article_id = %s", (article_id,))
            cur.executemany(_UPSERT_TIME_REF, [_time_ref_row(article_id, t) for t in time_refs])

    def analysis_state(self) -> dict[str, tuple[str | None, dict[str, str]]]:
        """article id -> (content id analysed, stage versions), to redo only what changed."""
        rows = self._rows("SELECT article_id, content_id, versions FROM analyses")
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    def get_analysis(self, article_id: str, *, expressions: bool = True) -> ArticleAnalysis | None:
        found = self._rows(
            f"SELECT versions, sentences, {'time_exprs' if expressions else 'NULL'} FROM analyses "
            "WHERE article_id = %s",
            (article_id,),
        )
        if not found:
            return None
        versions, sentences, expressions = found[0]
        analysis = ArticleAnalysis(
            article_id=article_id,
            sentences=[Sentence(a, b) for a, b in json.loads(sentences)],
            versions=json.loads(versions),
            time_exprs=_time_exprs(expressions),
        )
        analysis.mentions = [
            mention_from_row(r)
            for r in self._rows(
                'SELECT start, "end", text, label, key, sentence, role FROM mentions WHERE article_id = %s '
                "ORDER BY start",
                (article_id,),
            )
        ]
        analysis.time_refs = [
            _time_ref(r)
            for r in self._rows(
                f"SELECT {_TIME_REF_COLUMNS} FROM time_refs WHERE article_id = %s ORDER BY start",
                (article_id,),
            )
        ]
        analysis.quotes = [
            quote_from_row(r)
            for r in self._rows(
                'SELECT start, "end", text, sentence, kind, speaker, speaker_start, speaker_end, cue '
                "FROM quotes WHERE article_id = %s ORDER BY start",
                (article_id,),
            )
        ]
        return analysis

    def iter_analysed_ids(self) -> Iterator[str]:
        rows = self._rows(
            "SELECT a.article_id FROM analyses a JOIN articles b ON a.article_id = b.id ORDER BY b.seq"
        )
        yield from (r[0] for r in rows)

    # -- entities ---------------------------------------------------------------------------------

    def replace_entities(self, entities: Iterable[Entity], mapping: dict[tuple[str, str], str]) -> None:
        rows = [
            (
                e.id,
                e.name,
                e.label,
                json.dumps(e.aliases, ensure_ascii=False),
                json.dumps(e.roles, ensure_ascii=False),
                json.dumps([[m.alias, m.reason, m.source] for m in e.merges], ensure_ascii=False),
                e.articles,
            )
            for e in entities
        ]
        with self._transaction("replace the entities") as db, db.cursor() as cur:
            cur.execute("DELETE FROM entities")
            cur.execute("DELETE FROM mention_entities")
            cur.executemany(
                "INSERT INTO entities (id, name, label, aliases, roles, merges, articles) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            cur.executemany(
                "INSERT INTO mention_entities (article_id, key, entity_id) VALUES (%s, %s, %s)",
                [(aid, key, eid) for (aid, key), eid in mapping.items()],
            )

    def list_entities(self, label: str | None = None) -> list[Entity]:
        sql, params = "SELECT id, name, label, aliases, roles, merges, articles FROM entities", ()
        if label:
            sql, params = sql + " WHERE label = %s", (label.upper(),)
        rows = self._rows(sql + " ORDER BY articles DESC, name", params)
        return [
            Entity(
                id=r[0],
                name=r[1],
                label=r[2],
                aliases=json.loads(r[3]),
                roles=json.loads(r[4]),
                merges=[Merge(*m) for m in json.loads(r[5])],
                articles=r[6],
            )
            for r in rows
        ]

    def entity_of(self, article_id: str) -> dict[str, str]:
        """Mention key -> entity id, for one article."""
        rows = self._rows("SELECT key, entity_id FROM mention_entities WHERE article_id = %s", (article_id,))
        return {shared(r[0]): shared(r[1]) for r in rows}

    def add_entity_override(self, override: EntityOverride) -> None:
        with self._transaction("store an entity override") as db:
            db.execute(
                "INSERT INTO entity_overrides(kind, alias, entity_id, created_at) VALUES (%s, %s, %s, %s)",
                (override.kind, override.alias, override.entity_id, _now()),
            )

    def entity_overrides(self) -> list[EntityOverride]:
        rows = self._rows("SELECT kind, alias, entity_id FROM entity_overrides ORDER BY id")
        return [EntityOverride(*r) for r in rows]

    # -- dates found after ingest -----------------------------------------------------------------

    def set_inferred_dates(self, dates: dict[str, DateValue | None]) -> None:
        with self._transaction("store inferred dates") as db, db.cursor() as cur:
            self._write_inferred_dates(cur, dates, _now())

    def set_corpus_dates(self, dates: dict[str, DateValue | None]) -> None:
        with self._transaction("store dates inferred from the corpus") as db, db.cursor() as cur:
            self._write_inferred_dates(cur, dates, _now(), table="corpus_dates")

    @staticmethod
    def _write_inferred_dates(
        cur: psycopg.Cursor[Any], dates: dict[str, DateValue | None], now: str, table: str = "inferred_dates"
    ) -> None:
        """Dates inferred from an article's text (``inferred_dates``) or from the corpus (``corpus_dates``);
        None removes one."""
        cur.execute(
            f"DELETE FROM {table} WHERE article_id = ANY(%s)",
            ([aid for aid, value in dates.items() if value is None],),
        )
        cur.executemany(
            _UPSERT_DATE[table],
            [(aid, _date_json(value), now) for aid, value in dates.items() if value is not None],
        )

    def set_date_correction(self, article_id: str, value: DateValue | None) -> None:
        with self._transaction(f"correct the date of {article_id}") as db:
            if value is None:
                db.execute("DELETE FROM date_corrections WHERE article_id = %s", (article_id,))
            else:
                db.execute(_UPSERT_CORRECTION, (article_id, _date_json(value), _now()))

    def dates_found_later(self) -> dict[str, tuple[DateValue | None, DateValue | None]]:
        """article id -> (user correction, inferred date), for the articles that have either."""
        rows = self._rows(
            "SELECT coalesce(c.article_id, i.article_id), c.date, i.date FROM date_corrections c FULL JOIN "
            "(SELECT coalesce(k.article_id, t.article_id) AS article_id, coalesce(k.date, t.date) AS date "
            "FROM inferred_dates t FULL JOIN corpus_dates k ON k.article_id = t.article_id) i "
            "ON i.article_id = c.article_id"
        )
        return {r[0]: tuple(DateValue.from_dict(json.loads(d)) if d else None for d in r[1:]) for r in rows}

    # -- other user corrections -------------------------------------------------------------------

    def set_outlet_correction(self, article_id: str, outlet: str | None) -> None:
        with self._transaction(f"correct the outlet of {article_id}") as db:
            if outlet is None:
                db.execute("DELETE FROM outlet_corrections WHERE article_id = %s", (article_id,))
            else:
                db.execute(_UPSERT_OUTLET, (article_id, outlet, _now()))

    def hidden_entries(self) -> set[str]:
        return {r[0] for r in self._rows("SELECT date FROM hidden_entries")}

    def set_entry_hidden(self, date: str, hidden: bool) -> None:
        with self._transaction(f"hide or show the entry of {date}") as db:
            if hidden:
                db.execute(_UPSERT_HIDDEN, (date, _now()))
            else:
                db.execute("DELETE FROM hidden_entries WHERE date = %s", (date,))

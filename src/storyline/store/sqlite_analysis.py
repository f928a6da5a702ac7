"""SQLite tables of the analysis: mentions, time references, quotes, entities, dates found later.

Computed results (analyses, entities, inferred dates) are replaced freely by a re-analysis; what users
decided (date corrections, entity overrides) lives in tables of its own that no computation writes.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from ..analysis import ArticleAnalysis, Entity, Mention, Merge, Quote, Sentence, TimeExpression, TimeRef
from ..model import DatePrecision, DateValue
from .base import EntityOverride


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteAnalysisTables:
    """Mixed into :class:`SQLiteStore`; uses its connection and transactions."""

    _db: sqlite3.Connection

    def _transaction(self) -> Any:  # provided by SQLiteStore
        raise NotImplementedError

    # -- per-article analysis ---------------------------------------------------------------------

    def write_analyses(
        self,
        analyses: Sequence[tuple[ArticleAnalysis, str | None]],
        inferred_dates: dict[str, DateValue | None] | None = None,
    ) -> None:
        """Replace the analysis of each article (with the content id it was made from) and the dates
        inferred from its text, in one transaction."""
        now = _now()
        with self._transaction():
            self._write_inferred_dates(inferred_dates or {}, now)
            for analysis, content_id in analyses:
                aid = analysis.article_id
                for table in ("mentions", "time_refs", "quotes"):
                    self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (aid,))
                self._db.execute(
                    "INSERT OR REPLACE INTO analyses"
                    "(article_id, content_id, versions, sentences, analysed_at, time_exprs) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        aid,
                        content_id,
                        json.dumps(analysis.versions, sort_keys=True),
                        json.dumps([[s.start, s.end] for s in analysis.sentences]),
                        now,
                        _time_exprs_json(analysis.time_exprs),
                    ),
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (aid, m.start, m.end, m.text, m.label, m.key, m.sentence, m.role)
                        for m in analysis.mentions
                    ],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO time_refs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [_time_ref_row(aid, t) for t in analysis.time_refs],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        with self._transaction():
            self._db.execute("DELETE FROM time_refs WHERE article_id = ?", (article_id,))
            self._db.executemany(
                "INSERT OR REPLACE INTO time_refs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_time_ref_row(article_id, t) for t in time_refs],
            )

    def analysis_state(self) -> dict[str, tuple[str | None, dict[str, str]]]:
        """article id -> (content id analysed, stage versions), to redo only what changed."""
        rows = self._db.execute("SELECT article_id, content_id, versions FROM analyses")
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    def get_analysis(self, article_id: str, *, expressions: bool = True) -> ArticleAnalysis | None:
        row = self._db.execute(
            f"SELECT versions, sentences, {'time_exprs' if expressions else 'NULL'} FROM analyses "
            "WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        analysis = ArticleAnalysis(
            article_id=article_id,
            sentences=[Sentence(a, b) for a, b in json.loads(row[1])],
            versions=json.loads(row[0]),
            time_exprs=_time_exprs(row[2]),
        )
        analysis.mentions = [
            mention_from_row(r)
            for r in self._db.execute(
                "SELECT start, end, text, label, key, sentence, role FROM mentions WHERE article_id = ? "
                "ORDER BY start",
                (article_id,),
            )
        ]
        analysis.time_refs = [
            _time_ref(r)
            for r in self._db.execute(
                "SELECT start, end, text, sentence, value, precision, end_value, anchor, confidence "
                "FROM time_refs WHERE article_id = ? ORDER BY start",
                (article_id,),
            )
        ]
        analysis.quotes = [
            quote_from_row(r)
            for r in self._db.execute(
                "SELECT start, end, text, sentence, kind, speaker, speaker_start, speaker_end, cue "
                "FROM quotes WHERE article_id = ? ORDER BY start",
                (article_id,),
            )
        ]
        return analysis

    def iter_analysed_ids(self) -> Iterator[str]:
        cursor = self._db.execute(
            "SELECT a.article_id FROM analyses a JOIN articles b ON a.article_id = b.id ORDER BY b.seq"
        )
        while rows := cursor.fetchmany(500):
            yield from (r[0] for r in rows)

    # -- entities ---------------------------------------------------------------------------------

    def replace_entities(self, entities: Iterable[Entity], mapping: dict[tuple[str, str], str]) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM entities")
            self._db.execute("DELETE FROM mention_entities")
            self._db.executemany(
                "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
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
                ],
            )
            self._db.executemany(
                "INSERT INTO mention_entities VALUES (?, ?, ?)",
                [(aid, key, eid) for (aid, key), eid in mapping.items()],
            )

    def list_entities(self, label: str | None = None) -> list[Entity]:
        sql, params = "SELECT * FROM entities", ()
        if label:
            sql, params = sql + " WHERE label = ?", (label.upper(),)
        rows = self._db.execute(sql + " ORDER BY articles DESC, name", params).fetchall()
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
        rows = self._db.execute(
            "SELECT key, entity_id FROM mention_entities WHERE article_id = ?", (article_id,)
        )
        return {shared(r[0]): shared(r[1]) for r in rows}

    def add_entity_override(self, override: EntityOverride) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO entity_overrides(kind, alias, entity_id, created_at) VALUES (?, ?, ?, ?)",
                (override.kind, override.alias, override.entity_id, _now()),
            )

    def entity_overrides(self) -> list[EntityOverride]:
        rows = self._db.execute("SELECT kind, alias, entity_id FROM entity_overrides ORDER BY id")
        return [EntityOverride(*r) for r in rows]

    # -- dates found after ingest -----------------------------------------------------------------

    def set_inferred_dates(self, dates: dict[str, DateValue | None]) -> None:
        with self._transaction():
            self._write_inferred_dates(dates, _now())

    def set_corpus_dates(self, dates: dict[str, DateValue | None]) -> None:
        with self._transaction():
            self._write_inferred_dates(dates, _now(), table="corpus_dates")

    def _write_inferred_dates(
        self, dates: dict[str, DateValue | None], now: str, table: str = "inferred_dates"
    ) -> None:
        """Dates inferred from an article's text (``inferred_dates``) or from the corpus (``corpus_dates``);
        None removes one."""
        for article_id, value in dates.items():
            if value is None:
                self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            else:
                self._db.execute(
                    f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)",
                    (article_id, json.dumps(value.to_dict(), ensure_ascii=False), now),
                )

    def set_date_correction(self, article_id: str, value: DateValue | None) -> None:
        with self._transaction():
            if value is None:
                self._db.execute("DELETE FROM date_corrections WHERE article_id = ?", (article_id,))
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO date_corrections VALUES (?, ?, ?)",
                    (article_id, json.dumps(value.to_dict(), ensure_ascii=False), _now()),
                )

    # -- other user corrections ---------------------------------------------------------------------

    def set_outlet_correction(self, article_id: str, outlet: str | None) -> None:
        with self._transaction():
            if outlet is None:
                self._db.execute("DELETE FROM outlet_corrections WHERE article_id = ?", (article_id,))
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO outlet_corrections VALUES (?, ?, ?)", (article_id, outlet, _now())
                )

    def hidden_entries(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT date FROM hidden_entries")}

    def set_entry_hidden(self, date: str, hidden: bool) -> None:
        with self._transaction():
            if hidden:
                self._db.execute("INSERT OR REPLACE INTO hidden_entries VALUES (?, ?)", (date, _now()))
            else:
                self._db.execute("DELETE FROM hidden_entries WHERE date = ?", (date,))

    def dates_found_later(self) -> dict[str, tuple[DateValue | None, DateValue | None]]:
        """article id -> (user correction, inferred date), for the articles that have either."""
        found: dict[str, list[DateValue | None]] = {}
        for r in self._db.execute("SELECT article_id, date FROM date_corrections"):
            found.setdefault(r[0], [None, None])[0] = DateValue.from_dict(json.loads(r[1]))
        for r in self._db.execute(
            "SELECT coalesce(k.article_id, i.article_id), coalesce(k.date, i.date) FROM inferred_dates i "
            "FULL JOIN corpus_dates k ON k.article_id = i.article_id"
        ):
            found.setdefault(r[0], [None, None])[1] = DateValue.from_dict(json.loads(r[1]))
        return {k: (v[0], v[1]) for k, v in found.items()}


def _time_ref_row(article_id: str, t: TimeRef) -> tuple[Any, ...]:
    return (
        article_id,
        t.start,
        t.end,
        t.text,
        t.sentence,
        t.value,
        str(t.precision) if t.precision else None,
        t.end_value,
        t.anchor,
        t.confidence,
    )


def shared(value: Any) -> Any:
    """One object for each repeated string read back (labels, keys, entity ids, dates, cue words): a
    corpus stage holds every article's analysis, and each row would otherwise bring its own copies
    (measured on Timeline17's 1,460 BP-spill articles: 42.5 KB an article held before, see
    docs/benchmarks.md)."""
    return sys.intern(value) if isinstance(value, str) else value


def mention_from_row(r: Sequence[Any]) -> Mention:
    """A mention from its columns: start, end, text, label, key, sentence, role."""
    return Mention(r[0], r[1], shared(r[2]), shared(r[3]), shared(r[4]), r[5], shared(r[6]))


def quote_from_row(r: Sequence[Any]) -> Quote:
    """A quote from its columns: start, end, text, sentence, kind, speaker, speaker_start, speaker_end,
    cue."""
    return Quote(r[0], r[1], r[2], r[3], shared(r[4]), shared(r[5]), r[6], r[7], shared(r[8]))


def _time_ref(r: Sequence[Any]) -> TimeRef:
    return TimeRef(
        start=r[0],
        end=r[1],
        text=shared(r[2]),
        sentence=r[3],
        value=shared(r[4]),
        precision=DatePrecision(r[5]) if r[5] else None,
        end_value=shared(r[6]),
        anchor=shared(r[7]),
        confidence=r[8],
    )


def _time_exprs_json(expressions: Sequence[TimeExpression] | None) -> str | None:
    """The expressions of an analysis as compact JSON, in their order (None: not recorded):
    ``[start, end, sentence, tense, in_quote, reported, speech_start, speech_end]`` each, the speech
    span null when there is none."""
    if expressions is None:
        return None
    return json.dumps(
        [
            [
                e.start,
                e.end,
                e.sentence,
                e.tense,
                int(e.in_quote),
                int(e.reported),
                *(e.speech or (None, None)),
            ]
            for e in expressions
        ],
        separators=(",", ":"),
    )


def _time_exprs(text: str | None) -> list[TimeExpression] | None:
    if text is None:
        return None
    return [
        TimeExpression(
            start, end, sentence, tense, bool(in_quote), bool(reported), None if s is None else (s, e)
        )
        for start, end, sentence, tense, in_quote, reported, s, e in json.loads(text)
    ]

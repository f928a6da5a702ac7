"""What every Store backend promises, run against SQLite and PostgreSQL alike.

PostgreSQL runs on a database of its own (``storyline_test_<random>`` on the local server, or on
``STORYLINE_TEST_POSTGRES``), emptied between tests and dropped at the end. When no server answers the
PostgreSQL cases are skipped, unless ``STORYLINE_REQUIRE_POSTGRES=1`` (CI) makes that a failure.
SQLite-only behaviour (WAL, migrating old files, FTS5 syntax) stays in test_store.py.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner

from conftest import make_article
from storyline.analysis import (
    ArticleAnalysis,
    Entity,
    Mention,
    Merge,
    Quote,
    Sentence,
    TimeExpression,
    TimeRef,
)
from storyline.config import resolve_settings
from storyline.errors import NotFoundError, StoreError
from storyline.model import Article, DateMethod, DatePrecision, DateValue, FieldMethod, ReadFailure, Removal
from storyline.store import Store, open_store
from storyline.store.base import EntityOverride

ADMIN_URL = os.environ.get("STORYLINE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRED = os.environ.get("STORYLINE_REQUIRE_POSTGRES") == "1"


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL not available for the store contract tests: {reason}"
    if REQUIRED:
        pytest.fail(message + " (STORYLINE_REQUIRE_POSTGRES=1 requires it)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database for this test session, dropped afterwards."""
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        _unavailable(f"cannot connect to {ADMIN_URL} ({str(exc).strip()})")
    name = f"storyline_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
            open_store(url).close()  # migrated once; each test then empties it (see _empty)
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty(url: str) -> None:
    """Every table emptied: the database as a new one, without migrating again. (DELETE, not TRUNCATE:
    on a few rows it is ten times faster.)"""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db, db.transaction():
        tables = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('schema_migrations', 'store_state')"
        ).fetchall()
        # Tables that others refer to go last.
        for (table,) in sorted(tables, key=lambda t: t[0] in ("articles", "ingest_runs")):
            db.execute(f"DELETE FROM {table}")


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where an empty store lives: a SQLite file or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    url: str = request.getfixturevalue("postgres_url")
    _empty(url)
    return url


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    with open_store(location) as opened:
        yield opened


def stored(store: Store, *articles: Article, failures: tuple[ReadFailure, ...] = ()) -> int:
    run = store.start_run(["fixture"])
    store.write_batch(run.id, list(articles), list(failures))
    return run.id


def day(value: str, method: DateMethod = DateMethod.METADATA, confidence: float = 1.0) -> DateValue:
    return DateValue(value, DatePrecision.DAY, method, confidence, f"evidence of {value}")


# -- articles ---------------------------------------------------------------------------------------


def test_article_round_trip_keeps_every_field(store: Store) -> None:
    published = DateValue("2024-04-08", DatePrecision.DAY, DateMethod.DATELINE, 1.0, "Beijing, 8 April 2024")
    article = make_article(
        "Cleaned body, ünïcode — and “quotes”.",
        source="a/b.txt",
        title="A title",
        title_method=FieldMethod.FIRST_LINE,
        outlet="TDI",
        outlet_method=FieldMethod.DATELINE,
        author="A. Writer",
        language="en",
        url="https://example.org/a",
        publication_date=published,
        modification_date=DateValue("2024-04", DatePrecision.MONTH, DateMethod.METADATA, 0.5),
        extracted_text="Cleaned body.",
        removed=[Removal("Follow us", "share-widget")],
        extra={"line": 3, "nested": {"k": [1, 2]}},
        content_id="c1",
        minhash=bytes(range(256)),
        duplicate_similarity=0.8125,
        stage_versions={"clean": "1"},
    )
    run_id = stored(store, article, failures=(ReadFailure("bad.bin", "binary file, not text", line=7),))
    assert store.get_article(article.id) == article
    assert store.get_article(article.id[:6].upper()) == article, "a prefix, in any case"
    assert store.failures(run_id) == [ReadFailure("bad.bin", "binary file, not text", line=7)]


def test_unknown_malformed_or_ambiguous_ids_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_article("abc")
    with pytest.raises(NotFoundError, match="hexadecimal"):
        store.get_article("'; DROP TABLE articles; --")
    # 17 ids over 16 hex digits: two of them start alike.
    articles = [make_article(f"article {n}", source=f"{n}.txt") for n in range(17)]
    stored(store, *articles)
    firsts = [a.id[0] for a in articles]
    shared = next(c for c in firsts if firsts.count(c) > 1)
    with pytest.raises(NotFoundError, match="several"):
        store.get_article(shared)
    assert store.count_articles() == 17


def test_a_failed_batch_leaves_nothing_behind(store: Store) -> None:
    run = store.start_run([])
    store.write_batch(run.id, [make_article("first", source="1.txt")], [])
    with pytest.raises(StoreError):
        # The second article of the batch cannot be stored: the first must not be either.
        store.write_batch(
            run.id,
            [make_article("second", source="2.txt"), make_article("third", source="3.txt", minhash=[1])],
            [ReadFailure("x.txt", "unreadable")],
        )
    assert store.count_articles() == 1
    assert store.failures() == []


def test_articles_come_in_ingest_order_and_duplicates_can_be_left_out(store: Store) -> None:
    first = make_article("one", source="b.txt", content_id="c", minhash=b"\x01")
    second = make_article(
        "one", source="a.txt", content_id="c", duplicate_of=first.id, duplicate_similarity=1.0
    )
    third = make_article("three", source="0.txt")
    stored(store, first, second)
    stored(store, third)
    assert [a.source for a in store.iter_articles()] == ["b.txt", "a.txt", "0.txt"]
    assert [a.source for a in store.iter_articles(include_duplicates=False)] == ["b.txt", "0.txt"]
    assert [(f.article_id, f.content_id, f.minhash, f.duplicate_of) for f in store.iter_fingerprints()] == [
        (first.id, "c", b"\x01", None),
        (second.id, "c", None, first.id),
        (third.id, None, None, None),
    ]


def test_fingerprints_after_a_seq_are_those_stored_since(store: Store) -> None:
    articles = [make_article(f"article {n}", source=f"{n}.txt") for n in range(5)]
    stored(store, *articles[:3])
    last = list(store.iter_fingerprints())[-1].seq
    stored(store, *articles[3:])
    assert [f.article_id for f in store.iter_fingerprints(after=last)] == [a.id for a in articles[3:]]


def test_grouping_runs_under_the_write_lock_so_another_writer_waits_for_it(
    store: Store, location: str
) -> None:
    """What an ingest's duplicate grouping reads cannot change before its batch is written: another
    connection's write that starts meanwhile waits, and then sees the batch."""
    first, second = make_article("first", source="1.txt"), make_article("second", source="2.txt")
    seen_by_other: list[list[str]] = []

    def other_writer() -> None:
        with open_store(location) as other:
            run = other.start_run(["other"])
            other.write_batch(
                run.id,
                [second],
                [],
                group=lambda batch: (
                    seen_by_other.append([f.article_id for f in other.iter_fingerprints()]) or list(batch)
                ),
            )

    def group(batch: Sequence[Article]) -> list[Article]:
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the other writer went ahead while this batch was being grouped"
        return list(batch)

    thread = threading.Thread(target=other_writer)
    run = store.start_run(["this"])
    assert store.write_batch(run.id, [first], [], group=group) == [first]
    thread.join(timeout=30)
    assert seen_by_other == [[first.id]]
    assert [a.id for a in store.iter_articles()] == [first.id, second.id]


def test_many_articles_are_all_read_back_in_order(store: Store) -> None:
    articles = [make_article(f"article number {n}", source=f"{n:04}.txt") for n in range(450)]
    stored(store, *articles[:300])
    stored(store, *articles[300:])
    assert [a.id for a in store.iter_articles()] == [a.id for a in articles]
    assert [f.article_id for f in store.iter_fingerprints()] == [a.id for a in articles]


def test_storing_an_article_again_changes_nothing(store: Store) -> None:
    article = make_article("the same", source="same.txt", title="First")
    stored(store, article)
    stored(store, article.evolve(title="Second"))
    assert store.count_articles() == 1
    assert store.get_article(article.id).title == "First"
    assert store.existing_ids([article.id, "0" * 16, article.id]) == {article.id}
    assert store.existing_ids([]) == set()


def test_a_slim_read_leaves_out_the_raw_text_and_keeps_the_stored_ids(store: Store) -> None:
    # Raw text different from the cleaned one, as for a web page: the id hashes the raw text.
    page = make_article(
        "Body.",
        source="p.html",
        publication_date=day("2024-04-08"),
        outlet="TDI",
        extracted_text="Body. Share this",
        removed=[Removal("Share this", "share-widget")],
        content_id="c1",
        minhash=bytes(range(64)),
    ).evolve(raw_text="<html><p>Body.</p><p>Share this</p></html>")
    copy = make_article("Body.", source="q.html", duplicate_of=page.id, duplicate_similarity=1.0)
    stored(store, page, copy)
    store.set_date_correction(page.id, day("2024-04-09", DateMethod.MANUAL))
    store.set_outlet_correction(copy.id, "Radio Alder")
    store.set_corpus_dates({copy.id: day("2024-04-10", DateMethod.CORPUS, 0.6)})
    for options in ({}, {"corpus_dates": False}, {"include_duplicates": False}):
        whole = list(store.iter_articles(**options))
        slim = list(store.iter_articles(**options, slim=True))
        assert [a.id for a in slim] == [a.id for a in whole], options
        for light, full in zip(slim, whole, strict=True):
            assert full.raw_text_read and not light.raw_text_read
            assert light.raw_text == "" and light.text == full.text
            left_out = {"raw_text": light.raw_text, "extracted_text": None, "removed": [], "minhash": None}
            assert light == dataclasses.replace(full, **left_out), "all else as a whole read"
    light = next(store.iter_articles(slim=True))
    assert light.evolve(title="Another").id == page.id, "the stored id survives a copy"
    assert light.evolve(raw_text="new text").id != page.id, "a new raw text makes a new id"
    with pytest.raises(ValueError, match="without its raw text"):
        _ = light.evolve(source="elsewhere.html").id


def test_a_slim_article_is_never_stored(store: Store) -> None:
    first = make_article("first", source="1.txt")
    stored(store, first)
    light = next(store.iter_articles(slim=True))
    run = store.start_run([])
    for batch in ([light], [make_article("second", source="2.txt"), light.evolve(title="Changed")]):
        with pytest.raises(ValueError, match="without its raw text"):
            store.write_batch(run.id, batch, [ReadFailure("x.txt", "unreadable")])
    assert store.count_articles() == 1 and store.failures() == [], "the whole batch was refused"
    assert store.get_article(first.id) == first


# -- search -----------------------------------------------------------------------------------------


@pytest.fixture
def searchable(store: Store) -> Store:
    stored(
        store,
        make_article("The dam spillway opened at dawn after heavy rain.", source="1.txt", title="Spillway"),
        make_article("Council approves the budget for the dam repairs.", source="2.txt", title="Budget"),
        make_article("Shelters fill up as the river rises.", source="3.txt", title="Shelters"),
    )
    return store


def test_search_finds_words_of_text_and_title_and_marks_them(searchable: Store) -> None:
    hits = searchable.search("spillway")
    assert [h.title for h in hits] == ["Spillway"]
    assert "[spillway]" in hits[0].snippet.lower()
    assert {h.title for h in searchable.search("dam")} == {"Spillway", "Budget"}
    assert [h.title for h in searchable.search("shelters")] == ["Shelters"]
    assert searchable.search("volcano") == []


def test_search_ranks_best_first_and_limits(searchable: Store) -> None:
    hits = searchable.search("dam", limit=1)
    assert len(hits) == 1
    ranked = searchable.search("dam OR river")
    assert [h.rank for h in ranked] == sorted(h.rank for h in ranked), "lower rank is better"


def test_bad_query_syntax_never_raises_anything_but_a_store_error(searchable: Store) -> None:
    for query in (
        '"unbalanced',
        "AND",
        "NOT",
        "OR dam",
        "(",
        ")",
        "*",
        "a:b",
        "'",
        "NEAR(",
        "-",
        '""',
        "",
        " ",
        "\\",
    ):
        try:
            hits = searchable.search(query)
        except StoreError as exc:
            assert query in str(exc)
        else:
            assert isinstance(hits, list), query


# -- runs and failures ------------------------------------------------------------------------------


def test_runs_and_their_failures(store: Store) -> None:
    assert store.last_run() is None
    first = store.start_run(["a/", "b.jsonl"])
    store.write_batch(first.id, [], [ReadFailure("a/x.bin", "binary file, not text")])
    first.counts = {"stored": 0, "failed": 1}
    store.finish_run(first)
    second = store.start_run(["c.csv"])
    store.write_batch(second.id, [], [ReadFailure("c.csv", "no text column", line=4)])
    last = store.last_run()
    assert last is not None and last.id == second.id and last.inputs == ["c.csv"] and last.finished_at is None
    assert second.id != first.id
    assert store.failures(first.id) == [ReadFailure("a/x.bin", "binary file, not text")]
    assert store.failures() == [
        ReadFailure("a/x.bin", "binary file, not text"),
        ReadFailure("c.csv", "no text column", line=4),
    ]
    store.finish_run(second)
    last = store.last_run()
    assert last is not None and last.finished_at is not None and last.counts == {}


# -- analyses ---------------------------------------------------------------------------------------


def analysis_of(article: Article, versions: dict[str, str] | None = None) -> ArticleAnalysis:
    return ArticleAnalysis(
        article_id=article.id,
        sentences=[Sentence(0, 40), Sentence(41, 80)],
        mentions=[
            Mention(0, 5, "Varga", "PERSON", "Elena Varga", 0, "Mayor"),
            Mention(20, 28, "Riverton", "GPE", "Riverton", 1),
        ],
        time_refs=[
            TimeRef(10, 16, "Monday", 0, "2025-03-10", DatePrecision.DAY, None, "publication", 0.9),
            TimeRef(50, 62, "8 to 9 April", 1, "2024-04-08", DatePrecision.DAY, "2024-04-09"),
            TimeRef(70, 75, "later", 1, None, None, anchor="context", confidence=0.1),
        ],
        quotes=[
            Quote(41, 60, "We will", 1, "direct", "Elena Varga", 0, 5, "said"),
            Quote(61, 70, "x", 1, "mixed", None),
        ],
        versions=versions or {"ner": "1", "timex": "2"},
        time_exprs=[
            TimeExpression(10, 16, 0, "past", False, False),
            TimeExpression(50, 62, 1, "", True, True, (10, 16)),
            TimeExpression(70, 75, 1, "future", False, False),
        ],
    )


def test_analyses_round_trip_and_are_replaced_whole(store: Store) -> None:
    article = make_article("text", source="a.txt", content_id="c1")
    other = make_article("other", source="b.txt")
    stored(store, article, other)
    assert store.get_analysis(article.id) is None
    analysis = analysis_of(article)
    store.write_analyses([(analysis, "c1"), (ArticleAnalysis(other.id), None)])
    assert store.get_analysis(article.id) == analysis
    assert store.get_analysis(other.id) == ArticleAnalysis(other.id)
    # Without its expressions (what the corpus stages read): everything else the same.
    without = store.get_analysis(article.id, expressions=False)
    assert without is not None and without.time_exprs is None and analysis.time_exprs
    without.time_exprs = analysis.time_exprs
    assert without == analysis
    assert store.analysis_state() == {article.id: ("c1", {"ner": "1", "timex": "2"}), other.id: (None, {})}

    shorter = ArticleAnalysis(article.id, sentences=[Sentence(0, 4)], versions={"ner": "2"})
    store.write_analyses([(shorter, "c2")])
    assert store.get_analysis(article.id) == shorter, "nothing of the former analysis is left"
    assert store.analysis_state()[article.id] == ("c2", {"ner": "2"})


def test_found_no_expressions_is_not_the_same_as_not_recorded(store: Store) -> None:
    found_none, not_recorded = make_article("a", source="a.txt"), make_article("b", source="b.txt")
    stored(store, found_none, not_recorded)
    store.write_analyses(
        [(ArticleAnalysis(found_none.id, time_exprs=[]), None), (ArticleAnalysis(not_recorded.id), None)]
    )
    assert store.get_analysis(found_none.id).time_exprs == []  # type: ignore[union-attr]
    assert store.get_analysis(not_recorded.id).time_exprs is None  # type: ignore[union-attr]


def test_analyses_stored_before_time_expressions_were_are_migrated(location: str) -> None:
    """A database of schema version 5 opens and keeps its analyses; they read back without expressions,
    so the corpus stage parses those articles again."""
    article = make_article("It rained on Monday.", source="a.txt")
    analysis = dataclasses.replace(analysis_of(article, {"timex": "1"}), time_exprs=None)
    with open_store(location) as store:
        stored(store, article)
        store.write_analyses([(analysis, "c1")])
    _execute(
        location,
        "ALTER TABLE analyses DROP COLUMN time_exprs",
        "DELETE FROM schema_migrations WHERE version = 6",
    )
    with open_store(location) as store:
        assert store.get_analysis(article.id) == analysis
        current = analysis_of(article)
        store.write_analyses([(current, "c1")])
        assert store.get_analysis(article.id) == current


def _execute(location: str, *statements: str) -> None:
    """SQL run on a store's database directly, outside storyline (what an older version left)."""
    if location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as pg:
            for statement in statements:
                pg.execute(statement)  # type: ignore[arg-type]
        return
    db = sqlite3.connect(location)
    with db:
        for statement in statements:
            db.execute(statement)
    db.close()


def test_time_refs_are_replaced_alone(store: Store) -> None:
    article = make_article("text", source="a.txt")
    stored(store, article)
    analysis = analysis_of(article)
    store.write_analyses([(analysis, None)])
    anchored = [TimeRef(10, 16, "Monday", 0, "2025-03-17", DatePrecision.DAY, None, "speech", 0.7)]
    store.replace_time_refs(article.id, anchored)
    back = store.get_analysis(article.id)
    assert back is not None and back.time_refs == anchored
    assert back.mentions == analysis.mentions and back.quotes == analysis.quotes


def test_entities_their_mentions_and_user_overrides(store: Store) -> None:
    a, b = make_article("a", source="a.txt"), make_article("b", source="b.txt")
    stored(store, a, b)
    varga = Entity(
        "person:elena-varga",
        "Elena Varga",
        "PERSON",
        aliases={"Varga": 3, "Elena Varga": 1},
        roles={"Mayor": 2},
        merges=[Merge("Varga", "surname of Elena Varga", "auto")],
        articles=2,
    )
    riverton = Entity("gpe:riverton", "Riverton", "GPE", {"Riverton": 1}, articles=1)
    alder = Entity("gpe:alder", "Alder", "GPE", {"Alder": 1}, articles=1)
    mapping = {
        (a.id, "Elena Varga"): varga.id,
        (b.id, "Elena Varga"): varga.id,
        (a.id, "Riverton"): riverton.id,
    }
    store.replace_entities([riverton, varga, alder], mapping)
    assert store.list_entities() == [varga, alder, riverton], "most articles first, then by name"
    assert store.list_entities("gpe") == [alder, riverton]
    assert store.entity_of(a.id) == {"Elena Varga": varga.id, "Riverton": riverton.id}
    assert store.entity_of("0" * 16) == {}

    store.add_entity_override(EntityOverride("split", "Varga", "person:elena-varga"))
    store.add_entity_override(EntityOverride("merge", "E. Varga", "person:elena-varga"))
    store.replace_entities([alder], {})
    assert store.list_entities() == [alder]
    assert store.entity_of(a.id) == {}
    assert store.entity_overrides() == [
        EntityOverride("split", "Varga", "person:elena-varga"),
        EntityOverride("merge", "E. Varga", "person:elena-varga"),
    ], "what users decided survives a recomputation"


# -- dates and outlets: what was found, what was inferred, what users decided -----------------------


def test_publication_date_is_the_correction_then_the_stated_then_the_inferred(store: Store) -> None:
    stated = make_article("stated", source="s.txt", publication_date=day("2024-04-08"))
    undated = make_article("undated", source="u.txt")
    stored(store, stated, undated)
    inferred = day("2024-04-09", DateMethod.CORPUS, 0.6)
    store.set_inferred_dates({stated.id: day("2020-01-01", DateMethod.TEXT), undated.id: inferred})
    assert store.get_article(stated.id).publication_date == day("2024-04-08"), "a stated date beats a guess"
    assert store.get_article(undated.id).publication_date == inferred

    correction = day("2024-05-01", DateMethod.MANUAL)
    store.set_date_correction(stated.id, correction)
    back = store.get_article(stated.id)
    assert back.publication_date == correction
    assert back.extra["publication_date_as_read"] == day("2024-04-08").to_dict()
    store.set_date_correction(undated.id, correction)
    assert [a.publication_date for a in store.iter_articles()] == [correction, correction]

    store.set_date_correction(stated.id, None)
    store.set_inferred_dates({undated.id: None})
    assert store.get_article(stated.id).publication_date == day("2024-04-08")
    assert store.get_article(undated.id).publication_date == correction, "a correction outlives inference"
    store.set_date_correction(undated.id, None)
    assert store.get_article(undated.id).publication_date is None


def test_a_corpus_date_wins_over_a_text_date_and_can_be_set_aside(store: Store) -> None:
    undated = make_article("undated", source="u.txt")
    stored(store, undated)
    from_text = day("2024-04-07", DateMethod.TEXT, 0.5)
    from_corpus = day("2024-04-09", DateMethod.CORPUS, 0.6)
    store.set_inferred_dates({undated.id: from_text})
    store.set_corpus_dates({undated.id: from_corpus})
    assert store.get_article(undated.id).publication_date == from_corpus
    # What the corpus stage starts from at every run: the articles before any corpus date.
    assert [a.publication_date for a in store.iter_articles(corpus_dates=False)] == [from_text]
    assert store.dates_found_later()[undated.id] == (None, from_corpus)
    store.set_corpus_dates({undated.id: None})
    assert store.get_article(undated.id).publication_date == from_text, "the text date was kept"


def test_dates_inferred_with_an_analysis_are_stored_with_it(store: Store) -> None:
    article = make_article("undated", source="u.txt")
    stored(store, article)
    inferred = day("2025-03-10", DateMethod.TEXT, 0.7)
    store.write_analyses([(ArticleAnalysis(article.id), None)], {article.id: inferred})
    assert store.get_article(article.id).publication_date == inferred
    store.write_analyses([(ArticleAnalysis(article.id), None)], {article.id: None})
    assert store.get_article(article.id).publication_date is None


def test_an_outlet_correction_wins_and_can_be_undone(store: Store) -> None:
    found = make_article("a", source="a.txt", outlet="TDI", outlet_method=FieldMethod.DATELINE)
    unknown = make_article("b", source="b.txt")
    stored(store, found, unknown)
    store.set_outlet_correction(found.id, "The Daily Item")
    store.set_outlet_correction(unknown.id, "Radio Alder")
    store.set_outlet_correction(unknown.id, "Alder Valley Radio")
    back = store.get_article(found.id)
    assert (back.outlet, back.outlet_method) == ("The Daily Item", FieldMethod.MANUAL)
    assert back.extra["outlet_as_read"] == "TDI"
    assert [a.outlet for a in store.iter_articles()] == ["The Daily Item", "Alder Valley Radio"]
    store.set_outlet_correction(found.id, None)
    back = store.get_article(found.id)
    assert (back.outlet, back.outlet_method) == ("TDI", FieldMethod.DATELINE)


def test_hidden_entries(store: Store) -> None:
    assert store.hidden_entries() == set()
    store.set_entry_hidden("2024-04-08", True)
    store.set_entry_hidden("2024-04-08", True)
    store.set_entry_hidden("2024-04", True)
    assert store.hidden_entries() == {"2024-04-08", "2024-04"}
    store.set_entry_hidden("2024-04-08", False)
    store.set_entry_hidden("1999-01-01", False)
    assert store.hidden_entries() == {"2024-04"}


def test_another_connection_sees_the_data_version_move_on_every_write(location: str) -> None:
    with open_store(location) as reader, open_store(location) as writer:
        before = reader.data_version()
        assert reader.data_version() == before, "reading changes nothing"
        article = make_article("a", source="a.txt")
        stored(writer, article)
        after_ingest = reader.data_version()
        assert after_ingest != before
        writer.set_entry_hidden("2024-04-08", True)
        assert reader.data_version() != after_ingest
        after_hiding = reader.data_version()
        writer.set_outlet_correction(article.id, "Radio")
        assert reader.data_version() != after_hiding


def test_reopening_keeps_everything(location: str) -> None:
    article = make_article("kept", source="k.txt", title="Kept")
    with open_store(location) as store:
        stored(store, article)
        store.set_entry_hidden("2024", True)
    with open_store(location) as store:
        assert store.get_article(article.id) == article
        assert store.hidden_entries() == {"2024"}


# -- PostgreSQL only: choosing it, its schema, and the whole pipeline on it ------------------------


def test_a_database_url_selects_postgres_and_anything_else_is_a_sqlite_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/story"
    monkeypatch.setenv("STORYLINE_DB", url)
    assert resolve_settings().db == url, "a URL is not mangled into a path"
    assert resolve_settings(db=Path("x.db")).db == Path("x.db")
    monkeypatch.setenv("STORYLINE_DB", "postgres.db")
    assert resolve_settings().db == Path("postgres.db")


def test_postgres_schema_is_migrated_once_and_a_newer_one_refused_untouched(postgres_url: str) -> None:
    import psycopg

    from storyline.store.postgres import PostgresStore
    from storyline.store.postgres_schema import MIGRATIONS

    _empty(postgres_url)
    with open_store(postgres_url) as store:
        assert isinstance(store, PostgresStore) and store.schema_version() == MIGRATIONS[-1][0]
        stored(store, make_article("kept", source="k.txt"))
    with psycopg.connect(postgres_url, autocommit=True) as db:
        versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == [m[0] for m in MIGRATIONS]
        db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
        try:
            with pytest.raises(StoreError, match="newer storyline"):
                open_store(postgres_url)
            assert db.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        finally:
            db.execute("DELETE FROM schema_migrations WHERE version = 999")


def test_an_unreachable_postgres_server_gives_a_clear_error() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(
        StoreError, match=r"postgresql://storyline:\*\*\*@127\.0\.0\.1:9/none: cannot connect"
    ):
        open_store("postgresql://storyline:secret@127.0.0.1:9/none")


@pytest.mark.shared
def test_building_on_postgres_gives_the_same_timeline_as_on_sqlite(
    lavrov_dir: Path, postgres_url: str, tmp_path: Path
) -> None:
    from storyline.cli import cli

    _empty(postgres_url)
    timelines = []
    for name, db in (("sqlite", str(tmp_path / "story.db")), ("postgres", postgres_url)):
        out = tmp_path / name
        result = CliRunner().invoke(cli, ["build", str(lavrov_dir), "--out", str(out), "--db", db, "--quiet"])
        assert result.exit_code == 0, result.output
        timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
        timeline.pop("generated_at")
        timelines.append(timeline)
    assert timelines[0]["timeline"], "the corpus gives a timeline"
    assert timelines[0] == timelines[1]


def test_messages_and_json_output_never_show_a_database_password(postgres_url: str, tmp_path: Path) -> None:
    from storyline.cli import cli

    parts = postgres_url.split("://", 1)
    with_password = f"{parts[0]}://postgres:hunter2@{parts[1].split('@', 1)[-1]}"
    (tmp_path / "in").mkdir()
    text = "Title\n\nSome text about a flood in a valley.\n"
    (tmp_path / "in" / "a.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "in"), "--db", with_password, "--json"])
    assert result.exit_code == 0, result.output  # trust auth ignores the password
    assert "hunter2" not in result.output and "postgres:***@" in result.output


def test_a_nul_character_in_an_export_is_dropped_so_every_store_keeps_the_row(
    store: Store, tmp_path: Path
) -> None:
    from storyline.pipeline import ingest

    row = {
        "title": "Dam\u0000 report",
        "text": "The spillway\u0000 opened on Monday.",
        "outlet": "Wire\u0000",
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = ingest([tmp_path / "in.jsonl"], store, resolve_settings(db=tmp_path / "unused.db"))
    assert report.counts["stored"] == 1 and not report.failures
    (article,) = store.iter_articles()
    assert "\x00" not in article.raw_text + (article.title or "") + (article.outlet or "")
    assert article.raw_text == "The spillway opened on Monday."

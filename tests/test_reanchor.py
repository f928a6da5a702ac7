"""Re-anchoring time references from the expressions stored with an analysis, without a second parse.

When the corpus stage dates an article (or changes its date), its time references are counted again from
the new date. What the parse says of each expression is stored with the analysis
(:class:`~storyline.analysis.TimeExpression`), so that is pure Python; it must give exactly what
``find_time_refs`` gives on a new parse, and an analysis stored before expressions were falls back to
the parse.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import copy_db, make_article
from storyline.analysis import ArticleAnalysis, TimeRef
from storyline.model import DateMethod, DatePrecision, DateValue
from storyline.stages import timex
from storyline.store import Store, open_store

# Written for these tests: weekdays, day words, a quote dated by "said on Monday", ranges (one whose
# month is in the sentence before), relative months, and a leap-day range that only some years have.
TEXTS = [
    "Engineers opened the main spillway on Monday after three days of rain pushed the reservoir close "
    "to its limit. The governor will visit the valley on Friday, and the dam reopens next week.",
    "Talks between the two unions resumed yesterday and will continue tomorrow, a spokesman said this "
    "morning. Both sides met last night.",
    '"We will sign the agreement the day after tomorrow," the minister said on Monday. Her deputy had '
    "said on Friday that nothing would be signed before the weekend.",
    "The spring fair is planned for April. It will run from 8 to 9 in the old market hall. A second "
    "fair runs from 8 to 9 May.",
    "Prices rose last month and will fall next month, the central bank said. Exports peaked last "
    "September, their highest since the 1990s, and fell in January.",
    "The inquiry heard its last witnesses from 28 to 29 February, the clerk said. Its report is due in "
    "two weeks.",
]


def day(value: str, method: DateMethod = DateMethod.MANUAL) -> DateValue:
    return DateValue(value, DatePrecision.DAY, method)


# None first: an article analysed before it had any date, then dated by the corpus.
ANCHORS = [
    None,
    day("2023-03-05"),
    day("2024-03-05", DateMethod.CORPUS),
    day("2024-12-31"),
    DateValue("2024-06", DatePrecision.MONTH, DateMethod.TEXT),
]


@pytest.fixture(scope="module")
def nlp():
    pytest.importorskip("spacy")
    from storyline.stages.nlp import load_nlp

    return load_nlp()


def stored_analysis(store: Store, text: str, doc) -> ArticleAnalysis:  # noqa: ANN001 - a spaCy Doc
    """The analysis of ``text`` written to and read back from ``store``, as the corpus stage reads it."""
    article = make_article(text, source=f"{abs(hash(text))}.txt")
    run = store.start_run(["fixture"])
    store.write_batch(run.id, [article], [])
    sentences = timex.sentences_of(doc)
    analysis = ArticleAnalysis(article.id, sentences=sentences, time_exprs=timex.time_expressions(doc))
    store.write_analyses([(analysis, None)])
    back = store.get_analysis(article.id)
    assert back is not None
    return back


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_stored_expressions_reanchor_as_a_new_parse_does(nlp, tmp_path: Path, text: str) -> None:
    with open_store(tmp_path / "s.db") as store:
        analysis = stored_analysis(store, text, nlp(text))
    assert analysis.time_exprs, "the texts all have temporal expressions"
    for anchor in ANCHORS:
        expected = timex.find_time_refs(nlp(text), anchor)
        got = timex.anchor_expressions(analysis.time_exprs, text, analysis.sentences, anchor)
        assert got == expected, f"anchored on {anchor}"


def test_every_expression_is_kept_even_one_that_resolved_to_nothing(nlp) -> None:
    text = TEXTS[-1]
    doc = nlp(text)
    first = timex.find_time_refs(doc, day("2023-03-05"))
    assert "from 28 to 29 February" not in [r.text for r in first], "no 29 February in 2023"
    expressions = timex.time_expressions(doc)
    assert "from 28 to 29 February" in [text[e.start : e.end] for e in expressions]
    sentences = timex.sentences_of(doc)
    leap = timex.anchor_expressions(expressions, text, sentences, day("2024-03-05", DateMethod.CORPUS))
    ranged = next(r for r in leap if r.text == "from 28 to 29 February")
    assert (ranged.value, ranged.end_value) == ("2024-02-28", "2024-02-29")
    assert leap == timex.find_time_refs(doc, day("2024-03-05", DateMethod.CORPUS))


def reanchored(nlp, text: str, anchor: DateValue) -> list[TimeRef]:
    """The time references of ``text`` from its expressions, anchored on ``anchor`` without a parse."""
    doc = nlp(text)
    return timex.anchor_expressions(timex.time_expressions(doc), text, timex.sentences_of(doc), anchor)


def test_a_quote_is_counted_from_the_day_the_speaker_spoke(nlp) -> None:
    refs = reanchored(nlp, TEXTS[2], day("2024-03-07"))
    quoted = next(r for r in refs if r.text == "the day after tomorrow")
    # Said on Monday 4 March: two days after that, not after the publication date.
    assert (quoted.value, quoted.anchor) == ("2024-03-06", "speech")


def test_a_month_range_takes_its_month_from_the_sentence_before(nlp) -> None:
    refs = reanchored(nlp, TEXTS[3], day("2024-03-05"))
    first = next(r for r in refs if r.text == "from 8 to 9")
    assert (first.value, first.end_value) == ("2024-04-08", "2024-04-09")


# -- the corpus stage, on the Riverton example ----------------------------------------------------


def corpus_dated(store: Store) -> dict[str, DateValue]:
    return {
        a.id: a.publication_date
        for a in store.iter_articles()
        if a.publication_date is not None and a.publication_date.method == DateMethod.CORPUS
    }


def undo_corpus_stage(store: Store, dated: dict[str, DateValue], nlp) -> None:  # noqa: ANN001
    """Back to before the corpus stage ran: no corpus dates, time references on each article's own date
    (as the per-article analysis left them, parsed anew here)."""
    own = {a.id: a for a in store.iter_articles(corpus_dates=False) if a.id in dated}
    for aid, article in own.items():
        store.replace_time_refs(aid, timex.find_time_refs(nlp(article.text), article.publication_date))
    store.set_corpus_dates({aid: None for aid in dated})


def test_the_corpus_stage_reanchors_as_a_new_parse_would(nlp, riverton_db: Path) -> None:
    with open_store(riverton_db) as store:
        dated = corpus_dated(store)
        assert len(dated) >= 2, "the example has articles only the corpus dates"
        for aid, date in dated.items():
            analysis = store.get_analysis(aid)
            assert analysis is not None and analysis.time_exprs is not None
            expected = timex.find_time_refs(nlp(store.get_article(aid).text), date)
            assert analysis.time_refs == expected


def test_the_corpus_stage_parses_nothing(nlp, riverton_db: Path, tmp_path: Path, monkeypatch) -> None:
    from storyline import analyse
    from storyline.stages import nlp as nlp_module

    with open_store(copy_db(riverton_db, tmp_path)) as store:
        dated = corpus_dated(store)
        before = {aid: store.get_analysis(aid) for aid in dated}
        undo_corpus_stage(store, dated, nlp)

        def no_spacy(*args: object, **kwargs: object) -> None:
            raise AssertionError("the corpus stage loaded spaCy")

        monkeypatch.setattr(nlp_module, "load_nlp", no_spacy)
        assert analyse.infer_dates_from_corpus(store, analyse.stage_versions()) >= len(dated)
        assert corpus_dated(store) == dated
        assert {aid: store.get_analysis(aid) for aid in dated} == before


def test_an_analysis_without_stored_expressions_is_parsed_again(
    nlp, riverton_db: Path, tmp_path: Path, monkeypatch
) -> None:
    from storyline import analyse
    from storyline.engines import tasks

    with open_store(copy_db(riverton_db, tmp_path)) as store:
        dated = corpus_dated(store)
        before = {aid: store.get_analysis(aid) for aid in dated}
        state = store.analysis_state()
        old = sorted(dated)[0]
        older = before[old]
        assert older is not None
        # As an analysis made by the version before expressions were stored.
        versions = {**older.versions, "timex": "1"}
        store.write_analyses(
            [(dataclasses.replace(older, time_exprs=None, versions=versions), state[old][0])]
        )
        undo_corpus_stage(store, dated, nlp)

        parsed: list[str] = []
        time_refs_of = tasks.time_refs_of

        def spy(batch, model):  # noqa: ANN001, ANN202 - the task's own signature
            parsed.extend(text for text, _ in batch)
            return time_refs_of(batch, model)

        monkeypatch.setattr(tasks, "time_refs_of", spy)
        analyse.infer_dates_from_corpus(store, analyse.stage_versions())
        assert parsed == [store.get_article(old).text], "only the old analysis is parsed again"
        after = {aid: store.get_analysis(aid) for aid in dated}
        assert after[old].time_refs == older.time_refs
        assert {aid: a for aid, a in after.items() if aid != old} == {
            aid: a for aid, a in before.items() if aid != old
        }


def test_an_analysis_of_the_former_timex_version_is_redone(riverton_db: Path, tmp_path: Path) -> None:
    from storyline.analyse import _needs_analysis, stage_versions

    with open_store(copy_db(riverton_db, tmp_path)) as store:
        article = next(iter(store.iter_articles()))
        content_id, versions = store.analysis_state()[article.id]
        assert versions["timex"] == timex.TIMEX_VERSION != "1"
        state = {article.id: (content_id, {**versions, "timex": "1"})}
        assert _needs_analysis(article, state, stage_versions())


@pytest.mark.parametrize("dated", [False, True])
def test_analysis_finds_expressions_once_with_the_same_results(nlp, dated: bool) -> None:  # noqa: ANN001
    """analyse_doc hands the expressions it finds to the publication date from the text: the date and the
    stored expressions are what each finds on its own from the parse."""
    from storyline.analyse import analyse_doc, stage_versions
    from storyline.stages.pubdate import infer_from_text

    text = "BEIJING, Oct. 17, 2023 (Xinhua) -- " + TEXTS[2] + " " + TEXTS[0]
    stated = day("2023-10-17", DateMethod.METADATA) if dated else None
    article = make_article(text, publication_date=stated)
    doc = nlp(article.text)
    analysis, inferred = analyse_doc(article, doc, stage_versions())
    on_its_own = infer_from_text(article.evolve(publication_date=None), doc)
    assert inferred == (None if dated else on_its_own)
    assert on_its_own is not None and on_its_own.value == "2023-10-17"
    assert analysis.time_exprs == timex.time_expressions(doc)
    anchor = stated or on_its_own
    assert analysis.time_refs == timex.find_time_refs(doc, anchor)

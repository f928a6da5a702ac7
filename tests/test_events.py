"""Events: look-alike recurring events stay apart, one event's reports merge, past and planned are marked.

The corpora are analysed once per module (spaCy sm); tests/fixtures/events/corpus is our own text, the
Lavrov corpus is read from ../shared at run time (skipped when absent).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, LAVROV
from storyline import pipeline
from storyline.analyse import analyse
from storyline.analysis import Entity
from storyline.config import Settings
from storyline.stages.events import AnalysedArticle, extract_events
from storyline.store import open_store
from storyline.timeline import Event

pytest.importorskip("spacy")
pytest.importorskip("sklearn")

FIXTURES = Path(__file__).parent / "fixtures" / "events" / "corpus"


def analysed_corpus(folder: Path, db: Path) -> tuple[list[AnalysedArticle], dict[str, Entity]]:
    """Ingest and analyse a folder; every article (duplicates included) with its analysis."""
    settings = Settings(db=db)
    store = open_store(settings.db)
    try:
        pipeline.ingest([folder], store, settings)
        analyse(store)
        items = []
        for article in store.iter_articles():
            analysis = store.get_analysis(article.id)
            if analysis is not None:
                items.append(AnalysedArticle(article, analysis, store.entity_of(article.id)))
        return items, {e.id: e for e in store.list_entities()}
    finally:
        store.close()


def by_file(items: list[AnalysedArticle]) -> dict[str, str]:
    """File name -> article id."""
    return {Path(i.article.source).name: i.article.id for i in items}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[AnalysedArticle], list[Event]]:
    items, entities = analysed_corpus(FIXTURES, tmp_path_factory.mktemp("events") / "s.db")
    return items, extract_events(items, entities)


def test_three_yearly_visits_are_three_events(corpus):
    items, events = corpus
    visits = [e for e in events if "person:henrik-solberg" in e.participants and e.status == "reported"]
    assert sorted(e.date for e in visits) == ["2021-05-04", "2022-05-10", "2023-05-09"]
    files = by_file(items)
    visit_2023 = next(e for e in visits if e.date == "2023-05-09")
    assert {files["courier-solberg-tokyo-2023.txt"], files["ledger-solberg-tokyo-2023.txt"]} <= set(
        visit_2023.articles
    )
    assert files["ledger-solberg-tokyo-2021.txt"] not in visit_2023.articles
    assert visit_2023.independent_sources == 2
    assert visit_2023.place == "gpe:tokyo"


def test_background_mention_adds_a_source_to_the_earlier_event(corpus):
    items, events = corpus
    files = by_file(items)
    visit_2022 = next(e for e in events if e.date == "2022-05-10")
    # "Solberg last visited Tokyo in May 2022" in a 2023 article: the 2022 event, not a new one.
    assert files["courier-solberg-tokyo-2023.txt"] in visit_2022.articles
    assert not [e for e in events if e.date == "2022-05"]


def test_reports_of_one_event_merge_and_copies_count_once(corpus):
    items, events = corpus
    files = by_file(items)
    opening = [e for e in events if e.date == "2023-09-12"]
    assert len(opening) == 1
    event = opening[0]
    for name in (
        "coastwire-selden-bridge.txt",
        "bayherald-selden-bridge-copy.txt",
        "meridian-selden-bridge.txt",
        "valleyledger-selden-bridge.txt",
    ):
        assert files[name] in event.articles
    # Coast Wire, Daily Meridian, Valley Ledger: the Bay Herald's wire copy is not a fourth source.
    assert event.independent_sources == 3
    assert "person:alice-dunmore" in event.participants
    assert event.status == "reported"


def test_past_and_planned_events_are_marked(corpus):
    _, events = corpus
    status = {e.date: e.status for e in events}
    assert status["2019-11"] == "past"  # "first met ... in November 2019"
    assert status["2023-10"] == "planned"  # "Arai will travel to Oslo in October"
    assert status["2023-11"] == "planned"  # "plans to reopen the footpath in November"


def test_sentences_cite_their_articles(corpus):
    items, events = corpus
    text = {i.article.id: i.article.text for i in items}
    for event in events:
        assert event.title
        assert event.sentences
        for ref in event.sentences:
            assert text[ref.article_id][ref.start : ref.end] == ref.text
            assert ref.article_id in event.articles


def test_events_are_deterministic(corpus):
    items, events = corpus
    entities = {}
    again = extract_events(items, entities)
    assert [e.id for e in extract_events(items, entities)] == [e.id for e in again]
    assert [e.date for e in events] == sorted(e.date for e in events)


# -- the Lavrov corpus ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lavrov(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[AnalysedArticle], list[Event]]:
    if not LAVROV.is_dir():
        pytest.skip(f"the Lavrov corpus is not beside this checkout: {LAVROV} not found")
    items, entities = analysed_corpus(LAVROV, tmp_path_factory.mktemp("lavrov") / "s.db")
    return items, extract_events(items, entities)


@pytest.mark.shared
def test_lavrov_visits_are_three_events_never_merged(lavrov):
    items, events = lavrov
    number = {i.article.id: Path(i.article.source).name[:3] for i in items}
    visits = {}
    for month in ("2022-02", "2023-10", "2024-04"):
        candidates = [
            e
            for e in events
            if e.date.startswith(month)
            and e.status == "reported"
            and "person:sergey-lavrov" in e.participants
        ]
        assert candidates, month
        visits[month] = max(candidates, key=lambda e: len(e.articles))
    assert {number[a] for a in visits["2024-04"].articles} == {"001", "003", "004"}
    assert visits["2024-04"].date == "2024-04-08"
    assert visits["2024-04"].independent_sources == 3
    # "(TDI)" in 003's dateline names the outlet that reported the visit, not a participant in it.
    assert not any(p.endswith(":tdi") for p in visits["2024-04"].participants)
    assert {number[a] for a in visits["2023-10"].articles} == {"000"}
    assert "002" in {number[a] for a in visits["2022-02"].articles}
    assert not {"000", "003", "004"} & {number[a] for a in visits["2022-02"].articles}


@pytest.mark.shared
def test_lavrov_putin_trip_in_may_is_planned(lavrov):
    _, events = lavrov
    may = [e for e in events if e.date == "2024-05"]
    assert may and all(e.status == "planned" for e in may)
    assert "person:vladimir-putin" in may[0].participants


# -- the demo corpus ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def riverton(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[AnalysedArticle], list[Event]]:
    items, entities = analysed_corpus(EXAMPLES / "riverton-flood", tmp_path_factory.mktemp("river") / "s.db")
    return items, extract_events(items, entities)


def test_riverton_inspections_are_two_events(riverton):
    items, events = riverton
    names = {i.article.id: Path(i.article.source).name for i in items}
    inspection_2024 = [e for e in events if e.date == "2024-04-17"]
    inspection_2025 = [e for e in events if e.date == "2025-05-13"]
    assert len(inspection_2024) == 1 and len(inspection_2025) == 1
    assert inspection_2024[0].id != inspection_2025[0].id
    assert inspection_2024[0].status == inspection_2025[0].status == "reported"
    # The hearing story restates the 2024 inspection: a second source for it, not a new event.
    reporting_2024 = {names[a] for a in inspection_2024[0].articles}
    assert {"riverton-gazette-dam-inspection.html", "valley-courier-inquiry-hearing.html"} <= reporting_2024
    assert "riverton-gazette-dam-inspection.html" not in {names[a] for a in inspection_2025[0].articles}


# -- hand-built analyses (no model) ---------------------------------------------------------------------


def _hand_built(text: str, published: str, day: str, source: str) -> AnalysedArticle:
    """One article of one sentence naming Ada Moreau in Lyon and dating it ``day``."""
    from storyline.analysis import ArticleAnalysis, Mention, Sentence, TimeRef
    from storyline.model import Article, DateMethod, DatePrecision, DateValue

    article = Article(
        source=source,
        raw_text=text,
        text=text,
        outlet=source.split("-")[0],
        publication_date=DateValue(published, DatePrecision.DAY, DateMethod.METADATA),
    )
    name, place = text.index("Ada Moreau"), text.index("Lyon")
    analysis = ArticleAnalysis(
        article_id=article.id,
        sentences=[Sentence(0, len(text))],
        mentions=[
            Mention(name, name + 10, "Ada Moreau", "PERSON", "Ada Moreau", 0),
            Mention(place, place + 4, "Lyon", "GPE", "Lyon", 0),
        ],
        time_refs=[TimeRef(0, 3, "day", 0, day, DatePrecision.DAY, anchor="publication")],
    )
    return AnalysedArticle(article, analysis, {"Ada Moreau": "person:ada-moreau", "Lyon": "gpe:lyon"})


HAND_ENTITIES = {
    "person:ada-moreau": Entity("person:ada-moreau", "Ada Moreau", "PERSON"),
    "gpe:lyon": Entity("gpe:lyon", "Lyon", "GPE"),
}


def test_identical_words_a_week_apart_are_two_events():
    text = "Minister Ada Moreau opened the annual trade fair in Lyon on Monday."
    items = [
        _hand_built(text, "2024-03-04", "2024-03-04", "a-1.txt"),
        _hand_built(text, "2024-03-11", "2024-03-11", "b-1.txt"),
        _hand_built(text.replace("Monday", "Tuesday"), "2024-03-05", "2024-03-05", "c-1.txt"),
    ]
    events = extract_events(items, HAND_ENTITIES)
    assert [(e.date, len(e.articles)) for e in events] == [("2024-03-04", 2), ("2024-03-11", 1)]
    assert events[0].end_date is None or events[0].end_date == "2024-03-05"
    assert events[0].independent_sources == 2
    assert events[0].place == "gpe:lyon"


def test_status_from_publication_date_and_wording():
    past = _hand_built("Ada Moreau last visited Lyon in spring.", "2024-06-01", "2024-03-04", "a-2.txt")
    planned = _hand_built("Ada Moreau will visit Lyon on Friday.", "2024-06-01", "2024-06-07", "b-2.txt")
    news = _hand_built("Ada Moreau visited Lyon on Friday.", "2024-06-01", "2024-05-31", "c-2.txt")
    status = {e.date: e.status for e in extract_events([past, planned, news], HAND_ENTITIES)}
    assert status == {"2024-03-04": "past", "2024-05-31": "reported", "2024-06-07": "planned"}

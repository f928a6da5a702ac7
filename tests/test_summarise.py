"""How the timeline chooses its dates and what speaks for them, on hand-made analyses (no spaCy).

Each article is a list of sentences, each with the days it names; the analyses are what the
per-article stages would store, so these tests pin the timeline's own rules.
"""

from __future__ import annotations

import re

import pytest

from conftest import make_article
from storyline.analysis import ArticleAnalysis, Entity, Sentence, TimeRef
from storyline.model import DateMethod, DatePrecision, DateValue
from storyline.stages.events import AnalysedArticle, extract_events
from storyline.stages.summarise import build_timeline
from storyline.timeline import Event, SentenceRef, Timeline, TimelineOptions

pytest.importorskip("sklearn")

_DAY = re.compile(r"\[(\d{4}-\d{2}-\d{2})\]")


def article(published: str, outlet: str, *sentences: str, title: str | None = None) -> AnalysedArticle:
    """An article whose sentences name the days written in brackets: "Rain fell [2024-03-01]." The
    brackets stay out of the text; each marks a time reference on its sentence."""
    text, spans, refs = "", [], []
    for number, written in enumerate(sentences):
        days = _DAY.findall(written)
        plain = _DAY.sub("", written).strip()
        start = len(text)
        text += plain + " "
        spans.append(Sentence(start, start + len(plain)))
        refs += [TimeRef(start, start + 5, plain[:5], number, day, DatePrecision.DAY) for day in days]
    item = make_article(
        text.strip(),
        source=f"{outlet}-{published}-{sentences[0][:12]}.txt",
        outlet=outlet,
        title=title,
        publication_date=DateValue(published, DatePrecision.DAY, DateMethod.METADATA),
    )
    analysis = ArticleAnalysis(article_id=item.id, sentences=spans, time_refs=refs)
    return AnalysedArticle(item, analysis, {})


def sentence_refs(item: AnalysedArticle) -> list[SentenceRef]:
    """The article's sentences as an event cites them (for hand-made events)."""
    text = item.article.text
    return [
        SentenceRef(item.article.id, s.start, s.end, text[s.start : s.end]) for s in item.analysis.sentences
    ]


def timeline(items: list[AnalysedArticle], **options: object) -> Timeline:
    events = extract_events(items, {})
    return build_timeline(items, events, {}, TimelineOptions(**options))  # type: ignore[arg-type]


def summary_texts(result: Timeline, date: str) -> list[str]:
    entry = next(e for e in result.entries if e.date == date)
    return [ref.text for ref in entry.summary]


def test_the_date_more_articles_name_comes_first_later_look_backs_included() -> None:
    items = [
        article(
            "2024-03-01",
            "Valley Post",
            "The Alder dam failed before dawn, flooding the lower town [2024-03-01].",
        ),
        article(
            "2024-03-10", "Valley Post", "The town council voted to rebuild the market hall [2024-03-10]."
        ),
        article(
            "2024-03-10",
            "Hill Courier",
            "Councillors backed a plan for a new market hall on Sunday [2024-03-10].",
        ),
        # Weeks later, two articles look back at the dam failure: the day it happened is what matters.
        article("2024-03-28", "Hill Courier", "Since the dam failed [2024-03-01], 300 residents have left."),
        article(
            "2024-03-29",
            "Valley Post",
            "Engineers traced the failure of the dam [2024-03-01] to a cracked gate.",
        ),
    ]
    # Two outlets report each day as news; three articles name the day of the failure, two the vote.
    result = timeline(items, max_dates=1, sentences_per_date=1)
    assert [e.date for e in result.entries] == ["2024-03-01"]


def test_an_undated_sentence_speaks_for_its_articles_day_but_never_makes_a_day() -> None:
    items = [
        article(
            "2024-05-06",
            "Valley Post",
            "Flood barriers went up along the river on Monday [2024-05-06].",
            "Crews stacked sandbags outside the school through the night.",
        ),
        article(
            "2024-05-06",
            "Hill Courier",
            "The river rose two metres on Monday [2024-05-06], officials said.",
            "Volunteers carried elderly residents of Mill Lane to the church hall by boat.",
        ),
        # Its lead names an earlier day; nothing in it names its own day, so it adds no entry for it.
        article(
            "2024-05-20",
            "River News",
            "The barriers put up on May 6 [2024-05-06] held back the river, engineers said.",
            "The county will pay for a permanent wall along the quay before next winter.",
        ),
    ]
    result = timeline(items, sentences_per_date=5)
    assert [e.date for e in result.entries] == ["2024-05-06"]
    said = summary_texts(result, "2024-05-06")
    # What the articles of that day say without naming it tells the day too...
    assert "Crews stacked sandbags outside the school through the night." in said
    assert "Volunteers carried elderly residents of Mill Lane to the church hall by boat." in said
    # ... but not what an article of another day says.
    assert not any("permanent wall" in s for s in said)


def test_an_undated_sentence_alone_makes_no_entry() -> None:
    items = [
        article(
            "2024-05-06",
            "Valley Post",
            "Flood barriers went up along the river on Monday [2024-05-06].",
            "Crews stacked sandbags outside the school through the night.",
        ),
    ]
    # The query keeps only the undated sentence: no sentence names a day, so there is no entry.
    assert timeline(items, query="sandbags").entries == []


def test_a_long_sentence_still_speaks_for_a_date_nothing_else_names() -> None:
    long_sentence = (
        "The inquiry into the collapse of the old rail bridge heard [2024-06-03] from "
        + ", ".join(f"witness number {n}" for n in range(1, 30))
        + "."
    )
    items = [article("2024-06-03", "Valley Post", long_sentence)]
    result = timeline(items, max_dates=1, sentences_per_date=1)
    assert [e.date for e in result.entries] == ["2024-06-03"]
    assert len(result.entries[0].summary) == 1


def _entity(entity_id: str, name: str, label: str, *aliases: str) -> Entity:
    return Entity(id=entity_id, name=name, label=label, aliases={a: 1 for a in (name, *aliases)})


def test_an_untitled_timeline_is_named_after_the_person_the_headlines_name() -> None:
    items = [
        article("2024-04-08", "Wire", "Lavrov arrived in Beijing [2024-04-08].", title="Lavrov visits China"),
        article(
            "2024-04-09",
            "Daily",
            "Xi met Lavrov in Beijing [2024-04-09].",
            title="Xi meets Sergey Lavrov in China",
        ),
        article(
            "2024-04-09", "Post", "China and Russia signed a deal [2024-04-09].", title="China signs deal"
        ),
    ]
    entities = {
        e.id: e
        for e in (
            _entity("person:sergey-lavrov", "Sergey Lavrov", "PERSON", "Lavrov"),
            _entity("gpe:china", "China", "GPE"),
            _entity("norp:russian", "Russian", "NORP"),
        )
    }
    events = extract_events(items, entities)
    # China is in three headlines, Lavrov in two: a person named again and again is whose story it is.
    assert build_timeline(items, events, entities, TimelineOptions()).title == "Timeline: Sergey Lavrov"
    # A place named in most headlines when no person is named twice.
    del entities["person:sergey-lavrov"]
    assert build_timeline(items, events, entities, TimelineOptions()).title == "Timeline: China"
    # A query names the timeline.
    assert (
        build_timeline(items, events, entities, TimelineOptions(query="Lavrov")).title == "Timeline: Lavrov"
    )


def test_a_sentence_speaks_for_the_day_it_names_not_for_its_events_day() -> None:
    # One event, the refinery fire, reported mostly on the day it was fought (5 March); one report
    # says when it broke out (4 March). The day the sentence names keeps it, and the article naming it;
    # the fire's day keeps every report of the fire among its sources.
    items = [
        article(
            "2024-03-05", "Harbor Post", "Fire broke out at the Harbor refinery late at night [2024-03-04]."
        ),
        article(
            "2024-03-05", "Bay Courier", "Fire crews fought the fire at the Harbor refinery [2024-03-05]."
        ),
        article("2024-03-05", "City Wire", "Crews fought the Harbor refinery fire all day [2024-03-05]."),
    ]
    refs = [sentence_refs(item)[0] for item in items]
    fire = Event(
        id="fire",
        date="2024-03-05",
        date_precision=DatePrecision.DAY,
        title="Fire at the Harbor refinery",
        articles=[item.article.id for item in items],
        sentences=refs,
    )
    result = build_timeline(items, [fire], {}, TimelineOptions(sentences_per_date=2))
    assert summary_texts(result, "2024-03-04") == [refs[0].text]
    assert refs[0].text not in summary_texts(result, "2024-03-05")
    fought = next(e for e in result.entries if e.date == "2024-03-05")
    assert fought.independent_sources == 3 and fought.events == ["fire"]


def test_with_a_query_every_article_of_the_story_counts_for_the_days_it_names() -> None:
    items = [
        article("2024-03-01", "Wire", "Libyan rebels entered Brega at dawn [2024-03-01]."),
        article("2024-03-02", "Wire", "Libyan rebels took Ajdabiya after a night of shelling [2024-03-02]."),
        # Two more articles of the story name 2 March in sentences without a keyword.
        article(
            "2024-03-03",
            "Post",
            "The fighting in Libya moved east.",
            "Ajdabiya fell to the rebels after a night of shelling [2024-03-02].",
        ),
        article(
            "2024-03-04",
            "Herald",
            "Libya's east is in rebel hands.",
            "The rebels have held Ajdabiya since it fell [2024-03-02].",
        ),
        # Articles of another story (no keyword anywhere) naming 1 March do not count.
        article("2024-03-05", "Post", "The county fair opened on time despite the rain [2024-03-01]."),
        article("2024-03-05", "Herald", "The fair drew record crowds on its first day [2024-03-01]."),
        article(
            "2024-03-06", "Gazette", "Fair organisers thanked the crowds of its opening day [2024-03-01]."
        ),
    ]
    result = timeline(items, query="Libya Libyan", max_dates=1, sentences_per_date=1)
    assert [e.date for e in result.entries] == ["2024-03-02"]
    # Only a sentence with a keyword speaks for the day.
    assert summary_texts(result, "2024-03-02") == ["Libyan rebels took Ajdabiya after a night of shelling ."]


def test_a_day_still_named_days_later_outranks_one_named_only_on_the_day() -> None:
    items = [
        # Three outlets report a storm on the day; nobody names that day again.
        article("2024-03-01", "Post", "A storm closed the coast road overnight [2024-03-01]."),
        article("2024-03-01", "Herald", "Storm winds shut the coast road for hours [2024-03-01]."),
        article("2024-03-01", "Wire", "The coast road was closed by the storm [2024-03-01]."),
        # The levee breach is reported on the day and still named ten and twenty days later.
        article("2024-03-02", "Post", "The river levee at Millbrook breached at noon [2024-03-02]."),
        article("2024-03-12", "Wire", "Since the levee breached [2024-03-02], 400 homes have been cleared."),
        article("2024-03-22", "Post", "An inquiry will ask why the levee failed [2024-03-02]."),
    ]
    result = timeline(items, max_dates=1)
    assert [e.date for e in result.entries] == ["2024-03-02"]


def test_a_sentence_naming_a_day_of_its_multi_day_event_stays_on_that_day() -> None:
    # A two-day visit (8-9 April): the report names the day it was announced (Sunday 7) and the day
    # the visit began (Monday 8); it tells the visit, so it speaks for the 8th, not for the 7th.
    items = [
        article(
            "2024-04-08",
            "Wire",
            "The ministry said on Sunday [2024-04-07] that the minister begins a two-day visit on Monday "
            "[2024-04-08].",
            "The minister met his counterpart for talks on the second day [2024-04-09].",
        )
    ]
    refs = sentence_refs(items[0])
    visit = Event(
        id="visit",
        date="2024-04-08",
        end_date="2024-04-09",
        date_precision=DatePrecision.DAY,
        title="The minister's visit",
        articles=[items[0].article.id],
        sentences=refs,
    )
    result = build_timeline(items, [visit], {}, TimelineOptions(max_dates=5, sentences_per_date=2))
    assert [e.date for e in result.entries] == ["2024-04-08", "2024-04-09"]
    assert summary_texts(result, "2024-04-08") == [refs[0].text]


def test_an_entry_lists_its_days_events_and_only_the_quoted_ones_of_other_days() -> None:
    items = [
        article(
            "2024-03-05", "Harbor Post", "Fire crews fought the fire at the Harbor refinery [2024-03-05]."
        ),
        article("2024-03-05", "Bay Courier", "Crews fought the Harbor refinery fire all day [2024-03-05]."),
        article("2024-03-20", "City Wire", "The inquiry opened into the fire of early March [2024-03-05]."),
    ]
    refs = [sentence_refs(item)[0] for item in items]
    fire = Event(
        id="fire", date="2024-03-05", date_precision=DatePrecision.DAY, title="Fire", sentences=refs[:2]
    )
    inquiry = Event(
        id="inquiry", date="2024-03-20", date_precision=DatePrecision.DAY, title="Inquiry", sentences=refs[2:]
    )
    for per_date, listed in ((1, ["fire"]), (3, ["fire", "inquiry"])):
        result = build_timeline(
            items, [fire, inquiry], {}, TimelineOptions(max_dates=1, sentences_per_date=per_date)
        )
        (entry,) = result.entries
        quoted = {ref.article_id for ref in entry.summary}
        assert (items[2].article.id in quoted) == ("inquiry" in entry.events)
        assert entry.events == listed


def test_a_query_word_finds_the_words_it_begins_a_short_one_only_itself() -> None:
    items = [
        article("2024-03-01", "Post", "Flooding closed the river road at noon [2024-03-01]."),
        article("2024-03-02", "Post", "Crews use sandbags along the levee [2024-03-02]."),
        article("2024-03-03", "Post", "The US sent army engineers to the valley [2024-03-03]."),
    ]
    assert [e.date for e in timeline(items, query="flood").entries] == ["2024-03-01"]
    # "US" is a word of its own: "use" is no match for it.
    assert [e.date for e in timeline(items, query="US").entries] == ["2024-03-03"]


def test_a_sentence_run_across_a_paragraph_break_is_quoted_by_the_line_that_names_its_day() -> None:
    item = article(
        "2024-06-07",
        "Valley Post",
        "Letters to the editor appear on page nine of every edition\n"
        "The quay wall collapsed into the harbour on Friday morning, the harbour master said[2024-06-07].",
    )
    text = item.article.text
    friday = text.index("Friday")
    item.analysis.time_refs = [TimeRef(friday, friday + 6, "Friday", 0, "2024-06-07", DatePrecision.DAY)]
    result = timeline([item], sentences_per_date=2)
    entry = next(e for e in result.entries if e.date == "2024-06-07")
    assert [ref.text for ref in entry.summary] == [
        "The quay wall collapsed into the harbour on Friday morning, the harbour master said."
    ]
    # The citation still points at those words in the article.
    assert all(text[ref.start : ref.end] == ref.text for ref in entry.summary)


def test_wire_datelines_and_reader_comments_are_not_quoted() -> None:
    items = [
        article(
            "2024-06-04",
            "Valley Post",
            "Tue Jun 4, 2024 6:36 pm EST RIVERTON (Wire) - The ferry service to the islands stopped after "
            "the storm on Tuesday[2024-06-04].",
        ),
        article(
            "2024-06-04",
            "Hill Courier",
            "June 4, 2024 at 6:11 pm | The ferry should never have sailed to the islands on Tuesday "
            "[2024-06-04].",
        ),
        article(
            "2024-06-05",
            "River News",
            "PORT ELLEN: Harbour staff said the ferry to the islands stopped on Tuesday[2024-06-04].",
        ),
    ]
    result = timeline(items, sentences_per_date=5)
    assert summary_texts(result, "2024-06-04") == [
        "The ferry service to the islands stopped after the storm on Tuesday.",
        "Harbour staff said the ferry to the islands stopped on Tuesday.",
    ]
    # A reader's comment is neither quoted nor a source of the entry.
    entry = next(e for e in result.entries if e.date == "2024-06-04")
    assert entry.outlets == ["River News", "Valley Post"]

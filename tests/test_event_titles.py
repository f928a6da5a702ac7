"""What an event is called and which day it is given, on hand-made analyses (no spaCy)."""

from __future__ import annotations

import pytest

from storyline.stages.events import extract_events
from test_summarise import article

pytest.importorskip("sklearn")


def test_an_event_is_called_by_the_headline_of_an_article_that_leads_with_it() -> None:
    items = [
        article(
            "2024-05-06",
            "Valley Post",
            "Crews raised flood barriers along the Alder river on Monday [2024-05-06] as the water rose.",
            "The council met in the evening to plan shelters for the lower town.",
            title="Flood barriers go up along the Alder",
        ),
    ]
    (event,) = extract_events(items, {})
    assert event.date == "2024-05-06"
    assert event.title == "Flood barriers go up along the Alder"


def test_a_headline_names_only_the_event_its_article_leads_with() -> None:
    items = [
        article(
            "2024-05-06",
            "Valley Post",
            "Crews raised flood barriers along the Alder river on Monday [2024-05-06] as the water rose.",
            "The last flood, on April 2 [2024-04-02], had closed the market square for a week.",
            title="Flood barriers go up along the Alder",
        ),
    ]
    events = {e.date: e for e in extract_events(items, {})}
    assert events["2024-05-06"].title == "Flood barriers go up along the Alder"
    # The earlier flood is only background here: it keeps a title cut from its own sentence.
    assert events["2024-04-02"].title.startswith("The last flood")


def test_of_two_days_a_report_names_the_news_is_the_one_nearest_the_report() -> None:
    items = [
        article(
            "2024-03-11",
            "Valley Post",
            "The Alder stood at 4.6 metres on Tuesday [2024-03-11] morning, up from 2.9 metres on Sunday "
            "[2024-03-09].",
            title="Flood warning as the Alder keeps rising",
        ),
    ]
    (event,) = extract_events(items, {})
    assert event.date == "2024-03-11"
    assert event.title == "Flood warning as the Alder keeps rising"

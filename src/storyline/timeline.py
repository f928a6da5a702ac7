"""The model of the product's output: events, and a timeline of dated entries that cite their articles.

An :class:`Event` is something that happened (or was planned) on a date, reported by one or more
articles; a :class:`Timeline` selects the dates that matter and summarises each one from sentences of
several outlets, every sentence citing the article it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import DatePrecision

# What a timeline entry's sources establish (GIJN's verification levels).
VERIFIED = "several independent outlets"
SINGLE_SOURCE = "single source"


@dataclass(frozen=True, slots=True)
class SentenceRef:
    """A sentence of an article: offsets into the article's cleaned text, with its text for display."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Event:
    """Something that happened, with the articles and sentences that report it.

    ``status``: "reported" (the articles report it as news), "past" (only mentioned as background,
    "Putin's last visit was in February 2022"), "planned" (announced for later, "Putin will visit in
    May"). ``date_precision`` keeps how much of the date is known; ``end_date`` makes a range.
    """

    id: str
    date: str
    date_precision: DatePrecision
    title: str
    status: str = "reported"
    end_date: str | None = None
    place: str | None = None  # entity id
    participants: list[str] = field(default_factory=list)  # entity ids, most involved first
    articles: list[str] = field(default_factory=list)
    sentences: list[SentenceRef] = field(default_factory=list)
    quotes: list[tuple[str, int, int]] = field(default_factory=list)  # (article id, start, end)
    outlets: list[str] = field(default_factory=list)
    independent_sources: int = 0  # outlets, with syndicated copies and duplicates counted once


@dataclass(slots=True)
class TimelineEntry:
    date: str
    date_precision: DatePrecision
    summary: list[SentenceRef]
    events: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    independent_sources: int = 0
    date_uncertain: bool = False  # the date rests on inferred publication dates
    hidden: bool = False  # a user hid it (shown only when TimelineOptions.show_hidden asks for it)

    @property
    def verification(self) -> str:
        return VERIFIED if self.independent_sources >= 2 else SINGLE_SOURCE


@dataclass(slots=True)
class TimelineOptions:
    """What the user asked for. ``None`` means: let storyline choose."""

    query: str | None = None  # keywords or free text restricting the timeline to a story
    start: str | None = None  # ISO date, inclusive
    end: str | None = None
    max_dates: int | None = None
    sentences_per_date: int = 2
    days_only: bool = False  # only day-precise dates (no month entries)
    show_hidden: bool = False  # keep the entries a user hid, marked as hidden


@dataclass(slots=True)
class Timeline:
    title: str
    options: TimelineOptions
    entries: list[TimelineEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

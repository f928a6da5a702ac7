"""Model objects (articles, events, entities, quotes) into the web app's response shapes."""

from __future__ import annotations

import re

from ..errors import StorylineError
from ..export.bundle import (
    ExportBundle,
    QuoteRecord,
    article_link,
    citation_label,
    human_date,
    short_source,
)
from ..model import Article, DateMethod, DateValue
from ..timeline import Event, SentenceRef
from .models import ArticleRef, ArticleRow, DateInfo, EntityRef, EventRef, EventRow, QuoteOut, SentenceOut

DATE_FILTER = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
DATED_KINDS = ("stated", "inferred", "manual", "none")


class FilterError(StorylineError):
    """A filter value the views cannot use (shown to the user with status 400)."""


def check_date_filter(value: str | None, name: str) -> str | None:
    """A ``start``/``end`` filter: YYYY, YYYY-MM or YYYY-MM-DD (empty means no filter)."""
    value = (value or "").strip()
    if not value:
        return None
    if not DATE_FILTER.fullmatch(value) or not _real_date(value):
        raise FilterError(f"{name}={value[:40]!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _real_date(value: str) -> bool:
    """Whether a YYYY[-MM[-DD]] prefix names a real month and day ("2025-13" and "2025-02-30" do not)."""
    from datetime import date

    year, month, day = (int(part) for part in (value + "-01-01").split("-")[:3])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def in_range(date: str, start: str | None, end: str | None) -> bool:
    """Whether a (possibly partial) ISO date falls between two partial dates, both inclusive."""
    if start and date[: len(start)] < start:
        return False
    return not (end and date[: len(end)] > end)


def blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def date_info(value: DateValue | None) -> DateInfo | None:
    if value is None:
        return None
    label = human_date(value.value, value.precision) + ("?" if value.inferred else "")  # the one "?"
    return DateInfo(
        value=value.value,
        precision=str(value.precision),
        method=str(value.method),
        confidence=value.confidence,
        evidence=value.evidence,
        inferred=value.inferred,
        label=label,
    )


def outlet_name(article: Article) -> str:
    return article.outlet or f"unknown outlet ({short_source(article.source)})"


def dated_kind(article: Article) -> str:
    """stated (metadata or dateline), inferred (text or corpus), manual (set by a user), or none."""
    date = article.publication_date
    if date is None:
        return "none"
    if date.method == DateMethod.MANUAL:
        return "manual"
    return "inferred" if date.inferred else "stated"


def article_label(article: Article, words: int = 8) -> str:
    """How to name an article in a list: its title, else its first words, else its source's name."""
    if article.title:
        return article.title
    first = article.text.split()
    if first:
        return " ".join(first[:words]) + (" …" if len(first) > words else "")
    return short_source(article.source)


def article_ref(article: Article) -> ArticleRef:
    return ArticleRef(
        id=article.id,
        title=article.title,
        label=article_label(article),
        outlet=outlet_name(article),
        date=date_info(article.publication_date),
        url=article_link(article),
    )


def article_row(article: Article) -> ArticleRow:
    return ArticleRow(
        **article_ref(article).model_dump(),
        source=article.source,
        dated=dated_kind(article),
        duplicate_of=article.duplicate_of,
        words=article.words,
    )


def sentence_out(bundle: ExportBundle, ref: SentenceRef) -> SentenceOut:
    return SentenceOut(
        article_id=ref.article_id,
        start=ref.start,
        end=ref.end,
        text=ref.text,
        citation=citation_label(bundle, ref.article_id),
    )


def quote_out(record: QuoteRecord) -> QuoteOut:
    quote = record.quote
    return QuoteOut(
        article_id=record.article_id,
        start=quote.start,
        end=quote.end,
        text=quote.text,
        kind=quote.kind,
        speaker=record.speaker_name or quote.speaker,
        speaker_entity=record.speaker_entity,
        cue=quote.cue,
    )


def entity_ref(bundle: ExportBundle, entity_id: str) -> EntityRef:
    entity = bundle.entity(entity_id)
    if entity is None:
        return EntityRef(id=entity_id, name=entity_id, label="")
    return EntityRef(id=entity.id, name=entity.name, label=entity.label)


def event_ref(event: Event) -> EventRef:
    return EventRef(
        id=event.id,
        title=event.title,
        date=event.date,
        date_precision=str(event.date_precision),
        status=event.status,
    )


def event_row(bundle: ExportBundle, event: Event) -> EventRow:
    return EventRow(
        **event_ref(event).model_dump(),
        end_date=event.end_date,
        place=entity_ref(bundle, event.place) if event.place else None,
        participants=[entity_ref(bundle, p) for p in event.participants if p != event.place],
        outlets=event.outlets,
        independent_sources=event.independent_sources,
        articles=len(event.articles),
    )


def involves(event: Event, entity_id: str) -> bool:
    return entity_id == event.place or entity_id in event.participants


def matches_words(query: str, *texts: str) -> bool:
    """Every word of the query appears (case-insensitively) in the texts taken together."""
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in query.casefold().split())

"""The data of the timeline, event and entity views, made from the cached snapshot.

Filters narrow the cached default timeline rather than building a new one, so a filtered page costs
a scan of the entries, not a re-run of event extraction.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from ..analysis import Entity
from ..errors import NotFoundError
from ..export.bundle import entry_date_label, is_approximate
from ..timeline import Event, TimelineEntry
from . import charts
from .convert import (
    article_ref,
    blank,
    check_date_filter,
    entity_ref,
    event_ref,
    event_row,
    in_range,
    involves,
    matches_words,
    outlet_name,
    quote_out,
    sentence_out,
)
from .models import (
    EntitiesView,
    EntityRow,
    EntityView,
    EntryOut,
    EventRow,
    EventsView,
    EventView,
    Histogram,
    MergeOut,
    OutletReport,
    TimelineFilters,
    TimelineView,
)
from .service import Snapshot, StoryService

ENTITY_EVENTS_PAGE = 50  # events per page of an entity (the United States alone is in thousands)
ONLY_HERE_METHOD = (
    "Entities named in this outlet's sentences about the event (mentions inside the cited sentences, "
    "resolved to corpus entities) that no other outlet's sentences about the event name."
)


def timeline_filters(
    q: str | None = None,
    start: str | None = None,
    end: str | None = None,
    entity: str | None = None,
    outlet: str | None = None,
    show_hidden: bool = False,
) -> TimelineFilters:
    """The filters as given, cleaned; a malformed date raises FilterError."""
    return TimelineFilters(
        q=blank(q),
        start=check_date_filter(start, "start"),
        end=check_date_filter(end, "end"),
        entity=blank(entity),
        outlet=blank(outlet),
        show_hidden=show_hidden,
    )


def event_filters(
    q: str | None = Query(None, description="Words in the summary sentences or event titles"),
    start: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD, inclusive"),
    end: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD, inclusive"),
    entity: str | None = Query(None, description="An entity id: entries with an event it took part in"),
    outlet: str | None = Query(None, description="An outlet's name"),
) -> TimelineFilters:
    """The filters of the event views and their CSV, as query parameters (a FastAPI dependency)."""
    return timeline_filters(q, start, end, entity, outlet)


EventFilters = Annotated[TimelineFilters, Depends(event_filters)]


def entry_filters(filters: EventFilters, show_hidden: bool = False) -> TimelineFilters:
    """The timeline's filters: the event filters, and whether to show the entries a user hid."""
    return filters.model_copy(update={"show_hidden": show_hidden})


EntryFilters = Annotated[TimelineFilters, Depends(entry_filters)]


def _entry_matches(snap: Snapshot, entry: TimelineEntry, f: TimelineFilters) -> bool:
    if entry.hidden and not f.show_hidden:
        return False
    if not in_range(entry.date, f.start, f.end):
        return False
    if f.outlet and f.outlet not in entry.outlets:
        return False
    events = [snap.events_by_id[e] for e in entry.events if e in snap.events_by_id]
    if f.entity and not any(involves(event, f.entity) for event in events):
        return False
    if f.q:
        texts = [ref.text for ref in entry.summary] + [event.title for event in events]
        return matches_words(f.q, *texts)
    return True


def timeline_view(snap: Snapshot, f: TimelineFilters) -> TimelineView:
    bundle = snap.bundle
    all_entries = bundle.timeline.entries
    entries = [entry for entry in all_entries if _entry_matches(snap, entry, f)]
    return TimelineView(
        title=bundle.timeline.title,
        notice=snap.notice,
        filters=f,
        entity_name=bundle.entity_name(f.entity),
        total=sum(1 for entry in all_entries if not entry.hidden),
        hidden=sum(1 for entry in all_entries if entry.hidden),
        count=len(entries),
        entries=[_cached_entry(snap, entry) for entry in entries],
        histogram=snap.remember(("coverage", f.outlet, f.start, f.end), lambda: _coverage(snap, f)),
        outlets=snap.remember(
            "outlets", lambda: sorted({outlet for entry in all_entries for outlet in entry.outlets})
        ),
    )


def _coverage(snap: Snapshot, f: TimelineFilters) -> Histogram:
    """The articles (duplicates counted once) of the outlet and dates filtered on, per period."""
    return charts.coverage(
        a.publication_date
        for a in snap.articles
        if not a.duplicate_of
        and (not f.outlet or a.outlet == f.outlet)
        and (a.publication_date is None or in_range(a.publication_date.value, f.start, f.end))
    )


def _cached_entry(snap: Snapshot, entry: TimelineEntry) -> EntryOut:
    return snap.remember(("entry", entry.date), lambda: _entry_out(snap, entry))


def _entry_out(snap: Snapshot, entry: TimelineEntry) -> EntryOut:
    return EntryOut(
        date=entry.date,
        date_precision=str(entry.date_precision),
        label=entry_date_label(entry),
        uncertain=entry.date_uncertain,
        approximate=is_approximate(entry.date_precision),
        hidden=entry.hidden,
        verification=entry.verification,
        independent_sources=entry.independent_sources,
        outlets=entry.outlets,
        summary=[sentence_out(snap.bundle, ref) for ref in entry.summary],
        events=[event_ref(snap.events_by_id[e]) for e in entry.events if e in snap.events_by_id],
    )


def _event_matches(event: Event, f: TimelineFilters) -> bool:
    if not in_range(event.date, f.start, f.end):
        return False
    if f.outlet and f.outlet not in event.outlets:
        return False
    if f.entity and not involves(event, f.entity):
        return False
    return not f.q or matches_words(f.q, event.title, *(ref.text for ref in event.sentences))


def events_view(snap: Snapshot, f: TimelineFilters, offset: int = 0, limit: int = 200) -> EventsView:
    events = filtered_events(snap, f)
    rows = [cached_event_row(snap, e) for e in events[offset : offset + limit]]
    return EventsView(total=len(events), offset=offset, limit=limit, filters=f, rows=rows)


def filtered_events(snap: Snapshot, f: TimelineFilters) -> list[Event]:
    """The events the filters keep, by date."""
    ordered = snap.remember(
        "events-by-date", lambda: sorted(snap.bundle.timeline.events, key=lambda e: (e.date, e.id))
    )
    return [e for e in ordered if _event_matches(e, f)]


def cached_event_row(snap: Snapshot, event: Event) -> EventRow:
    """An event's table row, made once per snapshot (rows are shared: never change one)."""
    return snap.remember(("row", event.id), lambda: event_row(snap.bundle, event))


def event_view(snap: Snapshot, service: StoryService, event_id: str) -> EventView:
    event = snap.events_by_id.get(event_id)
    if event is None:
        raise NotFoundError(f"no event with id {event_id!r}")
    bundle = snap.bundle
    by_outlet: dict[str, list[str]] = {}
    for article_id in event.articles:
        article = snap.articles_by_id.get(article_id)
        if article is not None:
            by_outlet.setdefault(outlet_name(article), []).append(article_id)
    named = _entities_named(snap, service, event, by_outlet)
    event_quotes = set(event.quotes)
    reports = []
    for outlet, article_ids in by_outlet.items():
        ids = set(article_ids)
        sentences = [sentence_out(bundle, ref) for ref in event.sentences if ref.article_id in ids]
        others = set().union(*(v for k, v in named.items() if k != outlet))
        only = sorted(named[outlet] - others, key=lambda e: (bundle.entity_name(e) or e).casefold())
        reports.append(
            OutletReport(
                outlet=outlet,
                articles=[article_ref(snap.articles_by_id[a]) for a in article_ids],
                lead=sentences[0] if sentences else None,
                sentences=sentences,
                quotes=[
                    quote_out(q)
                    for q in bundle.quotes
                    if q.article_id in ids and (q.article_id, q.quote.start, q.quote.end) in event_quotes
                ],
                only_here=[entity_ref(bundle, e) for e in only],
            )
        )
    reports.sort(key=lambda r: (r.lead is None, r.outlet.casefold()))
    row = cached_event_row(snap, event).model_dump()
    return EventView(**row, reports=reports, only_here_method=ONLY_HERE_METHOD)


def _entities_named(
    snap: Snapshot, service: StoryService, event: Event, by_outlet: dict[str, list[str]]
) -> dict[str, set[str]]:
    """Outlet -> ids of the entities its articles name inside the event's sentences."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for ref in event.sentences:
        spans.setdefault(ref.article_id, []).append((ref.start, ref.end))
    named: dict[str, set[str]] = {outlet: set() for outlet in by_outlet}
    with service.store() as store:
        for outlet, article_ids in by_outlet.items():
            for article_id in article_ids:
                if article_id not in spans:
                    continue
                analysis = store.get_analysis(article_id)
                entity_of = store.entity_of(article_id)
                for mention in analysis.mentions if analysis else ():
                    inside = any(s <= mention.start and mention.end <= e for s, e in spans[article_id])
                    if inside and mention.key in entity_of:
                        named[outlet].add(entity_of[mention.key])
    return named


def filtered_entities(snap: Snapshot, label: str | None, q: str | None) -> list[Entity]:
    """Entities of a label whose name or an alias holds every word of ``q``; most cited first."""
    label, q = blank(label), blank(q)
    entities = [
        e
        for e in snap.bundle.entities
        if (not label or e.label == label) and (not q or matches_words(q, e.name, *e.aliases))
    ]
    return sorted(entities, key=lambda e: (-e.articles, e.name.casefold()))


def entities_view(
    snap: Snapshot, label: str | None = None, q: str | None = None, offset: int = 0, limit: int = 200
) -> EntitiesView:
    entities = filtered_entities(snap, label, q)
    return EntitiesView(
        total=len(entities),
        offset=offset,
        limit=limit,
        label=blank(label),
        q=blank(q),
        labels=sorted({e.label for e in snap.bundle.entities}),
        rows=[_entity_row(e) for e in entities[offset : offset + limit]],
    )


def _entity_row(entity: Entity) -> EntityRow:
    return EntityRow(
        id=entity.id,
        name=entity.name,
        label=entity.label,
        aliases=entity.aliases,
        roles=entity.roles,
        articles=entity.articles,
    )


def entity_view(
    snap: Snapshot, entity_id: str, offset: int = 0, limit: int = ENTITY_EVENTS_PAGE
) -> EntityView:
    """An entity with its coverage, quotes, and one page of the events it took part in (by date)."""
    entity = snap.bundle.entity(entity_id)
    if entity is None:
        raise NotFoundError(f"no entity with id {entity_id!r}")
    events = snap.remember(
        ("entity-events", entity.id),
        lambda: sorted(
            (e for e in snap.bundle.timeline.events if involves(e, entity.id)), key=lambda e: (e.date, e.id)
        ),
    )
    return EntityView(
        **_entity_row(entity).model_dump(),
        merges=[MergeOut(alias=m.alias, reason=m.reason, source=m.source) for m in entity.merges],
        coverage=snap.remember(("entity-coverage", entity.id), lambda: _entity_coverage(snap, entity.id)),
        events_total=len(events),
        events_offset=offset,
        events_limit=limit,
        events=[cached_event_row(snap, e) for e in events[offset : offset + limit]],
        quotes=snap.remember(
            ("entity-quotes", entity.id),
            lambda: [quote_out(q) for q in snap.bundle.quotes if q.speaker_entity == entity.id],
        ),
    )


def _entity_coverage(snap: Snapshot, entity_id: str) -> Histogram:
    return charts.coverage(
        snap.articles_by_id[a].publication_date
        for a in snap.entity_articles.get(entity_id, [])
        if a in snap.articles_by_id and not snap.articles_by_id[a].duplicate_of
    )

"""Downloads: the timeline in the export formats, and every table view as CSV (with the view's filters).

The files are made by :mod:`storyline.export` from the cached bundle (without the entries a user hid), so a
download says exactly what ``storyline timeline`` would. CSV cells are protected against formula
injection by the export's own cell function.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ..errors import StoreError
from ..export import csvexport, jsonexport, markdown, timelinejs
from ..export.bundle import ExportBundle
from .article_views import filtered_articles, search_view
from .service import StoryService
from .views import EntryFilters, EventFilters, filtered_entities, filtered_events, timeline_view

router = APIRouter(include_in_schema=False)

SEARCH_COLUMNS = ("article_id", "title", "outlet", "publication_date", "snippet", "rank")


def _service(request: Request) -> StoryService:
    return request.app.state.service  # type: ignore[no-any-return]


def _file(body: str, media_type: str, name: str) -> Response:
    return Response(
        body.encode("utf-8", "backslashreplace"),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv(name: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csvexport._cell(row.get(column)) for column in columns])
    return _file(buffer.getvalue(), "text/csv; charset=utf-8", name)


def _with(bundle: ExportBundle, **timeline_changes: Any) -> ExportBundle:
    return replace(bundle, timeline=replace(bundle.timeline, **timeline_changes))


@router.get("/download/timeline.json")
def timeline_json(request: Request) -> Response:
    bundle = _service(request).snapshot().visible_bundle()
    text = json.dumps(jsonexport.to_json(bundle), ensure_ascii=False, indent=2) + "\n"
    return _file(text, "application/json", "timeline.json")


@router.get("/download/timeline.md")
def timeline_md(request: Request) -> Response:
    bundle = _service(request).snapshot().visible_bundle()
    return _file(markdown.to_markdown(bundle), "text/markdown; charset=utf-8", "timeline.md")


@router.get("/download/timelinejs.json")
def timelinejs_json(request: Request) -> Response:
    bundle = _service(request).snapshot().visible_bundle()
    text = json.dumps(timelinejs.to_timelinejs(bundle), ensure_ascii=False, indent=2) + "\n"
    return _file(text, "application/json", "timelinejs.json")


@router.get("/timeline.csv")
def timeline_csv(request: Request, filters: EntryFilters) -> Response:
    snap = _service(request).snapshot()
    view = timeline_view(snap, filters)
    shown = {entry.date for entry in view.entries}
    entries = [entry for entry in snap.bundle.timeline.entries if entry.date in shown]
    rows = csvexport._timeline_rows(_with(snap.bundle, entries=entries))
    return _csv("timeline.csv", csvexport.TIMELINE_COLUMNS, rows)


@router.get("/events.csv")
def events_csv(request: Request, filters: EventFilters) -> Response:
    snap = _service(request).snapshot()
    events = filtered_events(snap, filters)
    rows = csvexport._event_rows(_with(snap.bundle, events=events))
    return _csv("events.csv", csvexport.EVENT_COLUMNS, rows)


@router.get("/entities.csv")
def entities_csv(request: Request, label: str | None = None, q: str | None = None) -> Response:
    snap = _service(request).snapshot()
    bundle = replace(snap.bundle, entities=filtered_entities(snap, label, q))
    return _csv("entities.csv", csvexport.ENTITY_COLUMNS, csvexport._entity_rows(bundle))


@router.get("/articles.csv")
def articles_csv(
    request: Request, q: str | None = None, outlet: str | None = None, dated: str | None = None
) -> Response:
    snap = _service(request).snapshot()
    bundle = replace(snap.bundle, articles=filtered_articles(snap, q, outlet, dated))
    return _csv("articles.csv", csvexport.ARTICLE_COLUMNS, csvexport._article_rows(bundle))


@router.get("/search.csv")
def search_csv(
    request: Request, q: str = "", outlet: str | None = None, start: str | None = None, end: str | None = None
) -> Response:
    if not q.strip():
        raise HTTPException(status_code=400, detail="give a search query: /search.csv?q=WORDS")
    service = _service(request)
    try:
        view = search_view(service.snapshot(), service, q, outlet, start, end)
    except StoreError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    rows = (
        {
            "article_id": hit.article.id,
            "title": hit.article.title,
            "outlet": hit.article.outlet,
            "publication_date": hit.article.date.value if hit.article.date else None,
            "snippet": hit.snippet,
            "rank": hit.rank,
        }
        for hit in view.hits
    )
    return _csv("search.csv", SEARCH_COLUMNS, rows)

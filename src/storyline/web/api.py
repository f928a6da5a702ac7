"""The JSON twins of the pages, under /api, described in /openapi.json by their pydantic models."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request

from ..errors import StoreError
from .article_views import article_view, articles_view, search_view
from .models import (
    ArticlesView,
    ArticleView,
    EntitiesView,
    EntityView,
    EventsView,
    EventView,
    SearchView,
    StatusView,
    TimelineView,
)
from .service import StoryService
from .views import (
    ENTITY_EVENTS_PAGE,
    EntryFilters,
    EventFilters,
    entities_view,
    entity_view,
    event_view,
    events_view,
    timeline_view,
)

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"description": "A filter or query the app cannot use; `detail` says why"},
    404: {"description": "No such id"},
}

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)

PAGE = 200


def _service(request: Request) -> StoryService:
    return request.app.state.service  # type: ignore[no-any-return]


@router.get("/timeline", response_model=TimelineView)
def timeline(request: Request, filters: EntryFilters) -> TimelineView:
    """The timeline's dated entries, each with its summary sentences and sources."""
    return timeline_view(_service(request).snapshot(), filters)


@router.get("/events", response_model=EventsView)
def events(
    request: Request,
    filters: EventFilters,
    offset: int = Query(0, ge=0),
    limit: int = Query(PAGE, ge=1, le=1000),
) -> EventsView:
    return events_view(_service(request).snapshot(), filters, offset, limit)


@router.get("/events/{event_id}", response_model=EventView)
def event(request: Request, event_id: str) -> EventView:
    """One event, with what each outlet reported of it side by side."""
    service = _service(request)
    return event_view(service.snapshot(), service, event_id)


@router.get("/entities", response_model=EntitiesView)
def entities(
    request: Request,
    label: str | None = None,
    q: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(PAGE, ge=1, le=1000),
) -> EntitiesView:
    return entities_view(_service(request).snapshot(), label, q, offset, limit)


@router.get("/entities/{entity_id}", response_model=EntityView)
def entity(
    request: Request,
    entity_id: str,
    offset: int = Query(0, ge=0, description="First event of the page"),
    limit: int = Query(ENTITY_EVENTS_PAGE, ge=1, le=1000, description="Events per page"),
) -> EntityView:
    """One entity: its names, coverage, quotes and a page of the events it took part in."""
    return entity_view(_service(request).snapshot(), entity_id, offset, limit)


@router.get("/articles", response_model=ArticlesView)
def articles(
    request: Request,
    q: str | None = None,
    outlet: str | None = None,
    dated: str | None = Query(None, description="stated, inferred, manual or none"),
    offset: int = Query(0, ge=0),
    limit: int = Query(PAGE, ge=1, le=1000),
) -> ArticlesView:
    return articles_view(_service(request).snapshot(), q, outlet, dated, offset, limit)


@router.get("/articles/{article_id}", response_model=ArticleView)
def article(request: Request, article_id: str) -> ArticleView:
    """One article: its cleaned text with the spans found in it, its dates and its duplicates."""
    service = _service(request)
    return article_view(service.snapshot(), service, article_id)


@router.get("/search", response_model=SearchView)
def search(
    request: Request,
    q: str = Query(..., min_length=1, description='Full-text query (words, "a phrase", OR, NOT, prefix*)'),
    outlet: str | None = Query(None, description="Only articles of this outlet"),
    start: str | None = Query(None, description="Published on or after (YYYY[-MM[-DD]])"),
    end: str | None = Query(None, description="Published on or before (YYYY[-MM[-DD]])"),
) -> SearchView:
    """Full-text search over titles and cleaned text, narrowed by outlet and publication date."""
    service = _service(request)
    try:
        return search_view(service.snapshot(), service, q, outlet, start, end)
    except StoreError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc


@router.get("/status", response_model=StatusView)
def status(request: Request) -> StatusView:
    """Whether the views are being brought up to date after a change (they answer meanwhile)."""
    service = _service(request)
    return StatusView(updating=service.updating, failure=service.failure)

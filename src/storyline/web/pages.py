"""The HTML pages: each renders the same view model its /api twin returns."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from ..errors import StoreError
from .app import Pages
from .article_views import article_view, articles_view, search_view
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

router = APIRouter(include_in_schema=False)

PAGE = 200  # table rows per page
EVENTS_PAGE = 50  # event rows per page: each row is a dozen links, and 200 of them took 100 KiB


def _service(request: Request) -> StoryService:
    return request.app.state.service  # type: ignore[no-any-return]


def _pages(request: Request) -> Pages:
    return request.app.state.pages  # type: ignore[no-any-return]


@router.get("/", response_class=HTMLResponse)
def timeline_page(request: Request, filters: EntryFilters) -> HTMLResponse:
    view = timeline_view(_service(request).snapshot(), filters)
    return _pages(request).render(request, "timeline.html", view=view, title="Timeline")


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    filters: EventFilters,
    offset: int = Query(0, ge=0),
    limit: int = Query(EVENTS_PAGE, ge=1, le=1000),
) -> HTMLResponse:
    view = events_view(_service(request).snapshot(), filters, offset, limit)
    return _pages(request).render(request, "events.html", view=view, title="Events")


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str) -> HTMLResponse:
    service = _service(request)
    view = event_view(service.snapshot(), service, event_id)
    return _pages(request).render(request, "event.html", view=view, title=view.title)


@router.get("/entities", response_class=HTMLResponse)
def entities_page(
    request: Request,
    label: str | None = None,
    q: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(PAGE, ge=1, le=1000),
) -> HTMLResponse:
    view = entities_view(_service(request).snapshot(), label, q, offset, limit)
    return _pages(request).render(request, "entities.html", view=view, title="Entities")


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(
    request: Request,
    entity_id: str,
    offset: int = Query(0, ge=0),
    limit: int = Query(ENTITY_EVENTS_PAGE, ge=1, le=1000),
) -> HTMLResponse:
    view = entity_view(_service(request).snapshot(), entity_id, offset, limit)
    return _pages(request).render(request, "entity.html", view=view, title=view.name)


@router.get("/articles", response_class=HTMLResponse)
def articles_page(
    request: Request,
    q: str | None = None,
    outlet: str | None = None,
    dated: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(PAGE, ge=1, le=1000),
) -> HTMLResponse:
    view = articles_view(_service(request).snapshot(), q, outlet, dated, offset, limit)
    return _pages(request).render(request, "articles.html", view=view, title="Articles")


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    service = _service(request)
    view = article_view(service.snapshot(), service, article_id)
    return _pages(request).render(request, "article.html", view=view, title=view.label)


@router.get("/articles/{article_id}/raw", response_class=PlainTextResponse)
def article_raw(request: Request, article_id: str) -> PlainTextResponse:
    with _service(request).store() as store:
        article = store.get_article(article_id)
    # text/plain with nosniff: a browser shows markup in the raw text as text, never runs it.
    return PlainTextResponse(article.raw_text)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, q: str = "", outlet: str | None = None, start: str | None = None, end: str | None = None
) -> HTMLResponse:
    pages = _pages(request)
    filters = {"outlet": outlet or "", "start": start or "", "end": end or ""}
    if not q.strip():
        return pages.render(request, "search.html", view=None, error=None, q="", title="Search", **filters)
    service = _service(request)
    try:
        view = search_view(service.snapshot(), service, q, outlet, start, end)
    except StoreError as exc:
        return pages.render(
            request, "search.html", status_code=400, view=None, error=str(exc), q=q, title="Search", **filters
        )
    return pages.render(request, "search.html", view=view, error=None, q=q, title="Search", **filters)

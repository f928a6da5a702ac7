"""Corrections: HTML forms (redirecting back, 303) and JSON twins, each behind the CSRF check.

Each calls one function of :mod:`storyline.corrections`, which stores the correction apart from computed
results (so it survives a re-analysis) and checks it (a bad value is a 400 at once). What follows from it
and takes long on a large corpus (re-anchoring an article's relative dates, re-resolving the entities) and
the rebuild of the cached snapshot run in the background, one after another: the request returns at once,
the article page (read from the store) shows the correction immediately, and the other pages say that an
update is under way until the new snapshot is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import RedirectResponse

from .. import corrections
from ..model import Article
from ..store.base import Store
from .convert import article_row
from .models import ArticleRow, DateCorrection, Done, EntityCorrection, HideCorrection, OutletCorrection
from .security import CsrfGuard, safe_next
from .service import StoryService

router = APIRouter()
T = TypeVar("T")


def _apply(
    request: Request,
    token: str | None,
    change: Callable[[Store], T],
    then: Callable[[Store], object] | None = None,
) -> T:
    """Check the token, store the ``change``, then run ``then`` and a rebuild in the background."""
    guard: CsrfGuard = request.app.state.guard
    guard.check(request, token)
    service: StoryService = request.app.state.service
    try:
        with service.store() as store:
            result = change(store)
    except BaseException:
        service.invalidate()  # a failed change may have stored part of itself
        raise
    if then is None:
        service.invalidate()
    else:
        service.follow_up(then)
    return result


def _set_date(request: Request, token: str | None, article_id: str, value: str | None) -> Article:
    article = _apply(
        request,
        token,
        lambda s: corrections.set_publication_date(s, article_id, value, reanchor=False),
        then=lambda s: corrections.reanchor_dates(s, article_id),
    )
    return article


def _override(request: Request, token: str | None, kind: str, alias: str, entity_id: str) -> None:
    correct = corrections.merge_entity if kind == "merge" else corrections.split_entity
    store_it: Callable[[Store], None] = lambda s: correct(s, alias, entity_id, resolve=False)  # noqa: E731
    _apply(request, token, store_it, then=corrections.resolve_entities)


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _article_path(article_id: str) -> str:
    return f"/articles/{quote(article_id, safe='')}"


def _entity_path(entity_id: str) -> str:
    return f"/entities/{quote(entity_id, safe=':@-._~')}"


# --- forms ------------------------------------------------------------------------------------------


@router.post("/articles/{article_id}/date", include_in_schema=False)
def date_form(
    request: Request,
    article_id: str,
    date: str = Form(""),
    clear: bool = Form(False),
    csrf_token: str = Form(""),
) -> RedirectResponse:
    article = _set_date(request, csrf_token, article_id, None if clear else date)
    return _back(_article_path(article.id))


@router.post("/articles/{article_id}/outlet", include_in_schema=False)
def outlet_form(
    request: Request,
    article_id: str,
    outlet: str = Form(""),
    clear: bool = Form(False),
    csrf_token: str = Form(""),
) -> RedirectResponse:
    value = None if clear else outlet
    article = _apply(request, csrf_token, lambda s: corrections.set_outlet(s, article_id, value))
    return _back(_article_path(article.id))


@router.post("/entities/merge", include_in_schema=False)
def merge_form(
    request: Request, alias: str = Form(...), entity_id: str = Form(...), csrf_token: str = Form("")
) -> RedirectResponse:
    _override(request, csrf_token, "merge", alias, entity_id)
    return _back(_entity_path(entity_id))


@router.post("/entities/split", include_in_schema=False)
def split_form(
    request: Request, alias: str = Form(...), entity_id: str = Form(...), csrf_token: str = Form("")
) -> RedirectResponse:
    _override(request, csrf_token, "split", alias, entity_id)
    return _back(_entity_path(entity_id))


@router.post("/timeline/hide", include_in_schema=False)
def hide_form(
    request: Request,
    date: str = Form(...),
    hidden: bool = Form(True),
    next: str = Form("/"),
    csrf_token: str = Form(""),
) -> RedirectResponse:
    _apply(request, csrf_token, lambda s: corrections.hide_entry(s, date, hidden))
    return _back(safe_next(next, "/"))


# --- JSON -------------------------------------------------------------------------------------------

CSRF_HEADER = Header(None, alias="X-CSRF-Token", description="The value of the storyline_csrf cookie")
ERRORS: dict[int | str, dict[str, object]] = {
    400: {"description": "A correction that cannot be applied as given; `detail` says why"},
    403: {"description": "Missing or invalid CSRF token"},
    404: {"description": "No such article"},
}
api = APIRouter(prefix="/api", tags=["corrections"], responses=ERRORS)


@api.post("/articles/{article_id}/date", response_model=ArticleRow)
def set_date(
    request: Request, article_id: str, body: DateCorrection, x_csrf_token: str | None = CSRF_HEADER
) -> ArticleRow:
    """Set an article's publication date (YYYY, YYYY-MM or YYYY-MM-DD), or clear the correction."""
    article = _set_date(request, x_csrf_token, article_id, None if body.clear else (body.date or ""))
    return article_row(article)


@api.post("/articles/{article_id}/outlet", response_model=ArticleRow)
def set_outlet(
    request: Request, article_id: str, body: OutletCorrection, x_csrf_token: str | None = CSRF_HEADER
) -> ArticleRow:
    """Set the outlet that published an article, or clear the correction."""
    value = None if body.clear else (body.outlet or "")
    article = _apply(request, x_csrf_token, lambda s: corrections.set_outlet(s, article_id, value))
    return article_row(article)


@api.post("/entities/merge", response_model=Done)
def merge(request: Request, body: EntityCorrection, x_csrf_token: str | None = CSRF_HEADER) -> Done:
    """Make every mention named ``alias`` count as the entity ``entity_id``."""
    _override(request, x_csrf_token, "merge", body.alias, body.entity_id)
    return Done(message=f"{body.alias!r} merged into {body.entity_id}")


@api.post("/entities/split", response_model=Done)
def split(request: Request, body: EntityCorrection, x_csrf_token: str | None = CSRF_HEADER) -> Done:
    """Take the mentions named ``alias`` out of the entity ``entity_id``."""
    _override(request, x_csrf_token, "split", body.alias, body.entity_id)
    return Done(message=f"{body.alias!r} split from {body.entity_id}")


@api.post("/timeline/hide", response_model=Done)
def hide(request: Request, body: HideCorrection, x_csrf_token: str | None = CSRF_HEADER) -> Done:
    """Hide (or show again) the timeline entry of a date."""
    _apply(request, x_csrf_token, lambda s: corrections.hide_entry(s, body.date, body.hidden))
    return Done(message=f"entry {body.date} {'hidden' if body.hidden else 'shown'}")


router.include_router(api)

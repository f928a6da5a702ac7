"""The web app: ``create_app(db)`` wires the service, the security middleware, the routes and the error
pages together. HTML pages and their JSON twins under /api show the same data (one pydantic model each)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..errors import NotFoundError, StorylineError
from ..export.bundle import INFERRED_DATE_NOTE, human_date, precision_of
from . import charts
from .highlight import highlight
from .security import LOCAL_HOSTS, CsrfGuard, SecurityHeaders
from .service import StoryService

HERE = Path(__file__).parent
# Hosts a browser may name when the server listens on this machine only: a page on another site that
# re-points its own name at 127.0.0.1 (DNS rebinding) is refused. "testserver" is the test client's.
LOCAL_HOST_HEADERS = [*LOCAL_HOSTS, "[::1]", "testserver"]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped; article data is never marked safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pathseg"] = lambda value: quote(str(value), safe=":@-._~")
    env.globals.update(
        chart_rects=charts.layout,
        chart_width=charts.WIDTH,
        chart_height=charts.HEIGHT,
        highlight=highlight,
        human_date=human_date,
        end_date_label=lambda value: human_date(value, precision_of(value)),
        inferred_note=INFERRED_DATE_NOTE,
        version=__version__,
    )
    return env


class Pages:
    """Renders templates with what every page needs (the request, its CSRF token, query helpers)."""

    def __init__(self, guard: CsrfGuard) -> None:
        self.env = _environment()
        self.guard = guard

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        def link(path: str, **params: Any) -> str:
            kept = {k: 1 if v is True else v for k, v in params.items() if v not in (None, "", False)}
            return f"{path}?{urlencode(kept)}" if kept else path

        service: StoryService = request.app.state.service
        html = self.env.get_template(name).render(
            request=request,
            csrf_token=self.guard.token_for(request),
            path=request.url.path,
            link=link,
            updating=service.updating,
            update_failure=service.failure,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)


def create_app(
    db: Path | str, *, secret: str | None = None, allowed_hosts: list[str] | None = None
) -> FastAPI:
    """The storyline web app over the database ``db`` (an SQLite file, or a PostgreSQL URL).

    ``secret`` signs the CSRF tokens (random per process when None); ``allowed_hosts`` are the Host
    header values accepted (this machine's names by default; ``["*"]`` when serving others on purpose).
    """
    service = StoryService(db)
    guard = CsrfGuard(secret)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.warm_up()
        yield
        service.close()  # waits for the warm-up or a rebuild still running: it reads the store

    app = FastAPI(
        title="storyline",
        version=__version__,
        description="Timelines of news stories: events, entities and articles, with their sources.",
        docs_url=None,  # the docs pages load scripts from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.guard = guard
    app.state.pages = Pages(guard)
    app.add_middleware(SecurityHeaders, guard=guard)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOCAL_HOST_HEADERS)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _error_handlers(app)

    from . import api, downloads, pages, writes

    app.include_router(api.router)
    app.include_router(writes.router)
    app.include_router(downloads.router)
    app.include_router(pages.router)
    return app


def wants_json(request: Request) -> bool:
    """API and download routes answer errors in JSON; pages answer with an HTML page."""
    path = request.url.path
    return path.startswith("/api/") or path.endswith((".csv", ".json", ".md"))


def _error(request: Request, status: int, detail: str) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    pages: Pages = request.app.state.pages
    return pages.render(
        request, "error.html", status_code=status, status=status, detail=detail, title="Error"
    )


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}"
        return _error(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
        return _error(request, 400, f"bad request: {problems}")

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(StorylineError)
    async def storyline_error(request: Request, exc: StorylineError) -> Response:
        # A bad filter, search syntax or correction: the user's input, said back with how to fix it.
        return _error(request, 400, str(exc))

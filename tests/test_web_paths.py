"""The web app serves files only from its own static folder: no `../` escape, however it is spelled.

Requests go straight to the ASGI app with the path as a server hands it over (uvicorn percent-decodes the
path, so `%2e%2e%2f` arrives as `../`; the raw bytes are kept in raw_path), so no client normalises the dots
away before the app sees them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from storyline.store import open_store

# What a successful escape would show: the app's own source one folder up, or the system's passwd file.
LEAKS = (b"create_app", b"root:x:0:0", b"import ")
TRAVERSALS = [
    "/static/../__init__.py",
    "/static/../../storyline/web/__init__.py",
    "/static/%2e%2e/__init__.py",
    "/static/%2e%2e%2f__init__.py",
    "/static/..%2f__init__.py",
    "/static/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/%252e%252e%252f__init__.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..\\__init__.py",
    "/static/..%5c__init__.py",
    "/static/....//__init__.py",
    "/static/%c0%ae%c0%ae/__init__.py",
    "/static/./../__init__.py",
    "/static/%00../__init__.py",
]


def asgi_get(app: Any, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``raw_path`` from the ASGI app as uvicorn would deliver it."""
    raw, _, query = raw_path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw),
        "raw_path": raw.encode("latin-1"),
        "root_path": "",
        "query_string": query.encode("latin-1"),
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def run() -> None:
        requested = False
        finished = asyncio.Event()

        async def receive() -> dict[str, Any]:
            # The request once, then (as a server does) a disconnect only after the response is out.
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished.set()

        await app(scope, receive, send)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from storyline.web import create_app

    db = tmp_path_factory.mktemp("paths") / "empty.db"
    open_store(db).close()
    return create_app(db, secret="path-tests")


def static_folder() -> Path:
    import storyline.web

    return Path(storyline.web.__file__).parent / "static"


def test_static_assets_are_served(web_app: Any) -> None:
    folder = static_folder()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert files, f"the web package ships no static files in {folder}"
    for path in files:
        status, headers, body = asgi_get(web_app, "/static/" + path.relative_to(folder).as_posix())
        assert status == 200, path
        assert body == path.read_bytes()
        assert "script" not in headers.get("content-type", "") or path.suffix == ".js"


@pytest.mark.parametrize("raw_path", TRAVERSALS)
def test_static_refuses_to_leave_its_folder(web_app: Any, raw_path: str) -> None:
    status, _, body = asgi_get(web_app, raw_path)
    assert status in (400, 403, 404, 405), f"{raw_path}: HTTP {status}"
    assert not any(leak in body for leak in LEAKS), f"{raw_path} leaked {body[:200]!r}"


@pytest.mark.parametrize("raw_path", ["/articles/..%2f..%2fetc%2fpasswd/raw", "/download/..%2f__init__.py"])
def test_other_routes_do_not_serve_files_by_path(web_app: Any, raw_path: str) -> None:
    status, _, body = asgi_get(web_app, raw_path)
    assert status in (400, 404), f"{raw_path}: HTTP {status}"
    assert not any(leak in body for leak in LEAKS), f"{raw_path} leaked {body[:200]!r}"

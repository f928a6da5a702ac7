"""The web app's JSON API against its own OpenAPI description, with schemathesis over the ASGI app.

For every operation of /openapi.json, schemathesis generates requests (valid and invalid parameters, ids
that exist and ids that do not) and checks that none gives a server error (5xx) and that every response has
the declared content type and, where documented, the declared schema. Writes (POST) carry the CSRF cookie
and header a browser would have, so they reach the handlers rather than stopping at the 403.

Bounded to a few examples per operation on the small example corpus, so it stays well under a minute.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import copy_db

with warnings.catch_warnings():
    # Starlette's test client (which schemathesis drives ASGI apps with) warns that it prefers a newer httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
    from starlette.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "riverton-flood"
MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def web_client(riverton_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on the Riverton example, its lifespan (which opens the store) running for the module."""
    from storyline.web import create_app

    db = copy_db(riverton_db, tmp_path_factory.mktemp("schema"))
    with TestClient(create_app(db, secret="schema-tests")) as client:
        yield client


@pytest.fixture(scope="module")
def web_app(web_client: TestClient) -> Any:
    return web_client.app


@pytest.fixture(scope="module")
def csrf_headers(web_client: TestClient) -> dict[str, str]:
    """The cookie and header a browser sends back after loading any page."""
    token = web_client.get("/").cookies["storyline_csrf"]
    return {"X-CSRF-Token": token, "Cookie": f"storyline_csrf={token}"}


@pytest.fixture(scope="module")
def api_schema(web_app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", web_app)


def test_api_answers_as_described(api_schema: Any, csrf_headers: dict[str, str]) -> None:
    # One hypothesis run per operation inside one test: schemathesis's own pytest parametrisation of a
    # schema loaded from a fixture breaks on pytest 9 (it sets Function._nodeid, which is gone).
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=dict(csrf_headers), checks=CHECKS)

        try:
            run()
        except Exception as err:  # noqa: BLE001 - gather every operation's failure, then report them all
            failures.append(f"{operation.label}: {err}")
    assert not failures, "\n\n".join(failures)


def test_schema_describes_every_json_twin(web_client: TestClient) -> None:
    paths = web_client.get("/openapi.json").json()["paths"]
    assert web_client.get("/docs").status_code == 404, "/docs loads scripts from a CDN: it must be off"
    assert web_client.get("/redoc").status_code == 404
    for twin in ("/api/timeline", "/api/events", "/api/events/{event_id}", "/api/entities", "/api/articles"):
        assert twin in paths, f"{twin} missing from /openapi.json"
    assert "/api/search" in paths and "/api/articles/{article_id}" in paths

"""Fixtures shared by the test suite. Articles are built by hand; ../shared is read at run time only."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from storyline.config import Settings
from storyline.model import Article

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LAVROV = SHARED / "corpus" / "lavrov-china"
EXAMPLES = REPO / "examples"


@pytest.fixture
def lavrov_dir() -> Path:
    if not LAVROV.is_dir():
        pytest.skip(f"the Lavrov corpus is not beside this checkout: {LAVROV} not found")
    return LAVROV


@pytest.fixture(scope="session")
def riverton_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Riverton example ingested and analysed once for the whole run (16 articles, 5 outlets).
    Shared: a test that changes a database works on :func:`copy_db` of it."""
    pytest.importorskip("spacy")
    from storyline import pipeline
    from storyline.analyse import analyse
    from storyline.store import open_store

    db = tmp_path_factory.mktemp("riverton") / "story.db"
    with open_store(db) as store:
        pipeline.ingest([EXAMPLES / "riverton-flood"], store, Settings(db=db))
        analyse(store)
    return db


def require_ray() -> ModuleType:
    """Ray, or a skip saying how to install it (a failure under STORYLINE_REQUIRE_RAY=1, as in CI)."""
    try:
        import ray
    except ImportError:
        if os.environ.get("STORYLINE_REQUIRE_RAY") == "1":
            raise
        pytest.skip(
            "Ray is not installed (pip install 'storyline[ray]'); STORYLINE_REQUIRE_RAY=1 fails instead"
        )
    return ray


def copy_db(db: Path, folder: Path) -> Path:
    """A copy of a closed SQLite database (its WAL is checkpointed on close) in ``folder``."""
    copy = folder / db.name
    shutil.copy(db, copy)
    return copy


# -- the web app's tests (test_web.py, test_web_updates.py): each module works on its own copy -------------


@pytest.fixture(scope="module")
def built_db(riverton_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Riverton example, analysed (16 articles, 5 outlets): the module's own copy."""
    return copy_db(riverton_db, tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(built_db: Path) -> Any:
    """The web app on the module's database, in-process (fastapi's TestClient)."""
    from fastapi.testclient import TestClient

    from storyline.web import create_app

    return TestClient(create_app(built_db))


@pytest.fixture
def own_db(built_db: Path, tmp_path: Path) -> Path:
    """A copy of the module's database for a test that corrects it."""
    return copy_db(built_db, tmp_path)


def settle(client: Any) -> None:
    """Wait for the web app's background work (a correction's follow-up, the rebuild of its cache)."""
    assert client.app.state.service.wait_idle(timeout=120), "the background update did not finish"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "test.db")


def make_article(text: str, source: str = "fixture.txt", **fields: object) -> Article:
    """An article as the clean stage would leave it: raw and cleaned text the same."""
    return Article(source=source, raw_text=text, text=text, **fields)  # type: ignore[arg-type]

"""Fixtures shared by the test suite. Articles are built by hand; ../shared is read at run time only."""

from __future__ import annotations

import shutil
from pathlib import Path

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


def copy_db(db: Path, folder: Path) -> Path:
    """A copy of a closed SQLite database (its WAL is checkpointed on close) in ``folder``."""
    copy = folder / db.name
    shutil.copy(db, copy)
    return copy


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "test.db")


def make_article(text: str, source: str = "fixture.txt", **fields: object) -> Article:
    """An article as the clean stage would leave it: raw and cleaned text the same."""
    return Article(source=source, raw_text=text, text=text, **fields)  # type: ignore[arg-type]

"""Fixtures shared by the test suite. Articles are built by hand; ../shared is read at run time only."""

from __future__ import annotations

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


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "test.db")


def make_article(text: str, source: str = "fixture.txt", **fields: object) -> Article:
    """An article as the clean stage would leave it: raw and cleaned text the same."""
    return Article(source=source, raw_text=text, text=text, **fields)  # type: ignore[arg-type]

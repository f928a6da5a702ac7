"""Plain-text inputs: one file, one article.

Nothing is cleaned or guessed here: titles, datelines and boilerplate are the clean stage's work, done
from the raw text, so that what was read stays exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..model import Article
from .decode import DecodedText


def read_text(path: Path, decoded: DecodedText) -> Iterator[Article]:
    """Yield the one article of a plain-text file."""
    yield Article(source=str(path), raw_text=decoded.text, format="text", encoding=decoded.encoding)

"""The clean stage on the real Lavrov articles of ../shared (read at run time, never copied here).

Checks are properties of the output (no boilerplate survives, no glued sentence remains, no news is lost)
plus the title, dates and outlet each file must give. Skipped when ../shared is not beside the checkout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storyline.model import Article, DateMethod, DatePrecision, FieldMethod
from storyline.stages.clean import clean_article

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "lavrov-china"

pytestmark = pytest.mark.shared

# Generic web furniture and extraction debris: none of it may survive cleaning.
MUST_NOT_SURVIVE = [
    "Leave a Reply",
    "Required fields are marked",
    "Follow us",
    "Most Popular",
    "Also Read",
    "Photo:",
    "NOFOLLOW",
    "_Blank",
    "CHINA / DIPLOMACY",
    "HomeWorldAsia",
    "Published:",
    "<",
    ">",
]
GLUED_SENTENCE = re.compile(r"[a-z]{2}[.!?][A-Z][a-z]")
MAX_REMOVED_WORDS = 15
# Reasons whose text is not lost but moved to a field: the title is kept as the article's title.
MOVED_TO_FIELDS = {"title", "repeated-title"}
WORD_MARGIN = 20  # hyphen repairs join words ("cross -border" -> "cross-border")


def _articles() -> dict[str, Article]:
    if not CORPUS.is_dir():
        pytest.skip(f"the Lavrov corpus is not beside this checkout: {CORPUS} not found")
    paths = sorted(CORPUS.glob("*.txt"))
    if len(paths) < 5:
        pytest.skip(f"the Lavrov corpus is incomplete: {len(paths)} files in {CORPUS}")
    return {
        path.name[:3]: Article(source=str(path), raw_text=path.read_text(encoding="utf-8")) for path in paths
    }


@pytest.fixture(scope="module")
def cleaned() -> dict[str, Article]:
    return {key: clean_article(article) for key, article in _articles().items()}


def test_no_boilerplate_or_debris_survives(cleaned: dict[str, Article]) -> None:
    for key, article in cleaned.items():
        for needle in MUST_NOT_SURVIVE:
            assert needle not in article.text, (key, needle)
            assert needle not in (article.title or ""), (key, needle)


def test_no_glued_sentence_remains(cleaned: dict[str, Article]) -> None:
    for key, article in cleaned.items():
        assert not GLUED_SENTENCE.findall(article.text), key


def test_no_news_is_lost(cleaned: dict[str, Article]) -> None:
    for key, article in cleaned.items():
        for removal in article.removed:
            if removal.reason in MOVED_TO_FIELDS:
                assert removal.text == article.title, key
            else:
                assert len(removal.text.split()) <= MAX_REMOVED_WORDS, (key, removal.reason)
        raw_words = len(article.raw_text.split())
        removed_words = sum(len(removal.text.split()) for removal in article.removed)
        assert article.words >= raw_words - removed_words - WORD_MARGIN, key
        # Stricter: repairs only add spaces, so every letter and digit is in the text or in a removal.
        alnum = sum(map(str.isalnum, article.raw_text))
        kept = sum(map(str.isalnum, article.text)) + sum(
            sum(map(str.isalnum, r.text)) for r in article.removed
        )
        assert kept == alnum, key


def test_titles(cleaned: dict[str, Article]) -> None:
    for key in ("000", "004"):  # both open with a long paragraph
        assert cleaned[key].title is None, key
    for key in ("001", "002", "003"):
        assert cleaned[key].title is not None and cleaned[key].title_method == FieldMethod.FIRST_LINE, key
    assert not (cleaned["003"].title or "").startswith("Home")
    # the repeated title of 003 is taken out of the text
    assert (cleaned["003"].title or "") not in cleaned["003"].text


def test_dates(cleaned: dict[str, Article]) -> None:
    published, modified = cleaned["002"].publication_date, cleaned["002"].modification_date
    assert published is not None and modified is not None
    assert (published.value, published.precision, published.method) == (
        "2022-02-03T22:12",
        DatePrecision.MINUTE,
        DateMethod.DATELINE,
    )
    assert (modified.value, modified.precision, modified.method) == (
        "2022-02-04T00:37",
        DatePrecision.MINUTE,
        DateMethod.DATELINE,
    )
    assert published.evidence.startswith("Published") and modified.evidence.startswith("Updated")
    day = cleaned["003"].publication_date
    assert day is not None
    assert (day.value, day.precision, day.method) == ("2024-04-08", DatePrecision.DAY, DateMethod.DATELINE)
    assert "(TDI)" in day.evidence and cleaned["003"].modification_date is None
    for key in ("000", "001", "004"):
        assert (cleaned[key].publication_date, cleaned[key].modification_date) == (None, None), key


def test_outlets(cleaned: dict[str, Article]) -> None:
    assert (cleaned["002"].outlet, cleaned["002"].outlet_method) == ("Global Times", FieldMethod.SIGN_OFF)
    assert (cleaned["003"].outlet, cleaned["003"].outlet_method) == ("TDI", FieldMethod.DATELINE)
    for key in ("000", "001", "004"):
        assert cleaned[key].outlet is None, key


def test_dateline_stays_in_the_text(cleaned: dict[str, Article]) -> None:
    evidence = cleaned["003"].publication_date.evidence if cleaned["003"].publication_date else "?"
    assert cleaned["003"].text.startswith(evidence)


def test_article_without_boilerplate_keeps_its_words(cleaned: dict[str, Article]) -> None:
    article = cleaned["004"]
    assert article.removed == [] and article.text.split() == article.raw_text.split()

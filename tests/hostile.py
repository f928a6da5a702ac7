"""A hostile corpus: inputs that have broken news tools, each written with the outcome it must have.

``write_hostile_corpus(folder, limit, article_limit)`` writes every case into ``folder`` and returns the
:class:`Case` list. Each case names its file and what ingesting it must give:

* ``stored``: how many articles the file must store, and a check of what must hold of them;
* ``refused``: for each failure of the file, the words its one-line reason must contain.

A file may have both (a JSONL export with broken lines keeps its good rows). ``limit`` is the
``Settings.max_input_bytes`` of the run and ``article_limit`` its ``pipeline.MAX_ARTICLE_CHARS``: the
oversized cases are made just past them, so a test can use small limits and stay fast. The stories come
from test_ingest, not from any real article.
"""

from __future__ import annotations

import codecs
import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storyline.model import Article
from test_ingest import BRIDGE_STORY, CHINESE_STORY, HTML_PAGE, RUSSIAN_STORY, TRADITIONAL_CHINESE_STORY

ArticleCheck = Callable[[list[Article]], None]

# The secrets of HTML_PAGE's scripts and event handlers: none may reach any stored text.
SCRIPT_SECRETS = ("TRACKER", "SCRIPT_WRITE", "INLINE_SCRIPT", "ONCLICK", "ONLOAD", "NOSCRIPT", "alert(")
ARABIC_STORY = (
    "أعلنت بلدية المدينة يوم الاثنين افتتاح الجسر الحجري القديم فوق النهر "
    "بعد ثمانية أشهر من أعمال الترميم.\n\n"
    "وقال المهندسون إن تكلفة الأعمال بلغت نحو أربعة ملايين يورو، أي أقل قليلاً مما كان مخططاً له.\n"
)
HEBREW_LINE = "\u200fהגשר הישן נפתח מחדש ביום שני לאחר שמונה חודשי שיפוצים, כך מסרה העירייה.\n"
ORDINARY_STORY = (
    "Dam inspection finds no damage\n\n"
    "Millbrook, 12 May 2024 - Inspectors found no damage to the Millbrook dam after last week's storm, the "
    "water board said on Sunday.\n\nThe spillway will stay open until the reservoir falls below its summer "
    "level, engineers said, and the footpath across the crest reopens on Monday.\n"
)
IDENTICAL_COPIES = 10_000
LONG_ARTICLE_WORDS = 200_000


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile file and the outcome it must have."""

    name: str
    stored: int = 0
    refused: tuple[tuple[str, ...], ...] = ()
    check: ArticleCheck | None = field(default=None, compare=False)
    why: str = ""


def _write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def _one(check: Callable[[Article], None]) -> ArticleCheck:
    def on_list(articles: list[Article]) -> None:
        assert len(articles) == 1, [a.source for a in articles]
        check(articles[0])

    return on_list


# --- refused as a whole ---------------------------------------------------------------------------------


def empty_files(folder: Path) -> list[Case]:
    _write(folder, "empty.txt", b"")
    _write(folder, "blank-with-bom.txt", codecs.BOM_UTF8 + b" \r\n\t\n")
    return [Case("empty.txt", refused=(("empty file",),)), Case("blank-with-bom.txt", refused=(("empty",),))]


def binary_files(folder: Path) -> list[Case]:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    _write(folder, "photo.png", png)
    _write(folder, "photo-named-as.txt", png)
    _write(folder, "no-extension", bytes(range(256)) * 16)
    return [
        Case("photo.png", refused=(("binary",),), why="unknown extension: sniffed"),
        Case("photo-named-as.txt", refused=(("binary",),)),
        Case("no-extension", refused=(("binary",),)),
    ]


def broken_gzip(folder: Path, limit: int) -> list[Case]:
    data = gzip.compress((BRIDGE_STORY * 50).encode())
    _write(folder, "truncated.txt.gz", data[: len(data) // 2])
    _write(folder, "not-gzip-at-all.jsonl.gz", b'{"text": "plain JSON named .gz"}\n')
    # A gzip bomb: zeros compress about 1000:1, so the file is small and its content is past the limit.
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(chunk) for _ in range(limit // len(chunk) + 2)) + compressor.flush()
    _write(folder, "bomb.html.gz", bomb)
    return [
        Case("truncated.txt.gz", refused=(("truncated or corrupt gzip",),)),
        Case("not-gzip-at-all.jsonl.gz", refused=(("corrupt gzip",),)),
        Case("bomb.html.gz", refused=(("gzip bomb", "limit"),)),
    ]


def oversized_text(folder: Path, limit: int) -> list[Case]:
    """A text file just past the limit (the 100 MB file of a real run, scaled to the test's limit)."""
    line = "The river rose again overnight and the council opened two more shelters for residents.\n"
    with (folder / "huge.txt").open("w", encoding="utf-8") as handle:
        for _ in range(limit // len(line) + 2):
            handle.write(line)
    return [Case("huge.txt", refused=(("over the limit", "MB"),))]


# --- HTML -----------------------------------------------------------------------------------------------


def hostile_html(folder: Path) -> list[Case]:
    deep = (
        "<html><body>"
        + "<div>" * 5000
        + "<p>Deep text about the harbour: the ferry to the islands runs again after the storm.</p>"
        + "</div>" * 5000
        + "</body></html>"
    )
    _write(folder, "html/deep-5000.html", deep)
    _write(
        folder,
        "html/deep-200.html",
        deep.replace("<div>" * 5000, "<div>" * 200).replace("</div>" * 5000, "</div>" * 200),
    )
    unclosed = (
        "<html><body><div><p>The new ferry line to the islands opened on Monday after years of delay"
        "<p>The mayor said the service would run every hour in summer <div><b>and more text <i><table><tr>"
        "<td>cell <a href='x'>link</p></td></div></html></body><<<>>><p"
    )
    _write(folder, "html/unclosed.html", unclosed)
    _write(folder, "html/scripts-and-handlers.html", HTML_PAGE)
    only_script = "<html><head><script>var story = 'SCRIPT_ONLY_SECRET';</script></head><body></body></html>"
    _write(folder, "html/only-a-script.html", only_script)

    def deep_ok(article: Article) -> None:
        assert "ferry to the islands runs again" in article.text

    def unclosed_ok(article: Article) -> None:
        # The first line, short and without a full stop, is taken for the title.
        assert "ferry line to the islands" in f"{article.title}\n{article.text}"
        assert "every hour in summer" in article.text and "<" not in article.text

    def no_scripts(article: Article) -> None:
        assert "stone bridge over the Mill River" in article.text
        for text in (article.text, article.extracted_text or "", article.title or ""):
            for secret in SCRIPT_SECRETS:
                assert secret not in text, secret

    return [
        Case("html/deep-200.html", stored=1, check=_one(deep_ok)),
        Case("html/deep-5000.html", refused=(("nested more than 255 levels",),), why="libxml2 stops there"),
        Case("html/unclosed.html", stored=1, check=_one(unclosed_ok)),
        Case("html/scripts-and-handlers.html", stored=1, check=_one(no_scripts)),
        Case("html/only-a-script.html", refused=(("no article text",),)),
    ]


# --- exports with bad rows ------------------------------------------------------------------------------


def hostile_jsonl(folder: Path) -> list[Case]:
    good = {"title": "Bridge reopens", "text": BRIDGE_STORY, "date": "2024-04-08"}
    lines = [
        json.dumps(good),
        '{"title": "Broken", "text": "no closing brace"',
        json.dumps({"text": 12345}),
        json.dumps({"text": ["a", "list", "of", "words"]}),
        json.dumps({"text": None}),
        json.dumps({"text": {"nested": "object"}}),
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"text": RUSSIAN_STORY, "date": "garbage, not a date", "title": ["a", "list"]}),
        json.dumps({"text": CHINESE_STORY, "date": 20240408, "url": 42, "outlet": None, "author": {"x": 1}}),
        "\x00\x01 not json",
        json.dumps("a bare string"),
    ]
    _write(folder, "exports/bad-rows.jsonl", "\n".join(lines) + "\n")

    def rows_ok(articles: list[Article]) -> None:
        by_line = {a.extra["line"]: a for a in articles}
        assert sorted(by_line) == [1, 8, 9]
        assert by_line[1].publication_date is not None and by_line[1].publication_date.value == "2024-04-08"
        garbage = by_line[8]
        assert garbage.publication_date is None and garbage.extra["unparsed_date"] == "garbage, not a date"
        assert garbage.title == "a, list"
        assert by_line[9].url is None and by_line[9].author is None

    return [
        Case(
            "exports/bad-rows.jsonl",
            stored=3,
            refused=(
                (":2:", "invalid JSON"),
                (":3:", "not a string but a number"),
                (":4:", "not a string but a list"),
                (":5:", "is empty"),
                (":6:", "not a string but an object"),
                (":7:", "nested too deeply"),
                (":10:", "invalid JSON"),
                (":11:", "not a JSON object but a string"),
            ),
            check=rows_ok,
        )
    ]


def hostile_csv(folder: Path) -> list[Case]:
    rows = (
        "Title,Text,Date\r\n"
        '"Bridge reopens","The old stone bridge reopened on Monday.\r\n\r\nEngineers replaced two piers, '
        'the council said ""on time"".",2024-04-08\r\n'
        '"Ferry","The ferry runs again, every hour in summer.\nA second line of the same field.",garbage\r\n'
    )
    _write(folder, "exports/bom-newlines.csv", codecs.BOM_UTF8 + rows.encode("utf-8"))

    def csv_ok(articles: list[Article]) -> None:
        assert [a.title for a in articles] == ["Bridge reopens", "Ferry"]
        assert "Engineers replaced two piers" in articles[0].text and '"on time"' in articles[0].text
        assert articles[0].publication_date is not None and articles[1].publication_date is None
        assert "A second line of the same field." in articles[1].text
        assert all(a.encoding == "utf-8-sig" for a in articles)

    return [Case("exports/bom-newlines.csv", stored=2, check=csv_ok)]


# --- encodings and characters ---------------------------------------------------------------------------


def encodings(folder: Path) -> list[Case]:
    samples = [
        ("gbk.txt", CHINESE_STORY, "gbk", "gb18030", "四百亿元"),
        ("big5.txt", TRADITIONAL_CHINESE_STORY, "big5", "big5", "四百億元"),
        ("cp1251.txt", RUSSIAN_STORY, "cp1251", "cp1251", "строительства нового моста"),
    ]
    cases = []
    for name, text, codec, detected, words in samples:
        _write(folder, f"enc/{name}", text, codec)
        cases.append(Case(f"enc/{name}", stored=1, check=_one(_decoded_as(text, detected, words))))
    mixed_text = RUSSIAN_STORY + CHINESE_STORY
    _write(folder, "enc/utf16-bom.txt", codecs.BOM_UTF16_LE + mixed_text.encode("utf-16-le"))
    cases.append(
        Case("enc/utf16-bom.txt", stored=1, check=_one(_decoded_as(mixed_text, "utf-16-le", "四百亿元")))
    )
    # Without a BOM, UTF-16 is told from binary by nothing but guesswork; news inputs carry the BOM.
    _write(folder, "enc/utf16-no-bom.txt", mixed_text.encode("utf-16-le"))
    cases.append(Case("enc/utf16-no-bom.txt", refused=(("binary",),), why="NUL bytes without a BOM"))
    # Mixed encodings in one file: a UTF-8 export with one row pasted in from a cp1252 file.
    _write(
        folder,
        "enc/mixed.txt",
        "Café owners in Genève said the river – now falling – had reached the door.\n\n".encode()
        + "The mayor promised \u201chelp for everyone\u201d by Friday.\n".encode("cp1252"),
    )

    def mixed_ok(article: Article) -> None:
        # No one encoding explains the bytes: the UTF-8 is read as UTF-8, the stray bytes as cp1252.
        assert article.encoding == "utf-8+cp1252"
        assert "Café owners in Genève said the river – now falling" in article.text
        assert "The mayor promised \u201chelp for everyone\u201d by Friday." in article.text

    cases.append(Case("enc/mixed.txt", stored=1, check=_one(mixed_ok)))
    return cases


def _decoded_as(text: str, encoding: str, words: str) -> Callable[[Article], None]:
    def check(article: Article) -> None:
        assert article.raw_text == text and article.encoding == encoding
        assert words in article.text

    return check


def hostile_characters(folder: Path) -> list[Case]:
    zero_width = (
        "Flood\u200b waters\u2060 reached\u00ad the\ufeff town hall\x07 on\x1b Monday\x01, "
        "the\x7f mayor said.\n\n"
        "Emergency crews\u200b worked\x08 through the night\x0c to pump out the basement.\n"
    )
    _write(folder, "chars/zero-width-and-controls.md", zero_width)
    _write(folder, "chars/arabic-rtl.txt", ARABIC_STORY + "\n" + HEBREW_LINE)

    def invisible_gone(article: Article) -> None:
        for char in "\u200b\u2060\u00ad\ufeff\x01\x07\x08\x1b\x7f\x0c":
            assert char not in article.text, repr(char)
        assert "Flood waters reached the town hall on Monday, the mayor said." in article.text

    def rtl_kept(article: Article) -> None:
        assert "افتتاح الجسر الحجري القديم" in article.text  # logical order, letters untouched
        assert "הגשר הישן נפתח מחדש" in article.text

    return [
        Case("chars/zero-width-and-controls.md", stored=1, check=_one(invisible_gone)),
        Case("chars/arabic-rtl.txt", stored=1, check=_one(rtl_kept)),
    ]


# --- volume, dates and sizes ----------------------------------------------------------------------------


def identical_articles(folder: Path) -> list[Case]:
    row = json.dumps(
        {"title": "Ferry", "text": "The ferry to the islands runs again, the harbour master said."}
    )
    _write(folder, "exports/identical.jsonl", (row + "\n") * IDENTICAL_COPIES)

    def one_original(articles: list[Article]) -> None:
        originals = [a for a in articles if a.duplicate_of is None]
        assert len(originals) == 1 and originals[0].extra["line"] == 1
        assert all(a.duplicate_of == originals[0].id for a in articles if a is not originals[0])
        assert all(a.duplicate_similarity == 1.0 for a in articles if a is not originals[0])

    return [Case("exports/identical.jsonl", stored=IDENTICAL_COPIES, check=one_original)]


def impossible_dates(folder: Path) -> list[Case]:
    dates = ["0000-00-00", "9999-99-99", "9999-12-31", "year 9999", "0001-01-01", "2024-02-30", "1e308", ""]
    rows = [json.dumps({"text": f"{BRIDGE_STORY}\nRow {n}.", "date": d}) for n, d in enumerate(dates)]
    _write(folder, "exports/impossible-dates.jsonl", "\n".join(rows) + "\n")
    page = HTML_PAGE.replace("2024-04-08T10:12:00+02:00", "0000-00-00T00:00:00").replace(
        "2024-04-09T08:30:00+02:00", "9999-99-99"
    )
    _write(folder, "html/impossible-dates.html", page)
    _write(folder, "dateline-9999.txt", "RIVERSIDE, 31 December 9999 - " + BRIDGE_STORY)

    def undated(articles: list[Article]) -> None:
        assert articles and all(a.publication_date is None for a in articles)
        assert all(a.modification_date is None for a in articles)

    return [
        Case("exports/impossible-dates.jsonl", stored=len(dates), check=undated),
        Case("html/impossible-dates.html", stored=1, check=undated),
        Case("dateline-9999.txt", stored=1, check=undated),
    ]


def extreme_lengths(folder: Path) -> list[Case]:
    _write(folder, "sizes/one-word.txt", "Flooded.\n")
    words = " ".join(f"word{n % 997}" for n in range(LONG_ARTICLE_WORDS))
    _write(folder, "sizes/200k-words.txt", f"A very long report\n\n{words}.\n")

    def one_word(article: Article) -> None:
        assert article.text == "Flooded." and article.words == 1

    def long_one(article: Article) -> None:
        assert article.words >= LONG_ARTICLE_WORDS

    return [
        Case("sizes/one-word.txt", stored=1, check=_one(one_word)),
        Case("sizes/200k-words.txt", stored=1, check=_one(long_one)),
    ]


def too_long_article(folder: Path, article_limit: int) -> list[Case]:
    """One article just past the per-article limit (refused before any work is done on it)."""
    sentence = "The river rose again overnight. "
    _write(folder, "sizes/too-long-article.txt", sentence * (article_limit // len(sentence) + 1))
    return [Case("sizes/too-long-article.txt", refused=(("characters long", "over the limit"),))]


def control_article(folder: Path) -> list[Case]:
    """An ordinary article amid the hostile ones: it must come through as if it were alone."""
    _write(folder, "zz-ordinary.txt", ORDINARY_STORY)

    def ordinary(article: Article) -> None:
        assert article.title == "Dam inspection finds no damage" and article.duplicate_of is None
        assert article.text.startswith("Millbrook, 12 May 2024 - Inspectors") and article.words > 30

    return [Case("zz-ordinary.txt", stored=1, check=_one(ordinary))]


def write_hostile_corpus(folder: Path, limit: int, article_limit: int) -> list[Case]:
    """Write every hostile case into ``folder`` for a run with ``Settings(max_input_bytes=limit)`` and
    ``pipeline.MAX_ARTICLE_CHARS = article_limit``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        *empty_files(folder),
        *binary_files(folder),
        *broken_gzip(folder, limit),
        *oversized_text(folder, limit),
        *hostile_html(folder),
        *hostile_jsonl(folder),
        *hostile_csv(folder),
        *encodings(folder),
        *hostile_characters(folder),
        *identical_articles(folder),
        *impossible_dates(folder),
        *extreme_lengths(folder),
        *too_long_article(folder, article_limit),
        *control_article(folder),
    ]

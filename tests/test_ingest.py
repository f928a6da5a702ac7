"""Readers: discovery, size limits, gzip, decoding, and the text, HTML, JSONL and CSV readers.

Every input is made here, in tmp_path: nothing is fetched and nothing is read from outside the tests.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import json
import zlib
from pathlib import Path

import pytest

from storyline.config import FieldMapping, Settings
from storyline.ingest import detect_format, discover, read_file, read_paths, sniff_format
from storyline.ingest.decode import declared_charset, decode_bytes, format_mb
from storyline.ingest.tabular import outlet_from_url
from storyline.model import Article, DateMethod, DatePrecision, FieldMethod, ReadFailure

SETTINGS = Settings()

BRIDGE_STORY = (
    "Riverside, 8 April 2024 - The old stone bridge over the Mill River reopened to traffic on Monday\n"
    "after eight months of repairs, the city council said.\n"
    "\n"
    "Engineers replaced two of the supporting piers and resurfaced the roadway. The council said the\n"
    "work cost about 4 million euros, slightly less than planned.\n"
)

CHINESE_STORY = (
    "北京市政府星期一宣布，将在今年夏季之前完成城市东部三条地铁线路的扩建工程。"
    "市交通委员会负责人在新闻发布会上表示，新线路开通后，每天可以减少大约二十万人次的地面交通出行。\n\n"
    "据报道，该项目总投资超过四百亿元，施工期间部分道路将实行临时交通管制。"
    "居民对工程进度普遍表示关注，一些商户担心施工会影响生意。\n"
)

TRADITIONAL_CHINESE_STORY = (
    "臺北市政府星期一宣布，將在今年夏季之前完成城市東部三條捷運路線的擴建工程。"
    "市交通局負責人在記者會上表示，新路線開通後，每天可以減少大約二十萬人次的地面交通出行。\n\n"
    "據報導，該項目總投資超過四百億元，施工期間部分道路將實行臨時交通管制。"
    "居民對工程進度普遍表示關注，一些商家擔心施工會影響生意。\n"
)

RUSSIAN_STORY = (
    "Правительство области в понедельник объявило о начале строительства нового моста через реку. "
    "По словам губернатора, работы планируется завершить к концу следующего года, а общая стоимость "
    "проекта превысит три миллиарда рублей.\n\n"
    "Местные жители давно ждали этого решения: старый мост был закрыт для грузового транспорта ещё "
    "прошлой осенью из-за износа опор.\n"
)

HTML_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Bridge reopens after repairs | Riverside Gazette</title>
<meta property="og:site_name" content="Riverside Gazette">
<link rel="canonical" href="https://www.riverside-gazette.example/news/bridge-reopens">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Bridge reopens after repairs",
 "datePublished": "2024-04-08T10:12:00+02:00", "dateModified": "2024-04-09T08:30:00+02:00",
 "author": {"@type": "Person", "name": "Maria Lopez"}}
</script>
<script>var tracker = "TRACKER_SCRIPT_SECRET"; document.write("SCRIPT_WRITE_SECRET");</script>
</head>
<body onload="startTracking('ONLOAD_SECRET')">
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Bridge reopens after repairs</h1>
<p onclick="alert('ONCLICK_SECRET')">The old stone bridge over the Mill River reopened to traffic on Monday
after eight months of repairs, the city council said.</p>
<script>console.log("INLINE_SCRIPT_SECRET");</script>
<p>Engineers replaced two of the supporting piers and resurfaced the roadway. The council said the work
cost about 4 million euros, slightly less than planned.</p>
<noscript>NOSCRIPT_SECRET please enable JavaScript</noscript>
<p>Residents who had faced a long detour welcomed the reopening, although some shop owners said the
closure had cost them customers over the winter.</p>
</article>
<footer>Riverside Gazette, all rights reserved.</footer>
</body>
</html>
"""

HTML_WITHOUT_DATE = """<html><head><title>Harbour plan approved</title></head><body>
<article><h2>Harbour plan approved</h2>
<p>The port authority approved a plan on Tuesday to deepen the main shipping channel, a project that
was first proposed several years ago.</p>
<p>Dredging will start next spring, the authority said, and should take about two years to finish.</p>
<p>Environmental groups said they would study the plan before deciding whether to challenge it.</p>
</article><footer>Coastal Times. All rights reserved.</footer></body></html>
"""


def write(path: Path, content: str | bytes, *, encoding: str = "utf-8", gz: bool = False) -> Path:
    """Write a fixture file (optionally gzipped) and return its path."""
    data = content.encode(encoding) if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def read_all(path: Path, settings: Settings = SETTINGS) -> tuple[list[Article], list[ReadFailure]]:
    articles: list[Article] = []
    failures: list[ReadFailure] = []
    for item in read_file(path, settings):
        (failures if isinstance(item, ReadFailure) else articles).append(item)  # type: ignore[arg-type]
    return articles, failures


def only_failure(path: Path, settings: Settings = SETTINGS) -> ReadFailure:
    articles, failures = read_all(path, settings)
    assert not articles
    assert len(failures) == 1, failures
    return failures[0]


def only_article(path: Path, settings: Settings = SETTINGS) -> Article:
    articles, failures = read_all(path, settings)
    assert not failures, failures
    assert len(articles) == 1
    return articles[0]


# --- discovery ------------------------------------------------------------------------------------------


def test_discover_walks_folders_recursively_in_sorted_order_and_skips_hidden(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.txt", "a/c/d.txt", "a.txt", ".hidden.txt", ".git/config", "a/.cache/x.txt"]:
        write(tmp_path / name, BRIDGE_STORY)
    found = list(discover([tmp_path]))
    assert found == [
        tmp_path / "a" / "c" / "d.txt",
        tmp_path / "a" / "z.txt",
        tmp_path / "a.txt",
        tmp_path / "b.txt",
    ]


def test_discover_keeps_given_order_and_reports_missing_paths(tmp_path: Path) -> None:
    second = write(tmp_path / "second.txt", BRIDGE_STORY)
    first = write(tmp_path / "first.txt", BRIDGE_STORY)
    missing = tmp_path / "missing.txt"
    found = list(discover([second, str(missing), str(first)]))
    assert found == [second, ReadFailure(str(missing), "no such file or directory"), first]


def test_read_paths_combines_discovery_and_reading(tmp_path: Path) -> None:
    write(tmp_path / "in" / "one.txt", BRIDGE_STORY)
    write(tmp_path / "in" / "two.md", RUSSIAN_STORY)
    results = list(read_paths([tmp_path / "in", tmp_path / "nope"], SETTINGS))
    assert [type(r).__name__ for r in results] == ["Article", "Article", "ReadFailure"]
    assert results[0].raw_text == BRIDGE_STORY  # type: ignore[union-attr]
    assert results[2].reason == "no such file or directory"  # type: ignore[union-attr]


# --- formats --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("story.txt", "text"),
        ("story.TEXT", "text"),
        ("notes.md", "text"),
        ("page.html", "html"),
        ("page.HTM", "html"),
        ("page.xhtml", "html"),
        ("page.shtml", "html"),
        ("page.html.gz", "html"),
        ("page.htm.txt", "text"),
        ("rows.jsonl", "jsonl"),
        ("rows.ndjson.gz", "jsonl"),
        ("rows.json", "jsonl"),
        ("rows.csv", "csv"),
        ("rows.tsv", "tsv"),
        ("story", None),
        ("story.dat.gz", None),
    ],
)
def test_format_comes_from_the_last_suffix_after_gz(name: str, expected: str | None) -> None:
    assert detect_format(Path(name)) == expected


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    assert sniff_format(HTML_PAGE) == "html"
    assert sniff_format('{"text": "a"}\n{"text": "b"}\n') == "jsonl"
    assert sniff_format(BRIDGE_STORY) == "text"
    assert sniff_format("<3 this story\n") == "text"

    page = only_article(write(tmp_path / "saved_page", HTML_PAGE))
    assert page.format == "html"
    rows, _ = read_all(write(tmp_path / "export.out", '{"text": "First story."}\n{"text": "Second."}\n'))
    assert [r.format for r in rows] == ["jsonl", "jsonl"]
    assert only_article(write(tmp_path / "README", BRIDGE_STORY)).format == "text"


def test_html_named_as_text_is_read_as_text(tmp_path: Path) -> None:
    article = only_article(write(tmp_path / "page.htm.txt", HTML_PAGE))
    assert article.format == "text"
    assert article.raw_text == HTML_PAGE


# --- plain text -----------------------------------------------------------------------------------------


def test_text_file_is_one_article_with_raw_text_exactly_as_decoded(tmp_path: Path) -> None:
    raw = "Title line\r\n\r\nBody with a tab\tand a form feed\x0c kept.\r\n"
    article = only_article(write(tmp_path / "story.txt", raw))
    assert article.raw_text == raw
    assert article.source == str(tmp_path / "story.txt")
    assert (article.format, article.encoding) == ("text", "utf-8")
    assert article.title is None and article.text == ""  # titles and cleaning belong to the clean stage


def test_reading_twice_gives_the_same_ids(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt", BRIDGE_STORY)
    assert only_article(path).id == only_article(path).id


# --- size limits and gzip -------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "word " * 100_000)  # 500,000 bytes
    failure = only_failure(path, Settings(max_input_bytes=100_000))
    assert failure.reason == "file is 0.477 MB, over the limit of 0.0954 MB"
    assert format_mb(200 * 1024 * 1024) == "200"
    assert format_mb(250 * 1024 * 1024 + 300_000) == "250.3"


@pytest.mark.parametrize(
    ("name", "content", "fmt", "count"),
    [
        ("story.txt.gz", BRIDGE_STORY, "text", 1),
        ("page.html.gz", HTML_PAGE, "html", 1),
        ("rows.jsonl.gz", '{"text": "One."}\n{"text": "Two."}\n', "jsonl", 2),
        ("rows.json.gz", '[{"text": "One."}, {"text": "Two."}]', "jsonl", 2),
        ("rows.csv.gz", "title,text\nA,One.\nB,Two.\n", "csv", 2),
        ("rows.tsv.gz", "title\ttext\nA\tOne.\nB\tTwo.\n", "csv", 2),
    ],
)
def test_gzipped_inputs_of_each_format(tmp_path: Path, name: str, content: str, fmt: str, count: int) -> None:
    articles, failures = read_all(write(tmp_path / name, content, gz=True))
    assert not failures
    assert [a.format for a in articles] == [fmt] * count
    if fmt in ("text", "html"):
        assert articles[0].raw_text == content


def test_gzip_bomb_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    # 300 MB of zeros compress to a few hundred KB; decompression must stop at the limit.
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: gzip container; level 1 is fast
    zeros = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(zeros) for _ in range(300)) + compressor.flush()
    path = write(tmp_path / "bomb.txt.gz", bomb)
    assert path.stat().st_size < 2 * 1024 * 1024
    failure = only_failure(path, Settings(max_input_bytes=2 * 1024 * 1024))
    assert "gzip bomb" in failure.reason
    assert "limit of 2 MB" in failure.reason


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_truncated_or_corrupt_gzip_is_a_failure(tmp_path: Path, damage: str) -> None:
    data = gzip.compress((BRIDGE_STORY * 50).encode())
    data = data[: len(data) // 2] if damage == "truncated" else data[:10] + b"\xff" * 40 + data[50:]
    failure = only_failure(write(tmp_path / "story.txt.gz", data))
    assert failure.reason == "truncated or corrupt gzip"


# --- empty, binary and undecodable inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"  \n\t\r\n  ", codecs.BOM_UTF8 + b"\n\n", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")],
)
def test_empty_file_is_a_failure(tmp_path: Path, content: bytes) -> None:
    assert only_failure(write(tmp_path / "empty.txt", content)).reason == "empty file"


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"text with a NUL\x00 in the middle",
        bytes([1, 2, 3, 4, 5, 6, 14, 15, 16]) * 50 + b"some words",
    ],
)
def test_binary_file_is_a_failure(tmp_path: Path, content: bytes) -> None:
    assert only_failure(write(tmp_path / "story.txt", content)).reason == "binary file, not text"


def test_undecodable_bytes_are_a_failure(tmp_path: Path) -> None:
    failure = only_failure(write(tmp_path / "story.txt", bytes(range(0x80, 0x100)) * 20))
    assert failure.reason == "cannot detect the text encoding"


# --- encodings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        (CHINESE_STORY, "gbk", "gb18030"),
        (CHINESE_STORY, "gb18030", "gb18030"),
        (TRADITIONAL_CHINESE_STORY, "big5", "big5"),
        (RUSSIAN_STORY, "cp1251", "cp1251"),
    ],
)
def test_legacy_encodings_are_detected(tmp_path: Path, text: str, encoding: str, detected: str) -> None:
    article = only_article(write(tmp_path / "story.txt", text, encoding=encoding))
    assert article.raw_text == text
    assert article.encoding == detected


@pytest.mark.parametrize(
    ("bom", "codec", "recorded"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_byte_order_marks_decide_the_encoding(tmp_path: Path, bom: bytes, codec: str, recorded: str) -> None:
    text = RUSSIAN_STORY + CHINESE_STORY
    article = only_article(write(tmp_path / "story.txt", bom + text.encode(codec)))
    assert article.raw_text == text  # the BOM itself is not part of the text
    assert article.encoding == recorded


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "<title>Новый мост</title></head><body><article>"
        + "".join(f"<p>{para}</p>" for para in RUSSIAN_STORY.split("\n\n"))
        + "</article></body></html>"
    )
    article = only_article(write(tmp_path / "page.html", page, encoding="cp1251"))
    assert article.encoding == "cp1251"
    assert article.raw_text == page
    assert article.title == "Новый мост"
    assert "строительства нового моста" in (article.extracted_text or "")


@pytest.mark.parametrize(
    ("declaration", "codec"),
    [
        (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', "cp1251"),
        (b"<META CHARSET='GB2312'>", "gb18030"),
        (b'<meta charset="big5">', "big5hkscs"),
        (b'<meta charset="x-no-such-charset">', None),
        (b"<p>charset=utf-8 in the text is no declaration</p>", None),
    ],
)
def test_declared_charset(declaration: bytes, codec: str | None) -> None:
    assert declared_charset(b"<html><head>" + declaration + b"</head></html>") == codec


def test_valid_utf8_wins_over_a_wrong_meta_charset() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Café crème à Genève</p></body></html>'
    decoded = decode_bytes(page.encode("utf-8"), "page.html", html=True)
    assert (decoded.text, decoded.encoding) == (page, "utf-8")


def test_latin1_meta_charset_reads_as_its_cp1252_superset() -> None:
    page = '<html><head><meta charset="ISO-8859-1"></head><body><p>\u201cCaf\u00e9\u201d</p></body></html>'
    decoded = decode_bytes(page.encode("cp1252"), "page.html", html=True)
    assert (decoded.text, decoded.encoding) == (page, "cp1252")


# --- JSONL and JSON -------------------------------------------------------------------------------------


def test_jsonl_reports_bad_lines_with_their_numbers_and_keeps_the_good_ones(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "Bridge reopens", "text": BRIDGE_STORY, "date": "2024-04-08"}),
        '{"title": "Broken", "text": "no closing brace"',
        "",
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "No text here"}),
        json.dumps({"text": "   "}),
        json.dumps({"text": 42}),
        json.dumps({"content": RUSSIAN_STORY, "title": 2024, "authors": ["Anna Petrova", "Ivan Sokolov"]}),
    ]
    path = write(tmp_path / "export.jsonl", "\n".join(lines) + "\n")
    articles, failures = read_all(path)

    assert [a.extra["line"] for a in articles] == [1, 8]
    assert [a.raw_text for a in articles] == [BRIDGE_STORY, RUSSIAN_STORY]
    assert [(f.line, f.source) for f in failures] == [
        (2, str(path)),
        (4, str(path)),
        (5, str(path)),
        (6, str(path)),
        (7, str(path)),
    ]
    reasons = [f.reason for f in failures]
    assert reasons[0].startswith("invalid JSON:")
    assert reasons[1] == "not a JSON object but a list"
    assert reasons[2].startswith("no text field (looked for text, content")
    assert reasons[3] == "field 'text' is empty"
    assert reasons[4] == "field 'text' is not a string but a number"
    assert all("\n" not in r for r in reasons)

    first, second = articles
    assert first.source == f"{path}#1"
    assert first.format == "jsonl"
    assert first.title == "Bridge reopens" and first.title_method is FieldMethod.METADATA
    assert first.publication_date is not None
    assert first.publication_date.value == "2024-04-08"
    assert first.publication_date.method is DateMethod.METADATA
    assert first.publication_date.evidence == "field date"
    assert second.title == "2024"  # a number where a title belongs is taken as text
    assert second.author == "Anna Petrova, Ivan Sokolov"
    assert second.extra == {"file": str(path), "line": 8}


def test_jsonl_row_metadata_url_outlet_dates_and_extras(tmp_path: Path) -> None:
    rows = [
        {
            "URL": "https://www.reuters.example/world/bridge-reopens-2024-04-08/",
            "Text": BRIDGE_STORY,
            "published_at": "Apr 8, 2024 10:12 AM",
            "dateModified": "2024-04-09",
            "lang": "EN",
            "section": "World",
            "word_count": 63,
            "tags": ["bridges", "city"],
            "html": "<p>" + "x" * 1000 + "</p>",
        },
        {"text": RUSSIAN_STORY, "date": "sometime last spring", "source": "Volga Herald", "url": "n/a"},
    ]
    path = write(tmp_path / "rows.ndjson", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    articles, failures = read_all(path)
    assert not failures
    first, second = articles

    assert first.source == first.url == "https://www.reuters.example/world/bridge-reopens-2024-04-08/"
    assert (first.outlet, first.outlet_method) == ("reuters.example", FieldMethod.URL)
    assert first.publication_date is not None and first.modification_date is not None
    assert (first.publication_date.value, first.publication_date.precision) == (
        "2024-04-08T10:12",
        DatePrecision.MINUTE,
    )
    assert first.publication_date.evidence == "field published_at"
    assert first.modification_date.value == "2024-04-09"
    assert first.modification_date.method is DateMethod.METADATA
    assert first.language == "en"
    # Short scalar columns are kept; long bodies and lists are not metadata.
    assert first.extra == {"section": "World", "word_count": "63", "file": str(path), "line": 1}

    assert second.source == f"{path}#2" and second.url is None
    assert (second.outlet, second.outlet_method) == ("Volga Herald", FieldMethod.METADATA)
    assert second.publication_date is None  # never guessed here
    assert second.extra["unparsed_date"] == "sometime last spring"
    assert second.extra["url"] == "n/a"


def test_json_file_with_an_array_of_objects(tmp_path: Path) -> None:
    data = [{"text": BRIDGE_STORY, "title": "Bridge"}, "stray string", {"body": CHINESE_STORY}]
    path = write(tmp_path / "export.json", json.dumps(data, indent=2, ensure_ascii=False))
    articles, failures = read_all(path)
    assert [a.title for a in articles] == ["Bridge", None]
    assert [a.source for a in articles] == [f"{path}#item-1", f"{path}#item-3"]
    assert articles[1].raw_text == CHINESE_STORY
    assert [f.reason for f in failures] == ["item 2: not a JSON object but a string"]


def test_pretty_printed_single_json_object(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps({"text": BRIDGE_STORY, "title": "Bridge"}, indent=2))
    assert only_article(path).title == "Bridge"


def test_json_lines_in_a_file_named_json(tmp_path: Path) -> None:
    rows = [{"text": BRIDGE_STORY}, {"text": RUSSIAN_STORY}]
    path = write(tmp_path / "export.json", "\n".join(json.dumps(r) for r in rows) + "\n")
    articles, failures = read_all(path)
    assert not failures
    assert [(a.raw_text, a.source) for a in articles] == [
        (BRIDGE_STORY, f"{path}#1"),
        (RUSSIAN_STORY, f"{path}#2"),
    ]


def test_csv_without_a_header_row_is_a_failure(tmp_path: Path) -> None:
    failure = only_failure(write(tmp_path / "export.csv", "\n\n,,\nnot,a,header\n"))
    assert (failure.line, failure.reason) == (1, "no header row naming the columns")


def test_invalid_json_array_names_its_line(tmp_path: Path) -> None:
    failure = only_failure(write(tmp_path / "export.json", '[\n{"text": "ok"},\n{"text": oops}\n]'))
    assert failure.line == 3 and failure.reason.startswith("invalid JSON")


# --- CSV and TSV ----------------------------------------------------------------------------------------


def test_csv_with_bom_embedded_newlines_and_case_insensitive_headers(tmp_path: Path) -> None:
    body = "First paragraph of the story.\r\n\r\nSecond paragraph, with a comma."
    rows = [
        "Title,Text,Date,Link",
        f'"Bridge reopens","{body}",2024-04-08,https://news.example.org/a',
        "Empty,,2024-04-09,",
        'Second story,"Another ""quoted"" body.",not a date,',
    ]
    path = write(tmp_path / "export.csv", codecs.BOM_UTF8 + "\r\n".join(rows).encode("utf-8"))
    articles, failures = read_all(path)

    assert [(f.line, f.reason) for f in failures] == [(5, "field 'Text' is empty")]
    first, second = articles
    assert first.raw_text == body  # the embedded CRLFs are kept as written
    assert first.title == "Bridge reopens"
    assert first.encoding == "utf-8-sig"
    assert first.url == first.source == "https://news.example.org/a"
    assert (first.outlet, first.outlet_method) == ("news.example.org", FieldMethod.URL)
    assert first.extra["line"] == 2
    assert second.raw_text == 'Another "quoted" body.'
    assert second.source == f"{path}#6"
    assert second.extra["unparsed_date"] == "not a date"


def test_csv_with_a_custom_field_mapping(tmp_path: Path) -> None:
    rows = "headline,body,text,when\nBridge reopens,The real article body.,short teaser,8 April 2024\n"
    settings = Settings(fields=FieldMapping.parse("text=body,title=headline,date=when"))
    article = only_article(write(tmp_path / "export.csv", rows), settings)
    assert article.raw_text == "The real article body."
    assert article.title == "Bridge reopens"
    assert article.publication_date is not None and article.publication_date.value == "2024-04-08"
    assert article.publication_date.evidence == "field when"
    assert article.extra["text"] == "short teaser"


def test_tsv_and_semicolon_csv(tmp_path: Path) -> None:
    tsv = write(
        tmp_path / "export.tsv", "title\ttext\toutlet\nBridge\tBody, with commas; and more.\tGazette\n"
    )
    article = only_article(tsv)
    assert (article.raw_text, article.outlet, article.outlet_method) == (
        "Body, with commas; and more.",
        "Gazette",
        FieldMethod.METADATA,
    )
    semicolons = write(tmp_path / "export.csv", "title;text\nBridge;The bridge reopened on Monday.\n")
    assert only_article(semicolons).raw_text == "The bridge reopened on Monday."


def test_csv_fields_larger_than_the_csv_module_default(tmp_path: Path) -> None:
    long_body = "The council met again. " * 20_000  # about 460 KB, past csv's 128 KB default
    article = only_article(write(tmp_path / "export.csv", f'text\n"{long_body}"\n'))
    assert article.raw_text == long_body


def test_csv_in_a_legacy_encoding(tmp_path: Path) -> None:
    content = 'title,text\nМост,"' + RUSSIAN_STORY + '"\n'
    article = only_article(write(tmp_path / "export.csv", content, encoding="cp1251"))
    assert (article.raw_text, article.encoding) == (RUSSIAN_STORY, "cp1251")


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.reuters.com/world/x", "reuters.com"),
        ("http://news.bbc.co.uk/a?b=c", "news.bbc.co.uk"),
        ("https://WWW.Example.ORG:8080/", "example.org"),
        ("not a url", None),
        ("http://[broken", None),
    ],
)
def test_outlet_from_url(url: str, outlet: str | None) -> None:
    assert outlet_from_url(url) == outlet


# --- HTML -----------------------------------------------------------------------------------------------


def test_html_page_text_and_metadata(tmp_path: Path) -> None:
    path = write(tmp_path / "bridge.html", HTML_PAGE)
    article = only_article(path)

    assert article.raw_text == HTML_PAGE
    assert article.format == "html" and article.encoding == "utf-8"
    assert article.source == str(path)
    text = article.extracted_text or ""
    assert "reopened to traffic on Monday" in text
    assert "closure had cost them customers" in text
    assert "Home | News" not in text
    assert article.title == "Bridge reopens after repairs"
    assert article.title_method is FieldMethod.METADATA
    assert (article.outlet, article.outlet_method) == ("Riverside Gazette", FieldMethod.METADATA)
    assert article.url == "https://www.riverside-gazette.example/news/bridge-reopens"
    assert article.author == "Maria Lopez"
    assert article.language == "en"


def test_html_published_and_modified_dates_are_kept_apart(tmp_path: Path) -> None:
    article = only_article(write(tmp_path / "bridge.html", HTML_PAGE))
    published, modified = article.publication_date, article.modification_date
    assert published is not None and modified is not None
    assert (published.value, published.method, published.evidence) == (
        "2024-04-08T10:12",
        DateMethod.METADATA,
        "JSON-LD datePublished",
    )
    assert (modified.value, modified.method, modified.evidence) == (
        "2024-04-09T08:30",
        DateMethod.METADATA,
        "JSON-LD dateModified",
    )


def test_html_scripts_and_event_handlers_never_reach_the_text(tmp_path: Path) -> None:
    text = only_article(write(tmp_path / "bridge.html", HTML_PAGE)).extracted_text or ""
    for secret in (
        "TRACKER",
        "SCRIPT_WRITE",
        "INLINE_SCRIPT",
        "ONCLICK",
        "ONLOAD",
        "NOSCRIPT",
        "console.log",
        "alert(",
    ):
        assert secret not in text


def test_html_meta_tags_give_dates_when_there_is_no_json_ld(tmp_path: Path) -> None:
    page = HTML_WITHOUT_DATE.replace(
        "<title>",
        '<meta property="article:published_time" content="2023-11-02T07:45:00Z">'
        '<meta property="article:modified_time" content="2023-11-03T09:00:00Z"><title>',
    )
    article = only_article(write(tmp_path / "harbour.htm", page))
    assert article.publication_date is not None and article.modification_date is not None
    assert article.publication_date.value == "2023-11-02T07:45"
    assert article.publication_date.evidence == "meta property=article:published_time"
    assert article.modification_date.value == "2023-11-03T09:00"


def test_html_without_any_date_has_no_publication_date(tmp_path: Path) -> None:
    article = only_article(write(tmp_path / "harbour.html", HTML_WITHOUT_DATE))
    assert "deepen the main shipping channel" in (article.extracted_text or "")
    assert article.publication_date is None  # not today's date, not the file's date
    assert article.modification_date is None
    assert article.outlet is None and article.url is None


def test_html_outlet_falls_back_to_the_url_host(tmp_path: Path) -> None:
    page = HTML_WITHOUT_DATE.replace(
        "<title>", '<link rel="canonical" href="https://www.coastal-times.example/2023/harbour"><title>'
    )
    article = only_article(write(tmp_path / "harbour.html", page))
    assert (article.outlet, article.outlet_method) == ("coastal-times.example", FieldMethod.URL)


def test_html_without_article_text_is_a_failure(tmp_path: Path) -> None:
    page = "<html><head><title>Loading</title><script>var app = 1;</script></head><body></body></html>"
    failure = only_failure(write(tmp_path / "empty.html", page))
    assert failure.reason == "no article text found in the HTML"


def test_broken_html_does_not_crash(tmp_path: Path) -> None:
    unclosed = (
        "<html><body><div><p>The new ferry line to the islands opened on Monday after years of delay"
        "<p>The mayor said the service would run every hour in summer <div><b>and more text"
    )
    article = only_article(write(tmp_path / "unclosed.html", unclosed))
    assert "ferry line to the islands" in (article.extracted_text or "")

    deep = (
        "<html><body>"
        + "<div>" * 5000
        + "<p>Deep text about the harbour.</p>"
        + "</div>" * 5000
        + "</body></html>"
    )
    results = list(read_file(write(tmp_path / "deep.html", deep), SETTINGS))
    assert len(results) == 1  # an article or a failure, but no exception


def test_html_fragment_without_html_element(tmp_path: Path) -> None:
    fragment = "".join(f"<p>{para}</p>\n" for para in BRIDGE_STORY.split("\n\n"))
    article = only_article(write(tmp_path / "fragment.html", fragment))
    assert "stone bridge over the Mill River" in (article.extracted_text or "")


def test_xhtml_with_an_xml_declaration(tmp_path: Path) -> None:
    page = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de"><head><title>Neue Brücke eröffnet</title>'
        '<meta name="date" content="2022-05-17"/></head><body><div>'
        "<p>Die neue Brücke über den Fluss wurde am Dienstag nach zwei Jahren Bauzeit freigegeben.</p>"
        "<p>Der Bürgermeister sprach von einem wichtigen Tag für die Stadt.</p></div></body></html>"
    )
    article = only_article(write(tmp_path / "bruecke.xhtml", page))
    assert article.raw_text == page
    assert (article.title, article.language) == ("Neue Brücke eröffnet", "de")
    assert article.publication_date is not None
    assert (article.publication_date.value, article.publication_date.evidence) == (
        "2022-05-17",
        "meta name=date",
    )
    assert "zwei Jahren Bauzeit" in (article.extracted_text or "")


def test_gb2312_declared_page_is_read_with_its_superset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With detection switched off, only the page's own declaration can decode it.
    monkeypatch.setattr("storyline.ingest.decode._detect", lambda data: None)
    paragraphs = "".join(f"<p>{para}</p>" for para in CHINESE_STORY.split("\n\n"))
    page = (
        '<html><head><meta charset="gb2312"><title>地铁扩建</title></head>'
        f"<body><article>{paragraphs}</article></body></html>"
    )
    article = only_article(write(tmp_path / "ditie.html", page, encoding="gbk"))
    assert (article.encoding, article.title, article.raw_text) == ("gb18030", "地铁扩建", page)
    assert "四百亿元" in (article.extracted_text or "")


# --- failures never raise -------------------------------------------------------------------------------


def test_unreadable_inputs_become_failures(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert only_failure(folder).reason.startswith("cannot read the file")
    assert only_failure(tmp_path / "gone.txt").reason.startswith("cannot read the file")


def test_date_of_today_is_never_invented(tmp_path: Path) -> None:
    today = dt.date.today().isoformat()
    for name, content in [("a.html", HTML_WITHOUT_DATE), ("b.jsonl", json.dumps({"text": BRIDGE_STORY}))]:
        article = only_article(write(tmp_path / name, content))
        assert article.publication_date is None
        assert today not in json.dumps(article.extra)

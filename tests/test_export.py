"""The exports, on a bundle built by hand: schema, citations, partial dates, and hostile article data."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.analysis import Entity, Merge, Quote
from storyline.export.bundle import ExportBundle, QuoteRecord, human_date, safe_url, short_source
from storyline.export.csvexport import write_csv
from storyline.export.html import render_html, write_html
from storyline.export.jsonexport import SCHEMA_VERSION, schema, to_json, write_json
from storyline.export.markdown import escape_markdown, to_markdown, write_markdown
from storyline.export.timelinejs import (
    SHEET_COLUMNS,
    to_timelinejs,
    write_timelinejs,
    write_timelinejs_sheet,
)
from storyline.model import Article, DateMethod, DatePrecision, DateValue
from storyline.timeline import Event, SentenceRef, Timeline, TimelineEntry, TimelineOptions

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS_URL = "javascript:alert(1)"


def _article(source: str, text: str, **fields: object) -> Article:
    return Article(source=source, raw_text=text, text=text, **fields)  # type: ignore[arg-type]


def _ref(article: Article, sentence: str) -> SentenceRef:
    start = article.text.index(sentence)
    return SentenceRef(article.id, start, start + len(sentence), sentence)


def make_bundle(*, hostile: bool = False, payload: str | None = None) -> ExportBundle:
    """Four articles (one a duplicate, one with an inferred date), three entities, two events, three entries.

    With ``hostile``, script and attribute payloads sit in titles, outlets, sentences and entity names,
    and one article's URL is ``javascript:``. ``payload`` puts any other text in those places.
    """
    bad = f" {XSS_SCRIPT}{XSS_IMG}" if hostile else ""
    if payload is not None:
        bad = payload
    text_a = (
        f"Beijing, 8 April 2024. Lavrov met Wang Yi in Beijing.{bad} They discussed Ukraine.\n"
        "Putin will visit China in May."
    )
    text_b = "Russian Foreign Minister Sergey Lavrov arrived in Beijing on Monday. =SUM(A1:A9) was not said."
    text_c = "Lavrov met Wang Yi in Beijing on Monday, the ministry said."
    text_d = 'The talks ended.\nLavrov said: "We agree on everything." -minus sign first'
    a = _article(
        "https://example.com/a",
        text_a,
        url="https://example.com/a?x=1&y=(2)",
        title=f"Lavrov in Beijing{bad}",
        outlet=f"Reuters{bad}",
        publication_date=DateValue("2024-04-08", DatePrecision.DAY, DateMethod.METADATA),
        modification_date=DateValue("2024-04-09T10:00", DatePrecision.MINUTE, DateMethod.METADATA),
    )
    b = _article(
        "feeds/tass.jsonl#3",
        text_b,
        url=XSS_URL if hostile else "http://tass.example/b",
        title='=HYPERLINK("http://evil")' if hostile else "Lavrov arrives",
        outlet="TASS",
        publication_date=DateValue("2024-04-08", DatePrecision.DAY, DateMethod.DATELINE),
    )
    c = _article(
        "files/c.txt",
        text_c,
        title="Talks in Beijing",
        outlet="+Global Times",
        publication_date=DateValue(
            "2024-04-09", DatePrecision.DAY, DateMethod.CORPUS, confidence=0.6, evidence="neighbours"
        ),
    )
    d = _article(
        "files/d.txt",
        text_d,
        title="Talks end\nsecond line",
        outlet="@Xinhua",
        publication_date=DateValue("2024-04", DatePrecision.MONTH, DateMethod.TEXT, 0.5),
        duplicate_of=c.id,
    )
    lavrov = Entity(
        "person:sergey-lavrov",
        f"Sergey Lavrov{bad}",
        "PERSON",
        aliases={"Lavrov": 4, "Sergey Lavrov": 1},
        roles={"Russian Foreign Minister": 1},
        merges=[Merge("Lavrov", "surname of a full name")],
        articles=4,
    )
    wang = Entity("person:wang-yi", "Wang Yi", "PERSON", aliases={"Wang Yi": 2}, articles=2)
    beijing = Entity("gpe:beijing", "Beijing", "GPE", aliases={"Beijing": 3}, articles=3)
    meeting = Event(
        id="evt-2024-04-08-lavrov",
        date="2024-04-08",
        date_precision=DatePrecision.DAY,
        title=f"Lavrov meets Wang Yi in Beijing{bad}",
        status="past",
        end_date="2024-04-09",
        place="gpe:beijing",
        participants=["person:sergey-lavrov", "person:wang-yi"],
        articles=[a.id, b.id, c.id],
        sentences=[_ref(a, "Lavrov met Wang Yi in Beijing."), _ref(c, c.text)],
        quotes=[(d.id, 30, 54)],
        outlets=["Reuters", "TASS", "+Global Times"],
        independent_sources=3,
    )
    visit = Event(
        id="evt-2024-05-putin",
        date="2024-05",
        date_precision=DatePrecision.MONTH,
        title="Putin visits China",
        status="planned",
        participants=["person:vladimir-putin"],
        articles=[a.id],
        sentences=[_ref(a, "Putin will visit China in May.")],
        outlets=["Reuters"],
        independent_sources=1,
    )
    entries = [
        TimelineEntry(
            date="2024-04-08",
            date_precision=DatePrecision.DAY,
            summary=[_ref(a, "Lavrov met Wang Yi in Beijing."), _ref(b, text_b)],
            events=[meeting.id],
            outlets=[f"Reuters{bad}", "TASS"],
            independent_sources=2,
        ),
        TimelineEntry(
            date="2024-04-09",
            date_precision=DatePrecision.DAY,
            summary=[_ref(c, c.text), _ref(d, text_d)],
            outlets=["+Global Times", "@Xinhua"],
            independent_sources=1,
            date_uncertain=True,
        ),
        TimelineEntry(
            date="2024-05",
            date_precision=DatePrecision.MONTH,
            summary=[_ref(a, "Putin will visit China in May.")],
            events=[visit.id],
            outlets=[f"Reuters{bad}"],
            independent_sources=1,
        ),
    ]
    quote = Quote(
        start=text_d.index('"We'),
        end=len(text_d) - len(" -minus sign first"),
        text='"We agree on everything."',
        sentence=1,
        kind="direct",
        speaker="Lavrov",
        cue="said",
    )
    timeline = Timeline(
        title=f"Lavrov's visit to China{bad}",
        options=TimelineOptions(query="Lavrov China", max_dates=10),
        entries=entries,
        events=[meeting, visit],
    )
    return ExportBundle(
        timeline=timeline,
        articles=[a, b, c, d],
        entities=[lavrov, wang, beijing],
        quotes=[QuoteRecord(d.id, quote, "person:sergey-lavrov", "Sergey Lavrov")],
        generated_at="2026-11-23T22:00:00Z",
        storyline_version="0.1.0",
    )


@pytest.fixture(params=[False, True], ids=["plain", "hostile"])
def bundle(request: pytest.FixtureRequest) -> ExportBundle:
    return make_bundle(hostile=request.param)


# --- helpers -----------------------------------------------------------------------------------------


def test_safe_url_allows_only_http_and_https() -> None:
    assert safe_url("https://example.com/a") == "https://example.com/a"
    assert safe_url("HTTP://example.com") == "HTTP://example.com"
    for url in (XSS_URL, " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "/a", "//x.com",
                "https://exa mple.com", "java\nscript:x", None, ""):  # fmt: skip
        assert safe_url(url) is None


def test_short_source_for_citations() -> None:
    assert short_source("https://www.example.com/news/a.html") == "www.example.com"
    assert short_source("/data/corpus/000_abc.txt") == "000_abc.txt"
    assert short_source("feeds/tass.jsonl#3") == "tass.jsonl#3"
    assert short_source("C:\\corpus\\a.txt") == "a.txt"


def test_human_date_keeps_precision() -> None:
    assert human_date("2024-04-08", DatePrecision.DAY) == "8 April 2024"
    assert human_date("2024-04", DatePrecision.MONTH) == "April 2024"
    assert human_date("2024-04-08", DatePrecision.YEAR) == "2024"
    assert human_date("2024-04-08T10:05", DatePrecision.MINUTE) == "8 April 2024, 10:05"


# --- JSON --------------------------------------------------------------------------------------------


def test_json_validates_against_schema_and_round_trips(bundle: ExportBundle, tmp_path: Path) -> None:
    document = to_json(bundle)
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(document, schema(), cls=jsonschema.Draft202012Validator)
    assert document["schema"] == SCHEMA_VERSION == "storyline.timeline/1"
    assert json.loads(json.dumps(document)) == document
    path = write_json(bundle, tmp_path / "out" / "timeline.json")
    assert json.loads(path.read_text("utf-8")) == document


def test_json_content() -> None:
    bundle = make_bundle()
    document = to_json(bundle)
    assert [e["date_precision"] for e in document["timeline"]] == ["day", "day", "month"]
    assert document["timeline"][1]["date_uncertain"] is True
    assert document["timeline"][0]["verification"] == "several independent outlets"
    assert document["timeline"][2]["verification"] == "single source"
    assert {e["status"] for e in document["events"]} == {"past", "planned"}
    assert document["events"][0]["quotes"] == [{"article_id": bundle.articles[3].id, "start": 30, "end": 54}]
    article = document["articles"][2]
    assert article["publication_date"]["method"] == "corpus"
    assert document["articles"][3]["duplicate_of"] == article["id"]
    assert document["quotes"][0]["speaker_entity"] == "person:sergey-lavrov"
    # Offsets point into the article's cleaned text.
    for entry in document["timeline"]:
        for ref in entry["summary"]:
            text = bundle.article(ref["article_id"]).text  # type: ignore[union-attr]
            assert text[ref["start"] : ref["end"]] == ref["text"]


def test_json_schema_rejects_drift() -> None:
    document = to_json(make_bundle())
    document["timeline"][0]["date_precision"] = "week"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema(), cls=jsonschema.Draft202012Validator)


def test_schema_doc_names_every_field() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "json-schema.md").read_text("utf-8")
    document = to_json(make_bundle())
    names = set(document) | set(document["options"])
    for table in ("articles", "entities", "events", "quotes", "timeline"):
        names |= set(document[table][0])
    for name in sorted(names):
        assert f"`{name}`" in doc, name


# --- Markdown ----------------------------------------------------------------------------------------


def test_markdown_dates_citations_and_marks() -> None:
    bundle = make_bundle()
    text = to_markdown(bundle)
    assert text.startswith("# Lavrov's visit to China\n")
    assert "## 8 April 2024\n" in text
    assert "## 9 April 2024?\n" in text  # uncertain
    assert "## May 2024 (approx.)\n" in text  # month precision
    assert "Date inferred" in text
    assert "[Reuters, 2024-04-08](https://example.com/a?x=1&y=%282%29) [S1]" in text
    assert "[TASS, 2024-04-08](http://tass.example/b) [S2]" in text
    assert "(+Global Times, 2024-04-09? [S3])" in text  # inferred date, no URL: no link
    assert "Verification: **several independent outlets**" in text
    assert "Verification: **single source**" in text
    assert "**[planned]**" in text and "**[past (background)]**" in text
    assert "## Events" in text and "## Sources" in text
    assert "duplicate of S3" in text
    assert "8 April 2024 – 9 April 2024 **[past (background)]**" in text


def test_markdown_escapes_article_text(tmp_path: Path) -> None:
    text = to_markdown(make_bundle(hostile=True))
    # Every "<" from the data is backslash-escaped: shown as text, never parsed as HTML.
    assert not re.search(r"(?<!\\)<(script|img|/script)", text)
    assert r"\<script\>alert(1)" in text
    assert "](javascript:" not in text and "<javascript:" not in text
    assert escape_markdown("a *b* [c](d) <e> `f`\nnext") == r"a \*b\* \[c\](d) \<e\> \`f\` next"
    assert escape_markdown("# heading") == r"\# heading"
    assert escape_markdown("- item", at_line_start=True) == r"\- item"
    assert escape_markdown("1. item", at_line_start=True) == r"1\. item"
    assert escape_markdown("1. item") == "1. item"
    assert write_markdown(make_bundle(), tmp_path / "timeline.md").read_text("utf-8") == to_markdown(
        make_bundle()
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_markdown_escape_leaves_no_live_syntax(text: str) -> None:
    escaped = escape_markdown(text)
    assert "\n" not in escaped
    # Each syntax character is escaped by a backslash that is not itself escaped.
    assert not re.search(r"(?<!\\)(?:\\\\)*[<>\[\]`*_|]", escaped.replace("\\\\", ""))


# --- CSV ---------------------------------------------------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_tables(tmp_path: Path) -> None:
    bundle = make_bundle(hostile=True)
    paths = write_csv(bundle, tmp_path / "csv")
    assert [p.name for p in paths] == [
        "articles.csv",
        "events.csv",
        "event_articles.csv",
        "entities.csv",
        "quotes.csv",
        "timeline.csv",
    ]
    counts = {p.name: len(_read(p)) for p in paths}
    assert counts == {
        "articles.csv": 4,
        "events.csv": 2,
        "event_articles.csv": 4,
        "entities.csv": 3,
        "quotes.csv": 1,
        "timeline.csv": 5,
    }
    for path in paths:
        header = path.read_text("utf-8").splitlines()[0]
        assert header and "," in header

    articles = _read(tmp_path / "csv" / "articles.csv")
    assert articles[0]["id"] == bundle.articles[0].id
    assert articles[1]["title"] == '\'=HYPERLINK("http://evil")'
    assert articles[2]["outlet"] == "'+Global Times"
    assert articles[3]["outlet"] == "'@Xinhua"
    assert articles[3]["title"] == "Talks end\nsecond line"  # embedded newline survives
    assert articles[2]["publication_date_inferred"] == "true"
    assert articles[3]["publication_date"] == "2024-04"

    timeline = _read(tmp_path / "csv" / "timeline.csv")
    assert [row["date"] for row in timeline] == ["2024-04-08"] * 2 + ["2024-04-09"] * 2 + ["2024-05"]
    assert timeline[3]["text"] == bundle.timeline.entries[1].summary[1].text  # newline kept
    assert timeline[3]["outlets"] == "'+Global Times; @Xinhua"
    assert timeline[1]["url"] == ""  # javascript: is no source link

    events = _read(tmp_path / "csv" / "events.csv")
    assert events[1]["status"] == "planned" and events[1]["date"] == "2024-05"
    quotes = _read(tmp_path / "csv" / "quotes.csv")
    assert quotes[0]["speaker"] == "Sergey Lavrov" and quotes[0]["outlet"] == "'@Xinhua"
    for path in paths:
        for row in _read(path):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), (path.name, value)


# --- TimelineJS --------------------------------------------------------------------------------------


def test_timelinejs_slides(bundle: ExportBundle) -> None:
    document = to_timelinejs(bundle)
    assert document["title"]["text"]["headline"]
    slides = document["events"]
    assert len(slides) == 3
    assert slides[0]["start_date"] == {"year": 2024, "month": 4, "day": 8}
    assert slides[2]["start_date"] == {"year": 2024, "month": 5}  # month precision: no invented day
    for slide in slides:
        assert slide["text"]["headline"] and slide["text"]["text"]
        assert slide["display_date"]
    assert slides[1]["display_date"].endswith("?")
    assert "inferred" in slides[1]["text"]["text"]
    assert slides[0]["group"] == "past (background)"
    assert slides[2]["group"] == "planned"
    assert len({slide["unique_id"] for slide in slides}) == 3
    json.dumps(document)


def test_timelinejs_ids_are_stable(tmp_path: Path) -> None:
    first = [s["unique_id"] for s in to_timelinejs(make_bundle())["events"]]
    second = [s["unique_id"] for s in to_timelinejs(make_bundle())["events"]]
    assert first == second
    assert all(re.fullmatch(r"entry-[0-9a-f]{12}", uid) for uid in first)
    written = json.loads(write_timelinejs(make_bundle(), tmp_path / "tl.json").read_text("utf-8"))
    assert [s["unique_id"] for s in written["events"]] == first


def test_timelinejs_text_is_escaped_html_with_safe_links() -> None:
    slides = to_timelinejs(make_bundle(hostile=True))["events"]
    text = slides[0]["text"]["text"]
    assert '<a href="https://example.com/a?x=1&amp;y=(2)"' in text
    assert "javascript:" not in text
    for slide in slides:
        blob = json.dumps(slide)
        assert "<script" not in blob and "<img" not in blob
    assert "&lt;script&gt;" in text


def test_timelinejs_sheet(tmp_path: Path) -> None:
    path = write_timelinejs_sheet(make_bundle(hostile=True), tmp_path / "sheet.csv")
    rows = _read(path)
    assert list(rows[0]) == list(SHEET_COLUMNS)
    assert rows[0]["Type"] == "title"
    slides = rows[1:]
    assert [(r["Year"], r["Month"], r["Day"]) for r in slides] == [
        ("2024", "4", "8"),
        ("2024", "4", "9"),
        ("2024", "5", ""),
    ]
    assert all(r["Headline"] and r["Text"] for r in slides)


# --- HTML --------------------------------------------------------------------------------------------


def _tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of a page, as a browser's tokenizer sees it."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

        handle_startendtag = handle_starttag

    Collector().feed(page)
    return found


def _shape(page: str) -> Counter[tuple[str, tuple[str, ...]]]:
    return Counter((tag, tuple(sorted(name for name, _ in attrs))) for tag, attrs in _tags(page))


def test_html_is_safe_with_hostile_data(tmp_path: Path) -> None:
    path = write_html(make_bundle(hostile=True), tmp_path / "site")
    assert path.name == "index.html"
    page = path.read_text("utf-8")
    assert "<script>alert" not in page
    assert "<img" not in page
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", page, re.IGNORECASE)
    assert page.count("<script") == 1
    # Our one script carries no data: nothing between its tags came from articles.
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    assert "Lavrov" not in script and "alert" not in script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    tags = _tags(page)
    # "onerror=" from the data survives only as escaped text, never as an attribute.
    assert not [(tag, name) for tag, attrs in tags for name, _ in attrs if name.startswith("on")]
    assert [tag for tag, _ in tags if tag in ("script", "img", "iframe", "object", "embed")] == ["script"]
    hrefs = [value or "" for _, attrs in tags for name, value in attrs if name == "href"]
    assert all(h.startswith(("#", "http://", "https://")) for h in hrefs), hrefs


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>\"'&=/ ;:`!-\\ascriptonerorimg\n\x00"), max_size=40))
def test_html_structure_does_not_depend_on_article_text(payload: str) -> None:
    # Whatever the articles say, the page has exactly the tags and attributes of the benign page.
    assert _shape(render_html(make_bundle(payload=payload))) == _shape(render_html(make_bundle()))


def test_html_is_self_contained() -> None:
    page = render_html(make_bundle())
    assert not re.search(r"\ssrc\s*=", page)
    assert not re.search(r"<link\b", page)
    assert "@import" not in page and "url(" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_html_content() -> None:
    bundle = make_bundle()
    page = render_html(bundle)
    assert page.count('class="entry"') == 3
    assert "8 April 2024" in page and "April 2024" in page
    assert 'class="uncertain" title="Date inferred' in page
    assert "(approx.)" in page
    assert (
        '<a href="https://example.com/a?x=1&amp;y=(2)" rel="noopener noreferrer">Reuters, 2024-04-08</a>'
        in page
    )
    assert "several independent outlets" in page and "single source" in page
    assert 'id="filter-text"' in page and '<option value="TASS">TASS</option>' in page
    assert "<svg" in page and page.count('class="bar') >= 2
    assert "planned" in page and "past (background)" in page
    assert page.count('<tr id="S') == 4


# --- all formats -------------------------------------------------------------------------------------


def test_undecodable_text_does_not_break_writers(tmp_path: Path) -> None:
    bundle = make_bundle(payload=" bad byte \udc80")
    write_json(bundle, tmp_path / "t.json")
    assert json.loads((tmp_path / "t.json").read_text("utf-8"))["title"].endswith("\udc80")
    write_csv(bundle, tmp_path / "csv")
    write_markdown(bundle, tmp_path / "t.md")
    write_html(bundle, tmp_path / "index.html")
    write_timelinejs(bundle, tmp_path / "tl.json")
    write_timelinejs_sheet(bundle, tmp_path / "sheet.csv")

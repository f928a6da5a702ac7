"""Continuous input: RSS/Atom feed files and WARC archives (the CC-NEWS layout).

Every feed and archive is written here, in tmp_path (the WARC files with warcio's own writer): nothing is
fetched and nothing is read from outside the tests.
"""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline import pipeline
from storyline.cli import cli
from storyline.config import Settings
from storyline.ingest import detect_format, read_file
from storyline.ingest.warc import read_warc
from storyline.model import Article, DateMethod, FieldMethod, ReadFailure
from storyline.store import open_store

FERRY_STORY = (
    "<p>The harbour authority restarted the night ferry between Northport and the islands on Tuesday "
    "after a winter in which storms cancelled more than forty crossings.</p>"
    "<p>Passengers will pay the same fares as last year, the authority said, and a second boat is due "
    "to join the route in June once its engines have been refitted.</p>"
    "<p>Island councillors welcomed the news but asked for an earlier first sailing in the morning.</p>"
)

RSS_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Northport Harbour News</title>
  <link>https://harbour-news.example/</link>
  <language>en-gb</language>
  <item>
    <title>Night ferry returns to the islands</title>
    <link>https://harbour-news.example/2024/03/night-ferry</link>
    <guid isPermaLink="false">hn-1001</guid>
    <pubDate>Tue, 12 Mar 2024 07:45:00 +0000</pubDate>
    <dc:creator>Ines Moreau</dc:creator>
    <category>Transport</category>
    <description>The night ferry is back.</description>
    <content:encoded><![CDATA[{FERRY_STORY}<script>steal("FEED_SCRIPT_SECRET")</script>]]></content:encoded>
  </item>
  <item>
    <title>Harbour wall inspection on Friday</title>
    <link>https://harbour-news.example/2024/03/wall-inspection</link>
    <pubDate>Wed, 13 Mar 2024 16:00:00 +0000</pubDate>
    <description>Engineers will inspect the old harbour wall on Friday morning.</description>
  </item>
  <item>
    <title>Photo of the week</title>
    <link>https://harbour-news.example/2024/03/photo</link>
    <pubDate>Thu, 14 Mar 2024 09:00:00 +0000</pubDate>
  </item>
</channel>
</rss>
"""

ATOM_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Le Courrier du Port</title>
  <id>urn:uuid:7d1c1b0e-0000-4000-8000-000000000001</id>
  <updated>2024-03-15T12:00:00Z</updated>
  <link href="https://courrier-port.example/"/>
  <entry>
    <title type="html">Ferry: &lt;em&gt;reprise&lt;/em&gt; du service de nuit</title>
    <link rel="alternate" href="https://courrier-port.example/ferry-de-nuit"/>
    <id>urn:uuid:7d1c1b0e-0000-4000-8000-000000000002</id>
    <published>2024-03-12T08:30:00+01:00</published>
    <updated>2024-03-13T18:05:00+01:00</updated>
    <author><name>Paul Girard</name></author>
    <content type="html">{FERRY_STORY.replace("<", "&lt;").replace(">", "&gt;")}</content>
  </entry>
  <entry>
    <title>Correction</title>
    <link rel="alternate" href="https://courrier-port.example/correction"/>
    <id>urn:uuid:7d1c1b0e-0000-4000-8000-000000000003</id>
    <updated>2024-03-14T10:00:00Z</updated>
    <summary>An earlier article gave the wrong ferry timetable.</summary>
  </entry>
</feed>
"""

# Not well-formed XML (a bare "&", an unclosed <b>): feedparser still reads the entries.
MALFORMED_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quay & Dock Weekly</title>
<item><title>Crane hire prices rise</title><link>https://quay-dock.example/cranes</link>
<pubDate>Mon, 11 Mar 2024 10:00:00 GMT</pubDate>
<description>Crane hire at the docks will cost more from April, operators said. <b>More soon</description>
</item></channel></rss>
"""

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Lighthouse keeper retires after 30 years | Coastal Times</title>
<meta property="og:site_name" content="Coastal Times">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Lighthouse keeper retires",
 "datePublished": "2024-02-20T09:15:00+00:00"}
</script></head>
<body><article><h1>Lighthouse keeper retires after 30 years</h1>
<p>The last keeper of the Greyhead lighthouse handed over the keys on Monday after thirty years in the
tower, the coastal trust said.</p>
<p>The light has been automatic since the spring, and the keeper's cottage will become a small museum
about the ships that were guided past the reef.</p>
<p>Neighbours gathered on the cliff path to thank him for the storms he had watched through.</p>
</article></body></html>
"""

CRAWL_DATE = "2024-03-01T04:05:06Z"


def _http(status: str, content_type: str) -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")


def _record(
    writer: WARCWriter, url: str, kind: str, payload: bytes, http: StatusAndHeaders, **warc: str
) -> object:
    # With its length given, warcio does not spool the payload through a temporary file.
    return writer.create_warc_record(
        url, kind, payload=io.BytesIO(payload), length=len(payload), http_headers=http, warc_headers_dict=warc
    )


def write_warc(path: Path, *, truncate: int = 0, big_page: bool = False) -> dict[str, int]:
    """A CC-NEWS-like archive: warcinfo, request, a 200 news page, a 404, a PDF, and another 200 page.

    Returns each record's offset by name; ``truncate`` cuts that many bytes off the end of the file.
    """
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=path.name.endswith(".gz"))
    offsets: dict[str, int] = {}

    def write(name: str, record: object) -> None:
        offsets[name] = buffer.tell()
        writer.write_record(record)

    write("warcinfo", writer.create_warcinfo_record(path.name, {"software": "storyline tests"}))
    page_url = "https://coastal-times.example/2024/02/lighthouse-keeper"
    request = StatusAndHeaders("GET /2024/02/lighthouse-keeper HTTP/1.1", [("Host", "coastal-times.example")])
    write("request", _record(writer, page_url, "request", b"", request))
    page = NEWS_PAGE.encode("utf-8")
    ok_html = _http("200 OK", "text/html; charset=utf-8")
    write("page", _record(writer, page_url, "response", page, ok_html, **{"WARC-Date": CRAWL_DATE}))
    missing = b"<html><body><p>Page not found, sorry about that.</p></body></html>"
    write(
        "not-found",
        _record(
            writer,
            "https://coastal-times.example/missing",
            "response",
            missing,
            _http("404 Not Found", "text/html"),
        ),
    )
    pdf = _http("200 OK", "application/pdf")
    write(
        "pdf", _record(writer, "https://coastal-times.example/tide.pdf", "response", b"%PDF-1.4 tides", pdf)
    )
    # A page in windows-1251 whose only charset declaration is the HTTP header.
    russian = (
        "<html><body><article><p>Паром снова ходит к островам по ночам после зимнего перерыва, сообщила "
        "администрация порта во вторник.</p><p>Цены на билеты не изменились, а второй паром выйдет на "
        "линию в июне после ремонта двигателей.</p></article></body></html>"
    )
    body = russian.encode("cp1251") * (40 if big_page else 1)
    cyrillic = _http("200 OK", "text/html; charset=windows-1251")
    write("second-page", _record(writer, "https://port-news.example/ferry", "response", body, cyrillic))
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) - truncate] if truncate else data)
    return offsets


def articles_and_failures(path: Path, settings: Settings) -> tuple[list[Article], list[ReadFailure]]:
    items = list(read_file(path, settings))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, ReadFailure)]


# --- feeds ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.rss", "feed"), ("a.atom", "feed"), ("a.rss.gz", "feed"), ("a.warc", "warc"), ("a.warc.gz", "warc")],
)
def test_feed_and_warc_extensions(name: str, expected: str) -> None:
    assert detect_format(Path(name)) == expected


def test_rss_entries_become_articles_with_their_metadata(tmp_path: Path) -> None:
    feed = tmp_path / "harbour.rss"
    feed.write_text(RSS_FEED, encoding="utf-8")
    articles, failures = articles_and_failures(feed, Settings())

    assert [a.title for a in articles] == [
        "Night ferry returns to the islands",
        "Harbour wall inspection on Friday",
    ]
    ferry, wall = articles
    assert ferry.url == ferry.source == "https://harbour-news.example/2024/03/night-ferry"
    assert ferry.format == "feed"
    assert (ferry.outlet, ferry.outlet_method) == ("Northport Harbour News", FieldMethod.METADATA)
    assert ferry.author == "Ines Moreau"
    assert ferry.language == "en"
    assert ferry.publication_date is not None
    assert ferry.publication_date.value == "2024-03-12T07:45"
    assert ferry.publication_date.method == DateMethod.METADATA
    assert ferry.modification_date is None
    # The full story from content:encoded, not the one-line description; the script never reaches it.
    assert ferry.extracted_text is not None and "second boat is due" in ferry.extracted_text
    assert "FEED_SCRIPT_SECRET" not in ferry.extracted_text and "FEED_SCRIPT_SECRET" not in ferry.raw_text
    assert ferry.extra["guid"] == "hn-1001" and ferry.extra["categories"] == ["Transport"]
    # An entry holding only a short summary is still an article.
    assert wall.extracted_text == "Engineers will inspect the old harbour wall on Friday morning."
    assert wall.extra["text_from"] == "summary"
    # The entry without any text is one failure naming the feed file and the entry.
    assert [str(f) for f in failures] == [
        f"{feed}: entry 3 (https://harbour-news.example/2024/03/photo): no text (neither content nor summary)"
    ]


def test_atom_keeps_published_and_updated_apart(tmp_path: Path) -> None:
    feed = tmp_path / "courrier.atom"
    feed.write_text(ATOM_FEED, encoding="utf-8")
    articles, failures = articles_and_failures(feed, Settings())
    assert failures == []
    ferry, correction = articles
    assert ferry.title == "Ferry: reprise du service de nuit"  # the HTML title loses its tags
    assert ferry.author == "Paul Girard"
    assert ferry.outlet == "Le Courrier du Port"
    assert ferry.language == "fr"
    assert ferry.publication_date is not None and ferry.modification_date is not None
    assert ferry.publication_date.value == "2024-03-12T08:30"
    assert ferry.modification_date.value == "2024-03-13T18:05"
    assert ferry.publication_date.method == ferry.modification_date.method == DateMethod.METADATA
    # An entry that says only when it was updated has no publication date (none is made up).
    assert correction.publication_date is None
    assert (
        correction.modification_date is not None and correction.modification_date.value == "2024-03-14T10:00"
    )
    assert correction.extracted_text == "An earlier article gave the wrong ferry timetable."


def test_malformed_feed_with_entries_is_read_without_failures(tmp_path: Path) -> None:
    feed = tmp_path / "quay.xml"  # .xml: recognised as a feed by its root element
    feed.write_text(MALFORMED_FEED, encoding="utf-8")
    articles, failures = articles_and_failures(feed, Settings())
    assert failures == []
    assert [(a.title, a.outlet, a.format) for a in articles] == [
        ("Crane hire prices rise", "Quay & Dock Weekly", "feed")
    ]
    assert articles[0].extracted_text is not None and "cost more from April" in articles[0].extracted_text


@pytest.mark.parametrize(
    "content",
    ["Just a note about the harbour, not a feed.\n", "<html><body><p>A web page.</p></body></html>\n"],
)
def test_a_feed_name_on_something_else_is_one_clear_failure(tmp_path: Path, content: str) -> None:
    path = tmp_path / "not-really.rss"
    path.write_text(content, encoding="utf-8")
    failures = list(read_file(path, Settings()))
    assert len(failures) == 1 and isinstance(failures[0], ReadFailure)
    assert str(failures[0]).startswith(f"{path}: not an RSS or Atom feed")


def test_feed_without_entries_and_gzipped_feed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.rss"
    empty.write_text('<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert [str(f) for f in read_file(empty, Settings())] == [f"{empty}: the feed holds no entries"]
    packed = tmp_path / "harbour.rss.gz"
    packed.write_bytes(gzip.compress(RSS_FEED.encode("utf-8")))
    articles, failures = articles_and_failures(packed, Settings())
    assert len(articles) == 2 and len(failures) == 1


def test_feed_in_a_declared_legacy_encoding(tmp_path: Path) -> None:
    feed = tmp_path / "legacy.rss"
    text = RSS_FEED.replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace(
        "Night ferry returns", "Le ferry de nuit revient à Northport, café compris:"
    )
    feed.write_bytes(text.encode("iso-8859-1"))
    articles, _ = articles_and_failures(feed, Settings())
    assert articles[0].title == "Le ferry de nuit revient à Northport, café compris: to the islands"


# --- WARC -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cc-news.warc.gz", "cc-news.warc"])
def test_warc_reads_only_200_html_responses(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path)
    tally: Counter[str] = Counter()
    items = list(read_warc(path, Settings(), tally))
    assert all(isinstance(i, Article) for i in items)
    page, russian = items
    assert isinstance(page, Article) and isinstance(russian, Article)
    assert page.url == page.source == "https://coastal-times.example/2024/02/lighthouse-keeper"
    assert page.format == "warc"
    assert page.title == "Lighthouse keeper retires"  # the JSON-LD headline, as for an .html file
    assert (page.outlet, page.outlet_method) == ("Coastal Times", FieldMethod.METADATA)
    # The JSON-LD date is the publication date; the crawl date is kept apart and never used as one.
    assert page.publication_date is not None and page.publication_date.value == "2024-02-20T09:15"
    assert page.publication_date.evidence == "JSON-LD datePublished"
    assert page.extra["crawl_date"] == CRAWL_DATE
    assert page.modification_date is None
    assert page.extracted_text is not None and "keeper's cottage" in page.extracted_text
    # The HTTP header's charset decides for a page that declares none itself.
    assert russian.encoding == "cp1251"
    assert russian.extracted_text is not None and "Паром снова ходит" in russian.extracted_text
    assert (russian.outlet, russian.outlet_method) == ("port-news.example", FieldMethod.URL)
    assert russian.publication_date is None
    assert tally == Counter(
        {
            "records": 6,
            "articles": 2,
            "skipped: warcinfo record": 1,
            "skipped: request record": 1,
            "skipped: HTTP status not 200": 1,
            "skipped: not HTML": 1,
        }
    )


@pytest.mark.parametrize("name", ["cut.warc.gz", "cut.warc"])
def test_truncated_warc_keeps_the_records_before_the_cut(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    offsets = write_warc(path, truncate=60)
    articles, failures = articles_and_failures(path, Settings())
    assert [a.url for a in articles] == ["https://coastal-times.example/2024/02/lighthouse-keeper"]
    assert len(failures) == 1
    assert failures[0].source == str(path)
    assert f"record at offset {offsets['second-page']}" in failures[0].reason
    assert "truncated" in failures[0].reason


def test_corrupt_gzip_member_ends_the_archive_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.warc.gz"
    offsets = write_warc(path)
    data = bytearray(path.read_bytes())
    middle = (offsets["not-found"] + offsets["pdf"]) // 2
    data[middle : middle + 24] = b"\0" * 24
    path.write_bytes(bytes(data))
    articles, failures = articles_and_failures(path, Settings())
    assert [a.title for a in articles] == ["Lighthouse keeper retires"]
    assert [str(f) for f in failures] == [
        f"{path}: record at offset {offsets['not-found']}: truncated or corrupt record (ArchiveLoadFailed); "
        "the rest of the file was not read"
    ]


def test_warc_size_limit_applies_per_record_not_per_file(tmp_path: Path) -> None:
    path = tmp_path / "big.warc"
    offsets = write_warc(path, big_page=True)
    limit = 8 * 1024
    assert path.stat().st_size > limit  # a per-file limit would refuse the whole archive
    articles, failures = articles_and_failures(path, Settings(max_input_bytes=limit))
    assert [a.url for a in articles] == ["https://coastal-times.example/2024/02/lighthouse-keeper"]
    assert [str(f) for f in failures] == [
        f"{path}: record at offset {offsets['second-page']} (https://port-news.example/ferry): "
        "page is over the limit of 0.00781 MB"
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"just some words in a file\nnamed like an archive\n", "not a WARC archive"),
        (gzip.compress(b"\x00\x01 binary junk " * 20), "not a WARC archive"),
    ],
)
def test_a_file_that_is_no_warc_is_one_clear_failure(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "odd.warc.gz" if content.startswith(b"\x1f\x8b") else tmp_path / "odd.warc"
    path.write_bytes(content)
    failures = list(read_file(path, Settings()))
    assert len(failures) == 1 and isinstance(failures[0], ReadFailure)
    assert failures[0].source == str(path) and failures[0].reason.startswith(reason)


# --- through the library and the command ------------------------------------------------------------------


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    root.mkdir()
    (root / "harbour.rss").write_text(RSS_FEED, encoding="utf-8")
    (root / "courrier.atom").write_text(ATOM_FEED, encoding="utf-8")
    write_warc(root / "cc-news.warc.gz", truncate=60)
    return root


def test_pipeline_ingests_feeds_and_warc_from_a_folder(inbox: Path, tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "s.db")
    with open_store(settings.db) as store:
        report = pipeline.ingest([inbox], store, settings)
        stored = {a.url: a for a in store.iter_articles()}
        failures = [str(f) for f in store.failures()]
    assert report.counts["files"] == 3
    assert report.counts["stored"] == 5 and report.counts["failed"] == 2
    assert set(stored) == {
        "https://harbour-news.example/2024/03/night-ferry",
        "https://harbour-news.example/2024/03/wall-inspection",
        "https://courrier-port.example/ferry-de-nuit",
        "https://courrier-port.example/correction",
        "https://coastal-times.example/2024/02/lighthouse-keeper",
    }
    ferry = stored["https://harbour-news.example/2024/03/night-ferry"]
    assert ferry.title == "Night ferry returns to the islands"
    assert ferry.outlet == "Northport Harbour News"
    assert ferry.publication_date is not None and ferry.publication_date.value == "2024-03-12T07:45"
    assert "second boat is due" in ferry.text
    page = stored["https://coastal-times.example/2024/02/lighthouse-keeper"]
    assert page.publication_date is not None and page.publication_date.value == "2024-02-20T09:15"
    assert page.extra["crawl_date"] == CRAWL_DATE
    assert "keeper's cottage" in page.text
    assert len(failures) == 2
    assert any(f.startswith(f"{inbox / 'harbour.rss'}: entry 3 ") for f in failures)
    assert any(f.startswith(f"{inbox / 'cc-news.warc.gz'}: record at offset ") for f in failures)


def test_cli_ingest_reads_feeds_and_archives(inbox: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    result = CliRunner().invoke(cli, ["ingest", str(inbox), "--db", db, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["stored"] == 5 and report["counts"]["failed"] == 2
    reasons = sorted(f["reason"] for f in report["failures"])
    assert reasons[0].startswith("entry 3 (https://harbour-news.example/2024/03/photo): no text")
    assert reasons[1].startswith("record at offset ") and "truncated" in reasons[1]

    listing = json.loads(CliRunner().invoke(cli, ["articles", "--db", db, "--json"]).stdout)
    by_url = {a["url"]: a for a in listing}
    atom = by_url["https://courrier-port.example/ferry-de-nuit"]
    assert atom["title"] == "Ferry: reprise du service de nuit"
    assert atom["outlet"] == "Le Courrier du Port"
    assert atom["publication_date"]["value"] == "2024-03-12T08:30"
    assert atom["publication_date"]["method"] == "metadata"
    page = by_url["https://coastal-times.example/2024/02/lighthouse-keeper"]
    assert page["publication_date"]["value"] == "2024-02-20T09:15"
    assert page["publication_date"]["method"] == "metadata"

"""RSS and Atom feed files: one article per entry.

feedparser reads RSS 0.9x/1.0/2.0 and Atom 0.3/1.0, decodes the bytes by the XML rules (byte-order mark,
``<?xml encoding?>``) and sanitizes the entries' HTML (scripts, styles and event handlers removed). A feed
that is not well-formed XML but still yields entries (feedparser's "bozo" flag) is read like any other;
a file that is no feed at all is an :class:`~storyline.errors.InputError`.

Per entry:

* text from the longest ``content`` (``content:encoded``, Atom ``<content>``), else the ``summary`` /
  ``description``; HTML goes through the same extraction as an HTML page (trafilatura), and a short
  summary that trafilatura passes over is still kept as plain text. An entry with no text at all is a
  failure naming the feed file and the entry (its number and link);
* ``published`` is the publication date and ``updated`` the modification date, never swapped or mixed,
  and never the time the feed was fetched. (feedparser reads Dublin Core ``dc:date`` as ``updated``.)
* the outlet is the feed's own title.

The entry's (sanitized) content is kept as ``raw_text``; its link, when it is a web address, is the
article's ``source``, so the same story read from a feed and from a page export keeps one id.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.html import fragment_fromstring

from ..datetools import parse_date
from ..errors import InputError
from ..model import Article, DateMethod, DateValue, FieldMethod, ReadFailure
from .decode import DecodedText
from .tabular import outlet_from_url

# The root element of a feed, after any XML declaration, processing instructions, comments or doctype.
# Each prolog item can match in one way only (no ".*?" that could run past its end), so a hostile
# prolog cannot make the match backtrack exponentially.
_FEED_ROOT = re.compile(
    r"\A\s*(?:(?:<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^>]*>)\s*)*"
    r"<(?:rss|feed|(?:[\w.-]+:)?RDF)\b",
    re.IGNORECASE,
)
_SNIFF_CHARS = 4096
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_LANGUAGE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_MAX_EXTRA_CHARS = 500


def looks_like_feed(text: str) -> bool:
    """Whether decoded text starts like an RSS, RDF or Atom document (for ``.xml`` and unknown names)."""
    return _FEED_ROOT.match(text[:_SNIFF_CHARS]) is not None


def read_feed(path: Path, data: bytes) -> Iterator[Article | ReadFailure]:
    """Yield one article per entry of a feed file, and a failure for each entry without text.

    Raises :class:`InputError` when the bytes are no RSS/Atom feed or the feed holds no entries.
    """
    # Imported here: only feed inputs need it, and it is slow to import.
    import feedparser

    source = str(path)
    # A file object, never a str: feedparser would take a string for a URL or a path and open it.
    result = feedparser.parse(io.BytesIO(data))
    if not result.get("version"):
        problem = _first_line(result.get("bozo_exception")) if result.get("bozo") else ""
        raise InputError(source, "not an RSS or Atom feed" + (f" ({problem})" if problem else ""))
    if not result.entries:
        raise InputError(source, "the feed holds no entries")
    feed = result.feed
    context = _FeedContext(
        path=path,
        encoding=str(result.get("encoding") or "utf-8"),
        outlet=_plain(feed.get("title"), feed.get("title_detail")),
        language=_language(feed.get("language")),
        version=str(result.version),
        feed_url=feed.get("link") if _is_web_url(feed.get("link")) else None,
    )
    for number, entry in enumerate(result.entries, start=1):
        try:
            yield _entry_article(entry, number, context)
        except (ValueError, TypeError, AttributeError, etree.LxmlError) as exc:
            yield ReadFailure(source, f"{_where(entry, number)}: cannot read the entry: {type(exc).__name__}")


@dataclass(frozen=True, slots=True)
class _FeedContext:
    """What every entry of one feed shares."""

    path: Path
    encoding: str
    outlet: str | None
    language: str | None
    version: str
    feed_url: str | None


def _entry_article(entry: Any, number: int, context: _FeedContext) -> Article | ReadFailure:
    source = str(context.path)
    body, kind, field_name = _entry_body(entry)
    if body is None:
        return ReadFailure(source, f"{_where(entry, number)}: no text (neither content nor summary)")
    text = _html_text(context.path, body) if kind in _HTML_TYPES else body.strip()
    if not text:
        return ReadFailure(source, f"{_where(entry, number)}: no text in the entry's {field_name}")

    link = entry.get("link") if _is_web_url(entry.get("link")) else None
    outlet, outlet_method = context.outlet, FieldMethod.METADATA if context.outlet else None
    if outlet is None:
        outlet = outlet_from_url(link or context.feed_url or "")
        outlet_method = FieldMethod.URL if outlet else None
    title = _plain(entry.get("title"), entry.get("title_detail"))
    extra: dict[str, Any] = {"file": source, "entry": number, "feed_format": context.version}
    extra["text_from"] = field_name
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip() and guid != link and len(guid) <= _MAX_EXTRA_CHARS:
        extra["guid"] = guid.strip()
    if context.feed_url:
        extra["feed_url"] = context.feed_url
    categories = [t.get("term") for t in entry.get("tags") or [] if isinstance(t.get("term"), str)]
    if categories := [c.strip() for c in categories if c.strip()]:
        extra["categories"] = categories
    return Article(
        source=link or f"{source}#entry-{number}",
        raw_text=body,
        format="feed",
        encoding=context.encoding,
        url=link,
        title=title,
        title_method=FieldMethod.METADATA if title else None,
        outlet=outlet,
        outlet_method=outlet_method,
        author=_author(entry),
        language=_entry_language(entry) or context.language,
        publication_date=_entry_date(entry, "published"),
        modification_date=_entry_date(entry, "updated"),
        extracted_text=text,
        extra=extra,
    )


def _entry_body(entry: Any) -> tuple[str | None, str, str]:
    """The entry's fullest text: ``(value, MIME type, field name)``; the value None when there is none."""
    contents = [
        c for c in entry.get("content") or [] if isinstance(c.get("value"), str) and c["value"].strip()
    ]
    if contents:
        # Feeds may carry both an excerpt and the full story as content: the longer one is the story.
        best = max(contents, key=lambda c: len(c["value"]))
        return best["value"], str(best.get("type") or "text/html").lower(), "content"
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        detail = entry.get("summary_detail") or {}
        return summary, str(detail.get("type") or "text/html").lower(), "summary"
    return None, "", ""


def _html_text(path: Path, html: str) -> str:
    """The text of an entry's HTML, by the same extraction as an HTML page, plain markup text as fallback."""
    # Imported here, as in the dispatcher: trafilatura is heavy.
    from .html import read_html

    for item in read_html(path, DecodedText(html, "utf-8")):
        if isinstance(item, Article) and item.extracted_text and item.extracted_text.strip():
            return item.extracted_text.strip()
    # trafilatura passes over very short fragments (a one-line summary); their words are still the entry.
    return _markup_text(html)


def _markup_text(html: str) -> str:
    try:
        root = fragment_fromstring(html, create_parent="div")
    except (ValueError, TypeError, etree.LxmlError):
        return ""
    for block in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"):
        block.tail = "\n\n" + (block.tail or "") if block.tag != "br" else "\n" + (block.tail or "")
    text = _SPACES.sub(" ", root.text_content())
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in text.split("\n"))).strip()


def _plain(value: Any, detail: Any) -> str | None:
    """A title as plain text: an HTML-typed title (``A <b>bold</b> move``) loses its tags."""
    if not isinstance(value, str) or not value.strip():
        return None
    if isinstance(detail, dict) and str(detail.get("type") or "").lower() in _HTML_TYPES and "<" in value:
        value = _markup_text(value)
    return " ".join(value.split()) or None


def _author(entry: Any) -> str | None:
    detail = entry.get("author_detail") or {}
    for value in (detail.get("name"), entry.get("author")):
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _entry_date(entry: Any, key: str) -> DateValue | None:
    """``published`` or ``updated`` as written in the feed, else as feedparser normalized it (in UTC)."""
    # dict.get, not entry.get: feedparser answers a missing "updated" with "published" (and a warning).
    raw = dict.get(entry, key)
    if isinstance(raw, str):
        date = parse_date(raw, DateMethod.METADATA, evidence=f"feed entry {key}")
        if date is not None:
            return date
    parsed = dict.get(entry, f"{key}_parsed")
    if isinstance(parsed, time.struct_time):
        # feedparser read a date dateutil could not (RFC 822 variants, W3C-DTF, Korean, Greek...); its
        # normalized form is UTC, and a midnight time reads back as a day, not a false minute.
        value = time.strftime("%Y-%m-%dT%H:%M", parsed)
        return parse_date(value, DateMethod.METADATA, evidence=f"feed entry {key} (UTC)")
    return None


def _entry_language(entry: Any) -> str | None:
    for detail in (*(entry.get("content") or []), entry.get("summary_detail"), entry.get("title_detail")):
        if isinstance(detail, dict) and (language := _language(detail.get("language"))):
            return language
    return None


def _language(value: Any) -> str | None:
    match = _LANGUAGE.match(value.strip()) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def _where(entry: Any, number: int) -> str:
    link = entry.get("link")
    return f"entry {number} ({link})" if isinstance(link, str) and link.strip() else f"entry {number}"


def _is_web_url(url: Any) -> bool:
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def _first_line(exc: Any) -> str:
    return str(exc or "").strip().split("\n", 1)[0][:200]

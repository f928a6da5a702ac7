"""HTML pages: the main text and the page's own metadata, with the raw HTML kept unchanged.

Extraction cascade:

1. parse once with lxml (through trafilatura's forgiving loader; a bare fragment is wrapped in a page);
2. trafilatura extracts the main text (scripts, navigation and comments left out), the title, author,
   site name and canonical URL;
3. dates come from explicit metadata first: JSON-LD ``datePublished`` / ``dateModified``, then
   ``<meta>`` / ``itemprop`` fields such as ``article:published_time``; only when none is there does
   htmldate's reading of the markup (no full-text search) give the publication date. The modification
   date is taken from explicit fields only, so it never stands in for the publication date;
4. the outlet is the site name the page declares, else the canonical URL's host name.

A file's own date (what trafilatura calls ``filedate``, the crawl date) is never a publication date.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from ..datetools import parse_date
from ..model import Article, DateMethod, DateValue, FieldMethod, ReadFailure
from .decode import DecodedText
from .tabular import outlet_from_url

# Explicit publication / modification fields, by the attribute that names them, most specific first.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "parsely-pub-date",
    "sailthru.date",
    "dcterms.issued",
    "dc.date.issued",
    "citation_publication_date",
    "dc.date",
    "date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
)
_META_NAMES = ("property", "name", "itemprop", "http-equiv")
_LANGUAGE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_JSON_LD_XPATH = etree.XPath('//script[@type="application/ld+json"]')
_DATE_ELEMENTS_XPATH = etree.XPath("//meta[@content] | //*[@itemprop][@datetime or @content]")
_LANGUAGE_META_XPATH = etree.XPath('//meta[@http-equiv="content-language" or @property="og:locale"]/@content')
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
# JSON-LD graphs can nest; past this depth a page is adversarial rather than informative.
_MAX_JSON_DEPTH = 20
# libxml2 drops whatever is nested deeper than this (without its HUGE option, which has no limit at all).
_MAX_PARSED_DEPTH = 255
_NESTED_TOO_DEEPLY = f"HTML nested more than {_MAX_PARSED_DEPTH} levels deep: its text cannot be read"


def read_html(path: Path, decoded: DecodedText) -> Iterator[Article | ReadFailure]:
    """Yield the one article of an HTML page, or a failure when it holds no article text."""
    source = str(path)
    tree = _parse(decoded.text)
    if tree is None:
        yield ReadFailure(source, "no article text found in the HTML")
        return
    # Read our own metadata before trafilatura, whose extraction prunes (a copy of) the tree.
    metadata = _metadata_fields(tree)
    try:
        document = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            date_extraction_params=dict(_DATE_PARAMS),
        )
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as exc:
        yield ReadFailure(source, f"cannot extract text from the HTML: {type(exc).__name__}")
        return
    if not isinstance(document, Document) or not (document.text or "").strip():
        yield ReadFailure(
            source, _NESTED_TOO_DEEPLY if _too_deep(tree) else "no article text found in the HTML"
        )
        return

    url = document.url if _is_web_url(document.url) else None
    outlet, outlet_method = _outlet(document.sitename, url)
    title = (document.title or "").strip() or None
    yield Article(
        source=source,
        raw_text=decoded.text,
        format="html",
        encoding=decoded.encoding,
        url=url,
        title=title,
        title_method=FieldMethod.METADATA if title else None,
        outlet=outlet,
        outlet_method=outlet_method,
        author=(document.author or "").strip() or None,
        language=_language(tree),
        publication_date=_first_date(metadata["published"]) or _htmldate(document.date),
        modification_date=_first_date(metadata["modified"]),
        extracted_text=document.text,
        extra=_extra(document),
    )


def _too_deep(tree: HtmlElement) -> bool:
    """Whether the parser cut the page at libxml2's nesting limit (whatever was deeper is gone)."""
    depth: dict[HtmlElement, int] = {}
    for element in tree.iter():
        depth[element] = depth.get(element.getparent(), 0) + 1
        if depth[element] >= _MAX_PARSED_DEPTH:
            return True
    return False


def _parse(html: str) -> HtmlElement | None:
    try:
        tree = load_html(html)
        if tree is None and "<html" not in html[:1000].lower():
            # trafilatura refuses a bare fragment; wrapped in a page it is read like any other.
            tree = load_html(f"<html><body>{html}</body></html>")
    except (ValueError, TypeError, RecursionError, etree.LxmlError):
        return None
    return tree


def _metadata_fields(tree: HtmlElement) -> dict[str, list[tuple[str, str]]]:
    """Candidate ``(value, evidence)`` pairs for the publication and modification dates, best first."""
    found: dict[str, list[tuple[str, str]]] = {"published": [], "modified": []}
    for script in _JSON_LD_XPATH(tree):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; the <meta> fields may still say it
        for key, value in _json_ld_dates(data, 0):
            kind = "published" if key == "datePublished" else "modified"
            found[kind].append((value, f"JSON-LD {key}"))
    meta: dict[str, tuple[str, str]] = {}
    for element in _DATE_ELEMENTS_XPATH(tree):
        value = element.get("content") or element.get("datetime")
        for attribute in _META_NAMES:
            name = (element.get(attribute) or "").strip().lower()
            if name and value and name not in meta:
                meta[name] = (value, f"{element.tag} {attribute}={name}")
    found["published"].extend(meta[name] for name in _PUBLISHED_META if name in meta)
    found["modified"].extend(meta[name] for name in _MODIFIED_META if name in meta)
    return found


def _json_ld_dates(data: Any, depth: int) -> Iterator[tuple[str, str]]:
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_dates(item, depth + 1)
    elif isinstance(data, dict):
        for key in ("datePublished", "dateModified"):
            if isinstance(data.get(key), str):
                yield key, data[key]
        for value in data.values():
            if isinstance(value, (list, dict)):
                yield from _json_ld_dates(value, depth + 1)


def _first_date(candidates: list[tuple[str, str]]) -> DateValue | None:
    for value, evidence in candidates:
        date = parse_date(value, DateMethod.METADATA, evidence=evidence)
        if date is not None:
            return date
    return None


def _htmldate(value: str | None) -> DateValue | None:
    # htmldate ran without its full-text search, so what it found is the markup's own date.
    return parse_date(value, DateMethod.METADATA, evidence="htmldate") if value else None


def _outlet(sitename: str | None, url: str | None) -> tuple[str | None, FieldMethod | None]:
    host = outlet_from_url(url) if url else None
    name = (sitename or "").strip()
    # trafilatura falls back to the URL's host name for the site name: that is no declared name.
    if name and (host is None or name.lower().removeprefix("www.") != host):
        return name, FieldMethod.METADATA
    if host:
        return host, FieldMethod.URL
    return None, None


def _language(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    # The HTML parser keeps XHTML's xml:lang as a plain attribute name.
    candidates = [
        root.get("lang"),
        root.get("xml:lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
    ]
    candidates += _LANGUAGE_META_XPATH(tree)
    for candidate in candidates:
        match = _LANGUAGE.match((candidate or "").strip())
        if match:
            return match.group(1).lower()
    return None


def _is_web_url(url: str | None) -> bool:
    return url is not None and url.lower().startswith(("http://", "https://"))


def _extra(document: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for key in ("description", "pagetype", "image"):
        value = getattr(document, key, None)
        if isinstance(value, str) and value.strip():
            extra[key] = value.strip()
    for key in ("categories", "tags"):
        values = [v for v in getattr(document, key, None) or [] if isinstance(v, str) and v.strip()]
        if values:
            extra[key] = values
    return extra

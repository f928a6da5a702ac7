"""WARC archives (``.warc``, ``.warc.gz``; the CC-NEWS layout): one article per fetched HTML page.

warcio's ArchiveIterator streams the archive record by record, so a 1 GB CC-NEWS file is never held in
memory. Only ``response`` records with HTTP status 200 and an HTML content type become articles; request,
metadata, warcinfo and revisit records, non-200 responses and non-HTML payloads are skipped silently and
counted (the ``tally`` of :func:`read_warc`). Each page goes through the HTML reader
(:func:`.html.read_html`), so its text, title, JSON-LD / ``<meta>`` dates and outlet are found exactly as
for an ``.html`` file.

* The URL and the ``source`` are the record's ``WARC-Target-URI``; a different canonical URL the page
  declares is kept in ``extra["canonical_url"]``.
* ``WARC-Date`` is when the crawler fetched the page: it is kept as ``extra["crawl_date"]`` and is never
  a publication or modification date.
* The size limit applies to each record's decompressed HTTP payload, not to the file: CC-NEWS files are
  about 1 GB and are streamed, so the memory a record needs is what must be bounded. A page over the
  limit is a failure naming the file and record offset; the records after it are still read.
* A record that cannot be parsed (a truncated or corrupt gzip member, a broken header) ends the file with
  a failure naming its offset: without an index there is no safe place to resume. The records before it
  are kept.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from ..config import Settings
from ..errors import InputError
from ..model import Article, FieldMethod, ReadFailure
from .decode import decode_bytes, format_mb
from .tabular import outlet_from_url

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 1024 * 1024
_PARSE_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, zlib.error, ValueError)


def read_warc(
    path: Path, settings: Settings, tally: Counter[str] | None = None
) -> Iterator[Article | ReadFailure]:
    """Yield an article per HTML page (status 200) of a WARC archive, and a failure per page that fails.

    ``tally``, when given, receives the counts of records read, skipped (by reason) and failed. Raises
    :class:`InputError` when the file holds no WARC records at all.
    """
    source = str(path)
    counts: Counter[str] = tally if tally is not None else Counter()
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        offset = 0
        try:
            for record in records:
                # Before the record is read to its end, the iterator's offset is where the record starts.
                offset = records.offset
                if record.format != "warc":
                    if counts["records"] == 0:
                        raise InputError(source, "not a WARC archive (no WARC/1.x record header)")
                    raise ArchiveLoadFailed("not a WARC record")
                counts["records"] += 1
                try:
                    item = _record_item(record, path, offset, settings, counts)
                except Exception as exc:  # noqa: BLE001 - one bad page must never stop the archive
                    item = ReadFailure(
                        source, f"record at offset {offset}: unexpected error: {_first_line(exc)}"
                    )
                if item is not None:
                    counts["articles" if isinstance(item, Article) else "failed"] += 1
                    yield item
            end = records.offset
        except _PARSE_ERRORS as exc:
            if counts["records"] == 0:
                raise InputError(source, "not a WARC archive, or its first record is corrupt") from exc
            counts["failed"] += 1
            yield ReadFailure(source, f"record at offset {records.offset}: {_parse_problem(exc)}")
            return
        finally:
            records.close()
        size = handle.seek(0, 2)
    if counts["records"] == 0:
        raise InputError(source, "empty file" if size == 0 else "not a WARC archive (no WARC records)")
    if end < size:
        # warcio stops without an error at a gzip member cut short: what follows was never read.
        counts["failed"] += 1
        yield ReadFailure(
            source, f"record at offset {end}: truncated or corrupt record; the rest of the file was not read"
        )


def _record_item(
    record: Any, path: Path, offset: int, settings: Settings, counts: Counter[str]
) -> Article | ReadFailure | None:
    """The article of one record, a failure naming it, or None for a record that is no page to read."""
    if record.rec_type != "response":
        counts[f"skipped: {record.rec_type} record"] += 1
        return None
    http = record.http_headers
    if http is None:  # e.g. a dns: lookup stored as a response
        counts["skipped: no HTTP headers"] += 1
        return None
    if http.get_statuscode() != "200":
        counts["skipped: HTTP status not 200"] += 1
        return None
    content_type = http.get_header("Content-Type") or record.rec_headers.get_header(
        "WARC-Identified-Payload-Type", ""
    )
    mime, _, params = content_type.partition(";")
    if mime.strip().lower() not in _HTML_TYPES:
        counts["skipped: not HTML"] += 1
        return None

    source = str(path)
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    where = f"record at offset {offset}" + (f" ({url})" if url else "")
    try:
        payload = _read_payload(record, settings.max_input_bytes)
    except _PayloadTooLarge:
        limit = format_mb(settings.max_input_bytes)
        return ReadFailure(source, f"{where}: page is over the limit of {limit} MB")
    except (zlib.error, OSError, EOFError, ValueError) as exc:
        return ReadFailure(source, f"{where}: cannot decompress the page ({type(exc).__name__})")
    if getattr(record.raw_stream, "limit", 0) > 0:
        return ReadFailure(source, f"{where}: truncated record (shorter than its Content-Length)")
    try:
        decoded = decode_bytes(payload, source, html=True, declared=_charset(params))
    except InputError as exc:
        return ReadFailure(source, f"{where}: {exc.reason}")
    del payload

    # Imported here: trafilatura is heavy, and only HTML inputs need it.
    from .html import read_html

    read = next(read_html(path, decoded))
    if isinstance(read, ReadFailure):
        return ReadFailure(source, f"{where}: {read.reason}")
    return _as_record_article(read, record, path, offset, url)


def _as_record_article(article: Article, record: Any, path: Path, offset: int, url: str) -> Article:
    web_url = url if url.lower().startswith(("http://", "https://")) else None
    extra = dict(article.extra)
    if article.url and article.url != web_url:
        extra["canonical_url"] = article.url
    crawl_date = record.rec_headers.get_header("WARC-Date")
    if crawl_date:
        extra["crawl_date"] = crawl_date.strip()
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    if record_id:
        extra["warc_record_id"] = record_id.strip()
    extra["file"] = str(path)
    extra["offset"] = offset
    outlet, outlet_method = article.outlet, article.outlet_method
    if outlet is None and web_url:
        outlet = outlet_from_url(web_url)
        outlet_method = FieldMethod.URL if outlet else None
    return article.evolve(
        source=web_url or f"{path}#offset-{offset}",
        url=web_url or article.url,
        format="warc",
        outlet=outlet,
        outlet_method=outlet_method,
        extra=extra,
    )


class _PayloadTooLarge(Exception):
    pass


def _read_payload(record: Any, max_bytes: int) -> bytes:
    # content_stream() undoes chunked transfer and gzip/deflate/brotli content encodings; reading it in
    # chunks stops a compressed bomb at the limit instead of inflating it whole.
    stream = record.content_stream()
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise _PayloadTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def _first_line(exc: BaseException) -> str:
    detail = str(exc).strip().split("\n", 1)[0][:200]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _parse_problem(exc: BaseException) -> str:
    if isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc):
        return (
            "the archive is gzip-compressed as a whole, not record by record "
            "(fix it with: warcio recompress IN OUT); the rest of the file was not read"
        )
    # warcio's own message quotes the broken bytes; the offset is what a user can act on.
    return f"truncated or corrupt record ({type(exc).__name__}); the rest of the file was not read"

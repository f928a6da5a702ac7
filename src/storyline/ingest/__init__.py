"""Readers: from files and folders to :class:`~storyline.model.Article` objects.

::

    discover(paths)            files as given, folders walked recursively (sorted, hidden names skipped)
    read_file(path, settings)  bytes within the size limit (gzip streamed) -> text -> articles
    read_paths(paths, ...)     both

The format comes from the extension, after a trailing ``.gz``: ``.txt .text .md`` text, ``.html .htm
.xhtml .shtml`` HTML, ``.jsonl .ndjson .json`` JSON lines (or one JSON array), ``.csv`` and ``.tsv``,
``.rss .atom`` feeds, ``.warc`` web archives (streamed record by record, see :mod:`.warc`). Only the last
suffix counts (``page.htm.txt`` is text). Any other file (``.xml`` too) is sniffed once decoded: an
RSS/Atom root element is a feed, markup is HTML, a first line holding a JSON object is JSONL, anything
else text.

Readers never raise for bad input: each problem becomes a :class:`~storyline.model.ReadFailure` naming the
input (and line) in one line, and the other articles of the same file still come through.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..config import Settings
from ..errors import InputError
from ..model import Article, ReadFailure
from .decode import DecodedText, decode_bytes, read_bytes
from .feeds import looks_like_feed, read_feed
from .tabular import read_csv, read_jsonl
from .text import read_text

__all__ = ["detect_format", "discover", "read_file", "read_paths", "sniff_format"]

_FORMAT_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
}
_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|p|section|span|h[1-6]|br|a)\b",
    re.IGNORECASE,
)
_SNIFF_CHARS = 4096
_FIRST_NON_SPACE = re.compile(r"\S")
_STARTS_WITH_MARKUP = re.compile(rb"\s*<")


def discover(paths: Iterable[str | Path]) -> Iterator[Path | ReadFailure]:
    """The files to read under ``paths``: files as given, folders walked in sorted order.

    Inside a folder, names starting with ``.`` are skipped and symbolic links to folders are not
    followed (a link back up the tree would never end). A path that does not exist is a failure.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        elif path.exists():
            yield ReadFailure(str(given), "not a regular file")
        else:
            yield ReadFailure(str(given), "no such file or directory")


def _walk(folder: Path) -> Iterator[Path | ReadFailure]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield ReadFailure(str(folder), f"cannot list the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def detect_format(path: Path) -> str | None:
    """The format named by the file's last suffix (after ``.gz``), or None when it must be sniffed."""
    name = path.name.lower().removesuffix(".gz")
    return _FORMAT_BY_SUFFIX.get(os.path.splitext(name)[1])


def sniff_format(text: str) -> str:
    """Guess the format of decoded text with no telling extension: ``html``, ``jsonl`` or ``text``."""
    # Index arithmetic rather than lstrip()/split(): the text may be hundreds of megabytes.
    first = _FIRST_NON_SPACE.search(text)
    start = first.start() if first else len(text)
    head = text[start : start + _SNIFF_CHARS]
    if head.startswith("<") and _MARKUP.search(head):
        return "html"
    if head.startswith("{"):
        end = text.find("\n", start)
        try:
            if isinstance(json.loads(text[start : end if end >= 0 else None]), dict):
                return "jsonl"
        except (ValueError, RecursionError):
            pass
    return "text"


def read_file(path: Path, settings: Settings) -> Iterator[Article | ReadFailure]:
    """Yield the articles of one file, and a failure for the file or for each row that cannot be read.

    Never raises for bad input: an oversized, compressed-bomb, binary, undecodable or malformed input
    becomes a :class:`ReadFailure` with a one-line reason.
    """
    source = str(path)
    try:
        fmt = detect_format(path)
        if fmt == "warc":
            # Streamed: the size limit applies to each record, as a whole CC-NEWS archive is ~1 GB.
            from .warc import read_warc

            yield from read_warc(path, settings)
            return
        data = read_bytes(path, settings.max_input_bytes)
        looks_like_markup = _STARTS_WITH_MARKUP.match(data) is not None
        decoded = decode_bytes(data, source, html=fmt == "html" or (fmt is None and looks_like_markup))
        if fmt == "feed" or (fmt is None and looks_like_feed(decoded.text)):
            # feedparser decodes the bytes itself, by the XML rules (<?xml encoding?>).
            yield from read_feed(path, data)
            return
        del data  # the text is all we keep; the bytes could be as large as the limit
        yield from _read_decoded(path, decoded, fmt or sniff_format(decoded.text), settings)
    except InputError as exc:
        yield ReadFailure(exc.source, exc.reason, exc.line)
    except OSError as exc:
        yield ReadFailure(source, f"cannot read the file: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - one bad input must never stop a run
        detail = str(exc).strip().split("\n", 1)[0][:200]
        yield ReadFailure(source, f"unexpected error while reading: {type(exc).__name__}: {detail}")


def _read_decoded(
    path: Path, decoded: DecodedText, fmt: str, settings: Settings
) -> Iterator[Article | ReadFailure]:
    if fmt == "html":
        # Imported here: trafilatura is heavy, and only HTML inputs need it.
        from .html import read_html

        yield from read_html(path, decoded)
    elif fmt == "jsonl":
        yield from read_jsonl(path, decoded, settings.fields)
    elif fmt in ("csv", "tsv"):
        yield from read_csv(path, decoded, settings.fields, delimiter="\t" if fmt == "tsv" else None)
    else:
        yield from read_text(path, decoded)


def read_paths(paths: Iterable[str | Path], settings: Settings) -> Iterator[Article | ReadFailure]:
    """Discover the files under ``paths`` and read each: articles and failures, in order."""
    for item in discover(paths):
        if isinstance(item, ReadFailure):
            yield item
        else:
            yield from read_file(item, settings)

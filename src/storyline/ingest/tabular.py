"""Exports holding many articles: JSONL (or a JSON array) and CSV/TSV, one article per row.

A bad row is reported with its line and skipped; the good rows of the same file still come through.
Which key or column holds which field comes from :class:`~storyline.config.FieldMapping` (the first
candidate present in the row wins, names matched case-insensitively). A row's ``source`` is its URL when
it has one (the same article keeps its id whichever export it came in), else ``path#line``; the file and
line are kept in ``extra`` either way.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import FieldMapping
from ..datetools import parse_date
from ..model import Article, DateMethod, DateValue, FieldMethod, ReadFailure
from .decode import DecodedText

# Article bodies easily pass csv's default 128 KiB field limit; the input size limit bounds them anyway.
_FIELD_SIZE_LIMIT = min(sys.maxsize, 2**31 - 1)
_CSV_DELIMITERS = (",", ";", "\t", "|")
# Extra columns longer than this are other bodies of text (HTML copies, summaries), not metadata.
_MAX_EXTRA_CHARS = 500
_MAX_LANGUAGE_CHARS = 20
_FIRST_NON_SPACE = re.compile(r"\S")


def read_jsonl(path: Path, decoded: DecodedText, fields: FieldMapping) -> Iterator[Article | ReadFailure]:
    """Yield one article per JSON object line (or per item of a file holding one JSON array)."""
    text = decoded.text
    first = _FIRST_NON_SPACE.search(text)  # not lstrip(): that would copy a text of up to the size limit
    start = first.group() if first else ""
    if start == "[":
        yield from _read_json_array(path, decoded, fields)
        return
    if start == "{" and path.name.lower().removesuffix(".gz").endswith(".json"):
        # A .json file may hold one pretty-printed object, or be JSON lines under another name.
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            yield row_to_article(
                data, path=path, line=1, fmt="jsonl", encoding=decoded.encoding, fields=fields
            )
            return
    for number, line in enumerate(_lines(text), start=1):
        # JSON strings cannot hold a raw newline, so "\n" is the only row separator (not str.splitlines,
        # which would also split on U+2028 inside a string).
        if not line or line.isspace():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadFailure(str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", number)
            continue
        except RecursionError:
            yield ReadFailure(str(path), "invalid JSON: nested too deeply", number)
            continue
        if not isinstance(row, dict):
            yield ReadFailure(str(path), f"not a JSON object but {_kind(row)}", number)
            continue
        yield row_to_article(
            row, path=path, line=number, fmt="jsonl", encoding=decoded.encoding, fields=fields
        )


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time: split() would hold a second copy of a file of many megabytes."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _read_json_array(
    path: Path, decoded: DecodedText, fields: FieldMapping
) -> Iterator[Article | ReadFailure]:
    try:
        data = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        yield ReadFailure(str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
        return
    except RecursionError:
        yield ReadFailure(str(path), "invalid JSON: nested too deeply")
        return
    for number, item in enumerate(data if isinstance(data, list) else [data], start=1):
        if isinstance(item, dict):
            yield row_to_article(
                item, path=path, line=None, item=number, fmt="jsonl", encoding=decoded.encoding, fields=fields
            )
        else:
            yield ReadFailure(str(path), f"item {number}: not a JSON object but {_kind(item)}")


def read_csv(
    path: Path, decoded: DecodedText, fields: FieldMapping, *, delimiter: str | None = None
) -> Iterator[Article | ReadFailure]:
    """Yield one article per CSV/TSV row; ``delimiter`` None picks one from the header line."""
    csv.field_size_limit(_FIELD_SIZE_LIMIT)
    text = decoded.text
    if delimiter is None:
        end = text.find("\n")
        header_line = text[: end if end >= 0 else None]
        delimiter = max(_CSV_DELIMITERS, key=header_line.count)
        if header_line.count(delimiter) == header_line.count(","):
            delimiter = ","  # ties (and a single-column file) stay with the common case
    # newline="" lets the csv module see quoted fields that span lines as one field.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error) as exc:
        header, error = [], f" ({exc})" if isinstance(exc, csv.Error) else ""
    else:
        error = ""
    if not any(header):
        yield ReadFailure(str(path), f"no header row naming the columns{error}", 1)
        return
    last_line = reader.line_num
    while True:
        line = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last_line = reader.line_num
            yield ReadFailure(str(path), f"malformed CSV row: {exc}", line)
            continue
        last_line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        row = dict(zip(header, record, strict=False))
        yield row_to_article(row, path=path, line=line, fmt="csv", encoding=decoded.encoding, fields=fields)


def row_to_article(
    row: Mapping[str, Any],
    *,
    path: Path,
    line: int | None,
    fmt: str,
    encoding: str,
    fields: FieldMapping,
    item: int | None = None,
) -> Article | ReadFailure:
    """Turn one row of an export into an article, or a failure naming the row and why."""
    where = f"item {item}: " if item is not None else ""
    row = {key: _without_nul(cell) for key, cell in row.items()}
    keys: dict[str, str] = {}
    for key in row:
        if isinstance(key, str):
            keys.setdefault(key.strip().lower(), key)
    used: set[str] = set()

    text_key = _first_present(row, keys, fields.text)
    if text_key is None:
        empty = next((keys[c.lower()] for c in fields.text if c.lower() in keys), None)
        reason = (
            f"field {empty!r} is empty" if empty else f"no text field (looked for {', '.join(fields.text)})"
        )
        return ReadFailure(str(path), where + reason, line)
    raw_text = row[text_key]
    if not isinstance(raw_text, str):
        return ReadFailure(
            str(path), f"{where}field {text_key!r} is not a string but {_kind(raw_text)}", line
        )
    if not raw_text.strip():
        return ReadFailure(str(path), f"{where}field {text_key!r} is empty", line)
    used.add(text_key)

    def value(candidates: tuple[str, ...]) -> tuple[str | None, str | None]:
        key = _first_present(row, keys, candidates)
        if key is None:
            return None, None
        used.add(key)
        return key, _as_str(row[key])

    extra: dict[str, Any] = {}
    _, url = value(fields.url)
    if url and "://" not in url:
        extra["url"], url = url, None
    _, title = value(fields.title)
    _, outlet = value(fields.outlet)
    outlet_method = FieldMethod.METADATA if outlet else None
    if not outlet and url:
        outlet = outlet_from_url(url)
        outlet_method = FieldMethod.URL if outlet else None
    _, author = value(fields.author)
    _, language = value(fields.language)
    if language and len(language) > _MAX_LANGUAGE_CHARS:
        language = None
    publication_date = _row_date(value(fields.date), extra, "unparsed_date")
    modification_date = _row_date(value(fields.modified), extra, "unparsed_modified")

    for key, cell in row.items():
        if isinstance(key, str) and key not in used:
            short = _as_str(cell, join_lists=False)
            if short and len(short) <= _MAX_EXTRA_CHARS:
                extra.setdefault(key, short)
    extra["file"] = str(path)
    if line is not None:
        extra["line"] = line
    if item is not None:
        extra["item"] = item
    fallback = f"{path}#{line}" if line is not None else f"{path}#item-{item}"
    return Article(
        source=url or fallback,
        raw_text=raw_text,
        format=fmt,
        encoding=encoding,
        url=url,
        title=title,
        title_method=FieldMethod.METADATA if title else None,
        outlet=outlet,
        outlet_method=outlet_method,
        author=author,
        language=language.lower() if language else None,
        publication_date=publication_date,
        modification_date=modification_date,
        extra=extra,
    )


def _without_nul(cell: Any, depth: int = 0) -> Any:
    """A JSON string may hold NUL ("\\u0000"), which no news text means and PostgreSQL cannot store."""
    if isinstance(cell, str):
        return cell.replace("\x00", "") if "\x00" in cell else cell
    if isinstance(cell, list) and depth < 3:
        return [_without_nul(c, depth + 1) for c in cell]
    if isinstance(cell, dict) and depth < 3:
        return {k: _without_nul(c, depth + 1) for k, c in cell.items()}
    return cell


def outlet_from_url(url: str) -> str | None:
    """``"https://www.reuters.com/world/..."`` -> ``"reuters.com"``: the host name without ``www.``."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


def _first_present(row: Mapping[str, Any], keys: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    """The row's key for the first candidate that holds a value (None and blank strings hold none)."""
    for candidate in candidates:
        key = keys.get(candidate.lower())
        if key is None:
            continue
        cell = row[key]
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        return key
    return None


def _as_str(cell: Any, *, join_lists: bool = True) -> str | None:
    """A metadata value as text: numbers become text, a list of names is joined, anything else is dropped."""
    if isinstance(cell, str):
        return cell.strip() or None
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int) or (isinstance(cell, float) and math.isfinite(cell)):
        return str(cell)
    if isinstance(cell, dict) and isinstance(cell.get("name"), str):
        return cell["name"].strip() or None  # schema.org style {"name": ...} authors and publishers
    if join_lists and isinstance(cell, list):
        parts = [part for part in (_as_str(c, join_lists=False) for c in cell) if part]
        return ", ".join(parts) or None
    return None


def _row_date(
    found: tuple[str | None, str | None], extra: dict[str, Any], unparsed_key: str
) -> DateValue | None:
    key, text = found
    if key is None or text is None:
        return None
    date = parse_date(text, DateMethod.METADATA, evidence=f"field {key}")
    if date is None:
        # Kept, not guessed: the dates stage may still read it, and a user can see what was there.
        extra[unparsed_key] = text[:_MAX_EXTRA_CHARS]
    return date


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)

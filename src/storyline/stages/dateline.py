"""Dates and outlet tags that an article writes in its own text.

Three shapes are recognised, each on one line:

* metadata lines: ``Published: Feb 03, 2022 10:12 PM Updated: Feb 04, 2022 12:37 AM`` (dates kept apart);
* a date alone on a line under the headline: ``April 8, 2024``;
* datelines opening the first paragraph: ``Islamabad, 9 May 2024 (TDI): ...``,
  ``BEIJING, Oct. 17 (Xinhua) -- ...``, ``WASHINGTON (Reuters) - ...``, ``MOSCOW, April 8, 2024 -- ...``.

A date that names no year (``Oct. 17``) gives no date here: a later stage anchors it. Its outlet tag
still counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..datetools import parse_date
from ..model import DateMethod, DateValue

MAX_METADATA_WORDS = 20
MAX_DATE_LINE_WORDS = 8

_LABEL = re.compile(
    r"\b(?P<label>first\s+published|last\s+updated|last\s+modified|published|posted|updated|modified)"
    r"(?:\s+(?:on|at))?\s*:?\s*",
    re.IGNORECASE,
)
_MODIFIED_LABELS = ("updated", "modified")
_SEGMENT_TRIM = " \t|,;·•-–—"
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{4}\b")
_FIELD_SEPARATOR = re.compile(r"\s*[|·•]\s*")
_BYLINE_FIELD = re.compile(r"^By\s+[A-Z][\w.'-]*(?:,?\s+(?:[A-Z][\w.'-]*|and|of|the|&)){0,6}$")
_YEAR = re.compile(r"\b(?:1[89]|2[01])\d{2}\b")

# "Islamabad, 9 May 2024 (TDI):", "WASHINGTON (Reuters) -", "(CNN) --". The head (place and date) is
# validated apart, so the pattern itself stays permissive.
_TAGGED_DATELINE = re.compile(
    r"^(?P<head>[A-Z][^()\n]{0,60}?)?\s*\((?P<tag>[A-Z][A-Za-z0-9&.' -]{1,30}?)\)\s*(?P<sep>:|--|—|–|-)\s*"
    r"(?=[\"“‘'(]?[A-Z0-9])"
)
# Without an outlet tag only an upper-case place is trusted ("MOSCOW, April 8, 2024 --"): a title-case
# word before a comma is far more often a sentence ("However, on 3 March 2024: ...").
_PLAIN_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,3}),\s*(?P<date>[^:()\n—–]{4,40}?)\s*"
    r"(?P<sep>:|--|—|–| -)\s+(?=\S)"
)
_PLACE_WORD = re.compile(r"^(?:[A-Z][\w.'-]*|de|del|da|do|dos|das|la|le|al|el|of|upon|am|an|von|van)$")
_NOT_PLACES = frozenset({"The", "A", "An", "THE"})
_NOT_OUTLETS = frozenset({
    "left", "right", "centre", "center", "file", "photo", "photos", "ap photo", "video", "updated", "update",
    "live", "opinion", "analysis", "watch", "audio", "pictured",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class MetadataDates:
    """Dates read from a ``Published: ... Updated: ...`` line or a date-only line."""

    publication_date: DateValue | None
    modification_date: DateValue | None


@dataclass(frozen=True, slots=True)
class Dateline:
    """A dateline as written (``text``), the place, the outlet tag and the date it names, if any."""

    text: str
    place: str | None
    outlet: str | None
    date: DateValue | None


def _parse(text: str, evidence: str) -> DateValue | None:
    return parse_date(text, DateMethod.DATELINE, evidence=evidence)


def _looks_dated(text: str) -> bool:
    return bool(_YEAR.search(text) and (_MONTH.search(text) or _NUMERIC_DATE.search(text)))


def parse_metadata_dates(line: str) -> MetadataDates | None:
    """Dates of a line made only of labels and dates, e.g. ``Published: ... Updated: ...``; else None."""
    if len(line.split()) > MAX_METADATA_WORDS:
        return None
    labels = list(_LABEL.finditer(line))
    if not labels or line[: labels[0].start()].strip(_SEGMENT_TRIM):
        return None
    published: DateValue | None = None
    modified: DateValue | None = None
    for position, label in enumerate(labels):
        end = labels[position + 1].start() if position + 1 < len(labels) else len(line)
        segment = line[label.end() : end].strip(_SEGMENT_TRIM)
        evidence = line[label.start() : end].strip(_SEGMENT_TRIM)
        date = _parse(segment, evidence) if _looks_dated(segment) else None
        if date is None:
            return None  # one part is not a date: the line says something else
        if label.group("label").lower().split()[-1] in _MODIFIED_LABELS:
            modified = modified or date
        else:
            published = published or date
    return MetadataDates(published, modified)


def parse_date_line(line: str) -> DateValue | None:
    """The date of a line that is only a full date, maybe after a byline, else None.

    ``April 8, 2024``, ``08 Apr 2024 | 10:12``, ``By Jane Roe | 3 April 2025, 17:20``.
    """
    fields = _FIELD_SEPARATOR.split(line.strip())
    if len(fields) > 1 and _BYLINE_FIELD.match(fields[0]):
        fields = fields[1:]
    text = " ".join(fields).strip(_SEGMENT_TRIM)
    if not text or len(text.split()) > MAX_DATE_LINE_WORDS or not _looks_dated(text):
        return None
    return _parse(text, line.strip())


def _is_place(text: str, *, dated: bool) -> bool:
    words = text.split()
    if not 0 < len(words) <= 4 or words[0] in _NOT_PLACES or not all(map(_PLACE_WORD.match, words)):
        return False
    # Without a date, "Shanghai Cooperation Organization (SCO) - " is more likely a sentence than a
    # dateline: trust only an upper-case place ("WASHINGTON") or a short one ("Beijing").
    return dated or text.isupper() or len(words) <= 2


def _date_in(parts: list[str], evidence: str) -> DateValue | None:
    # "KYIV, Ukraine, March 3, 2024": try the text after each comma until one part parses as a date.
    for start in range(len(parts)):
        candidate = ",".join(parts[start:]).strip()
        if _looks_dated(candidate):
            date = _parse(candidate, evidence)
            if date is not None:
                return date
    return None


def find_dateline(line: str) -> Dateline | None:
    """The dateline opening a paragraph, with its outlet tag and date when it has them; else None."""
    tagged = _TAGGED_DATELINE.match(line)
    if tagged:
        tag = tagged.group("tag").strip()
        head = (tagged.group("head") or "").strip().rstrip(",")
        parts = head.split(",") if head else []
        evidence = line[: tagged.end()].strip()
        date = _date_in(parts[1:], evidence)
        if tag.lower() in _NOT_OUTLETS or (parts and not _is_place(parts[0], dated=len(parts) > 1)):
            return None
        return Dateline(evidence, parts[0].strip() if parts else None, tag, date)
    plain = _PLAIN_DATELINE.match(line)
    if plain:
        evidence = line[: plain.end()].strip()
        date = _date_in([plain.group("date")], evidence)
        if date is not None:
            return Dateline(evidence, plain.group("place"), None, date)
    return None

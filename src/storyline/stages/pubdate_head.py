"""What the head of an article says about its own date, read from the text alone (no parse needed).

Wire copy puts its dateline after a headline, summary bullets and a byline, so it is rarely at the start
of a line: ``\\* Turkey confirms first case By Jane Roe ISTANBUL, May 16 (Reuters) - Turkey ...``. A
month and a day followed by an outlet tag in parentheses and a dash is a dateline wherever it sits in
the head; the year is usually absent and must come from elsewhere: the corpus, checked against the
weekday the lead names (:func:`.pubdate.dateline_years_from_corpus`).

Page stamps such as ``2009 04 25 08:50 JST`` (year, month, day and a clock time) or the BBC's ``24 April
2011 Last updated at 17:55 GMT`` at the very start of a page, and a wire stamp with its time zone in the
head (``Mon Apr 27, 2009 3:10 am BST``), are the page's own time stamp.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .timex_rules import _MONTH_RE, _daynum, _month, _safe_date

HEAD_DATELINE_CHARS = 700  # headline, bullets and byline come first in wire copy
LEAD_CHARS = 400  # the lead's weekday ("said on Tuesday") names the dateline's day or the day before

_NOT_OUTLETS = frozenset({
    "left", "right", "centre", "center", "file", "photo", "photos", "ap photo", "video", "updated", "update",
    "live", "opinion", "analysis", "watch", "audio", "pictured", "reuters photo", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "local time", "gmt", "est", "et",
})  # fmt: skip
# "ISTANBUL, May 16 (Reuters) -", "MEXICO CITY May 19 (Reuters) -", "LONDON, June 1, 2009 (AP) --".
_DATELINE = re.compile(
    rf"(?i:(?P<month>{_MONTH_RE}))\s+(?P<day>(?:[12]\d|3[01]|0?[1-9]))(?:st|nd|rd|th)?"
    r"(?:\s*,\s*(?P<year>(?:19|20)\d\d))?\s*\((?P<tag>[A-Z][A-Za-z0-9&.' -]{1,30})\)\s*(?:--|-|—|–|:)\s"
)
# The place before it: upper-case or title-case words, maybe a country after a comma ("France, ").
_PLACE_BEFORE = re.compile(r"(?:^|[\s)*])(?P<place>[A-Z][\w.'\\/-]*(?:[\s,]+[A-Z][\w.'\\/-]*){0,4}),?\s*$")
_SPACED_STAMP = re.compile(r"^\s*((?:19|20)\d\d) (\d\d) (\d{1,2}) \d\d:\d\d\b")
# A wire service's stamp in the head of a page: "MEXICO CITY | Mon Apr 27, 2009 3:10 am BST MEXICO CITY
# (Reuters) -"; the parser may split it so that no date entity holds it whole. A comment's stamp says
# "at" before its clock time ("January 27, 2011 at 7:59 pm | Report abuse") and is not one.
_WIRE_STAMP = re.compile(
    rf"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?(?P<month>(?i:{_MONTH_RE}))\s+(?P<day>[0-3]?\d),?\s+"
    r"(?P<year>(?:19|20)\d\d),?\s+\d{1,2}:\d\d\s*(?:[ap]\.?m\.?|[AP]M)?\s*(?:[A-Z]{2,4}T|GMT|UTC|ET)\b"
)
# The BBC's page stamp opening the page: "24 April 2011 Last updated at 17:55 GMT", "20 June 11 16:14 GMT".
_DAY_FIRST_STAMP = re.compile(
    rf"^\s*(?P<day>[0-3]?\d)\s+(?P<month>(?i:{_MONTH_RE}))\s+(?P<year>(?:19|20)?\d\d)\s+"
    r"(?:Last updated at\s+)?\d\d:\d\d\s*GMT\b"
)
STAMP_HEAD_CHARS = 300  # a page's own stamp sits before its story
# "updated: Sun Jul 29 2012 08:01:00" near the head of a page dates a related item in a side box (read by
# pubdate's parsed stamps too).
UPDATED_BEFORE = re.compile(r"\bupdated:?\s*(?:[A-Za-z]{3,9},?\s*)?$", re.IGNORECASE)
_LEAD_WEEKDAY = re.compile(
    r"(?<!next )(?<!this )(?<!coming )\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE
)
_WEEKDAY_INDEX = {"mon": 0, "tues": 1, "wednes": 2, "thurs": 3, "fri": 4, "satur": 5, "sun": 6}


@dataclass(frozen=True, slots=True)
class HeadDateline:
    """A dateline found in the head of an article: its month and day, its year when it names one, the
    weekdays its lead names and the dateline with its lead sentence as evidence."""

    month: int
    day: int
    year: int | None
    start: int
    evidence: str
    lead_weekdays: frozenset[int]


def find_head_dateline(text: str) -> HeadDateline | None:
    """The first "PLACE, Month Day (Outlet) -" in the head of the text, else None."""
    for m in _DATELINE.finditer(text, 0, HEAD_DATELINE_CHARS + 40):
        if m.start() > HEAD_DATELINE_CHARS or m.group("tag").strip().lower() in _NOT_OUTLETS:
            continue
        place = _PLACE_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if place is None:
            continue
        month, day = _month(m.group("month")), _daynum(m.group("day"))
        year = int(m.group("year")) if m.group("year") else None
        if _safe_date(year or 2000, month, day) is None:  # 2000: a leap year, so "Feb. 29" passes
            continue
        lead = text[m.end() : m.end() + LEAD_CHARS]
        stop = lead.find(". ")
        lead = lead[: stop + 1] if stop >= 0 else lead
        weekdays = frozenset(_WEEKDAY_INDEX[w.group(1).lower()] for w in _LEAD_WEEKDAY.finditer(lead))
        evidence = " ".join((text[place.start("place") : m.end()] + " " + lead).split())
        return HeadDateline(month, day, year, m.start(), evidence, weekdays)
    return None


def agrees(day: dt.date, weekdays: frozenset[int]) -> bool:
    """Whether a lead's "on Tuesday" fits a dateline day: the same day, or the day before (wire copy
    filed after midnight, or a Monday story about the weekend)."""
    return day.weekday() in weekdays or (day - dt.timedelta(days=1)).weekday() in weekdays


def page_stamp(text: str) -> tuple[dt.date, str] | None:
    """The page's own time stamp: "2009 04 25 08:50 JST" or the BBC's "24 April 2011 Last updated at
    17:55 GMT" opening the page, or a wire stamp with its time zone in the head ("Mon Apr 27, 2009 3:10
    am BST", not after "updated:", which dates a side box's item): its day and the stamp as evidence."""
    m = _SPACED_STAMP.match(text)
    if m is not None:
        day = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (day, text[m.start() : m.end() + 4].strip()) if day else None
    m = _DAY_FIRST_STAMP.match(text)
    if m is not None:
        year = int(m.group("year"))
        day = _safe_date(year if year > 99 else 2000 + year, _month(m.group("month")), int(m.group("day")))
        return (day, m.group(0).strip()) if day else None
    for m in _WIRE_STAMP.finditer(text, 0, STAMP_HEAD_CHARS):
        if UPDATED_BEFORE.search(text[max(0, m.start() - 24) : m.start()]):
            continue
        day = _safe_date(int(m.group("year")), _month(m.group("month")), int(m.group("day")))
        if day is not None:
            return day, m.group(0).strip()
    return None

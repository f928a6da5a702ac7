"""Publication dates inferred where metadata and dateline give none: from the text, then from the corpus.

From the text (:func:`infer_from_text`), strongest evidence first:

0. a full date stamped with a clock time at the head of the page ("Mon Jun 27, 2011 4:32 pm BST",
   "2009 04 25 08:50 JST", "24 April 2011 Last updated at 17:55 GMT"; read from the text too where the
   parser splits the stamp, :func:`.pubdate_head.page_stamp`); such stamps further down belong to
   comments and posts and are not used;
   A date before a byline bar opening the page ("January 31, 2011 | By ...") is as sure;
1. a dateline after a headline, bullets and a byline (:mod:`.pubdate_head`) that names its year; one
   at the start of a line without a year ("BEIJING, Oct. 17 (Xinhua) --"), the year taken from the
   other evidence. A yearless wire dateline ("ISTANBUL, May 16 (Reuters) - ... said on Saturday") is
   left to the corpus: the years an article names are mostly past ones;
2. a weekday and a date that must agree ("arrived on Monday (October 16)"): the year is the one where
   they do: the year of the latest full date when it fits, else the first within 6 years after the
   latest year the article mentions (else the latest one not after today); a weekday
   and a date in different sentences are not trusted (they rarely name the same day);
3. the latest explicit full date told in the past tense: the article was written on or after it;
4. year hints ("the first meeting in six years" after "in 2018" is 2024; else the latest year mentioned).

From the corpus (:func:`infer_from_corpus`): first, a dateline that names no year in an article that
names none either takes the year in which the corpus's sure dates cluster around it, checked against the
lead's weekday; then (:mod:`.pubdate_corpus`) an undated article is dated from the dated articles that
share its rarer keys, and from the dated sentences that tell the same events as its own "on Tuesday"
(:mod:`.pubdate_anchor`).

Every inferred date carries method TEXT or CORPUS, a confidence below 1 and its evidence sentence(s).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..datetools import MAX_YEAR, MIN_YEAR
from ..model import Article, DateMethod, DatePrecision, DateValue
from . import pubdate_corpus, timex
from .nlp import doc_text
from .pubdate_corpus import (  # noqa: F401 - the corpus stage, re-exported
    CorpusArticle,
    _sentence_around,
    content_keys,
    tense_from_text,
)
from .pubdate_head import UPDATED_BEFORE, agrees, find_head_dateline, page_stamp

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..analysis import TimeRef

PUBDATE_VERSION = "3"

_DATELINE_HEAD = 60  # a dateline date sits within the first characters of the text
_DATELINE_AFTER = re.compile(r"^\s*(?:\(|--|—|–|-\s|:)")
_DATELINE_PLACE = re.compile(r"^[A-Z][A-Za-z.'/ -]{1,40},\s*$")  # "BEIJING, " before "Oct. 17 (Xinhua)"
# A date stamped with a clock time ("Mon Jun 27, 2011 4:32 pm BST", "4:32 pm ET February 11, 2013"): at
# the head of a page it is the article's own time stamp; further down, a comment's or a post's.
_CLOCK_AFTER = re.compile(
    r"^\s*(?:,|-|–|at|\|)?\s*\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?|GMT|BST|UTC|EDT|EST|ET|CET|\b)", re.IGNORECASE
)
_CLOCK_BEFORE = re.compile(
    r"\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?\s*(?:GMT|BST|UTC|EDT|EST|ET|CET)?\s*(?:on\s*)?,?\s*$", re.IGNORECASE
)
_CLOCK = re.compile(r"\b\d{1,2}:\d\d\b")
HEAD_CHARS = 300
AGREEMENT_YEARS_AFTER = 6
HEAD_DATELINE_DATED = 0.9  # a dateline with its year, after a headline and a byline
# The corpus's year for a yearless dateline: sure dates within this many days of it vote for a year.
YEAR_WINDOW_DAYS = 31
_FIRST_IN_YEARS = re.compile(
    r"\bfirst\b[^.]{0,60}?\bin\s+(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+years\b",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"\bwrote:|\bcomments?\b|\breply\b", re.IGNORECASE)
BYLINE_DATE_CHARS = 120
_BYLINE_AFTER = re.compile(r"^\s*\|\s*(?:By|From)\b")


@dataclass(frozen=True, slots=True)
class _Mention:
    kind: str  # "day" (full date), "weekday-date", "month-day", "weekday", "year"
    tense: str
    sentence: str
    start: int
    day: dt.date | None = None
    month: int = 0
    daynum: int = 0
    weekday: int = -1
    year: int = 0
    dateline: bool = False
    timestamp: bool = False
    byline: bool = False  # "January 31, 2011 | By Jane Roe, CNN" at the head of the page


def _mentions(expressions: Sequence[timex.Expression], text: str) -> list[_Mention]:
    found: list[_Mention] = []
    for e in expressions:
        clean = timex._LEADING_WORD.sub("", " ".join(e.text.split())).strip(" ,.;:")
        sentence = e.sentence_text
        line_start = text.rfind("\n", 0, e.start) + 1
        dateline = (
            e.start < _DATELINE_HEAD
            and bool(_DATELINE_AFTER.match(text[e.end : e.end + 4]))
            and bool(_DATELINE_PLACE.match(text[line_start : e.start]))
        )
        timestamp = bool(
            _CLOCK_AFTER.match(text[e.end : e.end + 30])
            or _CLOCK_BEFORE.search(text[max(0, e.start - 30) : e.start])
            or _CLOCK.search(e.text)
        )
        byline = e.start < BYLINE_DATE_CHARS and bool(_BYLINE_AFTER.match(text[e.end : e.end + 12]))
        result = timex.resolve(e.text, e.context, None, tense=e.tense)
        if result is None:
            continue
        value, precision, end_value, anchor, _ = result
        if value is not None and anchor == "absolute":
            if precision == DatePrecision.DAY and end_value is None:
                day = dt.date.fromisoformat(value)
                found.append(
                    _Mention("day", e.tense, sentence, e.start, day=day, timestamp=timestamp, byline=byline)
                )
            found.append(_Mention("year", e.tense, sentence, e.start, year=int(value[:4])))
            continue
        m = timex._WEEKDAY_DATE.match(clean)
        if m:
            found.append(
                _Mention(
                    "weekday-date", e.tense, sentence, e.start,
                    month=timex._month(m.group(2) or m.group(5)),
                    daynum=timex._daynum(m.group(3) or m.group(4)),
                    weekday=timex._weekday(m.group(1)), dateline=dateline,
                )
            )  # fmt: skip
            continue
        m = timex._MONTH_DAY.match(clean)
        if m:
            daynum = timex._daynum(m.group(2) or m.group(3))
            if 1 <= daynum <= 31:
                month = timex._month(m.group(1) or m.group(4))
                found.append(
                    _Mention(
                        "month-day", e.tense, sentence, e.start, month=month, daynum=daynum, dateline=dateline
                    )
                )
            continue
        m = timex._WEEKDAY_ONLY.match(clean.lower())
        if m and not m.group(1):
            found.append(_Mention("weekday", e.tense, sentence, e.start, weekday=timex._weekday(m.group(2))))
    return found


def _safe(year: int, month: int, day: int) -> dt.date | None:
    return timex._safe_date(year, month, day)


def infer_from_text(
    article: Article,
    doc: Doc,
    *,
    today: dt.date | None = None,
    expressions: Sequence[timex.Expression] | None = None,
) -> DateValue | None:
    """The publication date the article's own words imply (method TEXT, confidence < 1), or None.

    ``expressions``: the document's time expressions (:func:`timex.iter_expressions`) when the caller has
    found them already (the analysis stores them too): finding them is most of this function's cost."""
    today = today or dt.date.today()
    text = doc_text(doc)
    if expressions is None:
        expressions = list(timex.iter_expressions(doc))
    mentions = _mentions(expressions, text)
    return _infer(mentions, text, today)


def _infer(mentions: list[_Mention], text: str, today: dt.date) -> DateValue | None:
    # Reader comments ("At 08:36 4th Jun 2010, someone wrote:") are dated after the article.
    stamps = [m for m in mentions if m.kind == "day" and m.timestamp and m.day is not None and m.day <= today]
    head = [
        m
        for m in stamps
        if m.start < HEAD_CHARS
        and not _COMMENT.search(m.sentence)
        and not UPDATED_BEFORE.search(text[max(0, m.start - 24) : m.start])
    ]
    stamped_sentences = {m.sentence for m in stamps}
    if head:
        first = min(head, key=lambda m: m.start)
        return DateValue(first.day.isoformat(), DatePrecision.DAY, DateMethod.TEXT, 0.9, first.sentence)  # type: ignore[union-attr]
    bylines = [m for m in mentions if m.kind == "day" and m.byline and m.day is not None and m.day <= today]
    if bylines:
        first = bylines[0]
        return DateValue(first.day.isoformat(), DatePrecision.DAY, DateMethod.TEXT, 0.9, first.sentence)  # type: ignore[union-attr]
    stamp = page_stamp(text)
    if stamp is not None and stamp[0] <= today:
        return DateValue(stamp[0].isoformat(), DatePrecision.DAY, DateMethod.TEXT, 0.9, stamp[1])
    days = [
        m
        for m in mentions
        if m.kind == "day"
        and m.day is not None
        and m.day <= today
        and not m.timestamp
        and m.sentence not in stamped_sentences
        and not _COMMENT.search(m.sentence)
    ]
    past_days = [m for m in days if m.tense != "future"]
    latest = max(past_days, key=lambda m: m.day) if past_days else None  # type: ignore[arg-type,return-value]
    years = [m.year for m in mentions if m.kind == "year" and m.year <= today.year and m.tense != "future"]
    reference_year = max(years) if years else None

    def pick_year(candidates: list[int]) -> int | None:
        candidates = [y for y in candidates if y <= today.year]
        if not candidates:
            return None
        if latest is not None and latest.day is not None and latest.day.year in candidates:
            return latest.day.year  # the year of the latest full date ("January 31, 2011 | By ...")
        if reference_year is not None:
            # A year told in the past is before the article, or its own year when nothing later fits;
            # not long after (a weekday and a date agree again 5, 6 or 11 years later).
            after = [y for y in candidates if reference_year < y <= reference_year + AGREEMENT_YEARS_AFTER]
            if after:
                return min(after)
            return reference_year if reference_year in candidates else None
        return max(candidates)

    def value(day: dt.date, confidence: float, *evidence: str) -> DateValue:
        seen = list(dict.fromkeys(s.strip() for s in evidence if s))
        return DateValue(
            day.isoformat(), DatePrecision.DAY, DateMethod.TEXT, round(confidence, 2), " … ".join(seen)
        )

    # 1. A dateline date. Without a year ("ISTANBUL, May 16 (Reuters) - ... on Saturday") the text alone
    # rarely knows it: articles name past years far more often than their own, and a weekday agrees
    # with one year in seven. The corpus decides those (dateline_years_from_corpus).
    dateline = find_head_dateline(text)
    if dateline is not None and dateline.year is not None:
        day = _safe(dateline.year, dateline.month, dateline.day)
        if day is not None and day <= today:
            return value(day, HEAD_DATELINE_DATED, dateline.evidence)
    weekdays = [m for m in mentions if m.kind == "weekday"]
    past_weekdays = {w.weekday for w in weekdays if w.tense != "future"}
    for m in mentions:
        if m.dateline and m.kind in ("month-day", "weekday-date"):
            if m.kind == "weekday-date":
                year = pick_year(timex.years_where(m.weekday, m.month, m.daynum, today.year, span=60))
            else:
                year = _dateline_year(
                    m, latest.day if latest is not None else None, reference_year, past_weekdays, today
                )
            if year is not None and (day := _safe(year, m.month, m.daynum)) is not None:
                confidence = 0.85 if reference_year is not None or m.kind == "weekday-date" else 0.6
                return value(day, confidence, m.sentence)
    # 2. A weekday and a date that agree.
    agreeing = [m for m in mentions if m.kind == "weekday-date"]
    if agreeing:
        m = max(agreeing, key=lambda m: (m.tense != "future", m.month, m.daynum))
        year = pick_year(timex.years_where(m.weekday, m.month, m.daynum, today.year, span=60))
        if year is not None and (day := _safe(year, m.month, m.daynum)) is not None:
            if m.tense == "future":
                return value(day - dt.timedelta(days=1), 0.3, m.sentence)
            # Not "sure" (0.8): the year is the latest full date's, or one after the years named, and
            # T17 articles with old full dates and schedules ("BBC One, Monday, 21 June") fool both.
            if latest is not None and latest.day is not None and latest.day.year == year:
                confidence = 0.7
            else:
                confidence = 0.6 if reference_year is not None else 0.5
            return value(day, confidence, m.sentence)
    # (A weekday and a month-day in different sentences rarely name the same day: no evidence alone.)
    month_days = [m for m in mentions if m.kind == "month-day" and m.tense == "past"]
    # 3. The latest full date told in the past.
    if latest is not None and latest.day is not None:
        later = [
            (d, m.sentence)
            for m in month_days
            if (d := _safe(latest.day.year, m.month, m.daynum)) is not None and 0 < (d - latest.day).days < 60
        ]
        if later:
            day, sentence = max(later)
            return value(day, 0.5, latest.sentence, sentence)
        return value(latest.day, 0.55, latest.sentence)
    # 4. Year hints.
    hint = _FIRST_IN_YEARS.search(text)
    if hint and years:
        word = hint.group(1).lower()
        n = int(word) if word.isdigit() else timex._NUMBERS[word]
        year = max(years) + n
        if MIN_YEAR <= year <= min(MAX_YEAR, today.year):
            sentence = _sentence_around(text, hint.start())
            return DateValue(str(year), DatePrecision.YEAR, DateMethod.TEXT, 0.5, sentence)
    return None


def _dateline_year(
    m: _Mention, latest: dt.date | None, reference_year: int | None, past_weekdays: set[int], today: dt.date
) -> int | None:
    """The year of a dateline's month-day: not before the latest past date or year the text names, and,
    when the text says "on Tuesday", one where the dateline falls on or just after a Tuesday."""
    first = latest.year if latest is not None else reference_year
    if first is None:
        return None
    years = [y for y in range(first, min(first + 12, today.year) + 1) if _safe(y, m.month, m.daynum)]
    years = [y for y in years if latest is None or _safe(y, m.month, m.daynum) >= latest]  # type: ignore[operator]
    if not years:
        return None
    if past_weekdays:
        for year in years:
            weekday = _safe(year, m.month, m.daynum).weekday()  # type: ignore[union-attr]
            if weekday in past_weekdays or (weekday - 1) % 7 in past_weekdays:
                return year
    return years[0]


def infer_from_corpus(
    items: list[CorpusArticle] | list[tuple[Article, list[TimeRef], set[str]]],
    *,
    rounds: int = pubdate_corpus.ROUNDS,
) -> dict[str, DateValue]:
    """Publication dates (method CORPUS) for the articles still without a day, keyed by article id.

    Yearless datelines first (:func:`dateline_years_from_corpus`); the articles they date then count as
    dated for the rest of the corpus stage (:func:`.pubdate_corpus.infer_from_corpus`).
    """
    corpus = [item if isinstance(item, CorpusArticle) else CorpusArticle(*item) for item in items]
    found = dateline_years_from_corpus(corpus)
    if found:
        corpus = [
            replace(c, article=c.article.evolve(publication_date=found[c.article.id]))
            if c.article.id in found
            else c
            for c in corpus
        ]
    return {**pubdate_corpus.infer_from_corpus(corpus, rounds=rounds), **found}


def dateline_years_from_corpus(corpus: list[CorpusArticle]) -> dict[str, DateValue]:
    """The year of each undated article's yearless dateline, from the corpus: the year in which most
    sure dates (confidence >= 0.8) of other articles fall within a month of the dateline's day, among
    the years where the lead's weekday agrees with it when the lead names one."""
    sure = sorted(
        dt.date.fromisoformat(d.day)
        for c in corpus
        if (d := c.article.publication_date) is not None and d.day is not None and d.confidence >= 0.8
    )
    if not sure:
        return {}
    window = dt.timedelta(days=YEAR_WINDOW_DAYS)
    today = dt.date.today()
    found: dict[str, DateValue] = {}
    for c in corpus:
        date = c.article.publication_date
        if date is not None and date.day is not None:
            continue
        dateline = find_head_dateline(c.article.text)
        if dateline is None or dateline.year is not None:
            continue
        years = {day.year + delta for day in sure for delta in (-1, 0, 1)}
        votes: Counter[dt.date] = Counter()
        for year in years:
            day = _safe(year, dateline.month, dateline.day)
            if (
                day is None
                or day > today
                or (dateline.lead_weekdays and not agrees(day, dateline.lead_weekdays))
            ):
                continue
            near = bisect.bisect_right(sure, day + window) - bisect.bisect_left(sure, day - window)
            if near:
                votes[day] = near
        if not votes:
            continue
        (best, count), *rest = votes.most_common(2)
        runner_up = rest[0][1] if rest else 0
        confidence = _dateline_year_confidence(count, runner_up, bool(dateline.lead_weekdays))
        evidence = f"{dateline.evidence} … the year: {count} sure dates of the corpus within a month of it"
        found[c.article.id] = DateValue(
            best.isoformat(), DatePrecision.DAY, DateMethod.CORPUS, confidence, evidence
        )
    return found


def _dateline_year_confidence(count: int, runner_up: int, weekday_checked: bool) -> float:
    """Sure when many sure dates and the lead's weekday agree and no other year competes."""
    if runner_up * 3 >= count:
        return 0.4
    if count >= 3:
        return 0.9 if weekday_checked else 0.8
    return 0.5

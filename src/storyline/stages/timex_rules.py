"""The rule layer of :mod:`.timex`: patterns and the resolution of one temporal expression to a date.

:func:`resolve` is a rule cascade, in this order, with dateparser as the last resort for odd formats
("16.10.2023"):

1. durations, ages and ordinals that are no dates ("two-day", "six years", "the 75th anniversary");
2. absolute dates, which name their year ("8 April 2024", "February 2022", "2018", "the 1990s");
3. words counted in days from the anchor ("yesterday", "the day after tomorrow", "three days ago");
4. weekdays, which the tense of the governing verb sends back or forward ("arrived on Monday" is the
   last Monday, "will arrive on Monday" the next one); a weekday with its date ("Monday (October 16)")
   takes the year where both agree;
5. month-day without a year, ranges ("from 8 to 9" takes its month from the sentence), months
   ("last September" is September of last year, as in translations of "September last year"), weeks,
   months and years counted from the anchor ("next year", "in March this year").

It needs no parse: the span finder (:mod:`.timex`) gives it the expression, its sentence and its tense.
Years outside 1800-2200 are never produced.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import warnings
from functools import lru_cache

from ..datetools import MAX_YEAR, MIN_YEAR
from ..model import DatePrecision

DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR

# (value, precision, end_value, anchor, confidence); value None: relative and no anchor to count from.
Resolution = tuple[str | None, DatePrecision | None, str | None, str, float]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3,
    "several": 3,
}  # fmt: skip

_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY_RE = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEARNUM = r"(?:1[89]\d\d|2[01]\d\d)"
_NUMWORD = (
    r"(?:\d+|a couple of|a few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
)
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"

_I = re.IGNORECASE
_LEADING_WORD = re.compile(r"^(?:on|in|since|by|until|from|of|during|at|for|between)\s+", _I)
_DAY_WORD_MODIFIER = re.compile(
    r"^(?:late|early|earlier|later)\s+(?=last night|yesterday|today|tonight|this\b|tomorrow)", _I
)

_NOT_A_DATE = re.compile(
    rf"anniversar|\b(?:old|long|aged?)\b|-(?:day|week|month|year)s?\b|\b{_NUMWORD}\s+(?:days?|weeks?|months?"
    r"|years?|decades?|centur(?:y|ies)|hours?|minutes?)\b(?!\s+(?:ago|later|earlier|before|after))"
    r"|^(?:the\s+)?(?:past|last|next|coming|recent|previous|first|few)\s+(?:\w+\s+)?(?:days|weeks|months|years|decades)"
    r"|^(?:days|weeks|months|years|decades|recent years|decades ago|the past|the future)$|\bseason\b",
    _I,
)  # fmt: skip
_ABS_MDY = re.compile(rf"^(?:{_WEEKDAY_RE},?\s+)?({_MONTH_RE})\s+({_DAYNUM}),?\s+({_YEARNUM})$", _I)
_ABS_DMY = re.compile(
    rf"^(?:{_WEEKDAY_RE},?\s+)?(?:the\s+)?({_DAYNUM})\s+(?:of\s+)?({_MONTH_RE}),?\s+({_YEARNUM})$", _I
)
_ISO = re.compile(rf"^({_YEARNUM})-(\d\d)-(\d\d)$")
_MONTH_YEAR = re.compile(
    rf"^(?:(early|mid|late|the end of|the beginning of|the start of)[\s-]+)?({_MONTH_RE}),?\s+"
    rf"(?:of\s+)?({_YEARNUM})$", _I,
)  # fmt: skip
_YEAR = re.compile(rf"^(?:(?:early|mid|late)[\s-]+|the (?:end|beginning|start) of\s+)?({_YEARNUM})$", _I)
_YEAR_RANGE = re.compile(rf"^({_YEARNUM})\s*(?:-|–|to|and)\s*((?:\d\d)?\d\d)$", _I)
_DECADE = re.compile(r"^(?:the\s+)?(?:early\s+|mid-?\s*|late\s+)?(1[89]\d|2[01]\d)0'?s$", _I)
_DAY_WORDS = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "yesterday": -1,
    "last night": -1, "tomorrow": 1, "the day after tomorrow": 2, "the day before yesterday": -2,
    "yesterday morning": -1, "yesterday afternoon": -1, "yesterday evening": -1, "tomorrow morning": 1,
}  # fmt: skip
_AGO = re.compile(rf"^({_NUMWORD})\s+(day|week|month|year)s?\s+(ago|earlier|before|later|after)$", _I)
_IN_N = re.compile(rf"^(?:in|within)\s+({_NUMWORD})\s+(day|week|month|year)s?(?:'?\s*time)?$", _I)
_WEEKDAY_DATE = re.compile(
    rf"^({_WEEKDAY_RE})\s*(?:\(\s*|,\s*)(?:({_MONTH_RE})\s+({_DAYNUM})|({_DAYNUM})\s+(?:of\s+)?({_MONTH_RE}))"
    rf"(?:,?\s+({_YEARNUM}))?\s*\)?$", _I,
)  # fmt: skip
_WEEKDAY_ONLY = re.compile(
    rf"^(?:(last|next|this|coming|past)\s+)?({_WEEKDAY_RE})(?:\s+(?:morning|afternoon|evening|night))?$", _I
)  # fmt: skip
_MONTH_DAY = re.compile(
    rf"^(?:({_MONTH_RE})\s+(?:the\s+)?({_DAYNUM})|(?:the\s+)?({_DAYNUM})\s+(?:of\s+)?({_MONTH_RE}))$", _I
)
_RANGE = re.compile(
    rf"^(?:from\s+|between\s+)?(?:({_MONTH_RE})\s+)?({_DAYNUM})\s*(?:-|–|to|and|until|till|through)\s*"
    rf"(?:({_MONTH_RE})\s+)?({_DAYNUM})(?:\s+(?:of\s+)?({_MONTH_RE}))?(?:,?\s+({_YEARNUM}))?$", _I,
)  # fmt: skip
_MONTH_ONLY = re.compile(
    rf"^(?:(early|mid|late|the end of|the beginning of|the start of|earlier|later)[\s-]+)?"
    rf"(?:(last|next|this|coming|past)\s+)?({_MONTH_RE})(?:,?\s+(this|last|next)\s+year)?$", _I,
)  # fmt: skip
_UNIT_REL = re.compile(
    r"^(?:(?:earlier|later|early|late|the end of|the beginning of|the start of|the rest of|mid)[\s-]+)?"
    r"(?:(last|next|this|past|coming|the previous|the following)\s+)(week|month|year|weekend)$", _I,
)  # fmt: skip
_WEEKEND = re.compile(r"^(?:(?:the|this|last|next|over the)\s+)?weekend$", _I)
_NOISE = re.compile(r"^(?:the|a)\s+(?!day\b)|\s*[,.;:]+$|'s$", _I)
_MONTH_IN_TEXT = re.compile(rf"\b({_MONTH_RE})(?=[\s,.])", _I)


def _month(name: str) -> int:
    return _MONTHS[name.lower()[:3]]


def _weekday(name: str) -> int:
    return _WEEKDAYS[name.lower()[:3]]


def _daynum(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _count(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS[word]


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _ok_year(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    if not _ok_year(year) or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, day)


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def weekday_near(anchor: dt.date, weekday: int, tense: str, modifier: str = "") -> tuple[dt.date, float]:
    """The day a weekday names, seen from ``anchor``: past tense looks back, future tense forward."""
    back = (anchor.weekday() - weekday) % 7
    forward = (weekday - anchor.weekday()) % 7
    if modifier in ("last", "past"):
        return anchor - dt.timedelta(days=back or 7), 0.8
    if modifier in ("next", "coming"):
        return anchor + dt.timedelta(days=forward or 7), 0.8
    if tense == "past":
        return anchor - dt.timedelta(days=back), 0.85
    if tense == "future":
        return anchor + dt.timedelta(days=forward), 0.85
    # No tense to go by: the nearer one, the past when it is within three days (news looks back).
    if back <= 3:
        return anchor - dt.timedelta(days=back), 0.6
    return anchor + dt.timedelta(days=forward), 0.6


def month_day_near(anchor: dt.date, month: int, day: int, tense: str) -> dt.date | None:
    """The year of a date written without one: the last occurrence for the past, the next for the future."""
    candidates = [
        d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _safe_date(y, month, day))
    ]
    if not candidates:
        return None
    slack = dt.timedelta(days=2)
    if tense == "past":
        past = [d for d in candidates if d <= anchor + slack]
        return max(past) if past else None
    if tense == "future":
        future = [d for d in candidates if d >= anchor - slack]
        return min(future) if future else None
    return min(candidates, key=lambda d: abs((d - anchor).days))


def years_where(weekday: int, month: int, day: int, around: int, span: int = 30) -> list[int]:
    """Years within ``span`` of ``around`` in which ``month``/``day`` falls on ``weekday``, nearest first."""
    years = [
        y
        for y in range(around - span, around + span + 1)
        if (d := _safe_date(y, month, day)) is not None and d.weekday() == weekday
    ]
    return sorted(years, key=lambda y: (abs(y - around), -y))


@lru_cache(maxsize=8192)
def resolve(
    expression: str,
    sentence_text: str,
    anchor_day: dt.date | None,
    *,
    in_quote: bool = False,
    tense: str = "",
) -> Resolution | None:
    """Normalise one temporal expression.

    Returns None when the expression is no date at all (a duration, an age, an anniversary); otherwise
    ``(value, precision, end_value, anchor, confidence)`` where ``value`` is None when the expression
    is relative and there is no ``anchor_day`` to count from. ``tense`` is "past", "future", "present"
    or "" and decides which way a bare weekday or month looks. ``anchor_day`` is the publication day, or
    the day of speaking when ``in_quote``.
    """
    text = " ".join(expression.split())
    text = _LEADING_WORD.sub("", text)
    text = _DAY_WORD_MODIFIER.sub("", _NOISE.sub("", text)).strip()
    if not text:
        return None
    low = text.lower()
    anchor_name = "speech" if in_quote else "publication"
    if _NOT_A_DATE.search(low) and not _AGO.match(low):
        return None
    absolute = _absolute(text)
    if absolute is not None:
        return absolute
    relative = _relative(text, low, sentence_text, anchor_day, tense)
    if relative is _UNRESOLVED:
        return (None, None, None, anchor_name, 0.0)
    if relative is not None:
        value, precision, end_value, confidence = relative
        return (value, precision, end_value, anchor_name, confidence)
    return _dateparser(text, anchor_day, tense, anchor_name)


_UNRESOLVED = (None, None, None, 0.0)


def _absolute(text: str) -> Resolution | None:
    for pattern, order in ((_ABS_MDY, (2, 1, 3)), (_ABS_DMY, (1, 2, 3))):
        m = pattern.match(text)
        if m:
            day_group, month_group, year_group = (m.group(i) for i in order)
            day = _safe_date(int(year_group), _month(month_group), _daynum(day_group))
            return (_iso(day), DAY, None, "absolute", 0.98) if day else None
    m = _ISO.match(text)
    if m:
        day = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (_iso(day), DAY, None, "absolute", 0.98) if day else None
    m = _WEEKDAY_DATE.match(text)
    if m and m.group(6):
        month = _month(m.group(2) or m.group(5))
        day = _safe_date(int(m.group(6)), month, _daynum(m.group(3) or m.group(4)))
        return (_iso(day), DAY, None, "absolute", 0.98) if day else None
    m = _RANGE.match(text)
    if m and m.group(6):
        year = int(m.group(6))
        end_month = (
            _month(m.group(3) or m.group(5) or m.group(1)) if (m.group(3) or m.group(5) or m.group(1)) else 0
        )
        start_month = _month(m.group(1)) if m.group(1) else end_month
        start = _safe_date(year, start_month, _daynum(m.group(2)))
        end = _safe_date(year, end_month, _daynum(m.group(4)))
        if start and end and start <= end:
            return (_iso(start), DAY, _iso(end), "absolute", 0.95)
        return None
    m = _MONTH_YEAR.match(text)
    if m:
        year = int(m.group(3))
        return (
            (f"{year:04d}-{_month(m.group(2)):02d}", MONTH, None, "absolute", 0.97)
            if _ok_year(year)
            else None
        )
    m = _YEAR.match(text)
    if m:
        return (m.group(1), YEAR, None, "absolute", 0.95)
    m = _YEAR_RANGE.match(text)
    if m:
        start_year = int(m.group(1))
        tail = m.group(2)
        end_year = int(tail) if len(tail) == 4 else start_year // 100 * 100 + int(tail)
        if start_year < end_year <= MAX_YEAR:
            return (f"{start_year:04d}", YEAR, f"{end_year:04d}", "absolute", 0.9)
        return None
    m = _DECADE.match(text)
    if m:
        start_year = int(m.group(1)) * 10
        return (f"{start_year:04d}", YEAR, f"{start_year + 9:04d}", "absolute", 0.8)
    return None


def _relative(
    text: str, low: str, sentence_text: str, anchor: dt.date | None, tense: str
) -> tuple[str | None, DatePrecision | None, str | None, float] | None:
    """Rules 3-5: a 4-tuple, _UNRESOLVED when it is a date expression without an anchor, None if unknown."""
    if low in _DAY_WORDS:
        if anchor is None:
            return _UNRESOLVED
        return (
            _iso(anchor + dt.timedelta(days=_DAY_WORDS[low])),
            DAY,
            None,
            0.9 if low != "last night" else 0.75,
        )
    m = _AGO.match(low)
    if m:
        if anchor is None:
            return _UNRESOLVED
        n, unit = _count(m.group(1)), m.group(2)
        sign = -1 if m.group(3) in ("ago", "earlier", "before") else 1
        return _shift(anchor, unit, sign * n, 0.7)
    m = _IN_N.match(low)
    if m:
        if anchor is None:
            return _UNRESOLVED
        return _shift(anchor, m.group(2), _count(m.group(1)), 0.6)
    m = _WEEKDAY_DATE.match(text)
    if m:
        weekday = _weekday(m.group(1))
        month = _month(m.group(2) or m.group(5))
        daynum = _daynum(m.group(3) or m.group(4))
        if anchor is None:
            return _UNRESOLVED
        for year in years_where(weekday, month, daynum, anchor.year, span=1):
            day = _safe_date(year, month, daynum)
            if day is not None:
                return (_iso(day), DAY, None, 0.95)
        day = month_day_near(anchor, month, daynum, tense)
        return (_iso(day), DAY, None, 0.6) if day else None
    m = _WEEKDAY_ONLY.match(low)
    if m:
        if anchor is None:
            return _UNRESOLVED
        modifier = m.group(1) or ""
        if modifier == "this":
            modifier = ""
        day, confidence = weekday_near(anchor, _weekday(m.group(2)), tense, modifier)
        return (_iso(day), DAY, None, confidence)
    m = _MONTH_DAY.match(text)
    if m:
        month = _month(m.group(1) or m.group(4))
        daynum = _daynum(m.group(2) or m.group(3))
        if not 1 <= daynum <= 31:
            return None
        if anchor is None:
            return _UNRESOLVED
        day = month_day_near(anchor, month, daynum, tense)
        return (_iso(day), DAY, None, 0.9) if day else None
    m = _RANGE.match(text)
    if m:
        month_name = m.group(1) or m.group(3) or m.group(5)
        if month_name is None:
            # "from 8 to 9": the month is the one the sentence names, else the anchor's.
            named = _MONTH_IN_TEXT.findall(sentence_text)
            month_name = named[-1] if named else None
        if anchor is None:
            return _UNRESOLVED
        end_month = _month(m.group(3) or m.group(5) or month_name) if month_name else anchor.month
        start_month = _month(m.group(1)) if m.group(1) else end_month
        start_day, end_day = _daynum(m.group(2)), _daynum(m.group(4))
        start = month_day_near(anchor, start_month, start_day, tense) if 1 <= start_day <= 31 else None
        if start is None:
            return None
        end_year = start.year + (1 if end_month < start_month else 0)
        end = _safe_date(end_year, end_month, end_day)
        if end is None or end < start:
            return None
        return (_iso(start), DAY, _iso(end), 0.85 if month_name else 0.6)
    m = _MONTH_ONLY.match(low)
    if m:
        if anchor is None:
            return _UNRESOLVED
        month = _month(m.group(3))
        modifier, year_word = m.group(2), m.group(4)
        if year_word == "this" or modifier == "this":
            year = anchor.year
        elif year_word == "last" or modifier in ("last", "past"):
            # "last September" read as "September last year", which is what translations mean by it.
            year = anchor.year - 1
        elif year_word == "next":
            year = anchor.year + 1
        elif modifier in ("next", "coming"):
            year = anchor.year + (1 if month <= anchor.month else 0)
        elif tense in ("future", "present"):
            # "takes effect in May", said in October, is a schedule: next May.
            year = anchor.year + (1 if month < anchor.month else 0)
        elif tense == "past":
            year = anchor.year - (1 if month > anchor.month else 0)
        else:
            year = anchor.year
        return (f"{year:04d}-{month:02d}", MONTH, None, 0.9 if (modifier or year_word) else 0.75)
    if _WEEKEND.match(low):
        if anchor is None:
            return _UNRESOLVED
        forward = low.startswith("next") or (tense == "future" and not low.startswith("last"))
        saturday = weekday_near(anchor - dt.timedelta(days=1), 5, "future" if forward else "past")[0]
        if forward and saturday <= anchor:
            saturday += dt.timedelta(days=7)
        return (_iso(saturday), DAY, _iso(saturday + dt.timedelta(days=1)), 0.7)
    m = _UNIT_REL.match(low)
    if m:
        if anchor is None:
            return _UNRESOLVED
        word, unit = m.group(1), m.group(2)
        step = {"last": -1, "past": -1, "the previous": -1, "next": 1, "coming": 1, "the following": 1}.get(
            word, 0
        )
        if unit == "year":
            year = anchor.year + step
            return (f"{year:04d}", YEAR, None, 0.95) if _ok_year(year) else None
        if unit == "month":
            year, month = _add_months(anchor.year, anchor.month, step)
            return (f"{year:04d}-{month:02d}", MONTH, None, 0.9)
        if unit == "weekend":
            return _relative(text, f"{'next' if step > 0 else 'last'} weekend", sentence_text, anchor, tense)
        monday = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(weeks=step)
        return (_iso(monday), DAY, _iso(monday + dt.timedelta(days=6)), 0.75)
    return None


def _shift(anchor: dt.date, unit: str, n: int, confidence: float):
    if unit == "day":
        return (_iso(anchor + dt.timedelta(days=n)), DAY, None, confidence + 0.15)
    if unit == "week":
        return (_iso(anchor + dt.timedelta(weeks=n)), DAY, None, confidence - 0.2)
    if unit == "month":
        year, month = _add_months(anchor.year, anchor.month, n)
        return (f"{year:04d}-{month:02d}", MONTH, None, confidence)
    year = anchor.year + n
    return (f"{year:04d}", YEAR, None, confidence) if _ok_year(year) else None


_DATEPARSER_HINT = re.compile(rf"\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{2,4}}|{_MONTH_RE}", _I)


def _dateparser(text: str, anchor: dt.date | None, tense: str, anchor_name: str) -> Resolution | None:
    """The last resort, for formats the rules do not know; only for text with a date-like shape."""
    if not _DATEPARSER_HINT.search(text) or len(text) > 40:
        return None
    anchor_key = anchor.isoformat() if anchor is not None else ""
    with warnings.catch_warnings():
        # dateparser and its dependencies warn about deprecated time-zone and pytz behaviour.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        try:
            data = _date_data_parser(anchor_key, tense).get_date_data(text)
        except (ValueError, TypeError, OverflowError):
            return None
    when, period = data.date_obj, data.period
    if when is None or not _ok_year(when.year):
        return None
    has_year = re.search(r"\d{4}|\d+[./-]\d+[./-]\d+", text) is not None
    if not has_year and anchor is None:
        return (None, None, None, anchor_name, 0.0)
    name = "absolute" if has_year else anchor_name
    if period == "year":
        return (f"{when.year:04d}", YEAR, None, name, 0.7)
    if period == "month":
        return (f"{when.year:04d}-{when.month:02d}", MONTH, None, name, 0.7)
    return (when.date().isoformat(), DAY, None, name, 0.7)


@lru_cache(maxsize=64)
def _date_data_parser(anchor_key: str, tense: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from dateparser.date import DateDataParser

        settings: dict[str, object] = {"RETURN_AS_TIMEZONE_AWARE": False}
        if anchor_key:
            anchor = dt.date.fromisoformat(anchor_key)
            settings["RELATIVE_BASE"] = dt.datetime(anchor.year, anchor.month, anchor.day, 12)
        if tense in ("past", "future"):
            settings["PREFER_DATES_FROM"] = tense
        return DateDataParser(languages=["en"], settings=settings)

"""Parsing date strings into :class:`DateValue` with their true precision.

dateutil parses the many formats found in metadata and datelines; the precision is what the string
actually says, found by parsing it against two different defaults: a field that changes with the default
was not in the string. Years outside a plausible window (``0000-00-00``, ``9999``) are refused.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from functools import lru_cache

from dateutil import parser as dateutil_parser

from .model import DateMethod, DatePrecision, DateValue

MIN_YEAR = 1800
MAX_YEAR = 2200

_DEFAULT_A = dt.datetime(2001, 1, 1, 0, 0, 0)
_DEFAULT_B = dt.datetime(2002, 2, 2, 1, 1, 0)
_HAS_DIGIT = re.compile(r"\d")
_ONLY_YEAR = re.compile(r"^\s*(\d{4})\s*$")


@lru_cache(maxsize=4096)
def parse_date_parts(text: str, dayfirst: bool = False) -> tuple[str, DatePrecision] | None:
    """``"Feb 03, 2022 10:12 PM"`` -> ``("2022-02-03T22:12", MINUTE)``; None when it is no full date.

    A date must name its year: a bare "April 8" is left to the stages that can anchor it.
    """
    text = text.strip()
    if not text or len(text) > 100 or not _HAS_DIGIT.search(text):
        return None
    only_year = _ONLY_YEAR.match(text)
    if only_year:
        year = int(only_year.group(1))
        return (f"{year:04d}", DatePrecision.YEAR) if MIN_YEAR <= year <= MAX_YEAR else None
    try:
        # dateutil warns on time-zone names it does not know ("10:12 PM IST"); the date is still right.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            a = dateutil_parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst)
            b = dateutil_parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year or not MIN_YEAR <= a.year <= MAX_YEAR:
        return None
    if a.month != b.month:
        return f"{a.year:04d}", DatePrecision.YEAR
    if a.day != b.day:
        return f"{a.year:04d}-{a.month:02d}", DatePrecision.MONTH
    if a.hour != b.hour or a.minute != b.minute or (a.hour, a.minute) == (0, 0):
        return f"{a.year:04d}-{a.month:02d}-{a.day:02d}", DatePrecision.DAY
    return f"{a.year:04d}-{a.month:02d}-{a.day:02d}T{a.hour:02d}:{a.minute:02d}", DatePrecision.MINUTE


def parse_date(
    text: str,
    method: DateMethod,
    *,
    evidence: str | None = None,
    confidence: float = 1.0,
    dayfirst: bool = False,
) -> DateValue | None:
    """A :class:`DateValue` for a date string, or None when the string holds no plausible full date."""
    parts = parse_date_parts(text, dayfirst)
    if parts is None:
        return None
    value, precision = parts
    return DateValue(value, precision, method, confidence, evidence if evidence is not None else text.strip())

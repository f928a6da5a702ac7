"""Coverage over time: articles per day, month or year, and the rectangles of its stacked bar chart.

Shared by the static page (export/html.py) and the web app (web/charts.py), so both count and draw the
same way. Stated dates (metadata, dateline, set by hand) and inferred ones (from the text or the corpus)
are counted apart and drawn in two colours, so a bar of guesses never looks like a bar of facts. The
rectangles carry only geometry and class names: colours come from the page's CSS.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..model import DatePrecision, DateValue

MAX_DAYS = 120  # longer spans are counted by month
MAX_MONTHS = 240  # longer still: by year
WIDTH = 720
HEIGHT = 120


@dataclass(frozen=True, slots=True)
class Period:
    period: str  # "2025-03-14", "2025-03" or "2025"
    stated: int
    inferred: int


@dataclass(frozen=True, slots=True)
class Coverage:
    unit: str  # day, month or year
    periods: list[Period]  # every period from the first to the last, quiet ones included
    undated: int  # articles without a date
    unplaced: int  # dated articles too coarse for the unit (a year only, in a chart by day)


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    inferred: bool
    period: str
    title: str


def count_coverage(dates: Iterable[DateValue | None]) -> Coverage:
    """Articles per period, stated and inferred apart; the unit is the finest that keeps bars readable."""
    values = list(dates)
    dated = [d for d in values if d is not None]
    days = sorted(d.day for d in dated if d.day)
    unit, length = "day", 10
    if not days or _days_between(days[0], days[-1]) > MAX_DAYS:
        unit, length = "month", 7
        months = sorted(d.value[:7] for d in dated if d.precision != DatePrecision.YEAR)
        if not months or _months_between(months[0], months[-1]) > MAX_MONTHS:
            unit, length = "year", 4
    placed = [d for d in dated if len(d.value) >= length]
    stated = Counter(d.value[:length] for d in placed if not d.inferred)
    inferred = Counter(d.value[:length] for d in placed if d.inferred)
    keys = _periods(min(stated | inferred), max(stated | inferred), unit) if placed else []
    return Coverage(
        unit=unit,
        periods=[Period(k, stated[k], inferred[k]) for k in keys],
        undated=len(values) - len(dated),
        unplaced=len(dated) - len(placed),
    )


def layout(periods: Sequence[Period]) -> list[Rect]:
    """The rectangles of a stacked bar chart WIDTH x HEIGHT: stated at the bottom, inferred on top."""
    if not periods:
        return []
    peak = max(p.stated + p.inferred for p in periods) or 1
    step = WIDTH / len(periods)
    rects = []
    for index, period in enumerate(periods):
        bottom = float(HEIGHT)
        for count, inferred in ((period.stated, False), (period.inferred, True)):
            if not count:
                continue
            height = HEIGHT * count / peak
            kind = "with inferred date" if inferred else "with stated date"
            rects.append(
                Rect(
                    x=round(index * step + step * 0.1, 2),
                    y=round(bottom - height, 2),
                    width=round(max(step * 0.8, 1.0), 2),
                    height=round(height, 2),
                    inferred=inferred,
                    period=period.period,
                    title=f"{period.period}: {count} article{'s' if count != 1 else ''} {kind}",
                )
            )
            bottom -= height
    return rects


def _days_between(first: str, last: str) -> int:
    try:
        return (date.fromisoformat(last) - date.fromisoformat(first)).days
    except ValueError:
        return MAX_DAYS + 1


def _months_between(first: str, last: str) -> int:
    try:
        return (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
    except ValueError:
        return MAX_MONTHS + 1


def _periods(first: str, last: str, unit: str) -> list[str]:
    """Every period from first to last, so quiet periods show as gaps."""
    try:
        if unit == "day":
            start, end = date.fromisoformat(first), date.fromisoformat(last)
            return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
        if unit == "month":
            year, month, keys = int(first[:4]), int(first[5:7]), []
            while f"{year:04d}-{month:02d}" <= last:
                keys.append(f"{year:04d}-{month:02d}")
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            return keys
        return [f"{year:04d}" for year in range(int(first), int(last) + 1)]
    except ValueError:
        return sorted({first, last})

"""Coverage over time for the web app: the shared counting and layout (export/coverage.py) in the
API's response shapes."""

from __future__ import annotations

from collections.abc import Iterable

from ..export.coverage import HEIGHT, WIDTH, Period, Rect, count_coverage
from ..export.coverage import layout as _layout
from ..model import DateValue
from .models import Bar, Histogram

__all__ = ["HEIGHT", "WIDTH", "Rect", "coverage", "layout"]


def coverage(dates: Iterable[DateValue | None]) -> Histogram:
    """Articles per period, stated and inferred apart; the unit is the finest that keeps bars readable."""
    counted = count_coverage(dates)
    return Histogram(
        unit=counted.unit,
        bars=[Bar(period=p.period, stated=p.stated, inferred=p.inferred) for p in counted.periods],
        undated=counted.undated,
        unplaced=counted.unplaced,
    )


def layout(histogram: Histogram) -> list[Rect]:
    """The rectangles of the histogram's stacked bar chart (WIDTH x HEIGHT)."""
    return _layout([Period(bar.period, bar.stated, bar.inferred) for bar in histogram.bars])

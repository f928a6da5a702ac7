"""Temporal expressions: the rules of :mod:`storyline.stages.timex` one by one, then the gold set.

The gold set (tests/gold/timex.json) holds sentences written for these tests with the article's date and
the expected value; its accuracy must not fall below the floor pinned in tests/gold/floors-dates.json.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from storyline.model import DateMethod, DatePrecision, DateValue
from storyline.stages import timex
from storyline.stages.timex import resolve

GOLD = Path(__file__).parent / "gold"
TUESDAY = dt.date(2023, 10, 17)


def anchor_of(day: str) -> DateValue:
    return DateValue(day, DatePrecision.DAY, DateMethod.MANUAL)


@pytest.fixture(scope="session")
def nlp():
    pytest.importorskip("spacy")
    from storyline.stages.nlp import load_nlp

    return load_nlp()


# --- rules, without spaCy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "tense", "expected"),
    [
        ("Monday", "past", "2023-10-16"),
        ("Monday", "future", "2023-10-23"),
        ("Tuesday", "past", "2023-10-17"),
        ("last Friday", "", "2023-10-13"),
        ("next Monday", "", "2023-10-23"),
        ("yesterday", "", "2023-10-16"),
        ("the day after tomorrow", "", "2023-10-19"),
        ("the day before yesterday", "", "2023-10-15"),
        ("Monday (October 16)", "", "2023-10-16"),
        ("Monday, October 16", "", "2023-10-16"),
        ("three days ago", "", "2023-10-14"),
    ],
)
def test_days_counted_from_the_anchor(expression: str, tense: str, expected: str) -> None:
    result = resolve(expression, "", TUESDAY, tense=tense)
    assert result is not None
    assert result[0] == expected
    assert result[1] == DatePrecision.DAY


def test_weekday_and_date_that_disagree_fall_back_to_the_date() -> None:
    # 16 October 2023 is a Monday; "Friday (October 16)" cannot agree, the date wins with less confidence.
    result = resolve("Friday (October 16)", "", TUESDAY, tense="past")
    assert result is not None and result[0] == "2023-10-16" and result[4] < 0.9


@pytest.mark.parametrize(
    ("expression", "tense", "value", "precision"),
    [
        ("March this year", "", "2023-03", DatePrecision.MONTH),
        ("last September", "", "2022-09", DatePrecision.MONTH),
        ("September last year", "", "2022-09", DatePrecision.MONTH),
        ("next March", "", "2024-03", DatePrecision.MONTH),
        ("May", "past", "2023-05", DatePrecision.MONTH),
        ("May", "future", "2024-05", DatePrecision.MONTH),
        ("December", "past", "2022-12", DatePrecision.MONTH),
        ("last month", "", "2023-09", DatePrecision.MONTH),
        ("next year", "", "2024", DatePrecision.YEAR),
        ("last year", "", "2022", DatePrecision.YEAR),
        ("two years ago", "", "2021", DatePrecision.YEAR),
    ],
)
def test_months_and_years_counted_from_the_anchor(
    expression: str, tense: str, value: str, precision: DatePrecision
) -> None:
    result = resolve(expression, "", TUESDAY, tense=tense)
    assert result is not None and (result[0], result[1]) == (value, precision)


@pytest.mark.parametrize(
    ("expression", "value", "precision", "end"),
    [
        ("8 April 2024", "2024-04-08", DatePrecision.DAY, None),
        ("April 8, 2024", "2024-04-08", DatePrecision.DAY, None),
        ("Saturday, December 3, 2022", "2022-12-03", DatePrecision.DAY, None),
        ("2023-09-30", "2023-09-30", DatePrecision.DAY, None),
        ("February 2022", "2022-02", DatePrecision.MONTH, None),
        ("2018", "2018", DatePrecision.YEAR, None),
        ("the 1990s", "1990", DatePrecision.YEAR, "1999"),
        ("2010-2012", "2010", DatePrecision.YEAR, "2012"),
        ("from 8 to 9 April 2024", "2024-04-08", DatePrecision.DAY, "2024-04-09"),
    ],
)
def test_absolute_dates_need_no_anchor(
    expression: str, value: str, precision: DatePrecision, end: str | None
) -> None:
    result = resolve(expression, "", None)
    assert result is not None
    assert (result[0], result[1], result[2], result[3]) == (value, precision, end, "absolute")


def test_a_range_takes_its_month_from_the_sentence() -> None:
    result = resolve(
        "from 8 to 9", "Lavrov travels to China in April and stays from 8 to 9.", TUESDAY, tense="future"
    )
    assert result is not None and (result[0], result[2]) == ("2024-04-08", "2024-04-09")


def test_a_quote_counts_from_the_day_of_speaking() -> None:
    monday = dt.date(2023, 10, 16)
    result = resolve("the day after tomorrow", "", monday, in_quote=True, tense="future")
    assert result is not None and result[0] == "2023-10-18" and result[3] == "speech"


@pytest.mark.parametrize(
    "expression",
    [
        "two-day",
        "six years",
        "the 75th anniversary",
        "decades",
        "60-year-old",
        "the past three years",
        "recent years",
    ],
)
def test_durations_ages_and_anniversaries_are_no_dates(expression: str) -> None:
    assert resolve(expression, "", TUESDAY, tense="past") is None


def test_relative_expressions_without_anchor_keep_no_value() -> None:
    for expression in ("Monday", "yesterday", "April 8", "next year", "from 8 to 9"):
        result = resolve(expression, "", None, tense="past")
        assert result is not None and result[0] is None, expression


def test_years_outside_the_plausible_window_are_never_produced() -> None:
    assert resolve("1700", "", None) is None
    assert resolve("9999", "", None) is None
    assert resolve("3 March 2500", "", None) is None


def test_weekday_near_and_years_where() -> None:
    assert timex.weekday_near(TUESDAY, 0, "past") == (dt.date(2023, 10, 16), 0.85)
    assert timex.years_where(0, 10, 16, 2023, span=3) == [2023]
    assert timex.month_day_near(TUESDAY, 1, 14, "future") == dt.date(2024, 1, 14)


# --- in documents ---------------------------------------------------------------------------------


def test_find_time_refs_marks_sentences_and_keeps_unresolved_text(nlp) -> None:
    doc = nlp("Lavrov arrived on Monday (October 16). He will leave on Wednesday. It was a two-day visit.")
    refs = timex.find_time_refs(doc, None)
    assert [(r.text, r.sentence, r.value) for r in refs] == [
        ("Monday (October 16)", 0, None),
        ("Wednesday", 1, None),
    ]
    anchored = timex.find_time_refs(doc, anchor_of("2023-10-17"))
    assert [r.value for r in anchored] == ["2023-10-16", "2023-10-18"]


def test_tense_of_reads_the_governing_verb(nlp) -> None:
    doc = nlp("He arrived on Monday. He will arrive on Monday. The talks are expected to end on Monday.")
    spans = [ent for ent in doc.ents if ent.text == "Monday"]
    assert [timex.tense_of(span) for span in spans] == ["past", "future", "future"]


def score_gold(nlp) -> tuple[float, list[str]]:
    cases = json.loads((GOLD / "timex.json").read_text())["cases"]
    failures: list[str] = []
    for case in cases:
        doc = nlp(case["text"])
        refs = timex.find_time_refs(doc, anchor_of(case["date"]))
        start = case["text"].index(case["expression"])
        end = start + len(case["expression"])
        overlapping = [r for r in refs if r.start < end and start < r.end]
        expected = case["expected"]
        if expected is None:
            ok = not any(r.value is not None for r in overlapping)
        else:
            ok = any(
                r.value == expected
                and str(r.precision) == case["precision"]
                and r.end_value == case.get("end")
                for r in overlapping
            )
        if not ok:
            got = [(r.text, r.value, r.end_value) for r in overlapping]
            failures.append(f"{case['expression']!r} in {case['text']!r}: expected {expected}, got {got}")
    return 1 - len(failures) / len(cases), failures


def test_gold_accuracy_stays_above_its_floor(nlp) -> None:
    floors = json.loads((GOLD / "floors-dates.json").read_text())
    cases = json.loads((GOLD / "timex.json").read_text())["cases"]
    assert len(cases) >= 40
    accuracy, failures = score_gold(nlp)
    assert accuracy >= floors["timex_accuracy"], "\n".join(failures)


def _scanned(text: str) -> list[tuple[int, int]]:
    """What the finder's patterns match in ``text``, as each pattern's own ``finditer`` finds it."""
    return [(m.start(), m.end()) for pattern in timex._FIND_PATTERNS for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Engineers opened the spillway on Monday (October 16), from 8 to 9 May and on April 8-9, 2023.",
        "It rose 5 per cent in May 2011, last September and earlier this month; 12/05/2011, 2011-05-12.",
        "Two days ago, a couple of weeks ago, several years ago, 3 months ago, since the 1990s, in 1998.",
        "Tuesday(October 16) Mon,May 5 5to6 May May5 2020 the1990s x1990s _May 5 last nightly tonight.",
        "Non-ASCII letters that case-insensitive patterns fold: thıs week, ſunday (May 5), ٣ days ago.",
        "THE DAY AFTER TOMORROW, LAST NIGHT, THIS MORNING, NEXT WEEKEND, MAY THIS YEAR, DURING JUNE 2001",
    ],
)
def test_finder_tries_each_pattern_where_it_can_start_and_finds_what_scanning_finds(text: str) -> None:
    """Patterns are tried only where their first word is (one scan of the text instead of one per pattern):
    every match found is the one scanning with that pattern finds, none missed, whatever comes before."""
    for before in ("", "x", " ", "é", "_", "7"):
        for variant in (text, text.lower(), text.upper()):
            found = [(m.start(), m.end()) for m in timex._pattern_matches(before + variant)]
            assert found == _scanned(before + variant)
    assert _scanned(text), "the text has expressions to find"

"""Sentence-level event anchoring: an undated article's "on Wednesday" dated by a dated article that tells
the same event.

Most undated news articles place their events only relative to their own day ("on Wednesday",
"yesterday", "four days after the river crested"). Another article of the corpus whose date is known may
tell the same event with a day it resolves ("allowed home on Wednesday" in an article of Saturday
2025-03-22 names 2025-03-19). Sentences are matched by idf-weighted overlap of their content words and
entity keys; a match names an event day E when the weekday agrees (or "N days after" shifts the matched
event by N days and the weekday then agrees); the undated article's publication day then follows from
the tense: "on Wednesday" (past) is written on E or just after, "yesterday" on E + 1, "on Wednesday"
(future) before E.

:class:`Anchors` holds the sentence index of a corpus; :meth:`Anchors.votes` gives, for one undated
article, a score per candidate publication day (between 0 and 1) and the evidence for the best one.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ..analysis import Mention, Sentence, TimeRef
from . import timex

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|\d+(?:[.,]\d+)?")
_TIME_WORDS = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday", "today",
        "tomorrow", "tonight", "morning", "afternoon", "evening", "night", "week", "weekend", "day", "days",
        "month", "year", "last", "next", "earlier", "later", "ago", "said", "says", "january", "february",
        "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    }
)  # fmt: skip
_AFTER = re.compile(
    rf"\b({timex._NUMWORD})\s+(days?|weeks?)\s+(after|since|before)\b", re.IGNORECASE
)  # "four days after the river crested"
# How far the publication day lies after an event told "on <weekday>" in the past, and before one told
# in the future (shares of the news that does so; the day itself and the next one most often).
_PAST_LAG = {0: 0.5, 1: 0.3, 2: 0.08, 3: 0.04, 4: 0.03, 5: 0.03, 6: 0.02}
_LAST_LAG = {1: 0.15, 2: 0.15, 3: 0.15, 4: 0.15, 5: 0.15, 6: 0.15, 7: 0.1}
_FUTURE_LEAD = {1: 0.4, 2: 0.2, 3: 0.12, 4: 0.1, 5: 0.1, 6: 0.08}
# Forecasts and plans the generic tense guess reads as past ("expect the river to crest on Saturday").
_FORECAST = re.compile(
    r"\b(?:expects?|expected|forecasts?|would|could|might|may|hopes?|plans?|intends?|aims?|wants?)\b(?!\s+(?:have|been))",
    re.IGNORECASE,
)
MIN_SIMILARITY = 0.25
# "today", "yesterday" carry no weekday to check a match against: only a close match counts.
DAY_WORD_MIN_SIMILARITY = 0.6
TOP_MATCHES = 8
MAX_SENTENCE_POSTINGS = 300


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | _TIME_WORDS


def sentence_keys(text: str, mentions: list[Mention], stop: frozenset[str]) -> set[str]:
    """Content words (crudely stemmed) and entity keys of one sentence. Each key is one shared string
    (interned): the corpus stage holds the keys of every dated sentence of the corpus, and the same
    few thousand words recur in all of them."""
    keys = {sys.intern(f"e:{m.key.lower()}") for m in mentions}
    for word in _WORD.findall(text):
        low = word.lower()
        if low in stop or len(low) < 3:
            continue
        keys.add(sys.intern(_stem(low)))
    return keys


@dataclass(frozen=True, slots=True)
class _DayRef:
    """A reference to a day relative to the publication day, as an undated article tells it."""

    weekday: int  # -1 when no weekday: then ``offset`` days from the publication day
    modifier: str  # "last", "next", "this", ...
    tense: str
    offset: int = 0

    def lags(self, event: dt.date) -> dict[dt.date, float]:
        """Publication days this reference allows for an event day, with their weights."""
        if self.weekday < 0:
            return {event - dt.timedelta(days=self.offset): 1.0}
        if self.modifier in ("last", "past"):
            table = _LAST_LAG
        elif self.modifier in ("next", "coming") or self.tense == "future":
            return {event - dt.timedelta(days=k): w for k, w in _FUTURE_LEAD.items()}
        else:
            table = _PAST_LAG
        return {event + dt.timedelta(days=k): w for k, w in table.items()}


def forecast_tense(clause: str, tense: str) -> str:
    """``tense`` made "future" when a word of forecast or plan follows the clause's last past cue."""
    clause = re.split(r"[.;:!?]", clause)[-1][-120:]
    forecasts = [m.end() for m in _FORECAST.finditer(clause)]
    if forecasts and tense != "future":
        past = [m.end() for m in re.finditer(r"\b\w+ed\b|\b(?:was|were|had|did)\b", clause)]
        if not past or max(forecasts) > max(past) - 25:
            return "future"
    return tense


def day_ref(text: str, tense: str) -> _DayRef | None:
    """The relative day reference a time expression makes, or None (absolute dates, weeks, months)."""
    clean = timex._LEADING_WORD.sub("", " ".join(text.split())).strip(" ,.;:").lower()
    m = timex._WEEKDAY_ONLY.match(clean)
    if m:
        return _DayRef(timex._weekday(m.group(2)), m.group(1) or "", tense)
    word = re.sub(r"^(?:late|early|earlier|later)\s+", "", clean)
    if word in timex._DAY_WORDS:
        return _DayRef(-1, "", tense, timex._DAY_WORDS[word])
    m = timex._AGO.match(word)
    if m and m.group(2).lower() == "day" and m.group(3).lower() == "ago":
        return _DayRef(-1, "", tense, -timex._count(m.group(1)))
    return None


@dataclass(slots=True)
class _Told:
    """A sentence of an article that places something on a day."""

    article: int
    text: str
    keys: tuple[str, ...]  # sorted: a tuple is a third of a set's memory, and only ever iterated
    refs: list[tuple[TimeRef, str]]  # with the tense read before each
    shifts: tuple[int, ...]  # "four days after": the event told lies these days after the one matched


class Anchors:
    """The sentences of a corpus that place events on days, for dating articles by one another."""

    def __init__(self, texts: list[str], refs: list[list[TimeRef]], sentences: list[list[Sentence | None]],
                 mentions: list[list[Mention]], tense_of, ids: list[str]) -> None:  # fmt: skip
        """Per article: its text, time references, sentences by number (only those a reference points
        into are read; a sentence not given, None or past the end, is taken around the reference) and
        mentions (only those of these sentences are read)."""
        stop = _stop_words()
        self.ids = ids
        self.told: list[list[_Told]] = []
        frequency: Counter[str] = Counter()
        for index, text in enumerate(texts):
            by_sentence: dict[int, list[tuple[TimeRef, str]]] = defaultdict(list)
            for ref in refs[index]:
                before = text[max(0, ref.start - 150) : ref.start]
                by_sentence[ref.sentence].append((ref, forecast_tense(before, tense_of(text, ref.start))))
            spans = sentences[index]
            told = []
            for number, pairs in sorted(by_sentence.items()):
                if 0 <= number < len(spans) and (span := spans[number]) is not None:
                    body = text[span.start : span.end]
                else:
                    body = _around(text, pairs[0][0].start)
                keys = sentence_keys(body, [m for m in mentions[index] if m.sentence == number], stop)
                shifts = tuple(
                    (1 if m.group(3).lower() != "before" else -1)
                    * timex._count(m.group(1))
                    * (7 if m.group(2).lower().startswith("week") else 1)
                    for m in _AFTER.finditer(body)
                )
                told.append(_Told(index, body.strip(), tuple(sorted(keys)), pairs, shifts))
                frequency.update(keys)
            self.told.append(told)
        total = sum(len(t) for t in self.told) or 1
        self.idf = {k: math.log((1 + total) / (1 + n)) for k, n in frequency.items()}
        self.norm = {
            id(t): math.sqrt(sum(self.idf[k] ** 2 for k in sorted(t.keys))) or 1.0
            for told in self.told
            for t in told
        }
        self.postings: dict[str, list[tuple[_Told, tuple[dt.date, ...]]]] = defaultdict(list)
        self.indexed: set[int] = set()

    def add_known(self, index: int, days: list[tuple[dt.date, ...]]) -> None:
        """Index the sentences of a dated article with the days they name (``days`` per sentence)."""
        if index in self.indexed:
            return
        self.indexed.add(index)
        for told, named in zip(self.told[index], days, strict=True):
            if named:
                for key in told.keys:
                    self.postings[key].append((told, named))

    def votes(self, index: int) -> tuple[dict[dt.date, float], dict[dt.date, str]]:
        """Scores per publication day for article ``index`` (0..1) and the evidence behind each day."""
        scores: Counter[dt.date] = Counter()
        evidence: dict[dt.date, tuple[float, str]] = {}
        weight_total = 0.0
        for told in self.told[index]:
            refs = [(r, ref) for ref, tense in told.refs if (r := day_ref(ref.text, tense)) is not None]
            if not refs:
                continue
            matches = self._similar(told, index)
            for (r, ref), (other, named, sim) in ((p, m) for p in refs for m in matches):
                events = set(named) | {d + dt.timedelta(days=s) for d in named for s in told.shifts}
                if r.weekday >= 0:
                    events = {e for e in events if e.weekday() == r.weekday}
                elif len(events) != 1 or sim < DAY_WORD_MIN_SIMILARITY:
                    continue  # "yesterday" cannot tell which of several days the other sentence meant
                for event in sorted(events):  # a set of dates: its order follows the hash seed
                    weight_total += sim
                    for day, w in r.lags(event).items():
                        scores[day] += sim * w
                        if sim * w > evidence.get(day, (0.0, ""))[0]:
                            evidence[day] = (sim * w, self._evidence(ref, told, other, event))
        if not scores:
            return {}, {}
        # Normalised by the matches found, then damped when they were few or weak. (Ruling out the days
        # before the latest event told in the past measured worse on Timeline17: matches to the same
        # weekday of another week set wrong floors.)
        strength = min(1.0, weight_total / 0.6)
        return (
            {day: strength * s / weight_total for day, s in scores.items()},
            {day: text for day, (_, text) in evidence.items()},
        )

    def _evidence(self, ref: TimeRef, told: _Told, other: _Told, event: dt.date) -> str:
        return (
            f"{ref.text!r} in: {told.text[:200]} | as {event.isoformat()} in article "
            f"{self.ids[other.article]}: {other.text[:200]}"
        )

    def _similar(self, told: _Told, index: int) -> list[tuple[_Told, tuple[dt.date, ...], float]]:
        overlap: Counter[int] = Counter()
        found: dict[int, tuple[_Told, tuple[dt.date, ...]]] = {}
        # Keys in sorted order and ties broken by article and text: a set's order changes with the
        # interpreter's hash seed, and with it the float sums and which of two equal matches is quoted.
        for key in sorted(told.keys):
            posting = self.postings.get(key)
            if not posting or len(posting) > MAX_SENTENCE_POSTINGS:
                continue
            weight = self.idf[key] ** 2
            for other, named in posting:
                if other.article == index:
                    continue
                overlap[id(other)] += weight
                found[id(other)] = (other, named)
        norm = self.norm[id(told)]
        out = []
        # The 20 best, as sorted()[:20] gives them, without sorting every sentence that shares a key.
        ranked = heapq.nsmallest(
            20, overlap, key=lambda k: (-overlap[k], found[k][0].article, found[k][0].text)
        )
        for key in ranked:
            score = overlap[key]
            other, named = found[key]
            sim = score / (norm * self.norm[key])
            if sim >= MIN_SIMILARITY:
                out.append((other, named, sim))
        return out[:TOP_MATCHES]


def named_days(told: list[_Told], anchor: dt.date, known_refs: bool) -> list[tuple[dt.date, ...]]:
    """The days each sentence of a dated article names: the resolved values of its day references, or
    (for an article dated only now) its references resolved again from ``anchor``."""
    out = []
    for t in told:
        days = []
        for ref, tense in t.refs:
            value = ref.value
            if not known_refs or (value is None and ref.anchor != "absolute"):
                result = timex.resolve(ref.text, t.text, anchor, tense=tense)
                value = result[0] if result is not None and result[2] is None else None
            elif ref.end_value is not None:
                value = None
            if value is not None and len(value) == 10:
                days.append(dt.date.fromisoformat(value))
        out.append(tuple(dict.fromkeys(days)))
    return out


def _around(text: str, offset: int) -> str:
    start = max(text.rfind(". ", 0, offset) + 2, text.rfind("\n", 0, offset) + 1, 0)
    ends = [i for i in (text.find(". ", offset), text.find("\n", offset)) if i >= 0]
    return text[start : (min(ends) + 1 if ends else len(text))]

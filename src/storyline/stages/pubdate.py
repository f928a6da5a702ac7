"""Publication dates inferred where metadata and dateline give none: from the text, then from the corpus.

From the text (:func:`infer_from_text`), strongest evidence first:

0. a full date stamped with a clock time at the head of the page ("Mon Jun 27, 2011 4:32 pm BST"); such
   stamps further down belong to comments and posts and are not used;
1. a dateline date without a year ("BEIJING, Oct. 17 (Xinhua) --"), the year taken from the other evidence;
2. a weekday and a date that must agree ("arrived on Monday (October 16)"): the year is the one where
   they do, after the latest year the article mentions (else the latest one not after today); a weekday
   and a date in different sentences are not trusted (they rarely name the same day);
3. the latest explicit full date told in the past tense: the article was written on or after it;
4. year hints ("the first meeting in six years" after "in 2018" is 2024; else the latest year mentioned).

From the corpus (:func:`infer_from_corpus`): an undated article is compared with dated articles that
share its rarer entity keys, content words and month-day strings (an inverted index, so the work grows
with the number of shared keys, not the square of the corpus). Candidate days around the neighbours'
dates are scored by the neighbours' nearness and by the article's own words: "on Tuesday" (past) puts
the article on or just after a Tuesday, "April 8" (past) on or just after April 8. Rounds repeat so
newly dated articles date others.

Every inferred date carries method TEXT or CORPUS, a confidence below 1 and its evidence sentence(s).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..analysis import TimeRef
from ..datetools import MAX_YEAR, MIN_YEAR
from ..model import Article, DateMethod, DatePrecision, DateValue
from . import timex

if TYPE_CHECKING:
    from spacy.tokens import Doc

PUBDATE_VERSION = "1"

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
_FIRST_IN_YEARS = re.compile(
    r"\bfirst\b[^.]{0,60}?\bin\s+(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+years\b",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"\bwrote:|\bcomments?\b|\breply\b", re.IGNORECASE)
_FUTURE_CUE = re.compile(
    r"\b(?:will|'ll|shall|is to|are to|expected to|set to|due to|plans? to|going to|scheduled|next"
    r"|upcoming)\b",
    re.IGNORECASE,
)
_PAST_CUE = re.compile(
    r"\b(?:was|were|had|did|said|met|held|took|made|went|came|told|began|gave|left|saw|won|lost|sent|got"
    r"|spoke|arrived|announced|\w+ed)\b",
    re.IGNORECASE,
)
_ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "EVENT", "LOC", "PRODUCT", "LAW"})


def tense_from_text(before: str) -> str:
    """A cheap tense guess from the words just before an expression (when no parse is at hand)."""
    clause = re.split(r"[.;:!?]", before)[-1][-120:]
    future = [m.end() for m in _FUTURE_CUE.finditer(clause)]
    past = [m.end() for m in _PAST_CUE.finditer(clause)]
    if future and (not past or max(future) > max(past) - 40):
        return "future"
    return "past" if past else ""


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


def _mentions(expressions: list[timex.Expression], text: str) -> list[_Mention]:
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
        result = timex.resolve(e.text, e.context, None, tense=e.tense)
        if result is None:
            continue
        value, precision, end_value, anchor, _ = result
        if value is not None and anchor == "absolute":
            if precision == DatePrecision.DAY and end_value is None:
                day = dt.date.fromisoformat(value)
                found.append(_Mention("day", e.tense, sentence, e.start, day=day, timestamp=timestamp))
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


def infer_from_text(article: Article, doc: Doc, *, today: dt.date | None = None) -> DateValue | None:
    """The publication date the article's own words imply (method TEXT, confidence < 1), or None."""
    today = today or dt.date.today()
    text = doc.text  # built anew at each access
    mentions = _mentions(list(timex.iter_expressions(doc)), text)
    return _infer(mentions, text, today)


def _infer(mentions: list[_Mention], text: str, today: dt.date) -> DateValue | None:
    # Reader comments ("At 08:36 4th Jun 2010, someone wrote:") are dated after the article.
    stamps = [m for m in mentions if m.kind == "day" and m.timestamp and m.day is not None and m.day <= today]
    head = [m for m in stamps if m.start < HEAD_CHARS and not _COMMENT.search(m.sentence)]
    stamped_sentences = {m.sentence for m in stamps}
    if head:
        first = min(head, key=lambda m: m.start)
        return DateValue(first.day.isoformat(), DatePrecision.DAY, DateMethod.TEXT, 0.9, first.sentence)  # type: ignore[union-attr]
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
        if reference_year is not None:
            # A year told in the past is before the article, or its own year when nothing later fits.
            after = [y for y in candidates if y > reference_year]
            if after:
                return min(after)
            return reference_year if reference_year in candidates else None
        return max(candidates)

    def value(day: dt.date, confidence: float, *evidence: str) -> DateValue:
        seen = list(dict.fromkeys(s.strip() for s in evidence if s))
        return DateValue(
            day.isoformat(), DatePrecision.DAY, DateMethod.TEXT, round(confidence, 2), " … ".join(seen)
        )

    weekdays = [m for m in mentions if m.kind == "weekday"]
    # 1. A dateline date without its year.
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
            if latest is not None and latest.day is not None and latest.day.year == year:
                confidence = 0.8
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


def _sentence_around(text: str, offset: int) -> str:
    stop = text.rfind(". ", 0, offset)
    start = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, offset) + 1)
    ends = [i for i in (text.find(". ", offset), text.find("\n", offset)) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()


# --- the corpus stage ------------------------------------------------------------------------------

MAX_POSTINGS = 400  # a key shared by more dated articles than this says nothing about one event
NEIGHBOURS = 12
ROUNDS = 3
KEEP_FOR_NEXT_ROUND = 0.5


def content_keys(doc: Doc) -> set[str]:
    """Entity names and content lemmas of a parsed article: what the corpus stage matches articles on."""
    keys = {f"e:{ent.text.lower()}" for ent in doc.ents if ent.label_ in _ENTITY_LABELS and len(ent.text) > 2}
    keys.update(
        f"w:{t.lemma_.lower()}"
        for t in doc
        if t.pos_ in ("NOUN", "PROPN", "NUM")
        and not t.is_stop
        and len(t.text) > 2
        and t.is_alpha
        or (t.pos_ == "NUM" and len(t.text) > 2 and t.text[0].isdigit())
    )
    return keys


@dataclass(slots=True)
class _Item:
    article: Article
    text: str
    refs: list[TimeRef]
    keys: set[str]
    month_days: list[tuple[int, int, str, str]]  # month, day, tense, sentence
    weekdays: list[tuple[int, str]]  # weekday, tense
    floor: dt.date | None  # a full date told in the past: the article is not older
    year: int | None  # a year the text already fixed


def _prepare(article: Article, refs: list[TimeRef], keys: set[str]) -> _Item:
    text = article.text or article.raw_text
    month_days: list[tuple[int, int, str, str]] = []
    weekdays: list[tuple[int, str]] = []
    floor: dt.date | None = None
    for ref in refs:
        clean = timex._LEADING_WORD.sub("", " ".join(ref.text.split())).strip(" ,.;:")
        tense = tense_from_text(text[max(0, ref.start - 150) : ref.start])
        if ref.anchor == "absolute" and ref.value and len(ref.value) == 10 and ref.end_value is None:
            if tense != "future":
                day = dt.date.fromisoformat(ref.value)
                floor = max(floor, day) if floor else day
            continue
        m = timex._WEEKDAY_DATE.match(clean) or timex._MONTH_DAY.match(clean)
        if m and m.re is timex._WEEKDAY_DATE:
            month, daynum = timex._month(m.group(2) or m.group(5)), timex._daynum(m.group(3) or m.group(4))
        elif m:
            month, daynum = timex._month(m.group(1) or m.group(4)), timex._daynum(m.group(2) or m.group(3))
        else:
            w = timex._WEEKDAY_ONLY.match(clean.lower())
            if w and not w.group(1):
                weekdays.append((timex._weekday(w.group(2)), tense))
            continue
        if 1 <= daynum <= 31:
            month_days.append((month, daynum, tense, _sentence_around(text, ref.start)))
    keys = set(keys) | {f"md:{m:02d}-{d:02d}" for m, d, _, _ in month_days}
    year = None
    date = article.publication_date
    if date is not None and date.precision == DatePrecision.YEAR:
        year = int(date.value[:4])
    return _Item(article, text, refs, keys, month_days, weekdays, floor, year)


def _known_day(article: Article) -> dt.date | None:
    date = article.publication_date
    if date is None or date.day is None:
        return None
    return dt.date.fromisoformat(date.day)


def infer_from_corpus(
    items: list[tuple[Article, list[TimeRef], set[str]]], *, rounds: int = ROUNDS
) -> dict[str, DateValue]:
    """Publication dates (method CORPUS) for the articles still without a day, keyed by article id.

    ``items`` holds every article of the corpus with its time references (resolved or not) and its keys
    (entity keys, content words; see :func:`content_keys`). Dated articles are the evidence.
    """
    prepared = [_prepare(article, refs, keys) for article, refs, keys in items]
    known: dict[int, tuple[dt.date, float]] = {}
    for index, item in enumerate(prepared):
        day = _known_day(item.article)
        if day is not None:
            known[index] = (day, item.article.publication_date.confidence)  # type: ignore[union-attr]
            item.keys.add(f"md:{day.month:02d}-{day.day:02d}")
    document_frequency: Counter[str] = Counter()
    for item in prepared:
        document_frequency.update(item.keys)
    total = len(prepared)
    idf = {k: math.log((1 + total) / (1 + n)) for k, n in document_frequency.items()}
    # Cosine of idf-weighted key sets: a long article shares more keys with everything.
    norms = [math.sqrt(sum(idf[k] ** 2 for k in item.keys)) or 1.0 for item in prepared]
    results: dict[str, DateValue] = {}
    for _ in range(rounds):
        postings: dict[str, list[int]] = defaultdict(list)
        for index in known:
            for key in prepared[index].keys:
                postings[key].append(index)
        added: dict[int, tuple[dt.date, float]] = {}
        for index, item in enumerate(prepared):
            if index in known:
                continue
            inferred = _infer_one(index, item, prepared, known, postings, idf, norms)
            if inferred is None:
                continue
            date_value, day = inferred
            results[item.article.id] = date_value
            if date_value.confidence >= KEEP_FOR_NEXT_ROUND:
                added[index] = (day, date_value.confidence)
        if not added:
            break
        known.update(added)
    return results


def _infer_one(
    index: int,
    item: _Item,
    prepared: list[_Item],
    known: dict[int, tuple[dt.date, float]],
    postings: dict[str, list[int]],
    idf: dict[str, float],
    norms: list[float],
) -> tuple[DateValue, dt.date] | None:
    similarity: Counter[int] = Counter()
    for key in item.keys:
        posting = postings.get(key)
        if not posting or len(posting) > MAX_POSTINGS:
            continue
        weight = idf.get(key, 0.0) ** 2 * (2.0 if key.startswith("md:") else 1.0)
        for other in posting:
            similarity[other] += weight
    if not similarity:
        return None
    cosine = {other: score / (norms[index] * norms[other]) for other, score in similarity.items()}
    neighbours = sorted(cosine.items(), key=lambda n: -n[1])[:NEIGHBOURS]
    if item.year is not None:
        neighbours = [(o, s) for o, s in neighbours if abs(known[o][0].year - item.year) <= 1] or neighbours
    weight_total = sum(s * known[o][1] for o, s in neighbours) or 1.0
    years: Counter[int] = Counter()
    for other, sim in neighbours:
        years[known[other][0].year] += sim
    topic_year = item.year or years.most_common(1)[0][0]
    past_mentions = [
        d
        for month, daynum, tense, _ in item.month_days
        if tense != "future" and (d := _safe(topic_year, month, daynum))
    ]
    future_mentions = [
        d
        for month, daynum, tense, _ in item.month_days
        if tense == "future" and (d := _safe(topic_year, month, daynum))
    ]
    candidates: set[dt.date] = set()
    for other, _ in neighbours[:6]:
        base = known[other][0]
        candidates.update(base + dt.timedelta(days=k) for k in range(-3, 5))
        for month, daynum, _, _ in item.month_days:
            for year in (base.year - 1, base.year, base.year + 1):
                day = _safe(year, month, daynum)
                if day is not None:
                    candidates.update(day + dt.timedelta(days=k) for k in range(0, 3))

    parts: dict[dt.date, tuple[float, float, float]] = {}

    def score(day: dt.date) -> float:
        prior = sum(s * known[o][1] * math.exp(-abs((day - known[o][0]).days) / 3.0) for o, s in neighbours)
        total = prior / weight_total
        if item.year is not None and day.year != item.year:
            total -= 1.0
        if item.floor is not None and day < item.floor:
            total -= 1.0
        # Month-days told in the past lie before the article (the latest usually just before it);
        # those told in the future after it. Their year is the neighbours'.
        md_bonus = 0.0
        if past_mentions:
            ahead = [m for m in past_mentions if m > day + dt.timedelta(days=2)]
            if ahead:
                total -= 0.6
            before = [m for m in past_mentions if m <= day + dt.timedelta(days=2)]
            if before:
                gap = (day - max(before)).days
                md_bonus = {-2: 0.1, -1: 0.3, 0: 0.9, 1: 0.75, 2: 0.3}.get(gap, 0.1 if 0 <= gap <= 7 else 0.0)
        if any(m < day - dt.timedelta(days=1) for m in future_mentions):
            total -= 0.3
        weekday_bonus = 0.0
        for weekday, tense in item.weekdays:
            if tense == "future":
                ahead = (weekday - day.weekday()) % 7
                weekday_bonus = max(weekday_bonus, 0.25 if ahead in (1, 2) else 0.1)
            else:
                back = (day.weekday() - weekday) % 7
                weekday_bonus = max(weekday_bonus, {0: 0.5, 1: 0.4, 2: 0.1}.get(back, 0.05))
        parts[day] = (total, md_bonus, weekday_bonus)
        return total + md_bonus + weekday_bonus

    scored = sorted(((score(day), day) for day in candidates), reverse=True)
    if not scored:
        return None
    best_score, best = scored[0]
    runner_up = next((s for s, d in scored[1:] if abs((d - best).days) > 1), best_score - 1.0)
    top_similarity = neighbours[0][1]
    confidence = _confidence(parts[best], best_score - runner_up, top_similarity)
    other, _ = min(neighbours[:6], key=lambda n: abs((known[n[0]][0] - best).days))
    neighbour = prepared[other]
    shared = {(m, d) for m, d, _, _ in item.month_days} & {(m, d) for m, d, _, _ in neighbour.month_days}
    theirs = next((s for m, d, _, s in neighbour.month_days if (m, d) in shared), "")
    ours = next((s for m, d, _, s in item.month_days if (m, d) in shared), "")
    if not theirs:
        theirs = _sentence_around(neighbour.text, 0)
    evidence = f"like article {neighbour.article.id} of {known[other][0].isoformat()}: {theirs[:200]}"
    if ours:
        evidence += f" | this article: {ours[:200]}"
    return (
        DateValue(best.isoformat(), DatePrecision.DAY, DateMethod.CORPUS, confidence, evidence),
        best,
    )


def _confidence(parts: tuple[float, float, float], margin: float, similarity: float) -> float:
    """How sure a corpus date is, from which evidence agreed on it (fitted on Timeline17, see the bench)."""
    prior, md_bonus, weekday_bonus = parts
    value = 0.1
    if margin > 0.3:
        value += 0.15
    if prior > 0.5:
        value += 0.15
    if md_bonus >= 0.75:
        value += 0.1
    if weekday_bonus >= 0.4:
        value += 0.05
    value += 0.05 * min(similarity * 4, 1.0)
    return round(max(0.05, min(value, 0.9)), 2)

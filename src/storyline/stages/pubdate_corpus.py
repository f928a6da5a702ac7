"""Publication dates inferred from the corpus, for articles whose own text gives no day.

An undated article is compared with dated articles that share its rarer entity keys, content words and
month-day strings (an inverted index, so the work grows with the number of shared keys, not the square
of the corpus). Candidate days around the neighbours' dates are scored by the neighbours' nearness and
by the article's own words: "on Tuesday" (past) puts the article on or just after a Tuesday, "April 8"
(past) on or just after April 8, and by the sentences of sure dated articles that tell the same events
as its own "on Wednesday" or "yesterday" (:mod:`.pubdate_anchor`). Rounds repeat so newly dated
articles date others.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..analysis import Mention, Sentence, TimeRef
from ..model import Article, DateMethod, DatePrecision, DateValue
from . import timex
from .pubdate_anchor import Anchors, named_days

if TYPE_CHECKING:
    from spacy.tokens import Doc

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


def _sentence_around(text: str, offset: int) -> str:
    stop = text.rfind(". ", 0, offset)
    start = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, offset) + 1)
    ends = [i for i in (text.find(". ", offset), text.find("\n", offset)) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()


def _safe(year: int, month: int, day: int) -> dt.date | None:
    return timex._safe_date(year, month, day)


@dataclass(slots=True)
class CorpusArticle:
    """What the corpus stage knows of one article: its time references (resolved or not), its keys
    (see :func:`content_keys`), and, when at hand, its sentences and entity mentions (for matching
    the sentences that tell the same event). Of the sentences (by number) and mentions, only those of
    the sentences a time reference points into are read: a caller may leave the others out (None in
    their place in ``sentences``). Of the article, the stage reads its id, text and publication date."""

    article: Article
    refs: list[TimeRef]
    keys: set[str]
    sentences: list[Sentence | None] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


# --- the corpus stage ------------------------------------------------------------------------------

MAX_POSTINGS = 400  # a key shared by more dated articles than this says nothing about one event
NEIGHBOURS = 12
ROUNDS = 3
KEEP_FOR_NEXT_ROUND = 0.5
ANCHOR_MIN_CONFIDENCE = 0.6  # a dated article anchors sentences only when its day is this sure
ANCHOR_WEIGHT = 3.0  # the sentence-anchoring score (0..1) against the neighbours' prior (0..1)
ANCHOR_SURE = 0.3  # an anchoring score from which the date is surer (see _confidence)
ANCHOR_CONFIDENCE = 0.2


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
    items: list[CorpusArticle] | list[tuple[Article, list[TimeRef], set[str]]], *, rounds: int = ROUNDS
) -> dict[str, DateValue]:
    """Publication dates (method CORPUS) for the articles still without a day, keyed by article id.

    ``items`` holds every article of the corpus with its time references (resolved or not) and its keys
    (entity keys, content words; see :func:`content_keys`). Dated articles are the evidence.
    """
    corpus = [item if isinstance(item, CorpusArticle) else CorpusArticle(*item) for item in items]
    prepared = [_prepare(c.article, c.refs, c.keys) for c in corpus]
    anchors = Anchors(
        [item.text for item in prepared],
        [c.refs for c in corpus],
        [c.sentences for c in corpus],
        [c.mentions for c in corpus],
        lambda text, start: tense_from_text(text[max(0, start - 150) : start]),
        [item.article.id for item in prepared],
    )
    known: dict[int, tuple[dt.date, float]] = {}
    for index, item in enumerate(prepared):
        day = _known_day(item.article)
        if day is not None:
            known[index] = (day, item.article.publication_date.confidence)  # type: ignore[union-attr]
            item.keys.add(f"md:{day.month:02d}-{day.day:02d}")
            # Its time references were resolved from this day already. A guessed day would only spread
            # its error: only sure ones anchor sentences.
            if item.article.publication_date.confidence >= ANCHOR_MIN_CONFIDENCE:  # type: ignore[union-attr]
                anchors.add_known(index, named_days(anchors.told[index], day, known_refs=True))
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
            inferred = _infer_one(index, item, prepared, known, postings, idf, norms, anchors)
            if inferred is None:
                continue
            date_value, day = inferred
            results[item.article.id] = date_value
            if date_value.confidence >= KEEP_FOR_NEXT_ROUND:
                added[index] = (day, date_value.confidence)
        if not added:
            break
        known.update(added)
        for index, (day, confidence) in added.items():
            if confidence >= ANCHOR_MIN_CONFIDENCE:
                anchors.add_known(index, named_days(anchors.told[index], day, known_refs=False))
    return results


def _infer_one(
    index: int,
    item: _Item,
    prepared: list[_Item],
    known: dict[int, tuple[dt.date, float]],
    postings: dict[str, list[int]],
    idf: dict[str, float],
    norms: list[float],
    anchors: Anchors,
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

    anchored, anchor_evidence = anchors.votes(index) if ANCHOR_WEIGHT > 0 else ({}, {})
    candidates.update(d for d, v in anchored.items() if v >= 0.05)
    parts: dict[dt.date, tuple[float, float, float, float]] = {}

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
        anchor_bonus = ANCHOR_WEIGHT * anchored.get(day, 0.0)
        parts[day] = (total, md_bonus, weekday_bonus, anchor_bonus)
        return total + md_bonus + weekday_bonus + anchor_bonus

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
    if parts[best][3] >= 0.1 and best in anchor_evidence:
        evidence = f"{anchor_evidence[best]} || {evidence}"
    return (
        DateValue(best.isoformat(), DatePrecision.DAY, DateMethod.CORPUS, confidence, evidence),
        best,
    )


CORPUS_MAX_CONFIDENCE = 0.75


def _confidence(parts: tuple[float, float, float, float], margin: float, similarity: float) -> float:
    """How sure a corpus date is, from which evidence agreed on it (fitted on Timeline17, see the bench)."""
    prior, md_bonus, weekday_bonus, anchor_bonus = parts
    value = 0.1
    if margin > 0.3:
        value += 0.15
    if prior > 0.5:
        value += 0.15
    if md_bonus >= 0.75:
        value += 0.1
    if weekday_bonus >= 0.4:
        value += 0.05
    if anchor_bonus >= ANCHOR_SURE:
        value += ANCHOR_CONFIDENCE
    value += 0.05 * min(similarity * 4, 1.0)
    # Capped below 0.8: on Timeline17 a corpus date that reached 0.8 was right only half the time, and
    # "confidence >= 0.8" must keep meaning "sure" (text dates there are right 99 % of the time).
    return round(max(0.05, min(value, CORPUS_MAX_CONFIDENCE)), 2)

"""The timeline: choose the dates that matter and summarise each from sentences of several outlets.

::

    candidates   the sentences of the events, in the pool of the day they name (their event's, when they
                 name that day), and the sentences that name no date, in the pool of their article's
                 publication day when that day has a pool (an article tells its day's news mostly without
                 repeating the date); kept when they match the query (any keyword, case-insensitive) and
                 their date overlaps the asked range
    dates        ranked by how many articles of the story name them (in an event's sentence), plus on how
                 many different days they were named: a day that matters is named again and again, and
                 still days later (the "mention count" of timeline summarisation research); then by
                 independent sources and sentences; a month counts half. ``max_dates`` of them, or when
                 unset the dates with news or with two independent sources (at most 20); ``days_only``
                 leaves months out
    summaries    per date, up to ``sentences_per_date`` sentences by maximal marginal relevance (most
                 central first; news before background and plans; very short and very long sentences
                 count less): central to the date's pool (TF-IDF cosine to its centroid), from outlets
                 not used yet for that date, never close to a sentence already on the timeline. A date
                 left with nothing new to say gives way to the next one. Each sentence is quoted by the
                 part fit to quote: the line that names the date (the parser may run a sentence across a
                 paragraph break), without a dateline, wire stamp or speaker's name before the story;
                 never a reader's comment (see :func:`_citable`)

Measured on Timeline17 (docs/benchmarks.md): ranking by articles and the undated sentences raised
alignment ROUGE-1 from 0.093 to 0.103 (date F1 0.517, 0.515); each sentence under its own day, every
article of the story ranking, the days of naming and prefix query words took it to 0.112 (date F1 0.561);
quoting only the part fit to quote and preferring sentences of about 30 words to 0.121 (AR-2 0.031 ->
0.032, tilse's pure-Python ROUGE).

Deterministic: ties break on dates, article ids and offsets, never on set order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analysis import Entity
from ..model import Article, DatePrecision
from ..timeline import Event, SentenceRef, Timeline, TimelineEntry, TimelineOptions
from .event_mentions import (
    AnalysedArticle,
    Excerpts,
    day_span,
    fit_tfidf,
    mention_status,
    originals_of,
    source_key,
    sparse_rows,
    strip_dateline,
)

SUMMARISE_VERSION = "1"

AUTO_MAX_DATES = 20
NEAR_DUPLICATE = 0.6  # TF-IDF cosine above which two sentences say the same thing
MMR_LAMBDA = 0.7
# What an undated sentence must hold to speak for its day.
MIN_WORDS, MAX_WORDS = 8, 60
# A summary sentence longer than this counts less, in proportion: Timeline17's journalists write about 20
# words a sentence. Measured there: 60 (squared) -> 30 raised AR-1 0.117 -> 0.121 (docs/benchmarks.md).
LONG_WORDS = 30
MIN_CITABLE = 20  # characters: less is a fragment, not a sentence to quote
# What is not the story: a reader's comment and its stamp ("January 31, 2011 at 6:35 pm | ...").
_NOT_STORY = re.compile(
    r"^\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4},? (?:at )?\d{1,2}:\d{2}\s*(?i:[ap]\.?m)\b|(?i:posted by)\b)"
)
_PREFIX_LETTERS = 4  # a query word this long also finds the words it begins
# What a timeline may be named after (not "Russian", not "Monday").
_TITLE_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT"})
_STATUS_WEIGHT = {"reported": 1.0, "past": 0.8, "planned": 0.6}
_WORD = re.compile(r"\w+(?:['’.-]\w+)*", re.UNICODE)
_STOP = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by for from has have in is it its of on or that the their this to was were "
        "what when where which who will with about after before how into over than",
    )
)


@dataclass(slots=True)
class _Candidate:
    ref: SentenceRef
    source: str
    status: str
    event: str
    certain: bool  # its date does not rest on an inferred publication date
    position: int = 0  # the sentence's number in its article (an undated one is not added twice)
    vector: dict[int, float] = field(default_factory=dict)


@dataclass(slots=True)
class _DatePool:
    date: str
    precision: DatePrecision
    candidates: list[_Candidate] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    mentioned_by: set[str] = field(default_factory=set)  # articles with a sentence that names the date
    named_on: set[str | None] = field(default_factory=set)  # their publication days
    reporting: set[str] = field(default_factory=set)  # articles of the events dated on the date
    dated_here: list[str] = field(default_factory=list)  # the events dated on the date

    def sources(self) -> set[str]:
        return {c.source for c in self.candidates}

    def rank_key(self) -> tuple[float, int, int, str]:
        # A date matters when many articles name it, and when they go on naming it on later days; a month
        # is a vaguer answer to "when" than a day: it ranks with half the support.
        vague = 0.5 if self.precision != DatePrecision.DAY else 1.0
        support = len(self.mentioned_by) + len(self.named_on)
        return (-vague * support, -len(self.sources()), -len(self.candidates), self.date)

    def named_by(self, item: AnalysedArticle) -> None:
        self.mentioned_by.add(item.article.id)
        published = item.article.publication_date
        self.named_on.add(published.day if published is not None else None)


def query_keywords(query: str | None) -> list[str]:
    """The words of a query that must occur in a sentence (any of them): stop words dropped."""
    if not query:
        return []
    words = [w.casefold() for w in _WORD.findall(query)]
    return sorted({w for w in words if w not in _STOP}) or sorted(set(words))


def _matcher(keywords: list[str]) -> re.Pattern[str] | None:
    """Any keyword, case-insensitive, as a word; one of four letters or more also begins a word ("flood"
    finds "floods" and "flooding", "Syria" finds "Syrian"), a shorter one ("US", "BP", "oil") only
    itself. Measured on Timeline17: AR-1 0.111 -> 0.112, AR-2 0.030 -> 0.031 against whole words."""
    if not keywords:
        return None
    words = [re.escape(k) + (r"\w*" if len(k) >= _PREFIX_LETTERS else "") for k in keywords]
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def _in_range(date: str, options: TimelineOptions) -> bool:
    span = day_span(date)
    if span is None:
        return True
    first, last = span
    if options.start and (start := day_span(options.start)) and last < start[0]:
        return False
    return not (options.end and (end := day_span(options.end)) and first > end[1])


def _sentence_status(
    event: Event, item: AnalysedArticle, ref: SentenceRef, date: str, precision: DatePrecision
) -> str:
    """How this sentence tells what happened on ``date``: as news, as background ("last visited in May
    2022") or as a plan; a summary prefers news."""
    span = day_span(date)
    published = item.article.publication_date
    if event.status == "planned" or span is None or published is None:
        return event.status
    return mention_status(span[0], span[1], precision, published.value, ref.text)


def _certain(item: AnalysedArticle, number: int, date: str) -> bool:
    """Whether sentence ``number`` dates ``date`` without resting on an inferred publication date."""
    published = item.article.publication_date
    if published is not None and not published.inferred:
        return True
    return any(
        t.sentence == number and t.anchor == "absolute" and t.value and t.value.startswith(date)
        for t in item.analysis.time_refs
    )


def _citable(text: str | Excerpts, start: int, end: int, at: int | None = None) -> tuple[int, int] | None:
    """The part of the sentence ``text[start:end]`` fit to quote in a summary, as offsets: the line that
    holds offset ``at`` (where it names its date), else its longest line (a sentence the parser ran across
    a paragraph break, a headline glued to a caption), without a dateline or speaker's name before the
    story ("NEW DELHI: ", "BLITZER: "). None for a reader's comment or a fragment."""
    lines: list[tuple[int, int]] = []
    for line in text[start:end].split("\n"):
        first = lines[-1][1] + 1 if lines else start
        lines.append((first, first + len(line)))
    pick = next(((a, b) for a, b in lines if at is not None and a <= at < b), None)
    a, b = pick or max(lines, key=lambda span: (span[1] - span[0], -span[0]))
    line = text[a:b]
    if _NOT_STORY.match(line):
        return None
    story = strip_dateline(line.strip(), wire=True)
    a = text.index(story, a) if story else a
    b = a + len(story)
    return (a, b) if b - a >= MIN_CITABLE else None


def _date_offset(item: AnalysedArticle, number: int, date: str, ref: SentenceRef) -> int | None:
    """Where sentence ``number`` names ``date`` (a day, or the month of a month's pool), inside ``ref``."""
    for t in item.analysis.time_refs:
        if t.sentence == number and t.value and t.value.startswith(date) and ref.start <= t.start < ref.end:
            return t.start
    return None


def _own_dates(item: AnalysedArticle, number: int, event: Event) -> list[tuple[str, DatePrecision]]:
    """The dates an event's sentence speaks for: the days of its event it names, else the days and
    months it names itself ("the rig sank on Thursday" stays on Thursday when its event, reported
    mostly a day later, is dated Friday), else (a lead dated by its article) its event's. ``number``: the
    sentence's number in its article."""
    own: list[tuple[str, DatePrecision]] = []
    for t in item.analysis.time_refs:
        if t.sentence != number or not t.value or t.end_value:
            continue  # a range ("last week", "from 8 to 9 April") is its event's to date
        if t.precision in (DatePrecision.DAY, DatePrecision.MINUTE):
            own.append((t.value[:10], DatePrecision.DAY))
        elif t.precision == DatePrecision.MONTH:
            own.append((t.value[:7], DatePrecision.MONTH))
    last = event.end_date or event.date
    within = [(date, precision) for date, precision in own if event.date <= date <= last]
    if event.date_precision == DatePrecision.DAY and within:
        # "announced on Sunday that Lavrov starts a two-day visit on Monday": the visit's day.
        return list(dict.fromkeys(within))
    return list(dict.fromkeys(own)) or [(event.date, event.date_precision)]


def _add_event_sentences(
    pools: dict[str, _DatePool],
    events: list[Event],
    by_id: dict[str, AnalysedArticle],
    originals: dict[str, Article],
    match: re.Pattern[str] | None,
    options: TimelineOptions,
) -> None:
    """The sentences of the events into the pools of the dates they name (see :func:`_own_dates`): each
    names its date, so its article counts towards that date's rank. With a query, every article of the
    story (it has a keyword somewhere) counts for the days it names, but only its sentences with a
    keyword become candidates: "the rebels took the town on Sunday" is evidence that Sunday mattered
    to a story about Libya even when that sentence does not say "Libya".

    Measured on Timeline17 (docs/benchmarks.md): pooling by the event's date instead moved sentences
    to the day most reports gave: AR-1 0.103 against 0.105, date F1 0.515 against 0.533."""
    seen: set[tuple[str, str, int]] = set()
    on_story: dict[str, bool] = {}  # article id -> it matches the query somewhere
    for event in sorted(events, key=lambda e: (e.date, e.id)):
        for ref in event.sentences:
            item = by_id.get(ref.article_id)
            if item is None:
                continue
            quotable = match is None or bool(match.search(ref.text))
            if not quotable:
                if ref.article_id not in on_story:
                    article = item.whole(analysis=False).article  # a digest holds only part of the text
                    on_story[ref.article_id] = bool(match.search(f"{article.title or ''}\n{article.text}"))
                if not on_story[ref.article_id]:
                    continue
            number = item.analysis.sentence_of(ref.start)
            for date, precision in _own_dates(item, number, event):
                if not _in_range(date, options) or (options.days_only and precision != DatePrecision.DAY):
                    continue
                cited = _cited(item, ref, number, date, match) if quotable else None
                if cited is None:
                    # An article of the story names the day: it counts, but only sentences with a
                    # keyword (in the part fit to quote) may speak for it.
                    pools.setdefault(date, _DatePool(date, precision)).named_by(item)
                    continue
                key = (date, ref.article_id, ref.start)
                if key in seen:
                    continue
                seen.add(key)
                pool = pools.get(date)
                if pool is None:
                    pool = pools[date] = _DatePool(date, precision)
                if event.id not in pool.events:
                    pool.events.append(event.id)
                    if event.date == date:
                        pool.dated_here.append(event.id)
                        pool.reporting.update(a for a in event.articles if a in by_id)
                pool.named_by(item)
                pool.candidates.append(
                    _Candidate(
                        ref=cited,
                        source=source_key(item.article, originals),
                        status=_sentence_status(event, item, ref, date, precision),
                        event=event.id,
                        certain=_certain(item, number, date),
                        position=number,
                    )
                )


def _cited(
    item: AnalysedArticle, ref: SentenceRef, number: int, date: str, match: re.Pattern[str] | None
) -> SentenceRef | None:
    """The part of an event's sentence a summary of ``date`` may quote (see :func:`_citable`), when it
    still holds a query keyword."""
    span = _citable(item.text, ref.start, ref.end, _date_offset(item, number, date, ref))
    if span is None:
        return None
    if span == (ref.start, ref.end):
        return ref
    text = item.text[span[0] : span[1]]
    return SentenceRef(ref.article_id, *span, text) if match is None or match.search(text) else None


def _add_undated_sentences(
    pool: _DatePool,
    item: AnalysedArticle,
    source: str,
    match: re.Pattern[str] | None,
    taken: set[tuple[str, int]],
) -> None:
    """The sentences that name no date, of an article published on the pool's day: an article tells its
    day's news mostly without repeating the date ("Protesters filled the square."). They add to what
    the day's summary can say, never a day of their own nor to its rank. ``taken``: the (article,
    sentence) pairs already in the pool."""
    item = item.whole()  # the article's every sentence, where the corpus holds digests
    article, analysis = item.article, item.analysis
    published = article.publication_date
    dated = {ref.sentence for ref in analysis.time_refs}
    for number, sentence in enumerate(analysis.sentences):
        if number in dated or (article.id, number) in taken:
            continue
        span = _citable(article.text, sentence.start, sentence.end)
        if span is None:
            continue
        text = article.text[span[0] : span[1]]
        if not MIN_WORDS <= len(text.split()) <= MAX_WORDS or (match is not None and not match.search(text)):
            continue
        pool.candidates.append(
            _Candidate(
                ref=SentenceRef(article.id, *span, text),
                source=source,
                status="reported",
                event="",
                certain=published is not None and not published.inferred,
                position=number,
            )
        )


class _Vectors:
    """TF-IDF vectors with one vocabulary for the whole timeline, fitted on the first dates looked at:
    only the dates that may make the timeline are vectorised, never every sentence of the corpus."""

    def __init__(self) -> None:
        self._model: Any = None  # sklearn's TfidfVectorizer, once fitted

    def __call__(self, candidates: list[_Candidate]) -> None:
        texts = [c.ref.text for c in candidates]
        if not texts:
            return
        if self._model is None:
            fitted = fit_tfidf(texts)
            if fitted is None:  # nothing but stop words: no vectors, comparisons fall back to text
                return
            self._model, matrix = fitted
        else:
            matrix = self._model.transform(texts)
        for candidate, vector in zip(candidates, sparse_rows(matrix), strict=True):
            candidate.vector = vector


def _dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _fullness(text: str) -> float:
    """A short quote ("Nothing ends today," she said) tells less of the day than a full sentence, and a
    sentence over LONG_WORDS words (a list, a run-on paragraph) is a poorer summary of it, the longer the
    poorer."""
    words = len(text.split())
    return min(1.0, 0.5 + words / 30) * min(1.0, LONG_WORDS / max(words, 1))


def _summarise(pool: _DatePool, per_date: int, chosen: list[dict[int, float]]) -> list[_Candidate]:
    """Up to ``per_date`` sentences: central, from different outlets first, nothing said twice."""
    centroid: dict[int, float] = defaultdict(float)
    for c in pool.candidates:
        for t, w in c.vector.items():
            centroid[t] += w
    norm = sum(w * w for w in centroid.values()) ** 0.5 or 1.0
    relevance = {
        id(c): _dot(c.vector, centroid) / norm * _STATUS_WEIGHT.get(c.status, 0.6) * _fullness(c.ref.text)
        for c in pool.candidates
    }
    ordered = sorted(pool.candidates, key=lambda c: (-relevance[id(c)], c.ref.article_id, c.ref.start))
    picked: list[_Candidate] = []
    for distinct_sources in (True, False):
        while len(picked) < per_date:
            used = {c.source for c in picked}
            best, best_score = None, float("-inf")
            for c in ordered:
                if c in picked or (distinct_sources and c.source in used):
                    continue
                if c.vector and any(_dot(c.vector, v) >= NEAR_DUPLICATE for v in chosen):
                    continue
                if any(c.ref.text == p.ref.text for p in picked):
                    continue
                redundancy = max((_dot(c.vector, p.vector) for p in picked), default=0.0)
                score = MMR_LAMBDA * relevance[id(c)] - (1 - MMR_LAMBDA) * redundancy
                if score > best_score:
                    best, best_score = c, score
            if best is None:
                break
            picked.append(best)
            chosen.append(best.vector)
    return picked  # most central first


def build_timeline(
    items: Sequence[AnalysedArticle],
    events: list[Event],
    entities: dict[str, Entity],
    options: TimelineOptions,
    title: str | None = None,
) -> Timeline:
    """Select the dates that matter among the events and summarise each from cited sentences."""
    by_id = {item.article.id: item for item in items}
    originals = originals_of(items)
    copies: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.article.duplicate_of:
            copies[item.article.duplicate_of].append(item.article.id)
    match = _matcher(query_keywords(options.query))

    pools: dict[str, _DatePool] = {}
    _add_event_sentences(pools, events, by_id, originals, match, options)
    ranked = sorted(pools.values(), key=_DatePool.rank_key)
    if options.max_dates is not None:
        limit = max(0, options.max_dates)
    else:
        ranked = [
            p for p in ranked if len(p.sources()) >= 2 or any(c.status == "reported" for c in p.candidates)
        ]
        limit = AUTO_MAX_DATES
    published_on: dict[str, list[AnalysedArticle]] = defaultdict(list)
    for item in items:
        published = item.article.publication_date
        if not item.article.duplicate_of and published is not None and published.day:
            published_on[published.day].append(item)

    entries: list[TimelineEntry] = []
    chosen_vectors: list[dict[int, float]] = []
    vectorise = _Vectors()
    window = 2 * max(limit, 1)  # dates looked at at a time: enough for those that give way
    for first in range(0, len(ranked), window):
        if len(entries) >= limit:
            break
        looked_at = ranked[first : first + window]
        for pool in looked_at:
            taken = {(c.ref.article_id, c.position) for c in pool.candidates}
            for item in published_on.get(pool.date, ()):
                _add_undated_sentences(pool, item, source_key(item.article, originals), match, taken)
        vectorise([c for p in looked_at for c in p.candidates])
        for pool in looked_at:
            if len(entries) >= limit:
                break
            summary = _summarise(pool, max(1, options.sentences_per_date), chosen_vectors)
            if summary:  # else everything it says is on the timeline already
                entries.append(_entry(pool, summary, by_id, originals, copies))
    entries.sort(key=lambda e: e.date)
    used_events = {e for entry in entries for e in entry.events}
    return Timeline(
        title=title or _default_title(options, events, entities, items),
        options=options,
        entries=entries,
        events=[e for e in events if e.id in used_events],
    )


def _entry(
    pool: _DatePool,
    summary: list[_Candidate],
    by_id: dict[str, AnalysedArticle],
    originals: dict[str, Article],
    copies: dict[str, list[str]],
) -> TimelineEntry:
    """A date's entry: its summary, and as its sources the articles of its events' sentences, those of
    the events dated that day (a visit's reports that tell its second day too) and those the summary
    cites (with their duplicates and syndicated copies)."""
    articles = {c.ref.article_id for c in pool.candidates if c.event} | {c.ref.article_id for c in summary}
    articles |= pool.reporting
    articles |= {copy for a in list(articles) for copy in copies.get(a, ())}
    return TimelineEntry(
        date=pool.date,
        date_precision=pool.precision,
        summary=[c.ref for c in summary],
        # The events of the day, and those of other days whose sentence the summary quotes.
        events=list(dict.fromkeys([*pool.dated_here, *(c.event for c in summary if c.event)])),
        outlets=sorted({by_id[a].article.outlet for a in articles if by_id[a].article.outlet}),
        independent_sources=len({source_key(by_id[a].article, originals) for a in articles}),
        date_uncertain=not any(c.certain for c in pool.candidates if c.event),
    )


def _default_title(
    options: TimelineOptions,
    events: list[Event],
    entities: dict[str, Entity],
    items: Sequence[AnalysedArticle] = (),
) -> str:
    """The query when there is one; else who or what the story is about: the entity most headlines name
    (a person before a place: "Lavrov visits China" is Lavrov's story), else the most reported
    participant of the events."""
    if options.query:
        return f"Timeline: {options.query}"
    headlines = [i.article.title for i in items if i.article.title and not i.article.duplicate_of]
    named: dict[str, int] = {}
    for entity in entities.values():
        if entity.label in _TITLE_LABELS:
            forms = sorted({entity.name, *entity.aliases}, key=len, reverse=True)
            # Most entities are in no headline: a plain search rules them out before a pattern is made.
            near = [h for h in headlines if any(form in h for form in forms)]
            if len(near) < 2:
                continue
            pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)")
            count = sum(1 for h in near if pattern.search(h))
            if count >= 2:
                named[entity.id] = count
    if named:
        top = min(named, key=lambda e: (entities[e].label != "PERSON", -named[e], e))
        return f"Timeline: {entities[top].name}"
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        for participant in event.participants[:3]:
            counts[participant] += len(event.articles)
    best = min(counts, key=lambda e: (-counts[e], e), default=None)
    return f"Timeline: {entities[best].name}" if best and best in entities else "Timeline"

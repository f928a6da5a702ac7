"""Event mentions: every dated sentence of the articles, the unit events are made of (see events.py).

::

    event mentions   one per (article, sentence, date): each day- or month-precise time reference of a
                     sentence, and for a lead sentence that dates nothing, the article's publication date
                     (its participants then read from the whole lead paragraph); a dateline before the
                     sentence is left out of what is cited; duplicates give no mentions
    status           "reported", "past" or "planned": the mention's date against the article's date, and
                     words of planning ("will", "is expected to") for dates that are not behind it
    sources          who independently stands behind an article: its original's outlet
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import Any, overload

from ..analysis import ArticleAnalysis, Entity, Mention, Sentence, TimeRef
from ..errors import MissingDependencyError
from ..model import Article, DatePrecision
from .outlets import normalise_outlet

_WHITESPACE = re.compile(r"\s+")
LONG_RANGE_DAYS = 3  # a range longer than this ("last week") is too vague to found an event
REPORTED_DAYS = 7  # a date up to a week before the article is news; older ones are background

# How much sharing an entity says about being the same event.
_LABEL_WEIGHT = {"PERSON": 1.0, "ORG": 0.8, "GPE": 0.5, "LOC": 0.5, "FAC": 0.6, "EVENT": 0.8}
_PLANNING = re.compile(
    r"\b(will|would|shall|(?:is|are|was|were)\s+(?:expected|set|due|scheduled|going)\s+to|plans?\s+to"
    r"|planned|to\s+be\s+held|upcoming|next)\b",
    re.IGNORECASE,
)
# "RIVERTON, March 13, 2025 (Northern Wire) — ", "Beijing, 8 April 2024 (TDI): ": where the story starts.
# "RIVERTON, March 13 (Wire) — "
_DATELINE = re.compile(
    r"^(?:[^—]{0,100}?\([^()\n]{2,40}\)\s*(?:—|--|:)|[A-Z][A-Z .'’-]{2,40},[^—\n]{0,40}?(?:—|--))\s+"
)
# Also "Tue Mar 1, 2011 6:36 pm EST TRIPOLI (Reuters) - ", "AP NEW ORLEANS -- ", "NEW DELHI: " (and a
# transcript's "BLITZER: ").
_WIRE_DATELINE = re.compile(
    r"^(?:[^—\n]{0,200}?\([^()\n]{2,40}\)\s*(?:—|–|--?|:)"
    r"|[A-Z][A-Z .'’-]{2,40},[^—\n]{0,40}?(?:—|--)"
    r"|(?:AP |AFP )?[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3} (?:—|--)"
    r"|[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}:)\s+"
)


class Excerpts:
    """The parts of an article's text a digest keeps, at their offsets: a slice or a search inside one
    part gives what the whole text gives; one reaching outside the parts raises LookupError (the
    caller needed the whole article: :meth:`AnalysedArticle.whole`)."""

    __slots__ = ("_parts", "_starts")

    def __init__(self, text: str, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._parts = [text[start:end] for start, end in merged]

    def _part(self, start: int, stop: int) -> tuple[int, str]:
        at = bisect_right(self._starts, start) - 1
        if at >= 0 and stop <= self._starts[at] + len(self._parts[at]):
            return self._starts[at], self._parts[at]
        raise LookupError(f"characters {start}-{stop} are not among the excerpts kept")

    def __getitem__(self, key: slice) -> str:
        first, part = self._part(key.start, key.stop)
        return part[key.start - first : key.stop - first]

    def index(self, sub: str, start: int) -> int:
        """Where ``sub`` first occurs from ``start`` on, inside the part that holds ``start``."""
        first, part = self._part(start, start)
        return part.index(sub, start - first) + first


class PackedSentences(Sequence[Sentence]):
    """An article's sentence offsets in two machine-integer arrays (about a tenth of a list of
    :class:`Sentence` objects), each read back as a Sentence: a digest keeps every sentence's offsets,
    since sentences are counted and looked up by offset."""

    __slots__ = ("_starts", "_ends")

    def __init__(self, sentences: Iterable[Sentence]) -> None:
        self._starts, self._ends = array("q"), array("q")
        for sentence in sentences:
            self._starts.append(sentence.start)
            self._ends.append(sentence.end)

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> Sentence: ...
    @overload
    def __getitem__(self, index: slice) -> list[Sentence]: ...
    def __getitem__(self, index: int | slice) -> Sentence | list[Sentence]:
        if isinstance(index, slice):
            return [Sentence(a, b) for a, b in zip(self._starts[index], self._ends[index], strict=True)]
        return Sentence(self._starts[index], self._ends[index])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(slots=True)
class AnalysedArticle:
    """An article with its per-article analysis and its mention keys mapped to corpus entity ids.

    A *digest* (:func:`digest`) keeps only what events and the timeline read of most articles: the
    head of the text, the dated sentences (``excerpts``) and what is said in them, and a way to read
    the whole article back when a timeline needs it (``reload``)."""

    article: Article
    analysis: ArticleAnalysis
    entity_of: dict[str, str]
    excerpts: Excerpts | None = None
    # Reads the article again: with its analysis (True) or the article alone (False).
    reload: Callable[[bool], AnalysedArticle] | None = None

    @property
    def text(self) -> str | Excerpts:
        """The article's text, or in a digest the parts of it kept (sliced and searched alike)."""
        return self.excerpts if self.excerpts is not None else self.article.text

    def whole(self, *, analysis: bool = True) -> AnalysedArticle:
        """The article with its whole text and analysis: itself, or a digest's article read again
        (without ``analysis``, only the article is read: about a seventh of the cost, with the digest's
        analysis)."""
        if self.excerpts is None:
            return self
        if self.reload is None:
            raise LookupError(f"article {self.article.id} is a digest with no way to read it again")
        found = self.reload(analysis)
        return found if analysis else AnalysedArticle(found.article, self.analysis, self.entity_of)


# A lead sentence dated only by its article is one of the first two; its participants are read from the
# two sentences after it (find_mentions).
LEAD_SENTENCES = 4


def digest(item: AnalysedArticle, reload: Callable[[bool], AnalysedArticle] | None) -> AnalysedArticle:
    """What events and the timeline keep of an analysed article when they hold a whole corpus: its
    metadata with the head of its text (its first sentences, which name an untitled article in lists),
    its sentences' offsets, its dated sentences as excerpts with their time references, and the
    mentions and quotes of those and of the lead. The time expressions are left out. ``reload`` reads
    the whole article again (the timeline's undated sentences of a day, a query over the whole
    text)."""
    article, analysis = item.article, item.analysis
    told = {ref.sentence for ref in analysis.time_refs}
    keep = told | set(range(min(LEAD_SENTENCES, len(analysis.sentences))))
    head_end = (
        analysis.sentences[min(LEAD_SENTENCES, len(analysis.sentences)) - 1].end if analysis.sentences else 0
    )
    mentions = [m for m in analysis.mentions if m.sentence in keep]
    keys = {m.key for m in mentions}
    kept = ArticleAnalysis(
        article_id=analysis.article_id,
        sentences=PackedSentences(analysis.sentences),  # type: ignore[arg-type]
        mentions=mentions,
        time_refs=analysis.time_refs,
        quotes=[q for q in analysis.quotes if q.sentence in keep],
        versions=analysis.versions,
    )
    spans = [(s.start, s.end) for n, s in enumerate(analysis.sentences) if n in keep]
    return AnalysedArticle(
        article=article.head(head_end),
        analysis=kept,
        entity_of={k: v for k, v in item.entity_of.items() if k in keys},
        excerpts=Excerpts(article.text, spans),
        reload=reload,
    )


@dataclass(slots=True)
class EventMention:
    """One sentence of one article that dates something: the unit events are made of."""

    item: int  # index into the analysed articles
    sentence: int
    start: int  # the sentence's offsets in the article text
    end: int
    text: str
    first_day: int  # proleptic ordinal of the first day of the date (or range)
    last_day: int
    value: str  # ISO date as resolved (day or month)
    precision: DatePrecision
    end_value: str | None
    status: str
    inferred: bool  # the date was counted from an inferred publication date
    entities: dict[str, float]  # entity id -> weight
    vector: Mapping[int, float]  # TF-IDF, unit length (a PackedVector)

    @property
    def coarse(self) -> bool:
        return self.precision != DatePrecision.DAY or self.last_day - self.first_day > LONG_RANGE_DAYS


# -- sources --------------------------------------------------------------------------------------------


def source_key(article: Article, originals: dict[str, Article]) -> str:
    """Who independently stands behind an article: its original's outlet (a duplicate or syndicated copy
    counts with the article it copies), or the original article itself when no outlet is known."""
    original = originals.get(article.duplicate_of or "", article)
    outlet = original.outlet
    if outlet:
        return "outlet:" + _WHITESPACE.sub(" ", outlet.casefold().strip())
    return "article:" + original.id


def originals_of(items: Sequence[AnalysedArticle]) -> dict[str, Article]:
    return {item.article.id: item.article for item in items}


# -- mentions -------------------------------------------------------------------------------------------


def day_span(value: str) -> tuple[int, int] | None:
    """First and last day (proleptic ordinals) of an ISO date prefix; None for a bare year."""
    try:
        if len(value) >= 10:
            day = Date.fromisoformat(value[:10]).toordinal()
            return day, day
        if len(value) == 7:
            year, month = int(value[:4]), int(value[5:7])
            first = Date(year, month, 1).toordinal()
            following = Date(year + month // 12, month % 12 + 1, 1).toordinal()
            return first, following - 1
    except ValueError:
        return None
    return None


def strip_dateline(text: str, *, wire: bool = False) -> str:
    """A sentence without the dateline before its story ("RIVERTON, March 13 (Wire) — "), when enough
    of a story is left to cite. ``wire`` (for what a summary quotes) also drops a wire service's stamp
    and dateline ("Tue Mar 1, 2011 6:36 pm EST TRIPOLI (Reuters) - ") and a capitals-only one ("NEW
    ORLEANS -- ", "NEW DELHI: ", a transcript's "BLITZER: "). Event clustering keeps the narrower form:
    with the wider one, reports lose the words that join them, and Timeline17's date F1 fell from 0.561
    to 0.554."""
    story = (_WIRE_DATELINE if wire else _DATELINE).sub("", text, count=1)
    return story if len(story) >= 30 else text


def mention_status(
    first_day: int, last_day: int, precision: DatePrecision, published: str | None, text: str
) -> str:
    """How a sentence published on ``published`` tells of the days ``first_day``..``last_day``
    (ordinals): "reported" (news), "past" (background, more than REPORTED_DAYS before publication, or
    an earlier month) or "planned" (after publication, or announced as a plan)."""
    if published is None:
        return "reported"
    span = day_span(published[:10] if len(published) >= 10 else published)
    if span is None:
        return "reported"
    pub_first, pub_last = span
    if first_day > pub_last:
        return "planned"
    if precision == DatePrecision.MONTH or len(published) < 10:
        if last_day < pub_first:
            return "past"
    elif pub_first - last_day > REPORTED_DAYS:
        return "past"
    if last_day >= pub_first and _PLANNING.search(text):
        return "planned"
    return "reported"


def _entity_weights(
    item: AnalysedArticle, mentions: Sequence[Mention], entities: dict[str, Entity], outlets: set[str]
) -> dict[str, float]:
    weights: dict[str, float] = {}
    for mention in mentions:
        entity_id = item.entity_of.get(mention.key)
        entity = entities.get(entity_id) if entity_id else None
        label = entity.label if entity else mention.label
        weight = _LABEL_WEIGHT.get(label)
        if weight is None or entity_id is None:
            continue
        if entity is not None and _is_outlet(entity.name, outlets):
            continue  # "as reported by Reuters" (or a dateline's "(TDI)") says who told, not who took part
        weights[entity_id] = weight
    return weights


def _is_outlet(name: str, outlets: set[str]) -> bool:
    """Whether an entity is one of the corpus's outlets, under any of its names ("TDI", "Reuters")."""
    return name.casefold() in outlets or (normalise_outlet(name, None) or "").casefold() in outlets


def find_mentions(items: Sequence[AnalysedArticle], entities: dict[str, Entity]) -> list[EventMention]:
    """Every dated sentence of the non-duplicate articles, with its status and participants."""
    outlets = {i.article.outlet.casefold() for i in items if i.article.outlet}
    found: list[EventMention] = []
    for index, item in enumerate(items):
        article, analysis = item.article, item.analysis
        if article.duplicate_of:
            continue
        published = article.publication_date
        pub_value = published.value if published else None
        pub_inferred = bool(published and published.inferred)
        refs_by_sentence: dict[int, list[TimeRef]] = defaultdict(list)
        mentions_by_sentence: dict[int, list[Mention]] = defaultdict(list)
        for entity_mention in analysis.mentions:
            mentions_by_sentence[entity_mention.sentence].append(entity_mention)
        for ref in analysis.time_refs:
            if ref.value and ref.precision in (DatePrecision.DAY, DatePrecision.MINUTE, DatePrecision.MONTH):
                refs_by_sentence[ref.sentence].append(ref)
        lead = next(
            (i for i in range(min(2, len(analysis.sentences))) if mentions_by_sentence.get(i)),
            None,
        )
        for number, sentence in enumerate(analysis.sentences):
            dates: list[tuple[str, str | None, DatePrecision, bool]] = []
            for ref in refs_by_sentence.get(number, ()):
                precision = DatePrecision.MONTH if ref.precision == DatePrecision.MONTH else DatePrecision.DAY
                value = ref.value[:7] if precision == DatePrecision.MONTH else ref.value[:10]
                relative = ref.anchor != "absolute"
                dates.append((value, ref.end_value, precision, relative and pub_inferred))
            if not dates and number == lead and published is not None:
                # A year-precise date ("2024") becomes a coarse mention: it may only join an event.
                if published.day:
                    dates.append((published.day, None, DatePrecision.DAY, pub_inferred))
                else:
                    dates.append((published.value[:7], None, DatePrecision.MONTH, pub_inferred))
            if not dates:
                continue
            source = item.text
            text = source[sentence.start : sentence.end].strip()
            if text.endswith(("—", "--")):
                continue  # a title and dateline with the story in the next sentence
            offset = source.index(text, sentence.start) if text else sentence.start
            story = strip_dateline(text)  # cite the sentence, not the dateline before it
            offset += len(text) - len(story)
            text = story
            weights = _entity_weights(item, mentions_by_sentence.get(number, ()), entities, outlets)
            if number == lead and not refs_by_sentence.get(number):
                # A lead dated only by its article: the lead paragraph says who took part.
                for other in range(number + 1, min(number + 3, len(analysis.sentences))):
                    nearby = mentions_by_sentence.get(other, ())
                    for entity_id, weight in _entity_weights(item, nearby, entities, outlets).items():
                        weights.setdefault(entity_id, weight)
            seen: set[str] = set()
            for value, end_value, precision, inferred in dates:
                if value in seen:
                    continue
                seen.add(value)
                span = day_span(value)
                if span is None:
                    # A bare year: only a lead sentence dated by a year-precise publication date.
                    year = int(value[:4])
                    span = (Date(year, 1, 1).toordinal(), Date(year, 12, 31).toordinal())
                    precision = DatePrecision.MONTH
                first_day, last_day = span
                if end_value and (end := day_span(end_value)):
                    last_day = max(last_day, end[1])
                found.append(
                    EventMention(
                        item=index,
                        sentence=number,
                        start=offset,
                        end=offset + len(text),
                        text=text,
                        first_day=first_day,
                        last_day=last_day,
                        value=value,
                        precision=precision,
                        end_value=end_value if end_value and end_value[:10] != value else None,
                        status=mention_status(first_day, last_day, precision, pub_value, text),
                        inferred=inferred,
                        entities=weights,
                        vector={},
                    )
                )
    _vectorise(found)
    return found


def fit_tfidf(texts: list[str]) -> tuple[Any, Any] | None:
    """A TF-IDF model fitted on some sentences (English stop words out, sublinear term frequency, rows
    L2-normalised) and their sparse matrix; None when there is nothing but stop words. Shared by event
    clustering and summarising."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as error:  # pragma: no cover - the nlp extra brings it
        raise MissingDependencyError("scikit-learn", "nlp") from error
    model = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        return model, model.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return None


class PackedVector(Mapping[int, float]):
    """A sparse vector (term index -> weight) in two machine arrays, read in the order it was built:
    about a third of a dict's memory. The event stage holds one for every dated sentence of the
    corpus."""

    __slots__ = ("_terms", "_weights")

    def __init__(self, terms: Iterable[int], weights: Iterable[float]) -> None:
        self._terms, self._weights = array("q", terms), array("d", weights)

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[int]:
        return iter(self._terms)

    def __getitem__(self, term: int) -> float:
        for at, known in enumerate(self._terms):  # a sentence has a few dozen terms at most
            if known == term:
                return self._weights[at]
        raise KeyError(term)

    def items(self) -> Iterator[tuple[int, float]]:  # type: ignore[override]
        return zip(self._terms, self._weights, strict=True)


def tfidf_vectors(texts: list[str]) -> list[PackedVector]:
    """Sparse TF-IDF vectors (term index -> weight) of some sentences; empty vectors when there is
    nothing but stop words."""
    if not texts:
        return []
    fitted = fit_tfidf(texts)
    if fitted is None:
        return [PackedVector((), ()) for _ in texts]
    matrix = fitted[1].tocsr()
    return [
        PackedVector(matrix.indices[lo:hi].tolist(), matrix.data[lo:hi].tolist())
        for lo, hi in zip(matrix.indptr[:-1].tolist(), matrix.indptr[1:].tolist(), strict=True)
    ]


def sparse_rows(matrix: Any) -> list[dict[int, float]]:
    """The rows of a scipy sparse matrix as {column: value} dicts."""
    matrix = matrix.tocsr()
    rows = []
    for row in range(matrix.shape[0]):
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        rows.append(dict(zip(matrix.indices[lo:hi].tolist(), matrix.data[lo:hi].tolist(), strict=True)))
    return rows


def _vectorise(mentions: list[EventMention]) -> None:
    for mention, vector in zip(mentions, tfidf_vectors([m.text for m in mentions]), strict=True):
        mention.vector = vector

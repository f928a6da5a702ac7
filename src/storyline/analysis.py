"""The model of what storyline understands in one article: sentences, mentions, time references, quotes.

Everything is a span: character offsets into the article's *cleaned* text (``Article.text``), never a
copied substring alone, so any view can highlight it and any stage can look at its context. Each value
that was worked out rather than read keeps how it was found and how sure we are.

Per-article results (:class:`ArticleAnalysis`) are made without looking at other articles, so an engine
may compute them anywhere. Cross-article results — canonical :class:`Entity` records and publication
dates inferred from the corpus — are made afterwards by corpus stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import DatePrecision


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A named entity in the text. ``key`` names its entity within the article (canonical form there);
    the corpus stage maps keys to corpus-wide :class:`Entity` ids."""

    start: int
    end: int
    text: str
    label: str  # PERSON, ORG, GPE, LOC, NORP, FAC, EVENT
    key: str  # within-article canonical name, e.g. "Sergey Lavrov" for "Lavrov"
    sentence: int
    role: str | None = None  # a title given in apposition: "Chinese Foreign Minister"


@dataclass(frozen=True, slots=True)
class TimeRef:
    """A temporal expression and the date (or range) it refers to.

    ``value`` is an ISO 8601 prefix with ``precision``; a range ("from 8 to 9 April") also has
    ``end_value``. ``anchor`` says what a relative expression was counted from: "absolute" (it names
    its year), "publication" (the article's date), "speech" (when a quoted speaker spoke), "context"
    (another date nearby). ``value`` is None when the expression could not be resolved.
    """

    start: int
    end: int
    text: str
    sentence: int
    value: str | None
    precision: DatePrecision | None
    end_value: str | None = None
    anchor: str = "absolute"
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """What the parse says of a temporal expression, whatever the article's date: enough to resolve it
    again on another anchor without parsing again (:func:`storyline.stages.timex.anchor_expressions`).

    Its text and its sentence's context are not kept: they are slices of the article's text at
    ``start``/``end`` and at the analysis's sentences. ``speech`` is the span of the expression dating
    the saying ("said on Monday") that a ``reported`` one is counted from.
    """

    start: int
    end: int
    sentence: int
    tense: str  # "past", "future", "present" or ""
    in_quote: bool
    reported: bool
    speech: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Something a speaker said: ``kind`` "direct" (in quotation marks) or "reported" (said that ...)."""

    start: int
    end: int
    text: str
    sentence: int
    kind: str
    speaker: str | None  # within-article canonical name of the speaker, as a Mention key
    speaker_start: int | None = None  # the mention or pronoun naming the speaker
    speaker_end: int | None = None
    cue: str | None = None  # the verb or phrase of saying: "said", "according to"


@dataclass(slots=True)
class ArticleAnalysis:
    """Everything the per-article NLP stages found in one article."""

    article_id: str
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    time_refs: list[TimeRef] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    # Every temporal expression found, resolved or not, in the order found: the corpus stage re-anchors
    # the time references from these when it dates the article. None: not recorded (an analysis made
    # before they were), so re-anchoring needs a new parse.
    time_exprs: list[TimeExpression] | None = None

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding a character offset (-1 when none does)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            sentence = self.sentences[mid]
            if offset < sentence.start:
                hi = mid - 1
            elif offset >= sentence.end:
                lo = mid + 1
            else:
                return mid
        return -1


@dataclass(frozen=True, slots=True)
class Merge:
    """Why an alias belongs to an entity; ``source`` "auto" or "user" (user decisions win and survive)."""

    alias: str
    reason: str
    source: str = "auto"


@dataclass(slots=True)
class Entity:
    """A person, organisation or place, canonical across the corpus."""

    id: str  # stable: label + slug of the canonical name, e.g. "person:sergey-lavrov"
    name: str
    label: str
    aliases: dict[str, int] = field(default_factory=dict)  # surface form -> mentions
    roles: dict[str, int] = field(default_factory=dict)  # title in apposition -> mentions
    merges: list[Merge] = field(default_factory=list)
    articles: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "label": self.label,
            "aliases": self.aliases,
            "roles": self.roles,
            "merges": [{"alias": m.alias, "reason": m.reason, "source": m.source} for m in self.merges],
            "articles": self.articles,
        }

"""The typed document model at the centre of storyline.

An :class:`Article` is what every reader yields and every per-article stage takes and returns.  The raw
text is kept exactly as it was read; stages add to the article (cleaned text, title, outlet, dates,
fingerprints) and record *how* they found each value, so a user can always check where a field came from.

Dates are ISO 8601 strings with their precision kept (``"2024"``, ``"2024-04"``, ``"2024-04-08"``,
``"2024-04-08T10:12:00"``): a partial date is never padded into a false day.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class DatePrecision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"
    MINUTE = "minute"


class DateMethod(StrEnum):
    """How a date was found. Kept with every date so guessed dates are never shown as certain."""

    METADATA = "metadata"  # structured metadata: JSON-LD, <meta>, a date field of a JSONL/CSV row
    DATELINE = "dateline"  # a dateline or "Published:" line in the text itself
    TEXT = "text"  # inferred from dates mentioned in the body
    CORPUS = "corpus"  # inferred from other articles of the corpus
    MANUAL = "manual"  # set by a user


class FieldMethod(StrEnum):
    """How a title or an outlet was found."""

    METADATA = "metadata"
    FIRST_LINE = "first-line"
    DATELINE = "dateline"  # e.g. "(TDI)" in "Beijing, 8 April 2024 (TDI):"
    SIGN_OFF = "sign-off"  # a closing line that names the outlet
    URL = "url"
    MANUAL = "manual"


_PRECISION_LENGTH = {
    DatePrecision.YEAR: 4,
    DatePrecision.MONTH: 7,
    DatePrecision.DAY: 10,
    DatePrecision.MINUTE: 16,
}


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date with its precision, how it was found, how sure we are, and the text that says so."""

    value: str
    precision: DatePrecision
    method: DateMethod
    confidence: float = 1.0
    evidence: str = ""

    def __post_init__(self) -> None:
        expected = _PRECISION_LENGTH[self.precision]
        if len(self.value) < expected or not _ISO_PREFIX.match(self.value):
            raise ValueError(f"date {self.value!r} does not carry {self.precision} precision")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside [0, 1]")

    @property
    def day(self) -> str | None:
        """The calendar day (YYYY-MM-DD) when the precision reaches it."""
        return self.value[:10] if len(self.value) >= 10 else None

    @property
    def inferred(self) -> bool:
        return self.method in (DateMethod.TEXT, DateMethod.CORPUS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "precision": str(self.precision),
            "method": str(self.method),
            "confidence": self.confidence,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DateValue:
        return cls(
            value=data["value"],
            precision=DatePrecision(data["precision"]),
            method=DateMethod(data["method"]),
            confidence=float(data.get("confidence", 1.0)),
            evidence=data.get("evidence", ""),
        )


_ISO_PREFIX = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?)?)?)?$")


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of the raw text that cleaning took out, and why (so nothing disappears unexplained)."""

    text: str
    reason: str


@dataclass(slots=True)
class Article:
    """One news article as read from a file, a row of an export, or a page.

    ``source`` names where it came from (a file path, ``path#row`` for a row of a JSONL/CSV export, or a
    URL) and, with the raw text, determines ``id``: re-ingesting the same input yields the same ids.
    """

    source: str
    raw_text: str
    format: str = "text"
    encoding: str = "utf-8"
    url: str | None = None
    title: str | None = None
    title_method: FieldMethod | None = None
    outlet: str | None = None
    outlet_method: FieldMethod | None = None
    author: str | None = None
    language: str | None = None
    publication_date: DateValue | None = None
    modification_date: DateValue | None = None
    # The main text a reader extracted from markup (an HTML page); cleaning starts from it when set,
    # from raw_text otherwise. raw_text itself is never changed.
    extracted_text: str | None = None
    # Metadata a reader found in the input (an HTML page's own metadata, a row's extra columns).
    extra: dict[str, Any] = field(default_factory=dict)
    # Set by the clean stage.
    text: str = ""
    removed: list[Removal] = field(default_factory=list)
    # Set by the fingerprint stage.
    content_id: str | None = None
    minhash: bytes | None = None
    # Set by the corpus-level dedup stage.
    duplicate_of: str | None = None
    duplicate_similarity: float | None = None
    # Which stage versions made the stored values.
    stage_versions: dict[str, str] = field(default_factory=dict)
    # (source, raw_text, id) as last computed: hashing a long text on every access showed in profiles.
    # Not an init field, so evolve() starts a copy without it; checked by identity, so assigning a new
    # source or raw_text to this article is never answered with a stale id.
    _id_cache: tuple[str, str, str] | None = field(default=None, init=False, repr=False, compare=False)
    # The whole text's word count, kept by a corpus stage's digest of the article, whose ``text`` is
    # only the head of it (stages.event_mentions.digest). Not an init field: evolve() drops it.
    _words: int | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        cached = self._id_cache
        if cached is not None and cached[0] is self.source and cached[1] is self.raw_text:
            return cached[2]
        raw = self.raw_text
        value = raw.id_for(self.source) if isinstance(raw, RawTextNotRead) else article_id(self.source, raw)
        self._id_cache = (self.source, raw, value)
        return value

    @property
    def raw_text_read(self) -> bool:
        """False for an article read without its raw text (see :class:`RawTextNotRead`)."""
        return not isinstance(self.raw_text, RawTextNotRead)

    @property
    def words(self) -> int:
        return self._words if self._words is not None else len(self.text.split())

    def evolve(self, **changes: Any) -> Article:
        """A copy with some fields changed (stages return new articles rather than mutate shared ones)."""
        return replace(self, **changes)

    def head(self, end: int) -> Article:
        """A copy holding only the first ``end`` characters of its text, still counting the words of the
        whole (a corpus stage's digest of the article, stages.event_mentions.digest)."""
        copy = replace(self, text=self.text[:end])
        copy._words = self.words
        return copy


class RawTextNotRead(str):
    """The ``raw_text`` of an article a store read without it (``Store.iter_articles(slim=True)``, for the
    corpus stages, which never read it): an empty string that carries the id stored with the article,
    since :attr:`Article.id` cannot hash a text it does not have. It travels with the article through
    :meth:`Article.evolve`; a new ``raw_text`` replaces it (and the id is computed again), a new
    ``source`` makes the id an error. A store refuses to write an article that holds one: what it
    would store is not the article."""

    source: str
    article_id: str

    def __new__(cls, source: str, article_id: str) -> RawTextNotRead:
        self = super().__new__(cls, "")
        self.source, self.article_id = source, article_id
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return self.source, self.article_id  # copies and pickles keep the id

    def __repr__(self) -> str:
        return f"RawTextNotRead({self.source!r}, {self.article_id!r})"

    def id_for(self, source: str) -> str:
        if source != self.source:
            raise ValueError(
                f"article {self.article_id} was read without its raw text: its id cannot follow a new "
                f"source ({source!r})"
            )
        return self.article_id


def article_id(source: str, raw_text: str) -> str:
    """A stable id derived from where the article came from and what it said."""
    digest = hashlib.sha256()
    digest.update(source.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(raw_text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """An input that could not be turned into an article: where, and why, in one line."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        # One line whatever a file is called: a newline or other control character in a name is shown
        # escaped, as Python writes it.
        return _one_line(f"{where}: {self.reason}")


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)

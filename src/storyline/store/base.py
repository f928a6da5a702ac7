"""The Store interface every backend implements, and the records it returns besides articles."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analysis import ArticleAnalysis, Entity, TimeRef
from ..model import Article, DateValue, ReadFailure


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What corpus-level dedup needs of a stored article, without its text."""

    article_id: str
    content_id: str | None
    minhash: bytes | None
    duplicate_of: str | None
    seq: int = 0  # the order of storing: fingerprints after a given one are what others stored since


Grouper = Callable[[Sequence[Article]], list[Article]]


@dataclass(frozen=True, slots=True)
class EntityOverride:
    """A user's decision: ``merge`` puts ``alias`` into ``entity_id``; ``split`` takes it out of it."""

    kind: str
    alias: str
    entity_id: str


@dataclass(slots=True)
class IngestRun:
    """One ``storyline ingest``: what it was asked to read and what came of it."""

    id: int
    started_at: str
    inputs: list[str]
    finished_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: str
    title: str | None
    snippet: str
    rank: float


class Store(ABC):
    """A place to keep articles. Writes come in batches, each all-or-nothing."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @abstractmethod
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these article ids are stored already."""

    @abstractmethod
    def write_batch(
        self,
        run_id: int,
        articles: Sequence[Article],
        failures: Sequence[ReadFailure],
        *,
        group: Grouper | None = None,
    ) -> list[Article]:
        """Store new articles and the failures met while reading them, in one transaction; what is
        stored is returned. ``group`` runs inside that transaction, after the store's write lock is
        taken, and turns ``articles`` into what is stored: what it reads (the fingerprints other ingests
        stored) cannot change before the write, so two ingests on one database never miss each other's
        duplicates. A slim article (read without its raw text) raises ValueError: nothing is stored."""

    @abstractmethod
    def get_article(self, article_id: str) -> Article:
        """The article with this id, or a unique prefix of it; NotFoundError otherwise."""

    @abstractmethod
    def iter_articles(
        self, *, include_duplicates: bool = True, corpus_dates: bool = True, slim: bool = False
    ) -> Iterator[Article]:
        """All stored articles in the order they were ingested; without ``corpus_dates``, as they were
        before the corpus stage dated them (what that stage starts from at every run).

        ``slim`` articles leave out what only ingest and the display of one article read: the raw text
        (often a whole web page; a :class:`~storyline.model.RawTextNotRead` in its place keeps the stored
        id), the extracted text, cleaning's removals and the minhash. The corpus stages and the exports
        read them this way. A slim article cannot be stored (:meth:`write_batch` raises ValueError)."""

    @abstractmethod
    def iter_fingerprints(self, after: int = 0) -> Iterator[Fingerprint]:
        """The fingerprints of the articles stored after the one whose ``seq`` is ``after``, in order."""

    @abstractmethod
    def count_articles(self) -> int: ...

    @abstractmethod
    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over cleaned text and titles; bad query syntax raises StoreError."""

    @abstractmethod
    def start_run(self, inputs: Sequence[str]) -> IngestRun: ...

    @abstractmethod
    def finish_run(self, run: IngestRun) -> None: ...

    @abstractmethod
    def last_run(self) -> IngestRun | None: ...

    @abstractmethod
    def failures(self, run_id: int | None = None) -> list[ReadFailure]:
        """Inputs that could not be ingested (of one run, or of all runs)."""

    # -- analysis ---------------------------------------------------------------------------------

    @abstractmethod
    def write_analyses(
        self,
        analyses: Sequence[tuple[ArticleAnalysis, str | None]],
        inferred_dates: dict[str, DateValue | None] | None = None,
    ) -> None:
        """Replace the analyses of some articles (each with the content id it was made from) and the
        dates inferred from their text, atomically."""

    @abstractmethod
    def replace_time_refs(self, article_id: str, time_refs: Sequence[TimeRef]) -> None: ...

    @abstractmethod
    def analysis_state(self) -> dict[str, tuple[str | None, dict[str, str]]]:
        """article id -> (content id analysed, stage versions)."""

    @abstractmethod
    def get_analysis(self, article_id: str, *, expressions: bool = True) -> ArticleAnalysis | None:
        """The stored analysis of an article, or None; its ``time_exprs`` are None when it was stored
        without them (by a version before they were recorded), or when ``expressions`` is false (not
        read: only re-anchoring reads them, and the corpus stages that hold every analysis do not)."""

    @abstractmethod
    def replace_entities(self, entities: Iterable[Entity], mapping: dict[tuple[str, str], str]) -> None: ...

    @abstractmethod
    def list_entities(self, label: str | None = None) -> list[Entity]: ...

    @abstractmethod
    def entity_of(self, article_id: str) -> dict[str, str]:
        """Mention key -> entity id, for one article."""

    @abstractmethod
    def add_entity_override(self, override: EntityOverride) -> None: ...

    @abstractmethod
    def entity_overrides(self) -> list[EntityOverride]: ...

    @abstractmethod
    def set_inferred_dates(self, dates: dict[str, DateValue | None]) -> None: ...

    @abstractmethod
    def set_corpus_dates(self, dates: dict[str, DateValue | None]) -> None:
        """Publication dates inferred from other articles (None removes one); they win over dates
        inferred from an article's own text, never over stated or corrected ones."""

    @abstractmethod
    def set_date_correction(self, article_id: str, value: DateValue | None) -> None:
        """A user's publication date for an article (None removes it); it wins over any other."""

    # -- other user corrections (kept apart from computed results; they survive a re-analysis) --------

    @abstractmethod
    def set_outlet_correction(self, article_id: str, outlet: str | None) -> None:
        """A user's outlet for an article (None removes it); it wins over the outlet found."""

    @abstractmethod
    def hidden_entries(self) -> set[str]:
        """Dates of the timeline entries a user hid."""

    @abstractmethod
    def set_entry_hidden(self, date: str, hidden: bool) -> None: ...

    @abstractmethod
    def data_version(self) -> int:
        """A number that changes whenever another connection commits a change to the stored data, so a
        long-lived reader (the web app) knows when its cached results are stale."""

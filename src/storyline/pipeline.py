"""What a stage is, how stages compose, and the ingest run that puts them together.

A per-article stage is a plain function ``Article -> Article``: it needs nothing but the article, so an
engine may run it anywhere, in any order. Corpus stages (here: duplicate grouping) see the articles one by
one *after* the per-article stages, in ingest order, with what the store already holds.

Order of an ingest run::

    discover files -> read (one file may hold many articles) -> skip ids already stored
      -> clean -> outlet name -> fingerprint       (per article)
      -> group duplicates                          (corpus)
      -> write in batches, one transaction each    (store)

Every stage counts what it kept and dropped and why, and how long it took. The per-article stages run on
an engine (:mod:`storyline.engines`): in this process by default, or on Ray workers; either way the
results come back in input order, so the same inputs store the same rows.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .config import Settings
from .ingest import discover, read_file
from .model import Article, ReadFailure
from .stages.clean import clean_article
from .stages.dedup import DuplicateIndex, fingerprint
from .stages.outlets import outlet_stage
from .store.base import IngestRun, Store

if TYPE_CHECKING:
    from .engines import Engine

ArticleStage = Callable[[Article], Article]


# No news article is longer than a book: past this, an "article" is a dump that cleaning and fingerprinting
# would take many minutes and gigabytes over (a 100 MB one: 11 minutes, 2.7 GB). A file may be far larger
# (an export, an archive) as long as each of its articles is under this.
MAX_ARTICLE_CHARS = 10_000_000


class ArticleRefusedError(ValueError):
    """Raised by a stage that refuses an article; the message is the reason users see."""


class EmptyArticleError(ArticleRefusedError):
    """Raised by a stage when nothing of an article is left to keep."""


def limit_length(article: Article) -> Article:
    """Refuse an article too long to be news (see :data:`MAX_ARTICLE_CHARS`) before any work is done on it."""
    if len(article.raw_text) > MAX_ARTICLE_CHARS:
        raise ArticleRefusedError(
            f"article is {len(article.raw_text):,} characters long, over the limit of {MAX_ARTICLE_CHARS:,}"
        )
    return article


@dataclass(slots=True)
class StageStats:
    name: str
    seen: int = 0
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def require_text(article: Article) -> Article:
    """Refuse an article whose cleaning left no words (a page of boilerplate only)."""
    if not article.text.strip():
        raise EmptyArticleError("no article text left after removing boilerplate")
    return article


def per_article_stages(settings: Settings) -> list[tuple[str, ArticleStage]]:
    """The per-article stages of ingest, in order."""
    return [
        ("length", limit_length),
        ("clean", clean_article),
        ("require-text", require_text),
        ("outlet", outlet_stage),
        ("fingerprint", partial(fingerprint, settings=settings)),
    ]


def run_stages(
    article: Article, stages: Sequence[tuple[str, ArticleStage]], stats: dict[str, StageStats]
) -> Article | ReadFailure:
    """Run one article through the stages; a stage that fails turns it into a failure naming its source."""
    for name, stage in stages:
        stat = stats.setdefault(name, StageStats(name))
        stat.seen += 1
        started = time.perf_counter()
        try:
            article = stage(article)
        except Exception as exc:  # noqa: BLE001 - one bad article must never stop the run
            stat.dropped[type(exc).__name__] += 1
            reason = str(exc) if isinstance(exc, ArticleRefusedError) else f"{name} failed: {exc!r}"
            return ReadFailure(article.source, reason, article.extra.get("line"))
        finally:
            stat.seconds += time.perf_counter() - started
        stat.kept += 1
    return article


class IngestProgress(Protocol):
    def start(self, total_files: int) -> None: ...
    def advance(self, path: Path, counts: Counter[str]) -> None: ...
    def failure(self, failure: ReadFailure) -> None: ...
    def done(self, counts: Counter[str]) -> None:
        """The final counts: duplicates are grouped when a batch is written, after the last advance."""


@dataclass(slots=True)
class IngestReport:
    run: IngestRun
    counts: Counter[str]
    failures: list[ReadFailure]
    stages: dict[str, StageStats]
    seconds: float


class _Ingester:
    """The core of an ingest run: per-article stages, duplicate grouping, batches of one transaction."""

    def __init__(self, store: Store, settings: Settings, inputs: list[str], progress: IngestProgress | None):
        self.store = store
        self.settings = settings
        self.progress = progress
        self.run = store.start_run(inputs)
        self.counts: Counter[str] = Counter(files=0, read=0, stored=0, unchanged=0, duplicates=0, failed=0)
        self.failures: list[ReadFailure] = []
        self.stats: dict[str, StageStats] = {}
        self._index = DuplicateIndex.from_fingerprints(store.iter_fingerprints(), settings)
        self._batch: list[Article] = []
        self._batch_failures: list[ReadFailure] = []
        self._seen: set[str] = set()
        # Progress is told a file is done once its articles are through the stages, not when read.
        self._handed = 0  # new articles handed to the stages
        self._staged = 0  # ... and back from them
        self._files_read: deque[tuple[Path, int]] = deque()

    def fail(self, failure: ReadFailure) -> None:
        self.counts["failed"] += 1
        self.failures.append(failure)
        self._batch_failures.append(failure)
        if self.progress:
            self.progress.failure(failure)

    def new(self, pending: list[Article]) -> Iterator[Article]:
        """Of the articles read from one input, those not stored yet."""
        self.counts["read"] += len(pending)
        stored = self.store.existing_ids(a.id for a in pending)
        for article in pending:
            if article.id in stored or article.id in self._seen:
                self.counts["unchanged"] += 1
                continue
            self._seen.add(article.id)
            self._handed += 1
            yield article

    def file_read(self, path: Path) -> None:
        self._files_read.append((path, self._handed))

    def _report_files(self) -> None:
        while self._files_read and self._files_read[0][1] <= self._staged:
            path, _ = self._files_read.popleft()
            if self.progress:
                self.progress.advance(path, self.counts)

    def stage(self, articles: Iterable[Article], engine: Engine | None) -> None:
        """The new articles through the per-article stages (on the engine), into batches."""
        from .engines.local import LocalEngine
        from .engines.tasks import ingest_stages

        engine = engine or LocalEngine(1)
        # The stages need the fingerprint settings only: the database (a password, maybe) stays here.
        task = partial(ingest_stages, settings=replace(self.settings, db=""))
        for results, stats in engine.map_batches(task, articles, self.settings.batch_size):
            for name, stat in stats.items():
                total = self.stats.setdefault(name, StageStats(name))
                total.seen += stat.seen
                total.kept += stat.kept
                total.dropped.update(stat.dropped)
                total.seconds += stat.seconds
            for result in results:
                if isinstance(result, ReadFailure):
                    self.fail(result)
                    continue
                self.counts["stored"] += 1
                self._batch.append(result)
                if len(self._batch) >= self.settings.batch_size:
                    self.flush()
            self._staged += len(results)
            self._report_files()
        self._report_files()

    def flush(self) -> None:
        if self._batch or self._batch_failures:
            stored = self.store.write_batch(self.run.id, self._batch, self._batch_failures, group=self._group)
            self.counts["duplicates"] += sum(article.duplicate_of is not None for article in stored)
            self._batch.clear()
            self._batch_failures.clear()

    def _group(self, batch: Sequence[Article]) -> list[Article]:
        """Runs under the store's write lock: what other ingests on the same database stored up to now
        joins the index first, so a copy of an article they stored is grouped with it, whatever the race."""
        self._index.update(self.store.iter_fingerprints(after=self._index.last_seq))
        # An article another ingest stored meanwhile is stored already: it is not written again.
        return [self._index.assign(article) for article in batch if article.id not in self._index]

    def finish(self, started: float) -> IngestReport:
        self.flush()
        if self.progress:
            self.progress.done(self.counts)
        self.run.counts = dict(self.counts)
        self.store.finish_run(self.run)
        return IngestReport(self.run, self.counts, self.failures, self.stats, time.perf_counter() - started)


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings,
    progress: IngestProgress | None = None,
    *,
    engine: Engine | None = None,
) -> IngestReport:
    """Read, clean, fingerprint and group the articles under ``paths`` and store the new ones.

    Counts: ``files``, ``read`` (articles read), ``stored`` (new), ``unchanged`` (already stored, e.g. a
    re-ingest), ``duplicates`` (new articles grouped with an earlier one), ``failed`` (inputs not ingested).
    Each batch is one transaction, so an interrupted run keeps whole batches and a rerun finishes the job.
    Files are read here; the per-article stages run on ``engine`` (default: in this process).
    """
    started = time.perf_counter()
    inputs = [str(p) for p in paths]
    ingester = _Ingester(store, settings, inputs, progress)
    files = list(discover(inputs))
    if progress:
        progress.start(sum(1 for f in files if isinstance(f, Path)))
    ingester.stage(_read_new(ingester, files, settings), engine)
    return ingester.finish(started)


def _read_new(ingester: _Ingester, files: list[Path | ReadFailure], settings: Settings) -> Iterator[Article]:
    """The articles of every file not stored yet, read lazily as the stages ask for more."""
    for item in files:
        if isinstance(item, ReadFailure):
            ingester.fail(item)
            continue
        ingester.counts["files"] += 1
        pending: list[Article] = []
        for read in read_file(item, settings):
            if isinstance(read, ReadFailure):
                ingester.fail(read)
            else:
                pending.append(read)
                if len(pending) >= settings.batch_size:
                    # A WARC archive holds tens of thousands of pages: never keep a whole file's articles.
                    yield from ingester.new(pending)
                    pending = []
        yield from ingester.new(pending)
        ingester.file_read(item)


def ingest_articles(
    articles: Iterable[Article], store: Store, settings: Settings, *, inputs: Sequence[str] = ()
) -> IngestReport:
    """Store articles made in memory (by a benchmark's own reader, say) through the same stages,
    duplicate grouping and batches as :func:`ingest`; articles already stored are skipped."""
    started = time.perf_counter()
    ingester = _Ingester(store, settings, list(inputs), None)
    ingester.stage(ingester.new(list(articles)), None)
    return ingester.finish(started)

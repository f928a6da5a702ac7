"""What a stage is, how stages compose, and the ingest run that puts them together.

A per-article stage is a plain function ``Article -> Article``: it needs nothing but the article, so an
engine may run it anywhere, in any order. Corpus stages (here: duplicate grouping) see the articles one by
one *after* the per-article stages, in ingest order, with what the store already holds.

Order of an ingest run::

    discover files -> read (one file may hold many articles) -> skip ids already stored
      -> clean -> outlet name -> fingerprint       (per article)
      -> group duplicates                          (corpus)
      -> write in batches, one transaction each    (store)

Every stage counts what it kept and dropped and why, and how long it took.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from .config import Settings
from .ingest import discover, read_file
from .model import Article, ReadFailure
from .stages.clean import clean_article
from .stages.dedup import DuplicateIndex, fingerprint
from .stages.outlets import outlet_stage
from .store.base import IngestRun, Store

ArticleStage = Callable[[Article], Article]


class EmptyArticleError(ValueError):
    """Raised by a stage when nothing of an article is left to keep."""


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
            reason = str(exc) if isinstance(exc, EmptyArticleError) else f"{name} failed: {exc!r}"
            return ReadFailure(article.source, reason, article.extra.get("line"))
        finally:
            stat.seconds += time.perf_counter() - started
        stat.kept += 1
    return article


class IngestProgress(Protocol):
    def start(self, total_files: int) -> None: ...
    def advance(self, path: Path, counts: Counter[str]) -> None: ...
    def failure(self, failure: ReadFailure) -> None: ...


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
        self._stages = per_article_stages(settings)
        self._index = DuplicateIndex.from_fingerprints(store.iter_fingerprints(), settings)
        self._batch: list[Article] = []
        self._batch_failures: list[ReadFailure] = []
        self._seen: set[str] = set()

    def fail(self, failure: ReadFailure) -> None:
        self.counts["failed"] += 1
        self.failures.append(failure)
        self._batch_failures.append(failure)
        if self.progress:
            self.progress.failure(failure)

    def add(self, pending: list[Article]) -> None:
        """Articles read from one input: the new ones go through the stages into the next batch."""
        self.counts["read"] += len(pending)
        stored = self.store.existing_ids(a.id for a in pending)
        for article in pending:
            if article.id in stored or article.id in self._seen:
                self.counts["unchanged"] += 1
                continue
            self._seen.add(article.id)
            result = run_stages(article, self._stages, self.stats)
            if isinstance(result, ReadFailure):
                self.fail(result)
                continue
            result = self._index.assign(result)
            self.counts["stored"] += 1
            self.counts["duplicates"] += result.duplicate_of is not None
            self._batch.append(result)
            if len(self._batch) >= self.settings.batch_size:
                self.flush()

    def flush(self) -> None:
        if self._batch or self._batch_failures:
            self.store.write_batch(self.run.id, self._batch, self._batch_failures)
            self._batch.clear()
            self._batch_failures.clear()

    def finish(self, started: float) -> IngestReport:
        self.flush()
        self.run.counts = dict(self.counts)
        self.store.finish_run(self.run)
        return IngestReport(self.run, self.counts, self.failures, self.stats, time.perf_counter() - started)


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings,
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Read, clean, fingerprint and group the articles under ``paths`` and store the new ones.

    Counts: ``files``, ``read`` (articles read), ``stored`` (new), ``unchanged`` (already stored, e.g. a
    re-ingest), ``duplicates`` (new articles grouped with an earlier one), ``failed`` (inputs not ingested).
    Each batch is one transaction, so an interrupted run keeps whole batches and a rerun finishes the job.
    """
    started = time.perf_counter()
    inputs = [str(p) for p in paths]
    ingester = _Ingester(store, settings, inputs, progress)
    files = list(discover(inputs))
    if progress:
        progress.start(sum(1 for f in files if isinstance(f, Path)))
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
        ingester.add(pending)
        if progress:
            progress.advance(item, ingester.counts)
    return ingester.finish(started)


def ingest_articles(
    articles: Iterable[Article], store: Store, settings: Settings, *, inputs: Sequence[str] = ()
) -> IngestReport:
    """Store articles made in memory (by a benchmark's own reader, say) through the same stages,
    duplicate grouping and batches as :func:`ingest`; articles already stored are skipped."""
    started = time.perf_counter()
    ingester = _Ingester(store, settings, list(inputs), None)
    ingester.add(list(articles))
    return ingester.finish(started)

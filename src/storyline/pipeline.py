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
    run = store.start_run(inputs)
    counts: Counter[str] = Counter(files=0, read=0, stored=0, unchanged=0, duplicates=0, failed=0)
    failures: list[ReadFailure] = []
    stats: dict[str, StageStats] = {}
    stages = per_article_stages(settings)
    index = DuplicateIndex.from_fingerprints(store.iter_fingerprints(), settings)
    batch: list[Article] = []
    batch_failures: list[ReadFailure] = []
    seen_ids: set[str] = set()

    def fail(failure: ReadFailure) -> None:
        counts["failed"] += 1
        failures.append(failure)
        batch_failures.append(failure)
        if progress:
            progress.failure(failure)

    def flush() -> None:
        if batch or batch_failures:
            store.write_batch(run.id, batch, batch_failures)
            batch.clear()
            batch_failures.clear()

    files = list(discover(inputs))
    if progress:
        progress.start(sum(1 for f in files if isinstance(f, Path)))
    for item in files:
        if isinstance(item, ReadFailure):
            fail(item)
            continue
        counts["files"] += 1
        pending: list[Article] = []
        for read in read_file(item, settings):
            if isinstance(read, ReadFailure):
                fail(read)
            else:
                pending.append(read)
        counts["read"] += len(pending)
        stored = store.existing_ids(a.id for a in pending)
        for article in pending:
            if article.id in stored or article.id in seen_ids:
                counts["unchanged"] += 1
                continue
            seen_ids.add(article.id)
            result = run_stages(article, stages, stats)
            if isinstance(result, ReadFailure):
                fail(result)
                continue
            result = index.assign(result)
            counts["stored"] += 1
            counts["duplicates"] += result.duplicate_of is not None
            batch.append(result)
            if len(batch) >= settings.batch_size:
                flush()
        if progress:
            progress.advance(item, counts)
    flush()
    run.counts = dict(counts)
    store.finish_run(run)
    return IngestReport(run, counts, failures, stats, time.perf_counter() - started)

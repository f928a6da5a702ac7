"""The local engine: per-article work in this process, or in a pool of worker processes.

:meth:`LocalEngine.map_items` (the per-article analysis, the re-parse of articles the corpus dates) runs
in this process, or with several processes in worker processes that load spaCy once each and send back
only the results (:func:`in_workers`). :meth:`LocalEngine.map_batches` runs a function in this
process, batch after batch (ingest's cheap stages).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from .. import engines as package
from . import BatchFn, Engine, R, T, batched, cpu_count

# Starting worker processes costs a few seconds (each loads spaCy): below this many articles one process
# is faster.
MIN_ARTICLES_FOR_PROCESSES = 100


class LocalEngine(Engine):
    name = "local"

    def __init__(self, processes: int | None = None) -> None:
        if processes is not None and processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        self.processes = processes or cpu_count()
        self._chosen = processes is not None

    @property
    def workers(self) -> int:
        return 1

    def processes_for(self, articles: int) -> int:
        """How many spaCy processes to parse ``articles`` articles with: as many as asked for, or by
        default every core for a run large enough to gain from them."""
        if self._chosen or articles >= MIN_ARTICLES_FOR_PROCESSES:
            return self.processes
        return 1

    def close(self) -> None:
        """Nothing to release: worker processes end with the run that started them."""

    def map_batches(self, fn: BatchFn[T, R], items: Iterable[T], batch_size: int) -> Iterator[R]:
        for batch in batched(items, batch_size):
            yield fn(batch)

    def map_items(self, task: Callable[[list[T]], list[R]], items: Iterable[T], count: int) -> Iterator[R]:
        """In this process, or, for a run large enough (see :meth:`processes_for`), in worker processes
        that send back only the task's results (:func:`in_workers`)."""
        processes = self.processes_for(count)
        if processes > 1:
            yield from in_workers(task, items, processes)
        else:
            yield from super().map_items(task, items, count)


def in_workers(task: Callable[[list[T]], list[R]], items: Iterable[T], processes: int) -> Iterator[R]:
    """``task`` over batches of ``items`` (TASK_BATCH each) in ``processes`` worker processes; yields
    its results one per item, in order. At most two batches per worker are in flight, so memory does
    not grow with the run. Workers start by forkserver, from a clean process rather than a fork of this
    one (its threads, its open database); the task loads what it needs once per worker (spaCy:
    ``load_nlp`` caches it), and the forkserver loads spaCy's pipeline before it forks them
    (:mod:`storyline.engines.preload`), so they start with it."""
    context = multiprocessing.get_context("forkserver")
    # spaCy and the model loaded once, in the forkserver, rather than once per worker (see preload).
    context.set_forkserver_preload(["__main__", f"{package.__name__}.preload"])
    pool = ProcessPoolExecutor(processes, mp_context=context)
    pending: deque[Future[list[R]]] = deque()
    try:
        for batch in batched(items, package.TASK_BATCH):
            pending.append(pool.submit(task, batch))
            if len(pending) >= 2 * processes:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

"""Where the per-article work runs: in this process (``local``) or on a Ray cluster (``ray``).

An engine maps a function over the items of a run in batches and yields each batch's results **in input
order**, whoever computed them, so what is stored does not depend on the engine. At most a few batches
are in flight at once: a run over a corpus larger than memory streams through, and the caller writes each
batch as it comes back (one transaction each, so an interrupted run resumes).

The function must be picklable (a module-level function, or a ``functools.partial`` of one) and must take
what it needs as arguments; heavy state such as the spaCy pipeline is loaded lazily by the function itself
and cached per process (:func:`storyline.stages.nlp.load_nlp`), so every worker loads it once.

Corpus stages (duplicate grouping, dates from other articles, entities, events, the timeline) stay in the
driver and read the per-article results from the store.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from ..errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")

# A function of one batch; what it returns for the batch is yielded as is.
BatchFn = Callable[[list[T]], R]

ENGINES = ("local", "ray")
TASK_BATCH = 16  # items per task of Engine.map_items


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter); reads ``items`` lazily."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Engine(ABC):
    """Runs a function over batches of items, somewhere, and gives the results back in order."""

    name: str

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many batches run at the same time."""

    @abstractmethod
    def map_batches(self, fn: BatchFn[T, R], items: Iterable[T], batch_size: int) -> Iterator[R]:
        """``fn`` over consecutive batches of ``items``; yields what it returns for each, in input order."""

    def map_items(self, task: Callable[[list[T]], list[R]], items: Iterable[T], count: int) -> Iterator[R]:
        """``task`` over ``items`` in batches of TASK_BATCH, for work that is heavy per item (parsing);
        yields one result per item, in input order. ``count`` (how many items) lets an engine choose
        how to run them."""
        for results in self.map_batches(task, items, TASK_BATCH):
            yield from results

    @abstractmethod
    def close(self) -> None:
        """Release what the engine started (worker processes, a local Ray)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def cpu_count() -> int:
    """The cores this process may use (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def get_engine(
    name: str = "local", *, ray_address: str | None = None, processes: int | None = None
) -> Engine:
    """The engine called ``name``: ``local`` (``processes`` worker processes, default: every core) or
    ``ray`` (the cluster at ``ray_address``, default: a local Ray started here and stopped on close)."""
    if name == "local":
        if ray_address:
            raise ConfigError("--ray-address needs --engine ray")
        from .local import LocalEngine

        return LocalEngine(processes)
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(ray_address, workers=processes)
    raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")

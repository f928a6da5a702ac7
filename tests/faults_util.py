"""Helpers for fault tests: run storyline in a subprocess, kill it at a chosen point, compare databases.

A kill point is "once table T holds at least N rows, after a delay": the delay comes from a seeded random
generator, so the points vary between cases but a failing run can be repeated exactly.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from storyline import pipeline
from storyline.analyse import analyse
from storyline.config import Settings
from storyline.store import open_store

# Timestamps and run ids differ between any two runs; everything else must be the same.
IGNORED_COLUMNS = {"seq", "run_id", "ingested_at", "analysed_at", "inferred_at", "corrected_at", "applied_at"}
ARTICLE_TABLES = ("articles",)
ANALYSIS_TABLES = (
    "analyses",
    "mentions",
    "time_refs",
    "quotes",
    "entities",
    "mention_entities",
    "inferred_dates",
)

# Fork, not spawn: the child starts with storyline (and spaCy, once loaded) already imported, so it reaches
# the work to interrupt at once instead of after seconds of imports.
_FORK = multiprocessing.get_context("fork")


def ingest_job(db: Path, batch_size: int, inputs: list[Path], pause: float = 0.0) -> None:
    """What ``storyline ingest`` does, in a child process. ``pause`` seconds are spent inside each batch's
    write transaction, so a run lasts long enough to be killed on any machine, and a kill that lands then
    lands mid-transaction."""
    settings = Settings(db=db, batch_size=batch_size)
    with open_store(db) as store:
        if pause:
            write_batch = store.write_batch

            def slow_write(run_id: int, articles: Any, failures: Any, *, group: Any = None) -> Any:
                def paused(batch: Any) -> Any:
                    time.sleep(pause)
                    return group(batch) if group else list(batch)

                return write_batch(run_id, articles, failures, group=paused)

            store.write_batch = slow_write  # type: ignore[method-assign]
        pipeline.ingest(inputs, store, settings)


def analyse_job(db: Path, batch_size: int, pause: float = 0.0) -> None:
    """What ``storyline analyse`` does, in a child process, with small batches to interrupt; ``pause``
    seconds before each batch of analyses is written."""
    with open_store(db) as store:
        if pause:
            write_analyses = store.write_analyses

            def slow_write(*args: Any, **kwargs: Any) -> Any:
                time.sleep(pause)
                return write_analyses(*args, **kwargs)

            store.write_analyses = slow_write  # type: ignore[method-assign]
        analyse(store, batch_size=batch_size)


def start(job: Callable[..., None], *args: object) -> BaseProcess:
    """Run ``job(*args)`` in a forked child process."""
    process = _FORK.Process(target=job, args=args)
    process.start()
    return process


def count_rows(db: Path, table: str) -> int:
    """Rows in ``table``, 0 while the database or the table does not exist yet (or is locked)."""
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)) as check:
            return int(check.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0


@dataclass
class Kill:
    """Where a process was killed: how many rows of the watched table it had written, and whether it had
    already finished on its own (the kill then hit nothing)."""

    rows_at_kill: int
    finished_first: bool


def kill_at(process: BaseProcess, db: Path, table: str, rows: int, delay: float, timeout: float = 60) -> Kill:
    """SIGKILL ``process`` ``delay`` seconds after ``table`` of ``db`` holds ``rows`` rows."""
    deadline = time.monotonic() + timeout
    while process.is_alive() and count_rows(db, table) < rows and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    finished = not process.is_alive()
    if not finished:
        os.kill(process.pid or 0, signal.SIGKILL)
    process.join()
    return Kill(count_rows(db, table), finished)


def connect(db: Path) -> closing[sqlite3.Connection]:
    """A connection closed on leaving the block (sqlite3's own context manager only commits)."""
    return closing(sqlite3.connect(db))


def integrity(db: Path) -> str:
    with connect(db) as check:
        return str(check.execute("PRAGMA integrity_check").fetchone()[0])


def table_contents(db: Path, tables: tuple[str, ...]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of ``tables`` without timestamps and run ids, sorted: two runs that did the same work
    give equal contents."""
    contents: dict[str, list[tuple[object, ...]]] = {}
    with connect(db) as check:
        for table in tables:
            columns = [row[1] for row in check.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in columns if c not in IGNORED_COLUMNS]
            rows = check.execute(f"SELECT {', '.join(kept)} FROM {table}").fetchall()
            contents[table] = sorted(rows, key=repr)
    return contents


def article_ids(db: Path) -> list[str]:
    with connect(db) as check:
        return [row[0] for row in check.execute("SELECT id FROM articles ORDER BY seq")]

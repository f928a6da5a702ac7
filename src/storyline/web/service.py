"""The web app's view of the database: one cached :class:`ExportBundle`, rebuilt when the data changes.

Building the bundle (events and the timeline) takes seconds on a large corpus, so it is made once, in a
background thread at startup, and reused by every request. A long-lived watcher connection asks SQLite for
``PRAGMA data_version`` (which moves whenever another connection commits: a correction made here, or an
``ingest``/``analyse`` run from the command line); the next read after a change starts a rebuild in the
background and is answered from the previous snapshot meanwhile (pages say an update is under way). The
slow consequences of a correction (re-analysing an article, re-resolving entities) run on the same
background thread, before the rebuild, so a correction's POST returns at once.
Every read and write of the store itself goes through a short-lived store opened for that request, since
an SQLite connection belongs to the thread that opened it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from .. import __version__
from ..build import make_bundle
from ..config import is_database_url
from ..errors import StorylineError
from ..export.bundle import ExportBundle
from ..model import Article
from ..store import Store, open_store
from ..timeline import Event, Timeline, TimelineOptions

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(slots=True)
class Snapshot:
    """Everything the views read, as of one version of the database, with the view pieces made from it
    (event rows, coverage histograms) kept once made: they cannot change until the next snapshot."""

    version: int
    bundle: ExportBundle  # entries the user hid are kept, marked hidden
    articles: list[Article]  # every stored article, analysed or not
    notice: str | None = None  # why there is no timeline yet
    events_by_id: dict[str, Event] = field(default_factory=dict)
    articles_by_id: dict[str, Article] = field(default_factory=dict)
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # original id -> duplicate ids
    entity_articles: dict[str, list[str]] = field(default_factory=dict)  # entity id -> article ids
    memo: dict[Hashable, Any] = field(default_factory=dict)  # see remember()

    def __post_init__(self) -> None:
        self.events_by_id = {event.id: event for event in self.bundle.timeline.events}
        self.articles_by_id = {article.id: article for article in self.articles}
        for article in self.articles:
            if article.duplicate_of:
                self.duplicates.setdefault(article.duplicate_of, []).append(article.id)

    def index_entity_articles(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Entity id -> the articles mentioning it, in the snapshot's article order."""
        order = {article_id: n for n, article_id in enumerate(self.articles_by_id)}
        found: dict[str, set[str]] = defaultdict(set)
        for entity_id, article_id in pairs:
            if article_id in order:
                found[entity_id].add(article_id)
        self.entity_articles = {k: sorted(v, key=order.__getitem__) for k, v in found.items()}

    def remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed once per snapshot for ``key`` (two threads may both compute it: the
        results are equal, so the race costs time, never correctness)."""
        try:
            return self.memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self.memo[key] = make()
            return value

    def visible_bundle(self) -> ExportBundle:
        """The bundle as downloads show it: without the entries a user hid."""
        entries = [entry for entry in self.bundle.timeline.entries if not entry.hidden]
        return replace(self.bundle, timeline=replace(self.bundle.timeline, entries=entries))


class StoryService:
    """Owns the cached snapshot, hands out short-lived stores, and runs slow follow-up work in the background.

    One worker thread, so that the follow-ups of corrections (re-analysing an article, re-resolving
    entities) and the snapshot rebuilds run one at a time, in order. While it works, pages keep being
    served from the previous snapshot and say that an update is under way (:attr:`updating`).
    """

    def __init__(self, db: Path | str) -> None:
        self.db = db if is_database_url(db) else Path(db)
        # Opening a store first creates the file if needed and brings its schema up to date.
        open_store(self.db).close()
        self._watch_lock = threading.Lock()
        self._watcher: sqlite3.Connection | Store | None = None
        self._jobs_lock = threading.Lock()  # guards the executor, the job count and the queued rebuild
        self._executor: ThreadPoolExecutor | None = None
        self._jobs = 0  # submitted and not finished
        self._follow_ups = 0  # of which corrections' follow-ups
        self._rebuild_queued: Future[Snapshot] | None = None
        self._idle = threading.Condition(self._jobs_lock)
        self._snapshot: Snapshot | None = None
        self._stale = False
        self._failures: dict[str, str] = {}  # kind of job (follow-up, rebuild) -> why its last run failed

    def close(self) -> None:
        """Wait for the background work to end, then close the watcher (the app may be started again:
        it then opens new ones). Waiting matters: a job still running would find its store closed."""
        with self._jobs_lock:
            executor, self._executor = self._executor, None
            queued = self._rebuild_queued
        if queued is not None:
            queued.cancel()  # a rebuild not started yet is only a cache: nobody will read it now
        if executor is not None:
            if self._follow_ups:
                log.warning("finishing %d correction(s) before shutting down", self._follow_ups)
            executor.shutdown(wait=True)
        with self._watch_lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None

    @contextmanager
    def store(self) -> Iterator[Store]:
        """A store for one request or write, closed afterwards."""
        store = open_store(self.db)
        try:
            yield store
        finally:
            store.close()

    def data_version(self) -> int:
        with self._watch_lock:
            if self._watcher is None:
                self._watcher = self._open_watcher()
            if isinstance(self._watcher, sqlite3.Connection):
                return int(self._watcher.execute("PRAGMA data_version").fetchone()[0])
            return self._watcher.data_version()

    def _open_watcher(self) -> sqlite3.Connection | Store:
        if isinstance(self.db, Path):
            # An SQLite store's connection belongs to the thread that opened it; the watcher is shared
            # by request threads, so it is a connection of its own (the PRAGMA data_version() reads).
            return sqlite3.connect(self.db, check_same_thread=False, isolation_level=None)
        return open_store(self.db)

    # -- background work ---------------------------------------------------------------------------

    @property
    def updating(self) -> bool:
        """Whether a correction's follow-up or a rebuild is under way (pages show the previous data)."""
        return self._jobs > 0

    def _submit(self, kind: str, job: Callable[[], T]) -> Future[T]:
        def run() -> T:
            try:
                result = job()
            except BaseException as exc:
                log.error("background %s failed", kind, exc_info=exc)
                self._failures[kind] = f"the last {kind} failed: {exc}"
                raise
            self._failures.pop(kind, None)
            return result

        with self._jobs_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyline-update")
            self._jobs += 1
            future = self._executor.submit(run)
        future.add_done_callback(self._job_done)
        return future

    @property
    def failure(self) -> str | None:
        """Why the last correction follow-up or rebuild failed (until one of its kind succeeds)."""
        return "; ".join(self._failures.values()) or None

    def _job_done(self, future: Future[Any]) -> None:
        with self._idle:
            self._jobs -= 1
            self._idle.notify_all()

    def warm_up(self) -> Future[Snapshot]:
        """Build the first snapshot in the background, so the server answers while a large corpus loads."""
        return self._schedule_rebuild()

    def _schedule_rebuild(self, after_all: bool = False) -> Future[Snapshot]:
        """A rebuild after the jobs already queued; one queued rebuild serves every request asking
        (``after_all``: a new one behind every job queued, as a correction's follow-up needs)."""
        with self._jobs_lock:
            queued = self._rebuild_queued
            if not after_all and queued is not None and not queued.running() and not queued.done():
                return queued
        future = self._submit("rebuild", self._rebuild)
        with self._jobs_lock:
            self._rebuild_queued = future
        return future

    def _rebuild(self) -> Snapshot:
        current = self._snapshot
        if current is not None and self._follow_ups:
            return current  # another correction is queued, and a rebuild after it: build once, then
        version = self.data_version()
        if current is None or current.version != version or self._stale:
            self._stale = False
            current = self._snapshot = self._build(version)
        return current

    def follow_up(self, work: Callable[[Store], object]) -> Future[Snapshot]:
        """Run a correction's slow consequence (``work`` with a store of its own) in the background,
        then rebuild the snapshot; the write itself has already been stored."""

        def run() -> None:
            try:
                with self.store() as store:
                    work(store)
            finally:
                with self._jobs_lock:
                    self._follow_ups -= 1

        with self._jobs_lock:
            self._follow_ups += 1
        self._submit("correction follow-up", run)
        return self._schedule_rebuild(after_all=True)

    def invalidate(self) -> None:
        """Rebuild in the background (after a write made here; the watcher would notice it too)."""
        self._stale = True
        self._schedule_rebuild()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until the background work (and a rebuild for any change seen now) is done; tests use it."""
        if self._snapshot is not None and self.data_version() != self._snapshot.version:
            self._schedule_rebuild()
        with self._idle:
            return self._idle.wait_for(lambda: self._jobs == 0, timeout)

    def snapshot(self) -> Snapshot:
        """The current snapshot. When the database changed since it was made, a rebuild starts in the
        background and this one is served meanwhile; only the very first snapshot is waited for."""
        current = self._snapshot
        if current is None:
            return self._schedule_rebuild().result()
        if current.version != self.data_version() or self._stale:
            self._schedule_rebuild()
        return current

    def _build(self, version: int) -> Snapshot:
        notice = None
        with self.store() as store:
            try:
                bundle = make_bundle(store, TimelineOptions(show_hidden=True))
            except StorylineError as exc:  # nothing analysed yet: the tables still list what is stored
                notice = str(exc)
                bundle = ExportBundle(
                    timeline=Timeline(title="storyline", options=TimelineOptions()),
                    articles=[],
                    entities=store.list_entities(),
                    quotes=[],
                    generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    storyline_version=__version__,
                )
            analysed = {article.id for article in bundle.articles}
            articles = list(bundle.articles)
            articles += [a for a in store.iter_articles() if a.id not in analysed]
            mentions = self._entity_mentions(store, bundle.articles)
        snap = Snapshot(version=version, bundle=bundle, articles=articles, notice=notice)
        snap.index_entity_articles(mentions)
        return snap

    def _entity_mentions(self, store: Store, articles: list[Article]) -> list[tuple[str, str]]:
        """(entity id, article id) for every entity an analysed article mentions."""
        if isinstance(self.db, Path):
            # One query rather than one per article; a connection of its own (read only).
            with closing(sqlite3.connect(f"{self.db.resolve().as_uri()}?mode=ro", uri=True)) as db:
                rows = db.execute("SELECT DISTINCT entity_id, article_id FROM mention_entities")
                return [(str(e), str(a)) for e, a in rows]
        return [(e, a.id) for a in articles for e in set(store.entity_of(a.id).values())]

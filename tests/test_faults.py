"""Faults: processes killed at random points of an ingest and of an analyse, two ingests on one database
at once, and a full disk. After each: the database is intact, nothing is lost or doubled, and a rerun
gives what an uninterrupted run gives.

Builds on tests/test_pipeline.py (Ctrl-C and one SIGKILL during ingest); helpers are in faults_util.py.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from faults_util import (
    ANALYSIS_TABLES,
    ARTICLE_TABLES,
    analyse_job,
    article_ids,
    connect,
    count_rows,
    ingest_job,
    integrity,
    kill_at,
    start,
    table_contents,
)
from storyline import pipeline
from storyline.analyse import analyse
from storyline.cli import cli
from storyline.config import Settings
from storyline.errors import StoreError
from storyline.store import SQLiteStore, open_store
from test_pipeline import write_corpus

SEED = 20261124
BATCH = 5
# Seconds spent in each batch write of a child to be killed: at least 0.3 s for an ingest of 150 articles
# in batches of 5, longer than any kill delay below, so whether a kill lands does not depend on how fast
# the machine is.
PAUSE = 0.01


def ingest_in_process(db: Path, inputs: list[Path], batch_size: int = BATCH) -> pipeline.IngestReport:
    settings = Settings(db=db, batch_size=batch_size)
    with open_store(db) as store:
        return pipeline.ingest(inputs, store, settings)


def assert_whole_batches(db: Path, finished: bool) -> list[str]:
    assert integrity(db) == "ok"
    ids = article_ids(db)
    assert len(ids) == len(set(ids)), "no article stored twice"
    assert len(ids) % BATCH == 0 or finished, f"{len(ids)} articles: only whole batches of {BATCH} are kept"
    return ids


# --- SIGKILL --------------------------------------------------------------------------------------------


def test_sigkill_at_random_points_of_ingest_then_a_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in", 150)
    db = tmp_path / "killed.db"
    rng = random.Random(SEED)
    kept: list[str] = []
    killed = 0
    # Before anything is stored (start-up, migrations), early and late; each kill resumes the last run.
    for rows in (0, 20, 80):
        kill = kill_at(
            start(ingest_job, db, BATCH, [corpus], PAUSE), db, "articles", rows, rng.uniform(0, 0.05)
        )
        killed += not kill.finished_first
        if db.exists():
            # A kill can land after the last batch was written while the child is still exiting.
            ids = assert_whole_batches(db, kill.finished_first or kill.rows_at_kill == 151)
            assert ids[: len(kept)] == kept, "what an earlier run stored is still there"
            kept = ids
    assert killed >= 2

    rerun = ingest_in_process(db, [corpus])
    assert rerun.counts["unchanged"] == len(kept)
    clean = tmp_path / "clean.db"
    ingest_in_process(clean, [corpus])
    assert integrity(db) == "ok"
    assert len(article_ids(db)) == 151
    assert table_contents(db, ARTICLE_TABLES) == table_contents(clean, ARTICLE_TABLES)


@pytest.fixture(scope="module")
def ingested_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("example") / "ingested.db"
    # Part of the example corpus (pages and wire copy): enough for several batches, small enough for spaCy.
    example = EXAMPLES / "riverton-flood"
    ingest_in_process(db, [example / "web", example / "wire", example / "syndicated"])
    return db


@pytest.fixture(scope="module")
def analysed_example(ingested_example: Path) -> Path:
    """The same database analysed by one uninterrupted run: what every interrupted one must end as."""
    reference = ingested_example.with_name("analysed.db")
    shutil.copy(ingested_example, reference)
    with open_store(reference) as store:
        analyse(store)
    return reference


def test_sigkill_at_random_points_of_analyse_then_a_rerun_equals_an_uninterrupted_run(
    tmp_path: Path, ingested_example: Path, analysed_example: Path
) -> None:
    reference, db = analysed_example, tmp_path / "killed.db"
    shutil.copy(ingested_example, db)
    total = count_rows(db, "articles")
    rng = random.Random(SEED)
    killed = 0
    # At the start, between per-article batches of 2, and around the corpus stages that follow them.
    for rows in (0, total // 2, total):
        kill = kill_at(start(analyse_job, db, 2, 5 * PAUSE), db, "analyses", rows, rng.uniform(0, 0.1))
        killed += not kill.finished_first
        assert integrity(db) == "ok"
        assert kill.rows_at_kill % 2 == 0 or kill.rows_at_kill == total, "whole batches of analyses"
        assert count_rows(db, "articles") == total
    assert killed >= 2

    with open_store(db) as store:
        report = analyse(store)
    assert report.counts["analysed"] <= total
    assert integrity(db) == "ok"
    assert table_contents(db, ARTICLE_TABLES) == table_contents(reference, ARTICLE_TABLES)
    assert table_contents(db, ANALYSIS_TABLES) == table_contents(reference, ANALYSIS_TABLES)


def test_analyse_stopped_between_corpus_dates_and_their_time_references_is_completed_by_a_rerun(
    tmp_path: Path, ingested_example: Path, analysed_example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A kill here once left time references unanchored for good: the dates were stored first, and a
    # rerun did not infer a stored date again. Stopping at the last write stands for that kill.
    db = tmp_path / "stopped.db"
    shutil.copy(ingested_example, db)

    def killed(self: SQLiteStore, dates: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(SQLiteStore, "set_corpus_dates", killed)
    with open_store(db) as store, pytest.raises(KeyboardInterrupt):
        analyse(store)
    monkeypatch.undo()
    with open_store(db) as store:
        assert analyse(store).counts["dated-by-corpus"] >= 1
    assert table_contents(db, ANALYSIS_TABLES) == table_contents(analysed_example, ANALYSIS_TABLES)


# --- two ingests at once --------------------------------------------------------------------------------


def test_two_ingests_at_once_on_one_database_both_finish_without_duplicates(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in", 120)
    files = sorted(corpus.glob("*.txt"))
    db = tmp_path / "shared.db"
    # The middle 40 files are in both; an error such as "database is locked" would end a child with 1.
    processes = [start(ingest_job, db, BATCH, inputs) for inputs in (files[:80], files[40:])]
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    with connect(db) as check:
        runs = [json.loads(row[0]) for row in check.execute("SELECT counts FROM ingest_runs")]
    stored = sum(run["stored"] for run in runs)

    assert integrity(db) == "ok"
    ids = article_ids(db)
    assert len(ids) == len(set(ids)) == len(files) == 121
    assert stored >= len(files), "an article both stored is counted by each, but stored once"
    clean = tmp_path / "clean.db"
    ingest_in_process(clean, [corpus])
    ours, theirs = table_contents(db, ARTICLE_TABLES), table_contents(clean, ARTICLE_TABLES)
    # Which copy of 0000 came first depends on the race, so duplicate links are compared as groups.
    assert _groups(db) == _groups(clean)
    assert len(ours["articles"]) == len(theirs["articles"])


def _groups(db: Path) -> list[list[str]]:
    with connect(db) as check:
        rows = check.execute("SELECT source, coalesce(duplicate_of, id), id FROM articles").fetchall()
    by_canonical: dict[str, list[str]] = {}
    for source, canonical, _ in rows:
        by_canonical.setdefault(canonical, []).append(Path(source).name)
    return sorted(sorted(group) for group in by_canonical.values())


# --- a full disk ----------------------------------------------------------------------------------------


class _FullAfter(SQLiteStore):
    """A store whose database may grow by ``pages`` pages only: SQLite then fails with SQLITE_FULL, the
    same error a full disk gives."""

    pages = 120

    def __init__(self, path: Path, **kwargs: object) -> None:
        super().__init__(path, **kwargs)  # type: ignore[arg-type]
        used = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {used + self.pages}")


def test_a_full_disk_stops_the_run_with_one_line_naming_the_database_and_keeps_whole_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_corpus(tmp_path / "in", 200)
    db = tmp_path / "full.db"
    monkeypatch.setattr("storyline.store.open_store", lambda path: _FullAfter(Path(path)))
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--db", str(db), "--quiet"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and str(db) in errors[0] and "full" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    ids = assert_whole_batches(db, finished=False)
    assert 0 < len(ids) < 201

    monkeypatch.undo()  # space is freed
    rerun = ingest_in_process(db, [corpus], batch_size=100)
    assert rerun.counts["unchanged"] == len(ids)
    clean = tmp_path / "clean.db"
    ingest_in_process(clean, [corpus])
    assert table_contents(db, ARTICLE_TABLES) == table_contents(clean, ARTICLE_TABLES)


def test_a_full_disk_during_analyse_is_one_line_naming_the_database(
    tmp_path: Path, ingested_example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "full.db"
    shutil.copy(ingested_example, db)
    before = table_contents(db, ARTICLE_TABLES)
    monkeypatch.setattr(_FullAfter, "pages", 0)
    monkeypatch.setattr("storyline.store.open_store", lambda path: _FullAfter(Path(path)))
    result = CliRunner().invoke(cli, ["analyse", "--db", str(db), "--quiet"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and str(db) in errors[0] and "full" in errors[0], result.stderr
    assert integrity(db) == "ok" and count_rows(db, "analyses") == 0
    assert table_contents(db, ARTICLE_TABLES) == before


def test_a_real_full_disk_on_a_small_tmpfs(tmp_path: Path) -> None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the max_page_count test stands in for it")
    try:
        corpus = write_corpus(tmp_path / "in", 300)
        db = mount / "story.db"
        with pytest.raises(StoreError, match="full") as raised:
            ingest_in_process(db, [corpus])
        assert str(db) in str(raised.value)
        assert_whole_batches(db, finished=False)
        kept = article_ids(db)
        moved = tmp_path / "moved.db"  # space freed: the file moves to a larger disk
        with connect(db) as source, connect(moved) as target:
            source.backup(target)
        ingest_in_process(moved, [corpus])
        assert article_ids(moved)[: len(kept)] == kept and len(article_ids(moved)) == 301
    finally:
        if subprocess.run(["umount", str(mount)], check=False).returncode != 0:
            subprocess.run(["umount", "--lazy", str(mount)], check=False)

"""The ingest run: stage counts, interrupted runs that resume, and re-ingests that change nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyline import pipeline
from storyline.config import Settings
from storyline.export.records import article_record
from storyline.store import open_store

TOPICS = ["river", "council", "school", "harbour", "railway", "library", "market", "bridge"]


def write_corpus(root: Path, count: int) -> Path:
    """``count`` distinct short articles, one file each, plus one exact copy."""
    root.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        topic = TOPICS[n % len(TOPICS)]
        body = " ".join(f"The {topic} report number {n} notes item {k} of {n * 7 + k}." for k in range(12))
        (root / f"{n:04d}.txt").write_text(f"Report {n} on the {topic}\n\n{body}\n", encoding="utf-8")
    (root / "copy-of-0000.txt").write_text((root / "0000.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return root


def snapshot(db: Path) -> list[dict]:
    with open_store(db) as store:
        return sorted((article_record(a) for a in store.iter_articles()), key=lambda r: r["id"])


def test_counts_and_stage_statistics(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in", 10)
    (corpus / "junk.bin").write_bytes(b"\x00\x01\x02" * 100)
    settings = Settings(db=tmp_path / "s.db")
    with open_store(settings.db) as store:
        report = pipeline.ingest([corpus], store, settings)
    assert report.counts["files"] == 12
    assert report.counts["stored"] == 11 and report.counts["duplicates"] == 1
    assert report.counts["failed"] == 1 and "binary" in report.failures[0].reason
    assert report.stages["clean"].seen == 11 and report.stages["clean"].kept == 11
    assert report.stages["fingerprint"].seconds > 0


def test_an_article_with_only_boilerplate_is_reported_not_stored(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "widgets.txt").write_text("Follow us\n\nLeave a Reply\n\nMost Popular\n")
    settings = Settings(db=tmp_path / "s.db")
    with open_store(settings.db) as store:
        report = pipeline.ingest([tmp_path / "in"], store, settings)
        assert store.count_articles() == 0
    assert report.counts["failed"] == 1
    assert "no article text left" in report.failures[0].reason


def test_ctrl_c_keeps_whole_batches_and_a_rerun_finishes_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_corpus(tmp_path / "in", 25)
    settings = Settings(db=tmp_path / "interrupted.db", batch_size=4)
    real_fingerprint = pipeline.fingerprint
    calls = {"n": 0}

    def fingerprint_then_interrupt(article, settings):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 11:
            raise KeyboardInterrupt
        return real_fingerprint(article, settings)

    monkeypatch.setattr(pipeline, "fingerprint", fingerprint_then_interrupt)
    with open_store(settings.db) as store, pytest.raises(KeyboardInterrupt):
        pipeline.ingest([corpus], store, settings)
    with open_store(settings.db) as store:
        assert store.count_articles() == 8, "two whole batches of four, nothing of the third"
    monkeypatch.setattr(pipeline, "fingerprint", real_fingerprint)

    with open_store(settings.db) as store:
        rerun = pipeline.ingest([corpus], store, settings)
    assert rerun.counts["unchanged"] == 8 and rerun.counts["stored"] == 18

    clean = Settings(db=tmp_path / "clean.db", batch_size=4)
    with open_store(clean.db) as store:
        pipeline.ingest([corpus], store, clean)
    assert snapshot(settings.db) == snapshot(clean.db)


KILL_SCRIPT = """
import sys
from pathlib import Path
from storyline import pipeline
from storyline.config import Settings
from storyline.store import open_store
settings = Settings(db=Path(sys.argv[1]), batch_size=5)
with open_store(settings.db) as store:
    pipeline.ingest([sys.argv[2]], store, settings)
"""


def test_sigkill_mid_ingest_leaves_a_valid_database_and_a_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in", 300)
    db = tmp_path / "killed.db"
    process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(db), str(corpus)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as check:
                    if check.execute("SELECT count(*) FROM articles").fetchone()[0] >= 20:
                        break
            except sqlite3.Error:
                pass
        time.sleep(0.05)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()

    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = check.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert stored % 5 == 0 or stored == 301, "only whole batches are stored"

    settings = Settings(db=db, batch_size=5)
    with open_store(db) as store:
        pipeline.ingest([corpus], store, settings)
    clean = Settings(db=tmp_path / "clean.db", batch_size=5)
    with open_store(clean.db) as store:
        pipeline.ingest([corpus], store, clean)
    assert snapshot(db) == snapshot(clean.db)
    assert len(snapshot(db)) == 301


def test_progress_ends_with_the_final_counts_duplicates_included(tmp_path: Path) -> None:
    # Duplicates are grouped when a batch is written, after the last file was reported: the progress
    # display must still end on the counts the summary gives.
    from collections import Counter

    class Recorder:
        def __init__(self) -> None:
            self.last: Counter[str] = Counter()

        def start(self, total_files: int) -> None: ...

        def advance(self, path: Path, counts: Counter[str]) -> None:
            self.last = Counter(counts)

        def failure(self, failure: object) -> None: ...

        def done(self, counts: Counter[str]) -> None:
            self.last = Counter(counts)

    text = "Spillway opened\n\nEngineers opened the spillway of the dam on Monday after heavy rain.\n"
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(text + ("" if name == "a.txt" else "\n"), encoding="utf-8")
    recorder = Recorder()
    with open_store(tmp_path / "s.db") as store:
        report = pipeline.ingest([tmp_path], store, Settings(db=tmp_path / "s.db"), recorder)
    assert report.counts["duplicates"] == 1
    assert recorder.last["duplicates"] == report.counts["duplicates"]

"""What the corpus stages hold per article, on real articles: Python memory traced (tracemalloc) while
events and the timeline load the analysed articles, whole and as digests, and while the corpus-date
stage matches, with every other article's date hidden so that it has work to do.

It reads a topic database that ``storyline eval tls ../shared/datasets/timeline17 --work DIR`` built
(one per topic, e.g. DIR/bpoil.db) and works on a copy of it.

    .venv/bin/python bench/corpus_memory.py /tmp/t17work/bpoil.db
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sqlite3
import tempfile
import tracemalloc
from pathlib import Path

from storyline import analyse
from storyline.build import load_analysed
from storyline.stages import pubdate_corpus
from storyline.store import open_store


def traced_per_article(store: object, digests: bool, count: int) -> float:
    gc.collect()
    tracemalloc.start()
    items = load_analysed(store, digests=True) if digests else load_analysed(store)  # type: ignore[arg-type]
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(items) == count
    return held / count


def corpus_dates_per_article(db: Path, count: int) -> tuple[float, int]:
    """Traced memory when the corpus-date stage starts matching (everything it holds is built)."""
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE articles SET publication_date = NULL WHERE rowid % 2 = 0")
    seen: list[int] = []
    match_one = pubdate_corpus._infer_one

    def first_match(*args: object, **kwargs: object) -> object:
        if not seen:
            gc.collect()
            seen.append(tracemalloc.get_traced_memory()[0])
        return match_one(*args, **kwargs)

    pubdate_corpus._infer_one = first_match  # type: ignore[assignment]
    try:
        with open_store(db) as store:
            import spacy.lang.en.stop_words  # noqa: F401  (imported by the stage: not the articles' memory)

            gc.collect()
            tracemalloc.start()
            dated = analyse.infer_dates_from_corpus(store, analyse.stage_versions())
            tracemalloc.stop()
    finally:
        pubdate_corpus._infer_one = match_one  # type: ignore[assignment]
    return (seen[0] / count if seen else 0.0), dated


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", type=Path, help="a topic database built by storyline eval tls --work DIR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "copy.db"
        shutil.copyfile(args.db, db)
        with open_store(db) as store:
            count = len(store.analysis_state())
            whole = traced_per_article(store, False, count)
            try:
                digests: float | None = traced_per_article(store, True, count)
            except TypeError:  # a storyline before digests (to compare)
                tracemalloc.stop()
                digests = None
        dates, dated = corpus_dates_per_article(db, count)
    print(f"{args.db.name}: {count} analysed articles; traced Python memory per article:")
    print(f"  load_analysed, whole articles   {whole / 1024:6.1f} KB")
    if digests is not None:
        print(f"  load_analysed, digests          {digests / 1024:6.1f} KB  (what storyline build holds)")
    print(f"  corpus dates, when matching     {dates / 1024:6.1f} KB  ({dated} articles dated by the corpus)")


if __name__ == "__main__":
    main()

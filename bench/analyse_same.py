"""Does a speed change keep the analysis the same? Ingest and analyse a fixed Timeline17 sample, dump
every computed table, compare with a reference dump.

Reads ../shared/datasets/timeline17 at run time (nothing copied into the repository). The sample is whole
topic folders in a seeded order (the corpus stages need the company of the articles around each one);
every third article has its folder date hidden, so dating from the text and from the corpus run too.
The dump holds analyses (without the time of analysis), mentions, time references, quotes, entities,
entity links and inferred dates (without their timestamps), each sorted.

    .venv/bin/python bench/analyse_same.py --limit 300 --dump /tmp/ref.json            # reference
    .venv/bin/python bench/analyse_same.py --limit 300 --dump /tmp/new.json --compare /tmp/ref.json

Also prints the CPU seconds (user + system, this process and its children) of ingest and analyse.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from pubdate_t17 import T17, load

from storyline.config import Settings
from storyline.evaluate.tls import detokenise
from storyline.model import Article, DateMethod, DatePrecision, DateValue, FieldMethod

TABLES = {
    "analyses": "SELECT article_id, content_id, versions, sentences FROM analyses",
    "mentions": "SELECT * FROM mentions",
    "time_refs": "SELECT * FROM time_refs",
    "quotes": "SELECT * FROM quotes",
    "entities": "SELECT * FROM entities",
    "mention_entities": "SELECT * FROM mention_entities",
    "inferred_dates": "SELECT article_id, date FROM inferred_dates",
}


RUSAGE = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sample(limit: int, seed: int) -> list[Article]:
    articles = []
    for number, (_topic, date, path) in enumerate(load(limit, seed)):
        stated = DateValue(date.isoformat(), DatePrecision.DAY, DateMethod.METADATA, evidence="folder")
        articles.append(
            Article(
                source=str(path),
                raw_text=detokenise(path.read_text(encoding="utf-8", errors="replace")),
                outlet=path.parts[-4].split("_", 1)[-1],
                outlet_method=FieldMethod.METADATA,
                publication_date=None if number % 3 == 2 else stated,
            )
        )
    return articles


def dump(db: Path) -> dict[str, list[list[object]]]:
    with sqlite3.connect(db) as conn:
        return {name: sorted(map(list, conn.execute(sql)), key=repr) for name, sql in TABLES.items()}


def compare(
    new: dict[str, list[list[object]]], ref: dict[str, list[list[object]]], names: list[str] | None = None
) -> int:
    """Print, per table (``names``, default: TABLES), the rows only one side has; return their count."""
    differences = 0
    for name in names or list(TABLES):
        a, b = {repr(r) for r in ref.get(name, [])}, {repr(r) for r in new.get(name, [])}
        gone, added = sorted(a - b), sorted(b - a)
        print(f"{name:17} {len(b):6} rows, {len(gone)} only in the reference, {len(added)} only in this run")
        for row in gone[:5]:
            print(f"   - {row[:300]}")
        for row in added[:5]:
            print(f"   + {row[:300]}")
        differences += len(gone) + len(added)
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--dump", type=Path, help="write the computed tables here (JSON)")
    parser.add_argument("--compare", type=Path, help="a reference dump to compare with")
    parser.add_argument("--db", type=Path, help="keep the database here (default: a temporary one)")
    args = parser.parse_args()
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}", file=sys.stderr)
        return 2
    from storyline.analyse import analyse
    from storyline.pipeline import ingest_articles
    from storyline.store import open_store

    articles = sample(args.limit, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "same.db"
        if db.exists():
            db.unlink()
        settings = Settings(db=db)
        with open_store(db) as store:
            cpu, wall = cpu_seconds(), time.perf_counter()
            ingest_articles(articles, store, settings)
            ingest_cpu, ingest_wall = cpu_seconds() - cpu, time.perf_counter() - wall
            cpu, wall = cpu_seconds(), time.perf_counter()
            report = analyse(store, n_process=args.n_process)
            analyse_cpu, analyse_wall = cpu_seconds() - cpu, time.perf_counter() - wall
        n = len(articles)
        print(f"{n} articles, {args.n_process} process(es)")
        for part, cpu, wall in (("ingest", ingest_cpu, ingest_wall), ("analyse", analyse_cpu, analyse_wall)):
            print(f"{part:8} {cpu:7.1f} CPU s ({cpu / n * 1000:6.1f} ms/article), {wall:.1f} s wall")
        print("analyse parts (wall s):", {k: round(v, 2) for k, v in report.seconds.items()})
        own, children = (resource.getrusage(who).ru_maxrss // 1024 for who in RUSAGE)
        print(f"peak memory: {own} MB (this process), {children} MB (largest worker process)")
        tables = dump(db)
    if args.dump:
        args.dump.write_text(json.dumps(tables), encoding="utf-8")
    if args.compare:
        differences = compare(tables, json.loads(args.compare.read_text(encoding="utf-8")))
        print("SAME" if not differences else f"{differences} rows differ")
        return 1 if differences else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

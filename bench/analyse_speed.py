"""Articles per second of each per-article stage, measured on Timeline17's real articles.

Reads ../shared/datasets/timeline17 at run time (nothing copied into the repository). Each article is
detokenised, cleaned, parsed with spaCy (one process and two), then every NLP part runs on the parsed
documents and is timed on its own. Prints a table: wall seconds and articles per second, and CPU seconds
(user + system, this process and its worker processes) per article, the figure to trust on a busy machine.
End to end (ingest + analyse, corpus stages included): bench/analyse_same.py.

Each spaCy component is also timed on its own (one process): where the parse's time goes. Set
``STORYLINE_SPACY_FAST=0`` to time spaCy's own code instead of storyline's faster loops (stages/nlp_speed.py).

``--engine local,ray`` also times the per-article part of ``storyline analyse`` (parse, entities, dates,
quotes, stored in batches) on each engine, over the same articles ingested into a scratch database. Ray's
start is timed apart; its workers' CPU is not visible from here (shown as nan).

    .venv/bin/python bench/analyse_speed.py --limit 400
    .venv/bin/python bench/analyse_speed.py --limit 300 --engine local,ray
    STORYLINE_SPACY_FAST=0 .venv/bin/python bench/analyse_speed.py --limit 200
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pubdate_t17 import T17, detokenise

from storyline.model import Article
from storyline.stages.clean import clean_article
from storyline.stages.entities import find_mentions
from storyline.stages.nlp import load_nlp
from storyline.stages.pubdate import infer_from_text
from storyline.stages.quotes import find_quotes
from storyline.stages.timex import find_time_refs


def cpu_seconds() -> float:
    """User + system seconds of this process and of its finished children (spaCy's worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Timer:
    def __init__(self, rows: list[tuple[str, float, float, int]]) -> None:
        self.rows = rows

    def __call__(self, name: str, count: int) -> Timer:
        self.name, self.count = name, count
        return self

    def __enter__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def __exit__(self, *_: object) -> None:
        wall, cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu
        self.rows.append((self.name, wall, cpu, self.count))


def time_components(nlp: Any, texts: list[str], timed: Timer) -> None:
    """Each pipeline component on its own, in spaCy's batches of 16 (the tokenizer first)."""
    with timed("  spaCy tokenizer", len(texts)):
        docs = [nlp.make_doc(text) for text in texts]
    for name, component in nlp.pipeline:
        with timed(f"  spaCy {name} ({type(component).__name__})", len(docs)):
            docs = list(component.pipe(docs, batch_size=16))


def time_engines(
    raw: list[tuple[str, str]], names: list[str], rows: list[tuple[str, float, float, int]]
) -> None:
    """The per-article part of ``analyse`` on each engine, from a scratch database of the same articles."""
    from storyline.analyse import analyse
    from storyline.config import Settings
    from storyline.engines import get_engine
    from storyline.pipeline import ingest_articles
    from storyline.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            db = Path(tmp) / f"{name}.db"
            with open_store(db) as store:
                ingest_articles((Article(source=s, raw_text=t) for s, t in raw), store, Settings(db=db))
                started, cpu = time.perf_counter(), cpu_seconds()
                with get_engine(name) as engine:
                    ready = time.perf_counter()
                    report = analyse(store, engine=engine)
                    workers = engine.processes_for(len(raw)) if name == "local" else engine.workers
                count = report.counts["analysed"]
                if name == "ray":
                    rows.append(("ray: start a local Ray", ready - started, float("nan"), 1))
                    cpu = float("nan")
                else:
                    cpu = cpu_seconds() - cpu
                label = f"analyse on {name}, {workers} worker(s)"
                rows.append((label, report.seconds["per-article"], cpu, count))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=400, help="articles to sample (default 400)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--engine", default="", help="also time analyse on these engines, comma-separated: local,ray"
    )
    args = parser.parse_args()
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}", file=sys.stderr)
        return 2
    files = sorted(T17.glob("*/InputDocs/*/*.txt"))
    random.Random(args.seed).shuffle(files)
    files = files[: args.limit]
    raw = [(str(p), detokenise(p.read_text(encoding="utf-8", errors="replace"))) for p in files]
    rows: list[tuple[str, float, float, int]] = []
    timed = Timer(rows)

    with timed("clean", len(raw)):
        articles = [clean_article(Article(source=s, raw_text=t)) for s, t in raw]
    words = sum(a.words for a in articles)

    nlp = load_nlp()
    texts = [a.text for a in articles]
    time_components(nlp, texts, timed)
    for processes in (1, 2):
        with timed(f"spaCy parse, {processes} process(es)", len(texts)):
            docs = list(nlp.pipe(texts, batch_size=16, n_process=processes))

    with timed("entities (on parsed docs)", len(docs)):
        mentions = [find_mentions(doc) for doc in docs]
    with timed("time expressions", len(docs)):
        for article, doc in zip(articles, docs, strict=True):
            find_time_refs(doc, article.publication_date)
    with timed("quotes", len(docs)):
        for doc, found in zip(docs, mentions, strict=True):
            find_quotes(doc, found)
    with timed("publication date from text", len(docs)):
        for article, doc in zip(articles, docs, strict=True):
            infer_from_text(article, doc)
    if args.engine:
        time_engines(raw, [name.strip() for name in args.engine.split(",")], rows)

    print(f"{len(articles)} Timeline17 articles, {words} words after cleaning\n")
    print(f"{'part':50} {'seconds':>8} {'articles/s':>11} {'CPU ms/article':>15}")
    for name, seconds, cpu, count in rows:
        print(f"{name:50} {seconds:8.2f} {count / seconds:11.1f} {cpu / count * 1000:15.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

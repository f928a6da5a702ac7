"""Publication-date inference measured on Timeline17 with the dates hidden.

Reads ../shared/datasets/timeline17/<topic>/InputDocs/<YYYY-MM-DD>/*.txt at run time (nothing is copied
into the repository): the folder is the true date. Each article is detokenised lightly, cleaned, parsed,
dated from its own text, then from the corpus (one corpus per topic folder). Prints the share within one
day, the share exact, the share given with confidence >= 0.8 and its accuracy, a calibration table and
the throughput.

    .venv/bin/python bench/pubdate_t17.py --limit 300
    .venv/bin/python bench/pubdate_t17.py --n-process 2          # all 4,200 articles
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

from storyline.evaluate.tls import detokenise
from storyline.model import Article
from storyline.stages.clean import clean_article
from storyline.stages.nlp import load_nlp
from storyline.stages.pubdate import content_keys, infer_from_corpus, infer_from_text
from storyline.stages.timex import find_time_refs

T17 = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "timeline17"


def load(limit: int | None, seed: int) -> list[tuple[str, dt.date, Path]]:
    files = sorted(T17.glob("*/InputDocs/*/*.txt"))
    rows = [(path.parts[-4], dt.date.fromisoformat(path.parts[-2]), path) for path in files]
    if limit is not None and limit < len(rows):
        # Whole topic folders, in a random order, until the limit: the corpus stage needs the company
        # of the articles around each one (a thin random sample would starve it).
        topics = sorted({topic for topic, _, _ in rows})
        random.Random(seed).shuffle(topics)
        order = {topic: rank for rank, topic in enumerate(topics)}
        rows = sorted(rows, key=lambda row: (order[row[0]], row[1], str(row[2])))[:limit]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--n-process", type=int, default=1)
    args = parser.parse_args(argv)
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    rows = load(args.limit, args.seed)
    started = time.perf_counter()
    articles = [
        clean_article(Article(source=str(path), raw_text=detokenise(path.read_text(errors="replace"))))
        for _, _, path in rows
    ]
    nlp = load_nlp()
    docs = nlp.pipe((a.text for a in articles), batch_size=32, n_process=args.n_process)
    by_topic: dict[str, list[int]] = defaultdict(list)
    dated: list[Article] = []
    items = []
    for index, (article, doc) in enumerate(zip(articles, docs, strict=True)):
        article = article.evolve(publication_date=None)  # hidden, whatever the cleaner read
        inferred = infer_from_text(article, doc, today=dt.date(2026, 1, 1))
        article = article.evolve(publication_date=inferred)
        anchor = inferred if inferred is not None and inferred.day else None
        dated.append(article)
        items.append((article, find_time_refs(doc, anchor), content_keys(doc)))
        by_topic[rows[index][0]].append(index)
    text_done = time.perf_counter()
    final = {i: a.publication_date for i, a in enumerate(dated)}
    text_only = dict(final)
    for indices in by_topic.values():
        corpus = infer_from_corpus([items[i] for i in indices])
        for i in indices:
            found = corpus.get(dated[i].id)
            if found is not None:
                final[i] = found
    elapsed = time.perf_counter() - started
    report(rows, text_only, "text only")
    report(rows, final, "text + corpus")
    print(f"articles: {len(rows)}  time: {elapsed:.1f} s (text stage {text_done - started:.1f} s)  "
          f"articles/s: {len(rows) / elapsed:.1f}")  # fmt: skip
    return 0


def report(rows, dates, label: str) -> None:
    n = len(rows)
    within = exact = sure = sure_right = given = 0
    buckets: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for index, (_, truth, _) in enumerate(rows):
        value = dates.get(index)
        if value is None or value.day is None:
            continue
        given += 1
        gap = abs((dt.date.fromisoformat(value.day) - truth).days)
        within += gap <= 1
        exact += gap == 0
        bucket = min(int(value.confidence * 10) / 10, 0.9)
        buckets[bucket][0] += 1
        buckets[bucket][1] += gap <= 1
        if value.confidence >= 0.8:
            sure += 1
            sure_right += gap <= 1
    print(
        f"[{label}] dated to a day: {given / n:.1%}  within 1 day: {within / n:.1%}  exact: {exact / n:.1%}  "
        f"confidence>=0.8: {sure / n:.1%} of articles, {sure_right / max(sure, 1):.1%} right (within 1 day)"
    )
    print("  calibration (confidence bucket: n, share within 1 day): " + ", ".join(
        f"{b:.1f}: {c[0]}, {c[1] / c[0]:.0%}" for b, c in sorted(buckets.items())))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())

"""Articles per second of each per-article stage, measured on Timeline17's real articles.

Reads ../shared/datasets/timeline17 at run time (nothing copied into the repository). Each article is
detokenised, cleaned, parsed with spaCy (one process and two), then every NLP part runs on the parsed
documents and is timed on its own. Prints a table.

    .venv/bin/python bench/analyse_speed.py --limit 400
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from pubdate_t17 import T17, detokenise

from storyline.model import Article
from storyline.stages.clean import clean_article
from storyline.stages.entities import find_mentions
from storyline.stages.nlp import load_nlp
from storyline.stages.pubdate import infer_from_text
from storyline.stages.quotes import find_quotes
from storyline.stages.timex import find_time_refs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=400, help="articles to sample (default 400)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}", file=sys.stderr)
        return 2
    files = sorted(T17.glob("*/InputDocs/*/*.txt"))
    random.Random(args.seed).shuffle(files)
    files = files[: args.limit]
    raw = [(str(p), detokenise(p.read_text(encoding="utf-8", errors="replace"))) for p in files]
    rows: list[tuple[str, float, int]] = []

    started = time.perf_counter()
    articles = [clean_article(Article(source=s, raw_text=t)) for s, t in raw]
    rows.append(("clean", time.perf_counter() - started, len(articles)))
    words = sum(a.words for a in articles)

    nlp = load_nlp()
    texts = [a.text for a in articles]
    for processes in (1, 2):
        started = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=16, n_process=processes))
        rows.append((f"spaCy parse, {processes} process(es)", time.perf_counter() - started, len(docs)))

    started = time.perf_counter()
    mentions = [find_mentions(doc) for doc in docs]
    rows.append(("entities (on parsed docs)", time.perf_counter() - started, len(docs)))
    started = time.perf_counter()
    for article, doc in zip(articles, docs, strict=True):
        find_time_refs(doc, article.publication_date)
    rows.append(("time expressions", time.perf_counter() - started, len(docs)))
    started = time.perf_counter()
    for doc, found in zip(docs, mentions, strict=True):
        find_quotes(doc, found)
    rows.append(("quotes", time.perf_counter() - started, len(docs)))
    started = time.perf_counter()
    for article, doc in zip(articles, docs, strict=True):
        infer_from_text(article, doc)
    rows.append(("publication date from text", time.perf_counter() - started, len(docs)))

    print(f"{len(articles)} Timeline17 articles, {words} words after cleaning\n")
    print(f"{'part':34} {'seconds':>8} {'articles/s':>11}")
    for name, seconds, count in rows:
        print(f"{name:34} {seconds:8.2f} {count / seconds:11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

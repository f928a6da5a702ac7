"""Publication-date inference measured on Timeline17 with the dates hidden.

Reads ../shared/datasets/timeline17/<topic>/InputDocs/<YYYY-MM-DD>/*.txt at run time (nothing is copied
into the repository): the folder is the true date. Each article is detokenised lightly, cleaned, parsed,
dated from its own text, then from the corpus (one corpus per topic folder). Prints the share within one
day, the share exact, the share given with confidence >= 0.8 and its accuracy, a calibration table and
the throughput, for all topics and for a dev half (tuned on) and a test half (not tuned on) of them.

The parse is the slow part; ``--cache FILE`` pickles the parsed docs (a spaCy DocBin) with what depends
only on the parse (content keys, sentences, entity mentions), and later runs load it and run only the
text stage (dates from the article's own words, time references: under a minute for 1,500 articles)
and the corpus stage, so a change to either needs no new parse.

    .venv/bin/python bench/pubdate_t17.py --limit 300
    .venv/bin/python bench/pubdate_t17.py --n-process 2 --cache /tmp/t17.pkl   # all 4,200 articles
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import random
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

from storyline.analysis import Sentence
from storyline.evaluate.tls import detokenise
from storyline.model import Article
from storyline.stages import pubdate_corpus
from storyline.stages.clean import clean_article
from storyline.stages.entities import find_mentions
from storyline.stages.nlp import load_nlp
from storyline.stages.pubdate import CorpusArticle, content_keys, infer_from_corpus, infer_from_text
from storyline.stages.timex import find_time_refs

T17 = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "timeline17"
CACHE_VERSION = 3
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "NUM", "ADJ"})


def load(limit: int | None, seed: int, topics: set[str] | None = None) -> list[tuple[str, dt.date, Path]]:
    files = sorted(T17.glob("*/InputDocs/*/*.txt"))
    rows = [(path.parts[-4], dt.date.fromisoformat(path.parts[-2]), path) for path in files]
    if topics:
        rows = [row for row in rows if row[0] in topics]
    if limit is not None and limit < len(rows):
        # Whole topic folders, in a random order, until the limit: the corpus stage needs the company
        # of the articles around each one (a thin random sample would starve it).
        topics = sorted({topic for topic, _, _ in rows})
        random.Random(seed).shuffle(topics)
        order = {topic: rank for rank, topic in enumerate(topics)}
        rows = sorted(rows, key=lambda row: (order[row[0]], row[1], str(row[2])))[:limit]
    return rows


def parse(rows, n_process: int) -> dict:
    """The slow part: clean and parse; what depends only on the parse (keys, sentences, mentions and,
    for experiments, the content tokens: offset, lemma, part of speech) is kept with the parsed docs."""
    from spacy.tokens import DocBin

    articles = [
        clean_article(Article(source=str(path), raw_text=detokenise(path.read_text(errors="replace"))))
        for _, _, path in rows
    ]
    nlp = load_nlp()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=32, n_process=n_process))
    tokens = [
        [(t.idx, t.lemma_.lower(), t.pos_) for t in doc if t.pos_ in _CONTENT_POS and not t.is_stop]
        for doc in docs
    ]
    return {
        "articles": [a.evolve(publication_date=None) for a in articles],  # hidden, whatever the cleaner read
        "docs": DocBin(docs=docs).to_bytes(),
        "keys": [content_keys(doc) for doc in docs],
        "sentences": [[Sentence(s.start_char, s.end_char) for s in doc.sents] for doc in docs],
        "mentions": [find_mentions(doc) for doc in docs],
        "tokens": tokens,
    }


def date_from_text(entry: dict) -> list[CorpusArticle]:
    """The text stage, run anew on the stored parse (so a change to it needs no new parse): the date
    the text implies, and the time references anchored on it."""
    from spacy.tokens import DocBin

    docs = DocBin().from_bytes(entry["docs"]).get_docs(load_nlp().vocab)
    items = []
    for index, (article, doc) in enumerate(zip(entry["articles"], docs, strict=True)):
        inferred = infer_from_text(article, doc, today=dt.date(2026, 1, 1))
        article = article.evolve(publication_date=inferred)
        anchor = inferred if inferred is not None and inferred.day else None
        items.append(
            CorpusArticle(
                article,
                find_time_refs(doc, anchor),
                entry["keys"][index],
                entry["sentences"][index],
                entry["mentions"][index],
            )
        )
    return items


def parse_cached(rows, n_process: int, cache: Path | None) -> tuple[list[CorpusArticle], float]:
    """:func:`parse` topic by topic, each topic stored in ``cache`` as soon as it is parsed (an
    interrupted run resumes; a later run only loads), then the text stage on every topic. Returns the
    articles and the seconds the parse (or the load) took."""
    started = time.perf_counter()
    stored: dict = {"version": CACHE_VERSION, "topics": {}}
    if cache is not None and cache.exists():
        with cache.open("rb") as handle:
            stored = pickle.load(handle)  # noqa: S301 - our own file
        if stored.get("version") != CACHE_VERSION:
            stored = {"version": CACHE_VERSION, "topics": {}}
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_topic[row[0]].append(index)
    entries = {}
    for topic, indices in by_topic.items():
        sources = [str(rows[i][2]) for i in indices]
        entry = stored["topics"].get(topic)
        if entry is None or entry["sources"] != sources:
            entry = parse([rows[i] for i in indices], n_process)
            entry["sources"] = sources
            stored["topics"][topic] = entry
            if cache is not None:
                with cache.open("wb") as handle:
                    pickle.dump(stored, handle, protocol=pickle.HIGHEST_PROTOCOL)
        entries[topic] = entry
    parsed = time.perf_counter() - started
    items: list[CorpusArticle | None] = [None] * len(rows)
    for topic, indices in by_topic.items():
        for i, item in zip(indices, date_from_text(entries[topic]), strict=True):
            items[i] = item
    return items, parsed  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--no-anchoring", action="store_true", help="without sentence anchoring (to compare)")
    parser.add_argument("--topics", default="", help="comma-separated topic folders (default: all)")
    parser.add_argument(
        "--cache", type=Path, default=None, help="pickle of the parsed corpus (made if absent)"
    )
    args = parser.parse_args(argv)
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    if args.no_anchoring:
        pubdate_corpus.ANCHOR_WEIGHT = pubdate_corpus.ANCHOR_CONFIDENCE = 0.0
    rows = load(args.limit, args.seed, set(filter(None, args.topics.split(","))))
    started = time.perf_counter()
    items, parse_seconds = parse_cached(rows, args.n_process, args.cache)
    text_done = time.perf_counter()
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_topic[row[0]].append(index)
    text_only = {i: item.article.publication_date for i, item in enumerate(items)}
    final = dict(text_only)
    for indices in by_topic.values():
        corpus = infer_from_corpus([items[i] for i in indices])
        for i in indices:
            found = corpus.get(items[i].article.id)
            if found is not None:
                final[i] = found
    elapsed = time.perf_counter() - started
    # Dev and test halves by topic (alternate topic folders of the whole set): tune on dev, read test.
    every = sorted(path.name for path in T17.iterdir() if path.is_dir())
    dev = {t for k, t in enumerate(every) if k % 2 == 0}
    for label, keep in (("all", None), ("dev", dev), ("test", set(every) - dev)):
        subset = [i for i, row in enumerate(rows) if keep is None or row[0] in keep]
        print(f"== {label} topics ({len(subset)} articles)")
        report(rows, subset, text_only, "text only")
        report(rows, subset, final, "text + corpus")
    text_seconds = text_done - started - parse_seconds
    print(f"articles: {len(rows)}  time: {elapsed:.1f} s (parse or cache {parse_seconds:.1f} s, text stage "
          f"{text_seconds:.1f} s, corpus stage {elapsed - (text_done - started):.1f} s)")  # fmt: skip
    return 0


def report(rows, subset: list[int], dates, label: str) -> None:
    n = len(subset) or 1
    within = exact = sure = sure_right = given = 0
    buckets: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for index in subset:
        truth = rows[index][1]
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

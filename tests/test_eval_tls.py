"""``storyline eval tls``: the Timeline17 reader, the published setting, the scoring, and a small slice of
the real benchmark (../shared, read at run time, never copied here; skipped when absent)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from storyline.evaluate import tls
from storyline.model import DateMethod

T17 = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "timeline17"

pytest.importorskip("tilse", reason="the eval extra (tilse) is not installed")

D = dt.date


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """A tiny dataset in the Timeline17 layout: one topic in two sources, one other topic."""
    root = tmp_path / "t17"
    _write(
        root / "Dam_north" / "InputDocs" / "2021-03-04" / "a1.htm.txt",
        "Engineers open the spillway of the Riverton dam -LRB- the old one -RRB- .\n"
        "`` We do n't expect flooding , '' the mayor said .\n",
    )
    _write(
        root / "Dam_north" / "InputDocs" / "2021-03-06" / "a2.htm.txt",
        "The dam holds after two days of heavy rain .\n",
    )
    _write(
        root / "Dam_south" / "InputDocs" / "2021-03-05" / "b1.htm.txt",
        "Residents below the dam are told to leave their homes .\n",
    )
    _write(
        root / "Dam_north" / "timelines" / "north.txt",
        "2021-03-04\nThe spillway opens .\n--------------------------------\n"
        "2021-03-06\nThe dam holds .\nRain stops .\n--------------------------------\n",
    )
    _write(root / "Dam_south" / "timelines" / "south.txt", "2021-03-05\nResidents leave .\n-----\n")
    _write(root / "Quake_east" / "InputDocs" / "2022-01-01" / "c1.txt", "A quake shakes the town .\n")
    _write(root / "queries.json", json.dumps({"Dam": ["dam", "spillway"], "Quake": ["quake"]}))
    return root


def test_detokenise_undoes_ptb_tokens() -> None:
    text = "`` We do n't know , '' he said -LRB- twice -RRB- ; it cost $ 8bn ."
    assert tls.detokenise(text) == '"We don\'t know," he said (twice); it cost $8bn.'


def test_reader_merges_sources_by_topic(layout: Path) -> None:
    topics = tls.read_dataset(layout)
    assert [t.name for t in topics] == ["Dam", "Quake"]
    dam = topics[0]
    assert [p.name for p in dam.sources] == ["Dam_north", "Dam_south"]
    assert dam.keywords == ["dam", "spillway"]
    assert [g.label for g in dam.timelines] == ["Dam_north/north", "Dam_south/south"]
    assert dam.timelines[0].dates == {
        D(2021, 3, 4): ["The spillway opens ."],
        D(2021, 3, 6): ["The dam holds .", "Rain stops ."],
    }
    assert topics[1].timelines == []


def test_reader_filters_topics_and_sources(layout: Path) -> None:
    assert [t.name for t in tls.read_dataset(layout, topics=["Quake"])] == ["Quake"]
    (dam,) = tls.read_dataset(layout, sources=["Dam_south"])
    assert [p.name for p in dam.sources] == ["Dam_south"]


def test_articles_carry_folder_date_and_source(layout: Path) -> None:
    (dam,) = tls.read_dataset(layout, topics=["Dam"])
    articles = list(tls.read_articles(dam))
    assert len(articles) == 3
    first = articles[0]
    assert first.publication_date is not None
    assert first.publication_date.value == "2021-03-04"
    assert first.publication_date.method == DateMethod.METADATA
    assert first.outlet == "north"
    assert "(the old one)" in first.raw_text and "don't" in first.raw_text
    assert len(list(tls.read_articles(dam, limit=1))) == 2  # one per source


def test_ingest_keeps_the_folder_date_and_skips_stored(layout: Path, tmp_path: Path) -> None:
    from storyline.config import Settings
    from storyline.store import open_store

    (dam,) = tls.read_dataset(layout, topics=["Dam"])
    settings = Settings(db=tmp_path / "dam.db")
    with open_store(settings.db) as store:
        counts = tls.ingest_articles(tls.read_articles(dam), store, settings)
        assert counts["stored"] == 3
        dates = sorted(a.publication_date.value for a in store.iter_articles() if a.publication_date)
        assert dates == ["2021-03-04", "2021-03-05", "2021-03-06"]
        again = tls.ingest_articles(tls.read_articles(dam), store, settings)
        assert again["stored"] == 0 and again["unchanged"] == 3


def test_setting_follows_the_gold(layout: Path) -> None:
    (dam,) = tls.read_dataset(layout, topics=["Dam"])
    options = tls.setting_for(dam.timelines[0], dam.keywords)
    assert options.max_dates == 2
    assert options.sentences_per_date == 2  # round(3 / 2) = 2
    assert (options.start, options.end) == ("2021-03-04", "2021-03-06")
    from storyline.stages.summarise import query_keywords

    assert query_keywords(options.query) == ["dam", "spillway"]


def test_both_sides_are_tokenised_alike() -> None:
    gold = tls.to_tilse({D(2021, 3, 4): ["`` We do n't know , '' he said ."]}, gold=True)
    system = tls.to_tilse({D(2021, 3, 4): ['"We don\'t know," he said.']}, gold=False)
    assert gold[D(2021, 3, 4)] == system[D(2021, 3, 4)]
    assert gold[D(2021, 3, 4)][0].startswith("`` we do n't know")


def test_scores_perfect_and_empty() -> None:
    evaluator = tls.make_evaluator("python")
    gold = {
        D(2021, 3, 4): ["The spillway of the dam opens at noon ."],
        D(2021, 3, 6): ["The dam holds after heavy rain ."],
    }
    system = {d: [tls.detokenise(s) for s in sents] for d, sents in gold.items()}
    perfect = tls.score(system, gold, evaluator)
    for measure in ("rouge_1", "rouge_2", "date"):
        assert perfect[measure]["f_score"] == pytest.approx(1.0)
    half = tls.score({D(2021, 3, 4): system[D(2021, 3, 4)], D(2021, 3, 9): ["Nothing."]}, gold, evaluator)
    assert half["date"] == {"precision": 0.5, "recall": 0.5, "f_score": 0.5}
    assert 0 < half["rouge_1"]["f_score"] < 1
    empty = tls.score({}, gold, evaluator)
    assert all(empty[m]["f_score"] == 0 for m in ("rouge_1", "rouge_2", "date"))


def test_average_takes_f_from_mean_precision_and_recall() -> None:
    a = {m: {"precision": 1.0, "recall": 0.0, "f_score": 0.0} for m in ("rouge_1", "rouge_2", "date")}
    b = {m: {"precision": 0.0, "recall": 1.0, "f_score": 0.0} for m in ("rouge_1", "rouge_2", "date")}
    avg = tls.average([a, b])
    assert avg["date"] == {"precision": 0.5, "recall": 0.5, "f_score": 0.5}


# --- a slice of the real benchmark (../shared) -----------------------------------------------------------


def scored_above(floors: dict[str, float], tmp_path: Path, folder: str, **select: object) -> tls.EvalReport:
    """Build and score the Timeline17 timelines ``select`` names (sources= or topics=) from raw text; fail
    when an averaged F falls below its floor."""
    if not (T17 / folder).is_dir():
        pytest.skip(f"Timeline17 is not beside this checkout: {T17} not found")
    report = tls.run_tls(T17, tmp_path, rouge="python", **select)  # type: ignore[arg-type]
    avg = report.average
    for measure, floor in floors.items():
        assert avg[measure]["f_score"] >= floor, (measure, avg[measure])
    return report


# Measured on H1N1_guardian alone (76 articles, its one gold timeline), pure-Python ROUGE, one or two spaCy
# processes: AR-1 0.159, AR-2 0.048, date F1 0.762 (session 5; 0.179 before summaries quoted only the part
# of a sentence fit to quote and preferred sentences of about 30 words, which raised AR-1 on the whole
# dataset from 0.112 to 0.121). Floors leave room for model and library drift.
FLOORS = {"rouge_1": 0.14, "rouge_2": 0.03, "date": 0.65}


@pytest.mark.shared
def test_timeline17_slice_scores_above_floors(tmp_path: Path) -> None:
    report = scored_above(FLOORS, tmp_path, "H1N1_guardian", sources=["H1N1_guardian"], n_process=1)
    assert [r.label for r in report.results] == ["H1N1_guardian/swine_flu_guardian"]
    (result,) = report.results
    assert 0 < result.system_dates <= result.gold_dates
    assert report.wall_seconds > 0 and report.seconds["analyse"] > 0


# Measured on the whole SyrianCrisis topic (bbc + reuters, 654 articles, 4 gold timelines), pure-Python
# ROUGE, two processes, about 45 s: AR-1 0.087, AR-2 0.034, date F1 0.291 (session 5). Session 4's end
# scored 0.080, 0.030, 0.291 (below the ROUGE floors: they catch a return of wire datelines, comment stamps
# and over-long sentences in summaries); the timeline before session 4's changes (dates of an event's
# sentences, every article of the story ranking them, the days they were named on) 0.063, 0.020, 0.248:
# below every floor. It is the topic where storyline is weakest (with H1N1_guardian above it checks both
# ends).
SYRIA_FLOORS = {"rouge_1": 0.082, "rouge_2": 0.031, "date": 0.26}


@pytest.mark.shared
def test_timeline17_weakest_topic_scores_above_floors(tmp_path: Path) -> None:
    report = scored_above(SYRIA_FLOORS, tmp_path, "SyrianCrisis_bbc", topics=["SyrianCrisis"], n_process=2)
    assert len(report.results) == 4

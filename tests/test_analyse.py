"""The analyse run and its commands: entities, quotes, dates, and the corrections users make."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from storyline.cli import cli

SPILLWAY = """Spillway opened as Alder river rises

RIVERTON, March 11, 2025 (Northern Wire) — Engineers opened the main spillway of the Riverton dam on
Monday after three days of rain pushed the reservoir close to its limit, Mayor Elena Varga said.

"We would rather release water now than lose control of it later," Varga told reporters at city hall.
The governor, Paolo Marchetti, will visit the valley on Friday.
"""

SHELTERS = """Shelters fill up in Riverton

Hundreds of families spent Tuesday night in school gyms after the evacuation order, the Red Cross said.
Varga said the city had opened four shelters and asked residents to check on their neighbours.
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def as_json(*args: str) -> object:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def analysed(tmp_path: Path) -> str:
    root = tmp_path / "in"
    root.mkdir()
    (root / "spillway.txt").write_text(SPILLWAY, encoding="utf-8")
    (root / "shelters.txt").write_text(SHELTERS, encoding="utf-8")
    db = str(tmp_path / "s.db")
    assert run("ingest", str(root), "--db", db, "--quiet").exit_code == 0
    report = as_json("analyse", "--db", db)
    assert report["counts"]["analysed"] == 2
    return db


def article_id(db: str, title_start: str) -> str:
    listing = as_json("articles", "--db", db)
    return next(a["id"] for a in listing if (a["title"] or "").startswith(title_start))


def test_a_second_run_redoes_nothing(analysed: str) -> None:
    assert as_json("analyse", "--db", analysed)["counts"]["analysed"] == 0


def test_entities_are_canonical_with_aliases_and_roles(analysed: str) -> None:
    found = {e["id"]: e for e in as_json("entities", "--db", analysed)}
    varga = found["person:elena-varga"]
    assert {"Elena Varga", "Varga"} <= set(varga["aliases"])
    assert varga["articles"] == 2
    assert any("Mayor" in role for role in varga["roles"])
    assert all(merge["reason"] for merge in varga["merges"])
    csv_out = run("entities", "--db", analysed, "--csv").stdout
    assert csv_out.splitlines()[0] == "id,name,label,articles,aliases,roles,merges"


def test_quotes_have_speakers(analysed: str) -> None:
    quotes = as_json("quotes", "--db", analysed, "--speaker", "Varga")
    texts = [q["quote"] for q in quotes]
    assert any(t.startswith("We would rather release water now") for t in texts)
    assert all(q["speaker"] == "Elena Varga" for q in quotes)


def test_dates_are_anchored_and_follow_a_date_set_by_hand(analysed: str) -> None:
    spillway = article_id(analysed, "Spillway opened")
    stated = as_json("dates", spillway, "--db", analysed)
    assert stated["publication_date"]["method"] == "dateline"
    monday = next(t for t in stated["time_refs"] if t["text"].endswith("Monday"))
    assert monday["value"] == "2025-03-10"

    shelters = article_id(analysed, "Shelters fill up")
    assert run("set-date", shelters, "2025-03-13", "--db", analysed, "--quiet").exit_code == 0
    after = as_json("dates", shelters, "--db", analysed)
    assert after["publication_date"]["method"] == "manual"
    assert after["publication_date"]["value"] == "2025-03-13"
    tuesday = next(t for t in after["time_refs"] if "Tuesday" in t["text"])
    assert tuesday["value"] == "2025-03-11"

    run("set-date", shelters, "2025-03-20", "--db", analysed, "--quiet")
    tuesday = next(
        t for t in as_json("dates", shelters, "--db", analysed)["time_refs"] if "Tuesday" in t["text"]
    )
    assert tuesday["value"] == "2025-03-18", "relative dates are counted from the corrected date"

    # The correction survives a re-analysis; clearing it leaves no date set by hand.
    as_json("analyse", "--db", analysed)
    assert as_json("dates", shelters, "--db", analysed)["publication_date"]["method"] == "manual"
    run("set-date", shelters, "--clear", "--db", analysed, "--quiet")
    cleared = as_json("dates", shelters, "--db", analysed)["publication_date"]
    assert cleared is None or cleared["method"] != "manual"


def test_bad_date_and_unknown_entity_give_clear_errors(analysed: str) -> None:
    spillway = article_id(analysed, "Spillway opened")
    bad = run("set-date", spillway, "someday", "--db", analysed)
    assert bad.exit_code == 2 and "not a date" in bad.output
    unknown = run("merge-entity", "Varga", "person:nobody", "--db", analysed)
    assert unknown.exit_code == 1 and "no entity with id" in unknown.output


def test_user_split_and_merge_survive_reanalysis(analysed: str) -> None:
    # In the shelters article "Varga" stands alone; the corpus merged it into Elena Varga by surname.
    run("split-entity", "Varga", "person:elena-varga", "--db", analysed, "--quiet")
    found = {e["id"]: e for e in as_json("entities", "--db", analysed)}
    assert found["person:elena-varga"]["articles"] == 1
    assert any(e["name"] == "Varga" for e in found.values())

    as_json("analyse", "--db", analysed)
    found = {e["id"]: e for e in as_json("entities", "--db", analysed)}
    assert found["person:elena-varga"]["articles"] == 1, "the user's split is kept"

    run("merge-entity", "Varga", "person:elena-varga", "--db", analysed, "--quiet")
    found = {e["id"]: e for e in as_json("entities", "--db", analysed)}
    assert found["person:elena-varga"]["articles"] == 2
    assert any(m["source"] == "user" for m in found["person:elena-varga"]["merges"])


def test_outlet_set_by_hand_wins_and_survives_reanalysis(analysed: str) -> None:
    shelters = article_id(analysed, "Shelters fill up")
    result = as_json("set-outlet", shelters, "Alder Valley Radio", "--db", analysed)
    assert result == {"id": result["id"], "outlet": "Alder Valley Radio", "outlet_method": "manual"}
    as_json("analyse", "--db", analysed)
    listing = {a["id"]: a for a in as_json("articles", "--db", analysed)}
    assert listing[result["id"]]["outlet"] == "Alder Valley Radio"
    run("set-outlet", shelters, "--clear", "--db", analysed, "--quiet")
    listing = {a["id"]: a for a in as_json("articles", "--db", analysed)}
    assert listing[result["id"]]["outlet"] != "Alder Valley Radio"
    assert run("set-outlet", shelters, "   ", "--db", analysed).exit_code == 1


def test_hidden_entry_leaves_every_timeline_and_comes_back(analysed: str) -> None:
    from storyline.build import make_bundle
    from storyline.store import SQLiteStore
    from storyline.timeline import TimelineOptions

    with SQLiteStore(Path(analysed)) as store:
        dates = [e.date for e in make_bundle(store, TimelineOptions()).timeline.entries]
    assert dates, "the fixture yields a timeline"
    assert as_json("hide-entry", dates[0], "--db", analysed) == {"date": dates[0], "hidden": True}
    as_json("analyse", "--db", analysed)
    with SQLiteStore(Path(analysed)) as store:
        assert dates[0] not in [e.date for e in make_bundle(store, TimelineOptions()).timeline.entries]
        marked = make_bundle(store, TimelineOptions(show_hidden=True)).timeline.entries
        assert [e.date for e in marked if e.hidden] == [dates[0]]
    run("hide-entry", dates[0], "--show", "--db", analysed, "--quiet")
    with SQLiteStore(Path(analysed)) as store:
        assert [e.date for e in make_bundle(store, TimelineOptions()).timeline.entries] == dates
    assert run("hide-entry", "yesterday", "--db", analysed).exit_code == 1


def test_lavrov_corpus_analysed_end_to_end(lavrov_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(lavrov_dir, tmp_path / "lavrov")
    db = str(tmp_path / "s.db")
    run("ingest", str(tmp_path / "lavrov"), "--db", db, "--quiet")
    as_json("analyse", "--db", db)
    found = {e["id"]: e for e in as_json("entities", "--db", db)}
    lavrov = found["person:sergey-lavrov"]
    assert {"Lavrov", "Sergey Lavrov", "Sergei Lavrov"} <= set(lavrov["aliases"])
    assert lavrov["articles"] == 5
    assert "Wang" in found["person:wang-yi"]["aliases"]
    assert not any("Blank" in e["name"] or "NOFOLLOW" in e["name"] for e in found.values())
    assert as_json("quotes", "--db", db, "--speaker", "Lavrov"), "Lavrov is quoted"
    listing = {Path(a["source"]).name[:3]: a for a in as_json("articles", "--db", db)}
    first = listing["000"]["publication_date"]
    assert first["value"] in ("2023-10-16", "2023-10-17") and first["method"] == "text"
    assert first["confidence"] < 1 and first["evidence"]
    # 001 and 004 never state a date; other reports of the April 2024 visit date them.
    for name, day in (("001", "2024-04-08"), ("004", "2024-04-09")):
        inferred = listing[name]["publication_date"]
        assert (inferred["value"], inferred["method"]) == (day, "corpus"), name
        assert inferred["confidence"] < 0.8 and "like article" in inferred["evidence"]


def test_a_long_lived_reader_sees_when_another_connection_corrects_something(analysed: str) -> None:
    from storyline.store import SQLiteStore

    with SQLiteStore(Path(analysed)) as reader:
        before = reader.data_version()
        assert reader.data_version() == before, "reading changes nothing"
        run("set-outlet", article_id(analysed, "Shelters fill up"), "Alder Valley Radio", "--db", analysed)
        assert reader.data_version() != before


def test_corpus_dates_from_slim_articles_are_those_of_whole_articles(riverton_db: Path) -> None:
    """The corpus-date stage reads the articles without their raw text and keeps only the sentences and
    mentions it matches: it finds the dates (evidence included) the whole articles and analyses give."""
    from storyline.analyse import _corpus_date_wins
    from storyline.model import DateMethod
    from storyline.stages.pubdate import CorpusArticle, infer_from_corpus
    from storyline.store import open_store

    with open_store(riverton_db) as store:
        items, by_id = [], {}
        for article in store.iter_articles(corpus_dates=False):
            analysis = store.get_analysis(article.id)
            assert analysis is not None and article.raw_text_read
            by_id[article.id] = article
            keys = {m.key for m in analysis.mentions}
            items.append(
                CorpusArticle(article, analysis.time_refs, keys, analysis.sentences, analysis.mentions)
            )
        whole = {aid: v for aid, v in infer_from_corpus(items).items() if _corpus_date_wins(by_id[aid], v)}
        found = {
            a.id: a.publication_date
            for a in store.iter_articles()
            if a.publication_date is not None and a.publication_date.method == DateMethod.CORPUS
        }
    assert len(whole) >= 2 and found == whole

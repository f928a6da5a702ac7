"""`storyline build` and `storyline timeline`: one command from articles to the files a user opens."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from storyline.cli import cli
from storyline.export.jsonexport import SCHEMA_VERSION, schema

CORPUS = Path(__file__).parent / "fixtures" / "events" / "corpus"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("story")
    result = run("build", str(CORPUS), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Open {(out / 'index.html').resolve()}" in result.stdout
    return out


def test_build_writes_the_timeline_files_and_its_database(story: Path) -> None:
    for name in ("timeline.json", "timeline.md", "index.html", "storyline.db"):
        assert (story / name).is_file(), name
    document = json.loads((story / "timeline.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema())
    assert document["schema"] == SCHEMA_VERSION
    assert document["timeline"], "the timeline has entries"
    article_ids = {a["id"] for a in document["articles"]}
    for entry in document["timeline"]:
        assert all(s["article_id"] in article_ids for s in entry["summary"])
    html = (story / "index.html").read_text(encoding="utf-8")
    assert html.count("<script") == 1 and "http://" not in html.split("<body", 1)[0]


def test_rebuilding_adds_nothing_and_gives_the_same_timeline(story: Path) -> None:
    before = json.loads((story / "timeline.json").read_text(encoding="utf-8"))
    result = run("build", str(CORPUS), "--out", str(story), "--json")
    report = json.loads(result.stdout)
    assert report["counts"]["stored"] == 0
    after = json.loads((story / "timeline.json").read_text(encoding="utf-8"))
    assert after["timeline"] == before["timeline"]


def test_events_and_the_timeline_read_the_articles_without_their_raw_text(story: Path) -> None:
    from storyline.build import load_analysed
    from storyline.store import open_store

    with open_store(story / "storyline.db") as store:
        items = load_analysed(store)
        assert items
        for item in items:
            whole = store.get_article(item.article.id)
            assert not item.article.raw_text_read and item.article.id == whole.id
            left_out = {
                "raw_text": item.article.raw_text,
                "extracted_text": None,
                "removed": [],
                "minhash": None,
            }
            assert item.article == dataclasses.replace(whole, **left_out)


@pytest.mark.parametrize("query", [None, "bridge", "Solberg Tokyo"])
def test_digests_give_the_timeline_of_whole_articles(story: Path, query: str | None) -> None:
    """`storyline build` holds each article as a digest (its dated sentences and what they say) and
    reads an article whole again only when the timeline needs it (a day's undated sentences, a query
    over the whole text): events and timeline are those of the whole articles, and so is every
    article's word count."""
    from storyline.build import load_analysed
    from storyline.stages.events import extract_events
    from storyline.stages.summarise import build_timeline
    from storyline.store import open_store
    from storyline.timeline import TimelineOptions

    options = TimelineOptions(query=query, sentences_per_date=2)
    with open_store(story / "storyline.db") as store:
        entities = {e.id: e for e in store.list_entities()}
        whole = load_analysed(store)
        digests = load_analysed(store, digests=True)
        events = extract_events(whole, entities)
        assert events and extract_events(digests, entities) == events
        expected = build_timeline(whole, events, entities, options)
        assert expected.entries and build_timeline(digests, events, entities, options) == expected
        for item, digest in zip(whole, digests, strict=True):
            assert digest.article.words == item.article.words
            assert item.article.text.startswith(digest.article.text)
            assert digest.excerpts is not None and item.excerpts is None
            assert digest.whole().article.text == item.article.text  # read again while the store is open


def test_a_digest_keeps_its_dated_sentences_and_nothing_else() -> None:
    from storyline.analysis import ArticleAnalysis, Mention, Sentence, TimeRef
    from storyline.model import Article, DatePrecision
    from storyline.stages.event_mentions import AnalysedArticle, digest

    sentences = [f"Sentence number {n} of the story." for n in range(7)]
    text = " ".join(sentences)
    spans, at = [], 0
    for sentence in sentences:
        spans.append(Sentence(at, at + len(sentence)))
        at += len(sentence) + 1
    article = Article(source="a.txt", raw_text=text, text=text)
    told = TimeRef(spans[5].start, spans[5].start + 8, "Sentence", 5, "2024-04-08", DatePrecision.DAY)
    analysis = ArticleAnalysis(
        article.id,
        sentences=spans,
        mentions=[
            Mention(spans[n].start, spans[n].start + 8, "Sentence", "PERSON", f"k{n}", n) for n in (1, 5, 6)
        ],
        time_refs=[told],
    )
    whole = AnalysedArticle(article, analysis, {"k1": "e1", "k5": "e5", "k6": "e6"})
    kept = digest(whole, lambda with_analysis: whole)
    assert kept.article.text == " ".join(sentences[:4])  # the head: the lead and the two after it
    assert kept.article.words == article.words
    assert [m.sentence for m in kept.analysis.mentions] == [1, 5] and kept.entity_of == {
        "k1": "e1",
        "k5": "e5",
    }
    assert kept.text[spans[5].start : spans[5].end] == sentences[5]
    assert kept.text.index("number 5", spans[5].start) == text.index("number 5")
    with pytest.raises(LookupError, match="not among the excerpts"):
        kept.text[spans[6].start : spans[6].end]
    assert kept.whole() is whole
    alone = kept.whole(analysis=False)  # the article read again, the digest's analysis kept
    assert alone.article is article and alone.analysis is kept.analysis
    with pytest.raises(LookupError, match="no way to read it again"):
        digest(whole, None).whole()


def test_timeline_exports_every_format(story: Path, tmp_path: Path) -> None:
    db = str(story / "storyline.db")
    slides = json.loads(run("timeline", "--format", "timelinejs", "--db", db).stdout)
    assert slides["events"] and all("start_date" in s for s in slides["events"])
    assert run("timeline", "--format", "md", "--db", db).stdout.startswith("# ")
    written = run("timeline", "--format", "csv", "--out", str(tmp_path / "tables"), "--db", db)
    assert written.exit_code == 0
    assert {p.name for p in (tmp_path / "tables").iterdir()} >= {"articles.csv", "events.csv", "timeline.csv"}
    no_out = run("timeline", "--format", "csv", "--db", db)
    assert no_out.exit_code == 2 and "--out" in no_out.output


def test_timeline_options_restrict_dates(story: Path) -> None:
    db = str(story / "storyline.db")
    full = json.loads(run("timeline", "--json", "--db", db).stdout)["timeline"]
    two = json.loads(run("timeline", "--json", "--dates", "2", "--db", db).stdout)["timeline"]
    assert len(two) == 2 <= len(full)
    late = json.loads(run("timeline", "--json", "--from", "2023-01-01", "--db", db).stdout)["timeline"]
    assert late and all(e["date"] >= "2023" for e in late)
    bad = run("timeline", "--from", "last week", "--db", db)
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_timeline_before_analysis_says_what_to_do(tmp_path: Path) -> None:
    result = run("timeline", "--db", str(tmp_path / "empty.db"))
    assert result.exit_code == 1 and "storyline analyse" in result.output


def _timeline_document(out: Path) -> dict[str, object]:
    document = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    document.pop("generated_at")
    return document


def test_update_adds_new_articles_and_equals_a_full_rebuild(tmp_path: Path) -> None:
    # Day one's articles, then the rest arriving later, against all of them built at once.
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    first, later = tmp_path / "first", tmp_path / "later"
    for folder, part in ((first, files[: len(files) // 2]), (later, files[len(files) // 2 :])):
        folder.mkdir()
        for path in part:
            (folder / path.name).write_bytes(path.read_bytes())

    missing = run("update", str(later), "--out", str(tmp_path / "nothing"))
    assert missing.exit_code == 1 and "build it first" in missing.output

    assert run("build", str(first), "--out", str(tmp_path / "grown"), "--quiet").exit_code == 0
    update = run("update", str(later), "--out", str(tmp_path / "grown"), "--json")
    assert update.exit_code == 0, update.output
    report = json.loads(update.stdout)
    assert report["analysed"] == report["counts"]["stored"] == len(files) - len(files) // 2, report

    assert run("build", str(first), str(later), "--out", str(tmp_path / "whole"), "--quiet").exit_code == 0
    assert _timeline_document(tmp_path / "grown") == _timeline_document(tmp_path / "whole")

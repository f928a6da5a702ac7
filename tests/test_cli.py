"""The storyline command as a user types it: ingest, list, show, search, failures, help."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from storyline.cli import cli

ARTICLE = """Spillway opened as Alder river rises

RIVERTON, March 11, 2025 (Northern Wire) — Engineers opened the main spillway of the Riverton dam on
Tuesday after three days of rain pushed the reservoir close to its limit.

"We would rather release water now than lose control of it later," said Mayor Elena Varga.

Leave a Reply

Your email address will not be published. Required fields are marked *
"""

OTHER = """Council approves budget

The city council approved next year's budget on Monday after a long debate about road repairs and bus
lanes. Councillors voted eleven to four for the plan.
"""


def run(*args: str) -> click.testing.Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    (root / "spillway.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "sub" / "spillway-copy.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "budget.txt.gz").write_bytes(gzip.compress(OTHER.encode("utf-8")))
    (root / "empty.txt").write_text("")
    (root / "broken.jsonl").write_text('{"text": "A short note about the river level at noon."}\n{not json\n')
    return root


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_has_help_with_an_example() -> None:
    assert run("--help").exit_code == 0
    for path, command in leaf_commands(cli):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example" in (command.help or ""), f"{' '.join(path)} --help has no example"
        assert "--json" in result.output and "--quiet" in result.output, path
        # Benchmarks keep one database per topic in --work; every other command works on --db.
        if path[0] != "eval":
            assert "--db" in result.output, path


def test_ingest_reports_counts_and_failures_and_lists_articles(corpus: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    result = run("ingest", str(corpus), "--db", db, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == {
        "files": 5,
        "read": 4,
        "stored": 4,
        "unchanged": 0,
        "duplicates": 1,
        "failed": 2,
    }
    reasons = {(Path(f["source"]).name, f["line"]): f["reason"] for f in report["failures"]}
    assert ("empty.txt", None) in reasons and "empty" in reasons[("empty.txt", None)]
    assert ("broken.jsonl", 2) in reasons

    listing = json.loads(run("articles", "--db", db, "--json").stdout)
    by_source = {Path(a["source"]).name: a for a in listing}
    original = by_source["spillway.txt"]
    assert original["title"] == "Spillway opened as Alder river rises"
    assert original["outlet"] == "Northern Wire"
    assert original["publication_date"]["value"] == "2025-03-11"
    assert original["publication_date"]["method"] == "dateline"
    # Folders are read in sorted order, so the copy in sub/ comes second and points at the first.
    assert by_source["spillway-copy.txt"]["duplicate_of"] == original["id"]
    assert [a["source"] for a in listing if a["duplicate_of"]] == [by_source["spillway-copy.txt"]["source"]]

    table = run("articles", "--db", db)
    assert "Spillway opened" in table.output and "dateline" in table.output


def test_reingest_changes_nothing(corpus: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    run("ingest", str(corpus), "--db", db, "--quiet")
    before = run("articles", "--db", db, "--json").stdout
    again = json.loads(run("ingest", str(corpus), "--db", db, "--json").stdout)
    assert again["counts"]["stored"] == 0 and again["counts"]["unchanged"] == 4
    assert run("articles", "--db", db, "--json").stdout == before


def test_show_prints_clean_text_and_metadata(corpus: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    run("ingest", str(corpus / "spillway.txt"), "--db", db, "--quiet")
    article_id = json.loads(run("articles", "--db", db, "--json").stdout)[0]["id"]
    shown = run("show", article_id[:8], "--db", db, "--removed")
    assert shown.exit_code == 0
    assert "Engineers opened the main spillway" in shown.output
    assert "2025-03-11 (dateline)" in shown.output
    body = shown.output.split("Removed by cleaning:")[0]
    assert "Leave a Reply" not in body
    assert "Leave a Reply" in shown.output.split("Removed by cleaning:")[1]
    raw = run("show", article_id, "--db", db, "--raw")
    assert "Leave a Reply" in raw.output


def test_unknown_id_and_bad_search_give_one_clear_line(corpus: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    run("ingest", str(corpus), "--db", db, "--quiet")
    missing = run("show", "ffffffff", "--db", db)
    assert missing.exit_code == 1 and "no article with id" in missing.output
    bad = run("search", '"unbalanced', "--db", db)
    assert bad.exit_code == 1 and "cannot search" in bad.output
    hits = json.loads(run("search", "spillway", "--db", db, "--json").stdout)
    assert len(hits) == 2


def test_failures_command_lists_what_was_not_ingested(corpus: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    run("ingest", str(corpus), "--db", db, "--quiet")
    listed = run("failures", "--db", db)
    assert "empty.txt" in listed.output and "broken.jsonl:2" in listed.output


def test_strict_exits_non_zero_on_failures(corpus: Path, tmp_path: Path) -> None:
    result = run("ingest", str(corpus), "--db", str(tmp_path / "s.db"), "--quiet", "--strict")
    assert result.exit_code == 1


def test_db_from_environment(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_DB", str(tmp_path / "env.db"))
    run("ingest", str(corpus / "spillway.txt"), "--quiet")
    assert (tmp_path / "env.db").exists()


def test_lavrov_corpus_end_to_end(lavrov_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(lavrov_dir, tmp_path / "lavrov")
    db = str(tmp_path / "s.db")
    report = json.loads(run("ingest", str(tmp_path / "lavrov"), "--db", db, "--json").stdout)
    assert report["counts"]["stored"] == 5 and report["counts"]["failed"] == 0
    listing = json.loads(run("articles", "--db", db, "--json").stdout)
    assert all(a["duplicate_of"] is None for a in listing), "five reports, no copies among them"
    dated = {Path(a["source"]).name[:3]: a["publication_date"] for a in listing}
    assert dated["002"]["value"].startswith("2022-02-03") and dated["002"]["method"] == "dateline"
    assert dated["003"]["value"] == "2024-04-08" and dated["003"]["method"] == "dateline"
    for article in listing:
        text = json.loads(run("show", article["id"], "--db", db, "--json").stdout)["text"]
        for boilerplate in ("Leave a Reply", "Follow us", "Most Popular", "NOFOLLOW", "Photo:"):
            assert boilerplate not in text

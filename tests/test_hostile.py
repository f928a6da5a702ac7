"""The hostile corpus (tests/hostile.py) ingested in one run: each file has its outcome, the rest unaffected.

Then the same folder through the command line, and property tests of the readers and the per-article stages
on arbitrary input. The oversized cases use a small size limit; a 100 MB file under the default limit is
read in a subprocess whose peak memory is measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import Case, write_hostile_corpus
from storyline import pipeline
from storyline.cli import cli
from storyline.config import Settings, resolve_settings
from storyline.ingest import read_file
from storyline.model import Article, ReadFailure
from storyline.store import open_store

LIMIT = 4 * 1024 * 1024  # past the 200,000-word article (1.7 MB), so the oversized cases stay small
ARTICLE_LIMIT = 2_000_000  # characters; the default is 10 million


@dataclass
class HostileRun:
    folder: Path
    db: Path
    cases: list[Case]
    report: pipeline.IngestReport
    articles: dict[str, list[Article]]
    failures: dict[str, list[ReadFailure]]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "corpus"
    cases = write_hostile_corpus(folder, LIMIT, ARTICLE_LIMIT)
    settings = Settings(db=root / "hostile.db", max_input_bytes=LIMIT)
    with open_store(settings.db) as store, pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "MAX_ARTICLE_CHARS", ARTICLE_LIMIT)
        report = pipeline.ingest([folder], store, settings)
        articles: dict[str, list[Article]] = defaultdict(list)
        for article in store.iter_articles():
            path = Path(article.extra.get("file", article.source))
            articles[path.relative_to(folder).as_posix()].append(article)
    failures: dict[str, list[ReadFailure]] = defaultdict(list)
    for failure in report.failures:
        failures[Path(failure.source).relative_to(folder).as_posix()].append(failure)
    return HostileRun(folder, settings.db, cases, report, articles, failures)


def test_every_hostile_file_is_a_case_with_a_unique_name(hostile_run: HostileRun) -> None:
    names = [case.name for case in hostile_run.cases]
    on_disk = sorted(p.relative_to(hostile_run.folder).as_posix() for p in hostile_run.folder.rglob("*"))
    assert sorted(names) == [name for name in on_disk if (hostile_run.folder / name).is_file()]
    assert len(names) >= 30


def test_each_file_has_its_outcome(hostile_run: HostileRun) -> None:
    for case in hostile_run.cases:
        stored = hostile_run.articles.get(case.name, [])
        failures = hostile_run.failures.get(case.name, [])
        assert len(stored) == case.stored, (case.name, [str(f) for f in failures])
        assert len(failures) == len(case.refused), (case.name, [str(f) for f in failures])
        for failure, words in zip(failures, case.refused, strict=True):
            line = str(failure)
            assert "\n" not in line and line.startswith(str(hostile_run.folder / case.name)), line
            assert all(word in line for word in words), (line, words)
        if case.check is not None:
            case.check(stored)


def test_the_run_counts_add_up_to_the_cases(hostile_run: HostileRun) -> None:
    counts = hostile_run.report.counts
    assert counts["files"] == len(hostile_run.cases)
    assert counts["stored"] == sum(case.stored for case in hostile_run.cases)
    assert counts["failed"] == sum(len(case.refused) for case in hostile_run.cases)
    assert counts["unchanged"] == 0
    with open_store(hostile_run.db) as store:
        assert store.count_articles() == counts["stored"]
        assert [str(f) for f in store.failures(hostile_run.report.run.id)] == [
            str(f) for f in hostile_run.report.failures
        ]
        originals = sum(1 for _ in store.iter_articles(include_duplicates=False))
    assert counts["duplicates"] == counts["stored"] - originals


def test_the_cli_lists_each_failure_on_one_line_and_a_rerun_changes_nothing(
    hostile_run: HostileRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library run above stored everything; the command goes over the same folder again, with the
    # same size limits (the command has no flag for them).
    monkeypatch.setattr(
        "storyline.cli.resolve_settings", lambda **given: resolve_settings(**given, max_input_bytes=LIMIT)
    )
    monkeypatch.setattr(pipeline, "MAX_ARTICLE_CHARS", ARTICLE_LIMIT)
    runner = CliRunner()
    args = ["ingest", str(hostile_run.folder), "--db", str(hostile_run.db)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    listed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert listed == [str(failure) for failure in hostile_run.report.failures]
    summary = next(line for line in result.stderr.splitlines() if " files, " in line)
    assert f"{hostile_run.report.counts['stored']} already stored" in summary

    strict = runner.invoke(cli, [*args, "--strict", "--json"])
    assert strict.exit_code == 1
    data = json.loads(strict.stdout)
    assert data["counts"]["unchanged"] == hostile_run.report.counts["stored"]
    assert all("\n" not in f["reason"] for f in data["failures"])


# --- a 100 MB file under the default limit --------------------------------------------------------------

MEASURE_READ = """
import resource, sys
from pathlib import Path
from storyline.config import Settings, resolve_settings
from storyline.ingest import read_file
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
items = list(read_file(Path(sys.argv[1]), Settings()))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, peak, len(items), type(items[0]).__name__, len(items[0].raw_text))
"""


def test_a_100_mb_file_is_read_under_the_default_limit_holding_it_once(tmp_path: Path) -> None:
    size = 100 * 1024 * 1024
    line = b"The river rose again overnight and the council opened two more shelters for residents.\n"
    path = tmp_path / "100mb.txt"
    with path.open("wb") as handle:
        block = line * (1024 * 1024 // len(line) + 1)
        while handle.tell() < size:
            handle.write(block)
    out = subprocess.run(
        [sys.executable, "-c", MEASURE_READ, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    before_kb, peak_kb, count, kind, chars = int(out[0]), int(out[1]), int(out[2]), out[3], int(out[4])
    assert (count, kind, chars) == (1, "Article", path.stat().st_size)
    # Measured: 1.17 times the file (it was 2.17 while an emptiness check copied the text with strip()).
    assert (peak_kb - before_kb) * 1024 < 1.5 * path.stat().st_size, (before_kb, peak_kb)


# --- properties -----------------------------------------------------------------------------------------

EXTENSIONS = [
    "",
    ".txt",
    ".md",
    ".html",
    ".htm",
    ".xhtml",
    ".jsonl",
    ".json",
    ".csv",
    ".tsv",
    ".gz",
    ".txt.gz",
]
hostile_bytes = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from(
            [b"<html>", b"<p>", b"</p>", b"<div>", b'{"text": ', b'"a story"', b"}", b"[", b"]", b"\n", b",",
             b'"', b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\x1f\x8b\x08", b"\xe4\xb8\xad", b"\xd6\xd0",
             b"title,text\n", b"<script>", b"&amp;", b"\r\n", b"word "]
        ),
        max_size=40,
    ).map(b"".join),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_bytes, extension=st.sampled_from(EXTENSIONS))
def test_reading_any_bytes_under_any_name_gives_articles_or_one_line_failures(
    tmp_path: Path, data: bytes, extension: str
) -> None:
    path = tmp_path / f"input{extension}"
    path.write_bytes(data)
    for item in read_file(path, Settings(max_input_bytes=10_000)):
        assert isinstance(item, (Article, ReadFailure))
        if isinstance(item, ReadFailure):
            assert item.source == str(path) and item.reason and "\n" not in str(item)
            assert not item.reason.startswith("unexpected error"), item.reason
        else:
            assert item.raw_text.strip()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_the_per_article_stages_take_any_text_or_say_nothing_was_left(raw: str) -> None:
    stats: dict[str, pipeline.StageStats] = {}
    result = pipeline.run_stages(
        Article(source="any.txt", raw_text=raw), pipeline.per_article_stages(Settings()), stats
    )
    if isinstance(result, ReadFailure):
        assert result.reason == "no article text left after removing boilerplate", result.reason
    else:
        assert result.text.strip() and result.content_id and result.minhash


def test_a_failure_is_one_line_whatever_the_file_is_called(tmp_path: Path) -> None:
    from storyline.ingest import read_paths

    odd = tmp_path / "evil\nname\x1b[31m.txt"
    odd.write_bytes(b"")
    failures = [str(item) for item in read_paths([tmp_path], Settings()) if isinstance(item, ReadFailure)]
    assert len(failures) == 1
    assert "\n" not in failures[0] and "\x1b" not in failures[0]
    assert "evil\\nname\\x1b[31m.txt" in failures[0]

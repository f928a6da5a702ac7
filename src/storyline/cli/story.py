"""The product's main commands: ``storyline build`` (everything in one go) and ``storyline timeline``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import display_database
from ..timeline import TimelineOptions
from . import DATABASE, _open, _print_json, _RichIngestProgress, _settings, cli, common_options, stderr
from .analysis import engine_options

F = TypeVar("F", bound=Callable[..., Any])


def timeline_options(func: F) -> F:
    """The options that shape a timeline, the same on build and timeline."""
    options = [
        click.option(
            "--query",
            help="Keywords (any of them) that restrict the timeline to a story; a word of four letters or "
            "more also finds the words it begins (flood: flooding).",
        ),
        click.option("--from", "start", metavar="DATE", help="First date to include (YYYY-MM-DD)."),
        click.option("--to", "end", metavar="DATE", help="Last date to include (YYYY-MM-DD)."),
        click.option("--dates", "max_dates", type=click.IntRange(min=1), help="How many dates at most."),
        click.option(
            "--sentences",
            "sentences_per_date",
            type=click.IntRange(min=1),
            default=2,
            show_default=True,
            help="Summary sentences per date.",
        ),
        click.option("--days-only", is_flag=True, help="Only day-precise dates (no month entries)."),
        click.option("--title", help="The timeline's title (default: from its main entities)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(start: str | None, end: str | None, **kwargs: Any) -> TimelineOptions:
    for name, value in (("--from", start), ("--to", end)):
        if value is not None and not _is_iso_date(value):
            raise click.BadParameter(f"{value!r} is not a date of the form YYYY-MM-DD", param_hint=name)
    return TimelineOptions(start=start, end=end, **kwargs)


def _is_iso_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def story_options(func: F) -> F:
    """The options build and update share: inputs, the output folder, the database, the engine, the
    timeline."""
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option(
            "--out",
            "out_dir",
            required=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Folder for timeline.json, timeline.md and index.html (and the database, unless --db).",
        ),
        click.option(
            "--db",
            type=DATABASE,
            envvar="STORYLINE_DB",
            help="Database: a SQLite file or a postgresql:// URL.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary; errors only."),
    ]
    for option in reversed(options):
        func = option(func)
    return engine_options(timeline_options(func))


@cli.command()
@story_options
def build(**kwargs: Any) -> None:
    """Build a timeline from articles in one go: ingest, analyse, find events, write the timeline.

    Writes timeline.json, timeline.md and index.html into --out, with the database there too
    (storyline.db) unless --db names another. Running it again adds new articles and redoes only what
    changed.

    \b
    Example:
      storyline build my-articles/ --out story/
      storyline build my-articles/ --out story/ --query "spillway dam" --dates 10
      storyline build my-articles/ --out story/ --engine ray
    """
    _build_story(update=False, **kwargs)


@cli.command()
@story_options
def update(**kwargs: Any) -> None:
    """Add new articles to a story built before: only they are read and analysed; the corpus stages
    (dates from other articles, entities, events, the timeline) are redone over everything, so the result
    equals a full rebuild on the same articles.

    \b
    Example:
      storyline update todays-articles/ --out story/
    """
    _build_story(update=True, **kwargs)


def _build_story(
    *,
    update: bool,
    paths: tuple[Path, ...],
    out_dir: Path,
    db: Path | str | None,
    as_json: bool,
    quiet: bool,
    title: str | None,
    start: str | None,
    end: str | None,
    engine: str,
    ray_address: str | None,
    processes: int | None,
    **options: Any,
) -> None:
    import time

    from ..analyse import analyse
    from ..build import make_bundle, write_story
    from ..config import is_database_url
    from ..errors import StorylineError
    from ..pipeline import ingest
    from .analysis import _RichAnalyseProgress, open_engine

    started = time.perf_counter()
    settings = _settings(db or out_dir / "storyline.db")
    if update and not is_database_url(settings.db) and not Path(settings.db).is_file():
        raise StorylineError(
            f"{display_database(settings.db)}: no story to update; build it first with `storyline build`"
        )
    timeline_opts = _options(start, end, **options)
    with _open(settings) as store, open_engine(engine, ray_address, processes) as runner:
        if quiet or as_json:
            report = ingest(paths, store, settings, engine=runner)
            analysed = analyse(store, engine=runner)
        else:
            with _RichIngestProgress(stderr) as progress:
                report = ingest(paths, store, settings, progress, engine=runner)
            with _RichAnalyseProgress() as analyse_progress:
                analysed = analyse(store, progress=analyse_progress, engine=runner)
        bundle = make_bundle(store, timeline_opts, title)
    result = write_story(bundle, out_dir)
    index = out_dir / "index.html"
    seconds = time.perf_counter() - started
    if as_json:
        _print_json(
            {
                "db": display_database(settings.db),
                "counts": dict(report.counts),
                "analysed": analysed.counts.get("analysed", 0),
                "failures": [str(f) for f in report.failures],
                "events": result.events,
                "entries": result.entries,
                "files": [str(p) for p in result.files],
                "seconds": round(seconds, 2),
            }
        )
    elif not quiet:
        c = report.counts
        stderr.print(
            f"{c['stored']} new articles ({c['duplicates']} duplicates, {c['failed']} failed), "
            f"{result.events} events, {result.entries} timeline entries, in {seconds:.1f} s",
            highlight=False,
        )
        for failure in report.failures:
            stderr.print(f"  not ingested: {failure}", highlight=False, markup=False)
        click.echo(f"Open {index.resolve()}")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "md", "csv", "timelinejs", "timelinejs-sheet", "html"]),
    default="md",
    show_default=True,
    help="Export format (csv writes one file per table into a folder).",
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="File (or folder for csv) to write; default: print."
)
@timeline_options
@common_options
def timeline(
    fmt: str,
    out: Path | None,
    title: str | None,
    start: str | None,
    end: str | None,
    db: Path,
    as_json: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Make the timeline of what is stored (after ingest and analyse) and export it.

    \b
    Example:
      storyline timeline --format timelinejs --out story.json --db story.db
      storyline timeline --query Lavrov --from 2024-01-01 --dates 5
    """
    import tempfile

    from ..build import make_bundle, write_format

    fmt = "json" if as_json else fmt
    settings = _settings(db)
    with _open(settings) as store:
        bundle = make_bundle(store, _options(start, end, **options), title)
    if out is not None:
        files = write_format(bundle, fmt, out)
        if not quiet:
            stderr.print("wrote " + ", ".join(str(p) for p in files), highlight=False)
        return
    if fmt == "csv":
        raise click.UsageError("--format csv writes several files: give --out FOLDER")
    with tempfile.TemporaryDirectory() as tmp:
        (path,) = write_format(bundle, fmt, Path(tmp) / f"timeline.{fmt}")
        click.echo(path.read_text(encoding="utf-8"), nl=False)

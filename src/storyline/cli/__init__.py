"""The ``storyline`` command: thin commands, each wrapping one library function."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..config import DEFAULT_DB, FieldMapping, Settings, display_database, is_database_url, resolve_settings
from ..errors import StorylineError
from ..export.records import article_record, date_label
from ..model import DateValue, ReadFailure

F = TypeVar("F", bound=Callable[..., Any])

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class _Database(click.ParamType):
    """A ``--db`` value: a ``postgresql://`` URL is kept as it is, anything else is a SQLite file path."""

    name = "FILE|URL"
    _file = click.Path(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        if is_database_url(value):
            return str(value)
        return self._file.convert(value, param, ctx)  # type: ignore[no-any-return]


DATABASE = _Database()


def common_options(func: F) -> F:
    """--db, --json and --quiet, the same on every command."""
    func = click.option(
        "--db",
        type=DATABASE,
        envvar="STORYLINE_DB",
        default=DEFAULT_DB,
        show_default=True,
        show_envvar=True,
        help="The storyline database: a SQLite file, or a PostgreSQL URL (postgresql://user@host/dbname).",
    )(func)
    func = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(func)
    func = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary; errors only.")(func)
    return func


def _settings(db: Path | str, **overrides: Any) -> Settings:
    return resolve_settings(db=db, **overrides)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _open(settings: Settings):  # noqa: ANN202 - the Store type is imported lazily with its backend
    from ..store import open_store

    return open_store(settings.db)


class _RichProgress:
    """A progress bar on stderr with counts, elapsed time and ETA; a context manager."""

    def __init__(self, label: str, unit: str, console: Console = stderr) -> None:
        self._progress = Progress(
            TextColumn(f"[bold]{label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit + "{task.fields[summary]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self._label = label
        self._task: Any = None

    def __enter__(self) -> Any:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.__exit__(*exc)

    def start(self, total: int) -> None:
        self._task = self._progress.add_task(self._label, total=total, summary="")


class _RichIngestProgress(_RichProgress):
    """Ingest progress by files, with running counts; failures printed above the bar, one line each."""

    def __init__(self, console: Console = stderr) -> None:
        super().__init__("ingest", "files", console)

    def advance(self, path: Path, counts: Counter[str], step: int = 1) -> None:
        summary = (
            f" · {counts['stored']} stored, {counts['duplicates']} duplicates, {counts['failed']} failed"
        )
        self._progress.update(self._task, advance=step, summary=summary)

    def done(self, counts: Counter[str]) -> None:
        self.advance(Path(), counts, step=0)

    def failure(self, failure: ReadFailure) -> None:
        self._progress.console.print(f"[red]error[/red] {failure}", markup=True, highlight=False)


class _QuietProgress:
    def start(self, total_files: int) -> None:
        pass

    def advance(self, path: Path, counts: Counter[str]) -> None:
        pass

    def failure(self, failure: ReadFailure) -> None:
        click.echo(f"error {failure}", err=True)

    def done(self, counts: Counter[str]) -> None:
        pass


class _StorylineGroup(click.Group):
    """Turns storyline's own errors into one clear line and exit status 1, and Ctrl-C into status 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorylineError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted; everything stored before the interruption is kept.", err=True)
            ctx.exit(130)


@click.group(
    cls=_StorylineGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(package_name="storyline")
def cli() -> None:
    """storyline: from raw news articles to a clean, deduplicated, dated and sourced timeline.

    \b
    Start with:
      storyline ingest my-articles/            read and store a folder of articles
      storyline articles                       list them, with dates and duplicates
      storyline show ID                        one article's cleaned text and metadata
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--fields",
    metavar="FIELD=COLUMN,...",
    help="Which JSONL key or CSV column holds each field, e.g. 'text=body,date=pubdate'. "
    "Fields: text, title, date, modified, url, outlet, author, language.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 if any input could not be ingested.")
@common_options
def ingest(
    paths: tuple[Path, ...], fields: str | None, strict: bool, db: Path, as_json: bool, quiet: bool
) -> None:
    """Read articles from files and folders and store them.

    Reads plain text, HTML, JSONL and CSV/TSV files, gzip-compressed or not; folders are read
    recursively. Re-ingesting the same files changes nothing; copies of an article are kept and marked
    as duplicates of the first one. An input that cannot be read is reported with the reason, and the
    rest is still ingested.

    \b
    Example:
      storyline ingest articles/ export.jsonl.gz --db story.db
    """
    from ..pipeline import ingest as run_ingest

    settings = _settings(db, fields=FieldMapping.parse(fields) if fields else None)
    with _open(settings) as store:
        if quiet or as_json:
            report = run_ingest(paths, store, settings, _QuietProgress())
        else:
            with _RichIngestProgress(stderr) as progress:
                report = run_ingest(paths, store, settings, progress)
    counts = report.counts
    if as_json:
        _print_json(
            {
                "db": display_database(settings.db),
                "run": report.run.id,
                "counts": dict(counts),
                "failures": [
                    {"source": f.source, "line": f.line, "reason": f.reason} for f in report.failures
                ],
                "seconds": round(report.seconds, 3),
            }
        )
    elif not quiet:
        stderr.print(
            f"{counts['files']} files, {counts['read']} articles read: {counts['stored']} stored "
            f"({counts['duplicates']} of them duplicates), {counts['unchanged']} already stored, "
            f"{counts['failed']} failed — in {report.seconds:.1f} s → {display_database(settings.db)}",
            highlight=False,
        )
        if report.failures:
            stderr.print("Not ingested (also listed by `storyline failures`):", highlight=False)
            for failure in report.failures:
                stderr.print(f"  {failure}", highlight=False, markup=False)
    if strict and report.failures:
        sys.exit(1)


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many articles.")
@click.option("--no-duplicates", is_flag=True, help="Leave out articles that duplicate an earlier one.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the listing to FILE."
)
@common_options
def articles(
    limit: int | None, no_duplicates: bool, out: Path | None, db: Path, as_json: bool, quiet: bool
) -> None:
    """List stored articles: id, source, outlet, publication date and how it was found, title, words,
    duplicate-of.

    A date marked '?' was inferred, not stated by the article.

    \b
    Example:
      storyline articles --db story.db --no-duplicates
    """
    settings = _settings(db)
    with _open(settings) as store:
        rows = []
        for article in store.iter_articles(include_duplicates=not no_duplicates):
            rows.append(article_record(article))
            if limit and len(rows) >= limit:
                break
    if as_json:
        _print_json(rows)
        return
    table = Table(show_lines=False, header_style="bold")
    for name in ("id", "source", "outlet", "published (how found)", "title", "words", "duplicate of"):
        table.add_column(name, overflow="fold")
    for r in rows:
        pub = r["publication_date"]
        published = date_label(DateValue.from_dict(pub)) if pub else "(no date)"
        dup = r["duplicate_of"] or ""
        if dup and r["duplicate_similarity"] is not None and r["duplicate_similarity"] < 1:
            dup += f" ({r['duplicate_similarity']:.2f})"
        table.add_row(
            r["id"], r["source"], r["outlet"] or "", published, r["title"] or "", str(r["words"]), dup
        )
    width = 200 if not sys.stdout.isatty() else None
    Console(width=width, highlight=False).print(table)
    if not quiet:
        stderr.print(f"{len(rows)} articles in {display_database(settings.db)}", highlight=False)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            Console(file=handle, width=200, no_color=True, highlight=False).print(table)


@cli.command()
@click.argument("article_id")
@click.option("--raw", is_flag=True, help="Print the raw text as read, not the cleaned text.")
@click.option("--removed", is_flag=True, help="Also list what cleaning removed, and why.")
@common_options
def show(article_id: str, raw: bool, removed: bool, db: Path, as_json: bool, quiet: bool) -> None:
    """Print one article's cleaned text and its metadata. ID may be a unique prefix.

    \b
    Example:
      storyline show 3f2a9c --removed
    """
    settings = _settings(db)
    with _open(settings) as store:
        article = store.get_article(article_id)
    if as_json:
        _print_json(article_record(article, with_text=True, with_raw=raw))
        return
    out = Console(highlight=False, soft_wrap=True)
    fields = [
        ("id", article.id),
        ("source", article.source),
        ("title", _with_method(article.title, article.title_method)),
        ("outlet", _with_method(article.outlet, article.outlet_method)),
        ("published", _date_detail(article.publication_date)),
        ("modified", _date_detail(article.modification_date) if article.modification_date else None),
        ("url", article.url),
        ("author", article.author),
        ("format", f"{article.format}, {article.encoding}"),
        ("words", str(article.words)),
        ("duplicate of", article.duplicate_of),
    ]
    for name, value in fields:
        if value:
            out.print(f"{name:>12}: {value}", markup=False)
    out.print()
    out.print(article.raw_text if raw else article.text, markup=False)
    if removed and article.removed:
        out.print()
        out.print("Removed by cleaning:", markup=False)
        for piece in article.removed:
            out.print(f"  [{piece.reason}] {piece.text}", markup=False)


def _with_method(value: str | None, method: object) -> str | None:
    return f"{value} ({method})" if value and method else value


def _date_detail(value: Any) -> str:
    if value is None:
        return "(no date found)"
    detail = f"{date_label(value)}, precision {value.precision}, confidence {value.confidence:.2f}"
    return f"{detail}; evidence: {value.evidence}" if value.evidence else detail


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@common_options
def search(query: str, limit: int, db: Path, as_json: bool, quiet: bool) -> None:
    """Full-text search over titles and cleaned text: words, "phrases" and OR; also NOT on SQLite (FTS5
    syntax), -word on PostgreSQL (web-search syntax).

    \b
    Example:
      storyline search '"foreign minister" Beijing'
    """
    settings = _settings(db)
    with _open(settings) as store:
        hits = store.search(query, limit)
    if as_json:
        _print_json([{"id": h.article_id, "title": h.title, "snippet": h.snippet} for h in hits])
        return
    for hit in hits:
        click.echo(f"{hit.article_id}  {hit.title or '(untitled)'}\n    {hit.snippet}")
    if not quiet:
        stderr.print(f"{len(hits)} matching articles", highlight=False)


@cli.command()
@click.option("--all", "all_runs", is_flag=True, help="Failures of every run, not only the last one.")
@common_options
def failures(all_runs: bool, db: Path, as_json: bool, quiet: bool) -> None:
    """List the inputs that could not be ingested, and why.

    \b
    Example:
      storyline failures --all
    """
    settings = _settings(db)
    with _open(settings) as store:
        run = store.last_run()
        found = store.failures(None if all_runs or run is None else run.id)
    if as_json:
        _print_json([{"source": f.source, "line": f.line, "reason": f.reason} for f in found])
        return
    for failure in found:
        click.echo(str(failure))
    if not quiet:
        stderr.print(f"{len(found)} inputs not ingested", highlight=False)


def main() -> None:
    """Entry point of the ``storyline`` script."""
    cli()


# The other commands register themselves on the group.
from . import analysis as _analysis_commands  # noqa: E402, F401
from . import evaluate as _evaluate_commands  # noqa: E402, F401
from . import serve as _serve_commands  # noqa: E402, F401
from . import story as _story_commands  # noqa: E402, F401

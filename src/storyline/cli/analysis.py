"""Commands over the analysis: analyse, entities (and fixing them), quotes, dates (and setting one)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from ..engines import ENGINES, Engine, get_engine
from . import _date_detail, _open, _print_json, _RichProgress, _settings, cli, common_options, stderr

F = TypeVar("F", bound=Callable[..., Any])

LABELS = ["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"]


class _RichAnalyseProgress(_RichProgress):
    def __init__(self) -> None:
        super().__init__("analyse", "articles")

    def advance(self, done: int) -> None:
        self._progress.update(self._task, completed=done)


def _table_out(table: Table) -> None:
    Console(width=200 if not sys.stdout.isatty() else None, highlight=False).print(table)


def engine_options(func: F) -> F:
    """Where the per-article work runs: --engine, --ray-address, --processes (analyse, build, update)."""
    options = [
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="local",
            show_default=True,
            help="Run the per-article work (cleaning, parsing, dates, quotes) in this process "
            "or on Ray (needs: pip install 'storyline[ray]').",
        ),
        click.option(
            "--ray-address",
            metavar="ADDRESS",
            envvar="STORYLINE_RAY_ADDRESS",
            help="An existing Ray cluster (host:6379 or ray://host:10001) whose workers have storyline "
            "installed; default: a local Ray started for the run.",
        ),
        click.option(
            "--processes",
            type=click.IntRange(1, 256),
            help="Parse with this many processes (local) or Ray workers (ray). "
            "Default: every core, for 100 articles or more (local); every CPU of the cluster (ray).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def open_engine(engine: str, ray_address: str | None, processes: int | None) -> Engine:
    """The engine the options name (close it after the run)."""
    if ray_address and engine != "ray":
        raise click.UsageError("--ray-address needs --engine ray")
    return get_engine(engine, ray_address=ray_address, processes=processes)


@cli.command()
@engine_options
@common_options
def analyse(
    engine: str, ray_address: str | None, processes: int | None, db: Path, as_json: bool, quiet: bool
) -> None:
    """Find the people, organisations and places, the dates and the quotes of every stored article,
    infer missing publication dates, and make entities canonical across the corpus.

    Only articles that changed since the last run (text, stage versions, or date) are analysed again;
    an interrupted run resumes where it stopped.

    \b
    Example:
      storyline analyse --db story.db
      storyline analyse --db story.db --engine ray --ray-address ray://head:10001
    """
    from ..analyse import analyse as run_analyse

    settings = _settings(db)
    with _open(settings) as store, open_engine(engine, ray_address, processes) as runner:
        if quiet or as_json:
            report = run_analyse(store, engine=runner)
        else:
            with _RichAnalyseProgress() as progress:
                report = run_analyse(store, progress=progress, engine=runner)
    if as_json:
        _print_json({"counts": dict(report.counts), "seconds": report.seconds})
    elif not quiet:
        c = report.counts
        stderr.print(
            f"{c['analysed']} of {c['articles']} articles analysed, "
            f"{c['dated-by-corpus']} dated from the corpus, "
            f"{c['entities']} entities — {sum(report.seconds.values()):.1f} s",
            highlight=False,
        )


@cli.command()
@click.option("--label", type=click.Choice(LABELS, case_sensitive=False), help="Only entities of this type.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many entities.")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")
@common_options
def entities(
    label: str | None, limit: int | None, as_csv: bool, db: Path, as_json: bool, quiet: bool
) -> None:
    """List canonical entities with their aliases, roles and the reasons of every merge.

    Fix them with `storyline merge-entity` and `storyline split-entity`.

    \b
    Example:
      storyline entities --label PERSON --db story.db
    """
    settings = _settings(db)
    with _open(settings) as store:
        found = store.list_entities(label)[:limit]
    if as_json:
        _print_json([e.to_dict() for e in found])
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "name", "label", "articles", "aliases", "roles", "merges"])
        for e in found:
            writer.writerow(
                [
                    e.id,
                    e.name,
                    e.label,
                    e.articles,
                    "; ".join(e.aliases),
                    "; ".join(e.roles),
                    "; ".join(f"{m.alias}: {m.reason} ({m.source})" for m in e.merges),
                ]
            )
        return
    table = Table(header_style="bold")
    for name in ("id", "name", "label", "articles", "aliases", "roles"):
        table.add_column(name, overflow="fold")
    for e in found:
        aliases = ", ".join(f"{a} ×{n}" for a, n in sorted(e.aliases.items(), key=lambda x: -x[1]))
        table.add_row(e.id, e.name, e.label, str(e.articles), aliases, ", ".join(e.roles))
    _table_out(table)
    if not quiet:
        stderr.print(f"{len(found)} entities", highlight=False)


@cli.command("merge-entity")
@click.argument("alias")
@click.argument("entity_id")
@common_options
def merge_entity(alias: str, entity_id: str, db: Path, as_json: bool, quiet: bool) -> None:
    """Make every mention named ALIAS count as the entity ENTITY_ID (kept across re-analyses).

    \b
    Example:
      storyline merge-entity "FM Lavrov" person:sergey-lavrov
    """
    from ..corrections import merge_entity as correct

    with _open(_settings(db)) as store:
        correct(store, alias, entity_id)
    if not quiet:
        stderr.print(f"{alias!r} now counts as {entity_id}", highlight=False)


@cli.command("split-entity")
@click.argument("alias")
@click.argument("entity_id")
@common_options
def split_entity(alias: str, entity_id: str, db: Path, as_json: bool, quiet: bool) -> None:
    """Take the mentions named ALIAS out of the entity ENTITY_ID (undo a wrong merge).

    \b
    Example:
      storyline split-entity "Wang" person:wang-yi
    """
    from ..corrections import split_entity as correct

    with _open(_settings(db)) as store:
        correct(store, alias, entity_id)
    if not quiet:
        stderr.print(f"{alias!r} no longer counts as {entity_id}", highlight=False)


@cli.command()
@click.option("--speaker", help="Only quotes whose speaker's name contains this text.")
@click.option("--article", "article_id", help="Only quotes of this article (id or prefix).")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")
@common_options
def quotes(
    speaker: str | None, article_id: str | None, as_csv: bool, db: Path, as_json: bool, quiet: bool
) -> None:
    """List who said what: direct and reported quotes with their speakers and articles.

    \b
    Example:
      storyline quotes --speaker Lavrov --db story.db
    """
    rows: list[dict[str, Any]] = []
    with _open(_settings(db)) as store:
        names = {e.id: e.name for e in store.list_entities()}
        articles = [store.get_article(article_id)] if article_id else store.iter_articles()
        for article in articles:
            analysis = store.get_analysis(article.id)
            if analysis is None:
                continue
            entity_of = store.entity_of(article.id)
            for q in analysis.quotes:
                entity = entity_of.get(q.speaker or "")
                name = names.get(entity or "", q.speaker) or ""
                if speaker and speaker.casefold() not in name.casefold():
                    continue
                rows.append(
                    {
                        "speaker": name or None,
                        "speaker_entity": entity,
                        "kind": q.kind,
                        "cue": q.cue,
                        "quote": q.text,
                        "article_id": article.id,
                        "outlet": article.outlet,
                        "published": article.publication_date.value if article.publication_date else None,
                        "start": q.start,
                        "end": q.end,
                    }
                )
    if as_json:
        _print_json(rows)
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["speaker"])
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(header_style="bold")
    for name in ("speaker", "kind", "quote", "article", "outlet"):
        table.add_column(name, overflow="fold")
    for r in rows:
        text = r["quote"] if len(r["quote"]) <= 160 else r["quote"][:157] + "…"
        table.add_row(r["speaker"] or "(unknown)", r["kind"], text, r["article_id"], r["outlet"] or "")
    _table_out(table)
    if not quiet:
        stderr.print(f"{len(rows)} quotes", highlight=False)


@cli.command()
@click.argument("article_id")
@common_options
def dates(article_id: str, db: Path, as_json: bool, quiet: bool) -> None:
    """Show an article's publication date (how it was found, how sure, the evidence) and every date it
    mentions, normalised, with what each was counted from.

    \b
    Example:
      storyline dates 3f2a9c --db story.db
    """
    with _open(_settings(db)) as store:
        article = store.get_article(article_id)
        analysis = store.get_analysis(article.id)
    refs = analysis.time_refs if analysis else []
    if as_json:
        _print_json(
            {
                "id": article.id,
                "publication_date": article.publication_date.to_dict() if article.publication_date else None,
                "modification_date": article.modification_date.to_dict()
                if article.modification_date
                else None,
                "analysed": analysis is not None,
                "time_refs": [
                    {
                        "text": t.text,
                        "value": t.value,
                        "precision": str(t.precision) if t.precision else None,
                        "end_value": t.end_value,
                        "anchor": t.anchor,
                        "confidence": t.confidence,
                        "sentence": t.sentence,
                        "start": t.start,
                        "end": t.end,
                    }
                    for t in refs
                ],
            }
        )
        return
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"{article.id}  {article.title or '(untitled)'}", markup=False)
    out.print(f"published: {_date_detail(article.publication_date)}", markup=False)
    if analysis is None:
        out.print("not analysed yet: run `storyline analyse`", markup=False)
        return
    table = Table(header_style="bold")
    for name in ("expression", "date", "precision", "counted from", "confidence", "sentence"):
        table.add_column(name, overflow="fold")
    for t in refs:
        value = t.value or "(unresolved)"
        if t.end_value:
            value += f" … {t.end_value}"
        sentence = analysis.sentences[t.sentence] if 0 <= t.sentence < len(analysis.sentences) else None
        context = article.text[sentence.start : sentence.end][:120] if sentence else ""
        table.add_row(t.text, value, str(t.precision or ""), t.anchor, f"{t.confidence:.2f}", context)
    _table_out(table)


@cli.command("set-date")
@click.argument("article_id")
@click.argument("date", required=False)
@click.option("--clear", is_flag=True, help="Remove a date set by hand.")
@common_options
def set_date(article_id: str, date: str | None, clear: bool, db: Path, as_json: bool, quiet: bool) -> None:
    """Set an article's publication date by hand (YYYY, YYYY-MM or YYYY-MM-DD); it wins over any date
    found or inferred, and the article's dates are counted from it again.

    \b
    Example:
      storyline set-date 3f2a9c 2024-04-08 --db story.db
    """
    from ..corrections import CorrectionError, parse_user_date, set_publication_date

    if not clear and not date:
        raise click.UsageError("give a DATE, or --clear to remove the date set by hand")
    if not clear:
        try:
            parse_user_date(date or "")
        except CorrectionError as exc:
            raise click.BadParameter(str(exc), param_hint="DATE") from exc
    with _open(_settings(db)) as store:
        article = set_publication_date(store, article_id, None if clear else date)
    if as_json:
        _print_json(
            {
                "id": article.id,
                "publication_date": article.publication_date.to_dict() if article.publication_date else None,
            }
        )
    elif not quiet:
        stderr.print(
            f"{article.id}: published {_date_detail(article.publication_date)}", highlight=False, markup=False
        )


@cli.command("set-outlet")
@click.argument("article_id")
@click.argument("outlet", required=False)
@click.option("--clear", is_flag=True, help="Remove an outlet set by hand.")
@common_options
def set_outlet(
    article_id: str, outlet: str | None, clear: bool, db: Path, as_json: bool, quiet: bool
) -> None:
    """Set the outlet that published an article by hand; it wins over the outlet found, and events count
    independent sources with it.

    \b
    Example:
      storyline set-outlet 3f2a9c "Global Times" --db story.db
    """
    from ..corrections import set_outlet as correct_outlet

    if not clear and not outlet:
        raise click.UsageError("give an OUTLET, or --clear to remove the outlet set by hand")
    with _open(_settings(db)) as store:
        article = correct_outlet(store, article_id, None if clear else outlet)
    if as_json:
        _print_json({"id": article.id, "outlet": article.outlet, "outlet_method": article.outlet_method})
    elif not quiet:
        stderr.print(f"{article.id}: outlet {article.outlet or '(none)'}", highlight=False, markup=False)


@cli.command("hide-entry")
@click.argument("date")
@click.option("--show", is_flag=True, help="Show a hidden entry again.")
@common_options
def hide_entry(date: str, show: bool, db: Path, as_json: bool, quiet: bool) -> None:
    """Hide the timeline entry of DATE from every timeline built from this database (or --show it again).

    \b
    Example:
      storyline hide-entry 2024-04-09 --db story.db
    """
    from ..corrections import hide_entry as hide

    with _open(_settings(db)) as store:
        hide(store, date, hidden=not show)
    if as_json:
        _print_json({"date": date.strip(), "hidden": not show})
    elif not quiet:
        stderr.print(f"entry {date.strip()} {'shown' if show else 'hidden'}", highlight=False)

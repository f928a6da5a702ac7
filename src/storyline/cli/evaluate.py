"""``storyline eval``: measure storyline against published benchmarks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.table import Table

from . import _print_json, cli, stderr


@cli.group(name="eval")
def eval_group() -> None:
    """Measure storyline against published benchmarks, from their raw articles."""


@eval_group.command(name="tls")
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the per-topic databases, reused by later runs (default: a temporary folder).",
)
@click.option("--topic", "topics", multiple=True, help="Only this topic (e.g. bpoil); repeatable.")
@click.option(
    "--source", "sources", multiple=True, help="Only this source folder (e.g. H1N1_guardian); repeatable."
)
@click.option(
    "--limit-articles",
    type=click.IntRange(min=1),
    help="At most this many articles per source folder, spread over its days (for a quick check).",
)
@click.option(
    "--rouge",
    type=click.Choice(["python", "perl"]),
    default="python",
    show_default=True,
    help="tilse's pure-Python ROUGE, or the Perl ROUGE-1.5.5 of the papers (needs XML::Parser).",
)
@click.option(
    "--n-process", type=click.IntRange(min=1), default=1, show_default=True, help="spaCy processes."
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON (with the timelines).")
@click.option("--quiet", "-q", is_flag=True, help="No progress; the table only.")
def tls(
    dataset: Path,
    work: Path | None,
    topics: tuple[str, ...],
    sources: tuple[str, ...],
    limit_articles: int | None,
    rouge: str,
    n_process: int,
    as_json: bool,
    quiet: bool,
) -> None:
    """Timeline summarisation on Timeline17 (or a dataset in its layout), from raw text.

    Builds every gold timeline's counterpart in the published setting (as many dates as the gold, its
    average sentences per date, its date range, the topic's query keywords) and scores it with tilse:
    alignment ROUGE-1/2 F (align+ m:1) and date F1, averaged as Gholipour Ghalandari & Ifrim (2020).

    \b
    Example:
      storyline eval tls ../shared/datasets/timeline17 --work /tmp/t17 --n-process 2
      storyline eval tls ../shared/datasets/timeline17 --source H1N1_guardian
    """
    from ..evaluate.tls import DATEWISE, run_tls

    log = None if (quiet or as_json) else (lambda msg: stderr.print(msg, highlight=False, markup=False))
    with tempfile.TemporaryDirectory(prefix="storyline-tls-") as tmp:
        report = run_tls(
            dataset,
            work or Path(tmp),
            topics=topics or None,
            sources=sources or None,
            limit_articles=limit_articles,
            rouge=rouge,
            n_process=n_process,
            log=log,
        )
    if as_json:
        _print_json(report.to_dict())
        return
    table = Table(title=f"Timeline summarisation ({rouge} ROUGE, align+ m:1)")
    for column in ("timeline", "dates", "k", "AR-1 F", "AR-2 F", "date F1"):
        table.add_column(column, justify="left" if column == "timeline" else "right")
    for r in report.results:
        s = r.scores
        table.add_row(
            r.label,
            f"{r.system_dates}/{r.gold_dates}",
            str(r.sentences_per_date),
            f"{s['rouge_1']['f_score']:.3f}",
            f"{s['rouge_2']['f_score']:.3f}",
            f"{s['date']['f_score']:.3f}",
        )
    avg = report.average
    table.add_row(
        f"average ({len(report.results)})",
        "",
        "",
        f"{avg['rouge_1']['f_score']:.3f}",
        f"{avg['rouge_2']['f_score']:.3f}",
        f"{avg['date']['f_score']:.3f}",
        style="bold",
    )
    table.add_row(
        "DATEWISE (published)",
        "",
        "",
        f"{DATEWISE['rouge_1']:.3f}",
        f"{DATEWISE['rouge_2']:.3f}",
        f"{DATEWISE['date']:.3f}",
    )
    from rich.console import Console

    Console(highlight=False).print(table)
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    click.echo(f"wall time {report.wall_seconds:.1f} s ({phases})")

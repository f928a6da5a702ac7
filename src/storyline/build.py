"""From stored analyses to a timeline and its files: the library behind ``storyline build`` and
``storyline timeline``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from . import __version__
from .analysis import ArticleAnalysis
from .errors import StorylineError
from .export.bundle import ExportBundle, QuoteRecord
from .stages.event_mentions import digest
from .stages.events import AnalysedArticle, extract_events
from .stages.summarise import build_timeline
from .store.base import Store
from .timeline import TimelineOptions

FORMATS = ("json", "md", "csv", "timelinejs", "timelinejs-sheet", "html")


def load_analysed(
    store: Store, *, digests: bool = False, seen: Callable[[AnalysedArticle], object] | None = None
) -> list[AnalysedArticle]:
    """Every analysed article with its analysis and its mentions' entities (duplicates included: they
    count as their original's outlet, never twice). The articles are slim (without their raw text, see
    ``Store.iter_articles``): events, the timeline and the exports never read it.

    With ``digests``, each is kept as a digest (:func:`~storyline.stages.event_mentions.digest`: the
    head of its text, its dated sentences and what is said in them), which reads the whole article
    from ``store`` again when a timeline needs it: the store must stay open while the items are used.
    ``seen`` is shown each whole article as it is read (before it becomes a digest)."""
    items = []
    for article in store.iter_articles(slim=True):
        analysis = store.get_analysis(article.id, expressions=False)
        if analysis is None:
            continue
        item = AnalysedArticle(article, analysis, store.entity_of(article.id))
        if seen is not None:
            seen(item)
        items.append(digest(item, partial(_read_again, store, article.id)) if digests else item)
    return items


def _read_again(store: Store, article_id: str, with_analysis: bool = True) -> AnalysedArticle:
    """An article read whole again, with its analysis or alone (an empty analysis then); only the id is
    held, so a digest keeps nothing more of the article."""
    if not with_analysis:
        return AnalysedArticle(store.get_article(article_id), ArticleAnalysis(article_id), {})
    analysis = store.get_analysis(article_id, expressions=False)
    if analysis is None:
        raise StorylineError(f"article {article_id}: its analysis is gone from the store")
    return AnalysedArticle(store.get_article(article_id), analysis, store.entity_of(article_id))


def make_bundle(store: Store, options: TimelineOptions, title: str | None = None) -> ExportBundle:
    """Events and the timeline over what is stored, with everything an export shows. The articles are
    held as digests (what events and the timeline read of them), each read whole again only when the
    timeline needs it."""
    entities = {e.id: e for e in store.list_entities()}
    quotes: list[QuoteRecord] = []

    def keep_quotes(item: AnalysedArticle) -> None:
        for quote in item.analysis.quotes:
            entity_id = item.entity_of.get(quote.speaker or "")
            name = entities[entity_id].name if entity_id in entities else quote.speaker
            quotes.append(QuoteRecord(item.article.id, quote, entity_id, name))

    items = load_analysed(store, digests=True, seen=keep_quotes)
    if not items:
        raise StorylineError("nothing analysed yet: run `storyline ingest` and `storyline analyse` first")
    events = extract_events(items, entities)
    timeline = build_timeline(items, events, entities, options, title)
    hidden = store.hidden_entries()
    for entry in timeline.entries:
        entry.hidden = entry.date in hidden
    if not options.show_hidden:
        timeline.entries = [entry for entry in timeline.entries if not entry.hidden]
    return ExportBundle(
        timeline=timeline,
        articles=[item.article for item in items],
        entities=list(entities.values()),
        quotes=quotes,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        storyline_version=__version__,
    )


def write_format(bundle: ExportBundle, fmt: str, out: Path) -> list[Path]:
    """Write one export format to ``out`` (a file, or a folder for csv); returns the files written."""
    from .export import csvexport, html, jsonexport, markdown, timelinejs

    writers: dict[str, Callable[[], list[Path]]] = {
        "json": lambda: _write(out, lambda p: jsonexport.write_json(bundle, p)),
        "md": lambda: _write(out, lambda p: markdown.write_markdown(bundle, p)),
        "csv": lambda: csvexport.write_csv(bundle, out),
        "timelinejs": lambda: _write(out, lambda p: timelinejs.write_timelinejs(bundle, p)),
        "timelinejs-sheet": lambda: _write(out, lambda p: timelinejs.write_timelinejs_sheet(bundle, p)),
        "html": lambda: _write(out, lambda p: html.write_html(bundle, p)),
    }
    if fmt not in writers:
        raise StorylineError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt]()


def _write(path: Path, writer: Callable[[Path], object]) -> list[Path]:
    """Write to a temporary file beside ``path`` and rename it: a failed write never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        writer(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return [path]


@dataclass(slots=True)
class BuildResult:
    files: list[Path] = field(default_factory=list)
    entries: int = 0
    events: int = 0


def write_story(bundle: ExportBundle, out_dir: Path) -> BuildResult:
    """The files ``storyline build`` leaves in its output folder."""
    result = BuildResult(entries=len(bundle.timeline.entries), events=len(bundle.timeline.events))
    result.files += write_format(bundle, "json", out_dir / "timeline.json")
    result.files += write_format(bundle, "md", out_dir / "timeline.md")
    result.files += write_format(bundle, "html", out_dir / "index.html")
    return result

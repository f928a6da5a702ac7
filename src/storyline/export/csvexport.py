"""Every table as its own CSV file: articles, events, event-article links, entities, quotes, timeline.

Files are UTF-8, comma-separated, with a header row; embedded newlines and quotes are kept inside quoted
cells (RFC 4180).  Lists in one cell are joined with "; ".  Cells whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return get a leading apostrophe, so a spreadsheet opening the file shows
the text instead of running it as a formula (CSV formula injection); numbers are left as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..model import DateValue
from .bundle import ExportBundle, article_link

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ARTICLE_COLUMNS = (
    "id",
    "source",
    "url",
    "title",
    "outlet",
    "author",
    "language",
    "publication_date",
    "publication_date_precision",
    "publication_date_method",
    "publication_date_confidence",
    "publication_date_inferred",
    "publication_date_evidence",
    "modification_date",
    "duplicate_of",
    "words",
)
EVENT_COLUMNS = (
    "id",
    "date",
    "date_precision",
    "end_date",
    "status",
    "title",
    "place",
    "place_name",
    "participants",
    "participant_names",
    "articles",
    "outlets",
    "independent_sources",
)
EVENT_ARTICLE_COLUMNS = ("event_id", "article_id", "outlet", "publication_date", "url", "sentences")
ENTITY_COLUMNS = ("id", "name", "label", "aliases", "roles", "articles", "merges")
QUOTE_COLUMNS = (
    "article_id",
    "outlet",
    "speaker",
    "speaker_entity",
    "kind",
    "cue",
    "text",
    "start",
    "end",
)
TIMELINE_COLUMNS = (
    "entry",
    "date",
    "date_precision",
    "date_uncertain",
    "verification",
    "independent_sources",
    "outlets",
    "article_id",
    "outlet",
    "publication_date",
    "url",
    "start",
    "end",
    "text",
)


def neutralise_formula(value: Any) -> Any:
    """A cell value a spreadsheet will not evaluate: text starting like a formula gets a leading "'"."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_table(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Path:
    """One CSV file with a header; every cell protected against formula injection."""
    with path.open("w", encoding="utf-8", errors="replace", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
    return path


def write_csv(bundle: ExportBundle, folder: str | Path) -> list[Path]:
    """Write the six tables into ``folder`` (created when missing); returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_table(folder / "articles.csv", ARTICLE_COLUMNS, _article_rows(bundle)),
        write_table(folder / "events.csv", EVENT_COLUMNS, _event_rows(bundle)),
        write_table(folder / "event_articles.csv", EVENT_ARTICLE_COLUMNS, _event_article_rows(bundle)),
        write_table(folder / "entities.csv", ENTITY_COLUMNS, _entity_rows(bundle)),
        write_table(folder / "quotes.csv", QUOTE_COLUMNS, _quote_rows(bundle)),
        write_table(folder / "timeline.csv", TIMELINE_COLUMNS, _timeline_rows(bundle)),
    ]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(item) for item in value)
    return neutralise_formula(value)


def _date(value: DateValue | None) -> str | None:
    return value.value if value else None


def _article_rows(bundle: ExportBundle) -> Iterable[dict[str, Any]]:
    for article in bundle.articles:
        date = article.publication_date
        yield {
            "id": article.id,
            "source": article.source,
            "url": article.url,
            "title": article.title,
            "outlet": article.outlet,
            "author": article.author,
            "language": article.language,
            "publication_date": _date(date),
            "publication_date_precision": str(date.precision) if date else None,
            "publication_date_method": str(date.method) if date else None,
            "publication_date_confidence": date.confidence if date else None,
            "publication_date_inferred": date.inferred if date else None,
            "publication_date_evidence": date.evidence if date else None,
            "modification_date": _date(article.modification_date),
            "duplicate_of": article.duplicate_of,
            "words": article.words,
        }


def _event_rows(bundle: ExportBundle) -> Iterable[dict[str, Any]]:
    for event in bundle.timeline.events:
        yield {
            "id": event.id,
            "date": event.date,
            "date_precision": str(event.date_precision),
            "end_date": event.end_date,
            "status": event.status,
            "title": event.title,
            "place": event.place,
            "place_name": bundle.entity_name(event.place),
            "participants": event.participants,
            "participant_names": [bundle.entity_name(p) for p in event.participants],
            "articles": len(event.articles),
            "outlets": event.outlets,
            "independent_sources": event.independent_sources,
        }


def _event_article_rows(bundle: ExportBundle) -> Iterable[dict[str, Any]]:
    for event in bundle.timeline.events:
        for article_id in event.articles:
            article = bundle.article(article_id)
            yield {
                "event_id": event.id,
                "article_id": article_id,
                "outlet": article.outlet if article else None,
                "publication_date": _date(article.publication_date) if article else None,
                "url": article.url if article else None,
                "sentences": sum(1 for ref in event.sentences if ref.article_id == article_id),
            }


def _entity_rows(bundle: ExportBundle) -> Iterable[dict[str, Any]]:
    for entity in bundle.entities:
        yield {
            "id": entity.id,
            "name": entity.name,
            "label": entity.label,
            "aliases": [f"{alias} ({count})" for alias, count in entity.aliases.items()],
            "roles": [f"{role} ({count})" for role, count in entity.roles.items()],
            "articles": entity.articles,
            "merges": [f"{m.alias}: {m.reason} [{m.source}]" for m in entity.merges],
        }


def _quote_rows(bundle: ExportBundle) -> Iterable[dict[str, Any]]:
    for record in bundle.quotes:
        article = bundle.article(record.article_id)
        quote = record.quote
        yield {
            "article_id": record.article_id,
            "outlet": article.outlet if article else None,
            "speaker": record.speaker_name or quote.speaker,
            "speaker_entity": record.speaker_entity,
            "kind": quote.kind,
            "cue": quote.cue,
            "text": quote.text,
            "start": quote.start,
            "end": quote.end,
        }


def _timeline_rows(bundle: ExportBundle) -> Iterable[dict[str, Any]]:
    for number, entry in enumerate(bundle.timeline.entries, start=1):
        for ref in entry.summary:
            article = bundle.article(ref.article_id)
            yield {
                "entry": number,
                "date": entry.date,
                "date_precision": str(entry.date_precision),
                "date_uncertain": entry.date_uncertain,
                "verification": entry.verification,
                "independent_sources": entry.independent_sources,
                "outlets": entry.outlets,
                "article_id": ref.article_id,
                "outlet": article.outlet if article else None,
                "publication_date": _date(article.publication_date) if article else None,
                "url": article_link(article),
                "start": ref.start,
                "end": ref.end,
                "text": ref.text,
            }

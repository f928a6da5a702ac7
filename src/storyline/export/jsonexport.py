"""The timeline as one JSON document in a stable, versioned schema (``storyline.timeline/1``).

The schema is documented in ``docs/json-schema.md`` and shipped as a JSON Schema with the package
(:func:`schema`).  Within version 1, fields are only ever added, never renamed or removed; readers should
ignore fields they do not know.  Offsets (``start``/``end``) are character offsets into the article's
cleaned text.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from ..model import Article
from ..timeline import Event, SentenceRef, TimelineEntry
from .bundle import ExportBundle, QuoteRecord

SCHEMA_VERSION = "storyline.timeline/1"


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every :func:`to_json` document validates against."""
    text = resources.files("storyline.export").joinpath("schema/timeline.schema.json").read_text("utf-8")
    return json.loads(text)


def to_json(bundle: ExportBundle) -> dict[str, Any]:
    """The bundle as a JSON-ready dict (plain str/int/float/bool/None/list/dict only)."""
    options = bundle.timeline.options
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": bundle.generated_at,
        "storyline_version": bundle.storyline_version,
        "title": bundle.timeline.title,
        "options": {
            "query": options.query,
            "start": options.start,
            "end": options.end,
            "max_dates": options.max_dates,
            "sentences_per_date": options.sentences_per_date,
        },
        "articles": [_article(article) for article in bundle.articles],
        "entities": [entity.to_dict() for entity in bundle.entities],
        "events": [_event(event) for event in bundle.timeline.events],
        "quotes": [_quote(record) for record in bundle.quotes],
        "timeline": [_entry(entry) for entry in bundle.timeline.entries],
    }


def write_json(bundle: ExportBundle, path: str | Path) -> Path:
    """Write :func:`to_json` as UTF-8 JSON (non-ASCII kept readable, 2-space indent)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_json(bundle), ensure_ascii=False, indent=2) + "\n"
    # A lone surrogate (undecodable input bytes) becomes its JSON escape "\udc80", still valid JSON.
    path.write_text(text, encoding="utf-8", errors="backslashreplace")
    return path


def _article(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "source": article.source,
        "url": article.url,
        "title": article.title,
        "outlet": article.outlet,
        "author": article.author,
        "language": article.language,
        "publication_date": article.publication_date.to_dict() if article.publication_date else None,
        "modification_date": article.modification_date.to_dict() if article.modification_date else None,
        "duplicate_of": article.duplicate_of,
        "words": article.words,
    }


def _sentence(ref: SentenceRef) -> dict[str, Any]:
    return {"article_id": ref.article_id, "start": ref.start, "end": ref.end, "text": ref.text}


def _event(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "date": event.date,
        "date_precision": str(event.date_precision),
        "end_date": event.end_date,
        "status": event.status,
        "title": event.title,
        "place": event.place,
        "participants": list(event.participants),
        "articles": list(event.articles),
        "sentences": [_sentence(ref) for ref in event.sentences],
        "quotes": [
            {"article_id": article_id, "start": start, "end": end} for article_id, start, end in event.quotes
        ],
        "outlets": list(event.outlets),
        "independent_sources": event.independent_sources,
    }


def _quote(record: QuoteRecord) -> dict[str, Any]:
    quote = record.quote
    return {
        "article_id": record.article_id,
        "text": quote.text,
        "kind": quote.kind,
        "speaker": record.speaker_name or quote.speaker,
        "speaker_entity": record.speaker_entity,
        "cue": quote.cue,
        "start": quote.start,
        "end": quote.end,
    }


def _entry(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "date": entry.date,
        "date_precision": str(entry.date_precision),
        "date_uncertain": entry.date_uncertain,
        "summary": [_sentence(ref) for ref in entry.summary],
        "events": list(entry.events),
        "outlets": list(entry.outlets),
        "independent_sources": entry.independent_sources,
        "verification": entry.verification,
    }

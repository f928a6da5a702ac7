"""Plain-dict records of the model, the one shape behind ``--json`` output and the exports."""

from __future__ import annotations

from typing import Any

from ..model import Article, DateValue


def date_label(value: DateValue | None) -> str:
    """How a date reads in a listing: inferred dates carry a '?' and their method, never look certain."""
    if value is None:
        return "(no date)"
    mark = "?" if value.inferred else ""
    return f"{value.value}{mark} ({value.method})"


def article_record(article: Article, *, with_text: bool = False, with_raw: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": article.id,
        "source": article.source,
        "url": article.url,
        "format": article.format,
        "encoding": article.encoding,
        "title": article.title,
        "title_method": article.title_method,
        "outlet": article.outlet,
        "outlet_method": article.outlet_method,
        "author": article.author,
        "language": article.language,
        "publication_date": article.publication_date.to_dict() if article.publication_date else None,
        "modification_date": article.modification_date.to_dict() if article.modification_date else None,
        "words": article.words,
        "content_id": article.content_id,
        "duplicate_of": article.duplicate_of,
        "duplicate_similarity": article.duplicate_similarity,
        "stage_versions": article.stage_versions,
    }
    if with_text:
        record["text"] = article.text
        record["removed"] = [{"text": r.text, "reason": r.reason} for r in article.removed]
    if with_raw:
        record["raw_text"] = article.raw_text
    return record

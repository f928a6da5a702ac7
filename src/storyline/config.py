"""Settings, resolved once into one frozen object: defaults < environment < command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError

DEFAULT_DB = "storyline.db"

# A database named by one of these is a PostgreSQL server; anything else is a SQLite file.
DATABASE_URL_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(db: object) -> bool:
    """Whether a ``--db`` value is a PostgreSQL URL rather than a SQLite file path."""
    return isinstance(db, str) and db.startswith(DATABASE_URL_SCHEMES)


def display_database(db: str | Path) -> str:
    """A database as messages may show it: a URL's password masked."""
    if not is_database_url(db):
        return str(db)
    parts = urlsplit(str(db))
    if parts.password is None:
        return str(db)
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))


def database_location(db: str | Path) -> Path | str:
    """A ``--db`` value as storyline keeps it: a URL stays a string, anything else is a file path."""
    return db if is_database_url(db) else Path(db)


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """Which column or key of a JSONL/CSV export holds each article field (first one present wins)."""

    text: tuple[str, ...] = ("text", "content", "body", "article", "maintext", "full_text")
    title: tuple[str, ...] = ("title", "headline")
    date: tuple[str, ...] = (
        "date",
        "published",
        "publication_date",
        "date_publish",
        "datePublished",
        "pubdate",
        "published_at",
    )
    modified: tuple[str, ...] = ("modified", "date_modify", "dateModified", "updated_at", "modification_date")
    url: tuple[str, ...] = ("url", "link", "source_url")
    outlet: tuple[str, ...] = ("outlet", "source", "source_domain", "publisher", "site_name", "media_name")
    author: tuple[str, ...] = ("author", "authors", "byline")
    language: tuple[str, ...] = ("language", "lang")

    @classmethod
    def parse(cls, spec: str) -> FieldMapping:
        """Parse ``"text=body,title=headline"`` into a mapping that puts those names first."""
        mapping = cls()
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, column = item.partition("=")
            key, column = key.strip(), column.strip()
            if not sep or not column or key not in cls.__dataclass_fields__:
                known = ", ".join(cls.__dataclass_fields__)
                raise ConfigError(
                    f"bad field mapping {item!r}: expected FIELD=COLUMN with FIELD one of {known}"
                )
            mapping = replace(mapping, **{key: (column, *getattr(mapping, key))})
        return mapping


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path | str = Path(DEFAULT_DB)  # a SQLite file, or a postgresql:// URL (see database_location)
    # Inputs larger than this (after decompression) are refused with a clear error, never read whole.
    max_input_bytes: int = 200 * 1024 * 1024
    fields: FieldMapping = field(default_factory=FieldMapping)
    # Near-duplicate detection: estimated Jaccard similarity of word shingles at or above this groups
    # two articles (syndicated copies, re-published pages with other boilerplate).
    near_duplicate_threshold: float = 0.8
    minhash_permutations: int = 128
    shingle_words: int = 5
    batch_size: int = 100

    def with_overrides(self, **overrides: Any) -> Settings:
        """Apply the flags a user actually gave (``None`` means: not given)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def resolve_settings(**overrides: Any) -> Settings:
    """Defaults, then the environment (``STORYLINE_DB``), then explicit overrides."""
    settings = Settings()
    env_db = os.environ.get("STORYLINE_DB")
    if env_db:
        settings = replace(settings, db=database_location(env_db))
    return settings.with_overrides(**overrides)

"""The PostgreSQL schema, as ordered migrations recorded in the database that applied them.

The tables and their numbering mirror the SQLite migrations (store/migrations.py), so "schema version 4"
means the same on both backends. What differs is PostgreSQL's own vocabulary:

* ids are ``TEXT COLLATE "C"``: byte order, so an id prefix is a range scan on the unique index and
  sorting matches SQLite's BINARY collation;
* floats are ``DOUBLE PRECISION`` (SQLite's REAL is 8 bytes, PostgreSQL's REAL only 4);
* ``end`` is a reserved word and is quoted;
* full-text search is a generated ``tsvector`` column (title weighted above the text) with a GIN index,
  in place of the FTS5 table and its triggers;
* ``store_state`` holds a counter that every write transaction bumps first (see ``data_version``).
"""

from __future__ import annotations

# The text-search configuration of the index and of queries: English stemming and stop words, the
# language of most news corpora storyline is used on. Changing it needs a new migration.
TS_CONFIG = "english"

# Ordered, append-only: a released migration is never edited, a new one is added at the end.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "articles, fingerprints, ingest runs and failures",
        """
        CREATE TABLE articles (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id TEXT COLLATE "C" NOT NULL UNIQUE,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            encoding TEXT NOT NULL,
            url TEXT,
            title TEXT,
            title_method TEXT,
            outlet TEXT,
            outlet_method TEXT,
            author TEXT,
            language TEXT,
            publication_date TEXT,
            modification_date TEXT,
            raw_text TEXT NOT NULL,
            extracted_text TEXT,
            text TEXT NOT NULL,
            removed TEXT NOT NULL DEFAULT '[]',
            extra TEXT NOT NULL DEFAULT '{}',
            content_id TEXT,
            minhash BYTEA,
            duplicate_of TEXT COLLATE "C",
            duplicate_similarity DOUBLE PRECISION,
            words INTEGER NOT NULL,
            stage_versions TEXT NOT NULL DEFAULT '{}',
            run_id BIGINT,
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX articles_content_id ON articles(content_id);
        CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
        CREATE INDEX articles_source ON articles(source);
        CREATE TABLE ingest_runs (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            inputs TEXT NOT NULL,
            counts TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE ingest_failures (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            run_id BIGINT NOT NULL REFERENCES ingest_runs(id),
            source TEXT NOT NULL,
            line INTEGER,
            reason TEXT NOT NULL
        );
        -- One row: a counter every write transaction bumps first. Readers compare it to know whether the
        -- data changed; taking its row lock first also orders concurrent writers, as SQLite's
        -- BEGIN IMMEDIATE does, so they cannot deadlock on each other's rows.
        CREATE TABLE store_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            data_version BIGINT NOT NULL
        );
        INSERT INTO store_state VALUES (1, 0);
        """,
    ),
    (
        2,
        "full-text index over titles and cleaned text",
        f"""
        ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('{TS_CONFIG}', coalesce(title, '')), 'A')
            || setweight(to_tsvector('{TS_CONFIG}', text), 'B')
        ) STORED;
        CREATE INDEX articles_search_vector ON articles USING GIN (search_vector);
        """,
    ),
    (
        3,
        "per-article analysis (mentions, time references, quotes), entities, inferred and corrected dates",
        """
        CREATE TABLE analyses (
            article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id),
            content_id TEXT,
            versions TEXT NOT NULL,
            sentences TEXT NOT NULL,
            analysed_at TEXT NOT NULL
        );
        CREATE TABLE mentions (
            article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            key TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            role TEXT,
            PRIMARY KEY (article_id, start, "end")
        );
        CREATE INDEX mentions_key ON mentions(key);
        CREATE TABLE time_refs (
            article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            value TEXT,
            precision TEXT,
            end_value TEXT,
            anchor TEXT NOT NULL,
            confidence DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (article_id, start, "end")
        );
        CREATE INDEX time_refs_value ON time_refs(value);
        CREATE TABLE quotes (
            article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            kind TEXT NOT NULL,
            speaker TEXT,
            speaker_start INTEGER,
            speaker_end INTEGER,
            cue TEXT,
            PRIMARY KEY (article_id, start, "end")
        );
        CREATE TABLE entities (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT COLLATE "C" NOT NULL,
            label TEXT NOT NULL,
            aliases TEXT NOT NULL,
            roles TEXT NOT NULL,
            merges TEXT NOT NULL,
            articles INTEGER NOT NULL
        );
        CREATE TABLE mention_entities (
            article_id TEXT COLLATE "C" NOT NULL,
            key TEXT NOT NULL,
            entity_id TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (article_id, key)
        );
        CREATE INDEX mention_entities_entity ON mention_entities(entity_id);
        CREATE TABLE inferred_dates (
            article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id),
            date TEXT NOT NULL,
            inferred_at TEXT NOT NULL
        );
        -- What users decided. Kept apart from computed results so a re-analysis never loses it.
        CREATE TABLE date_corrections (
            article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id),
            date TEXT NOT NULL,
            corrected_at TEXT NOT NULL
        );
        CREATE TABLE entity_overrides (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind TEXT NOT NULL,
            alias TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
    (
        4,
        "user corrections of outlets and hidden timeline entries",
        """
        CREATE TABLE outlet_corrections (
            article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id),
            outlet TEXT NOT NULL,
            corrected_at TEXT NOT NULL
        );
        -- Timeline entries are keyed by their date, which survives re-analysis (event ids need not).
        CREATE TABLE hidden_entries (
            date TEXT COLLATE "C" PRIMARY KEY,
            hidden_at TEXT NOT NULL
        );
        """,
    ),
    (
        5,
        "dates inferred from the corpus kept apart from those inferred from each article's text",
        """
        CREATE TABLE corpus_dates (
            article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id),
            date TEXT NOT NULL,
            inferred_at TEXT NOT NULL
        );
        INSERT INTO corpus_dates
            SELECT article_id, date, inferred_at FROM inferred_dates
            WHERE (date::jsonb ->> 'method') = 'corpus';
        DELETE FROM inferred_dates WHERE (date::jsonb ->> 'method') = 'corpus';
        """,
    ),
    (
        6,
        "the time expressions of each analysis, to re-anchor its time references without a parse",
        """
        ALTER TABLE analyses ADD COLUMN time_exprs TEXT;
        """,
    ),
]

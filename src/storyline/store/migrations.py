"""The SQLite schema, as ordered migrations recorded in the database that applied them."""

from __future__ import annotations

# Ordered, append-only: a released migration is never edited, a new one is added at the end.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "articles, fingerprints, ingest runs and failures",
        """
        CREATE TABLE articles (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
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
            minhash BLOB,
            duplicate_of TEXT,
            duplicate_similarity REAL,
            words INTEGER NOT NULL,
            stage_versions TEXT NOT NULL DEFAULT '{}',
            run_id INTEGER,
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX articles_content_id ON articles(content_id);
        CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
        CREATE INDEX articles_source ON articles(source);
        CREATE TABLE ingest_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            inputs TEXT NOT NULL,
            counts TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE ingest_failures (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES ingest_runs(id),
            source TEXT NOT NULL,
            line INTEGER,
            reason TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        "full-text index over titles and cleaned text",
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, coalesce(new.title, ''), new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, coalesce(old.title, ''), old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, coalesce(old.title, ''), old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, coalesce(new.title, ''), new.text);
        END;
        """,
    ),
    (
        3,
        "per-article analysis (mentions, time references, quotes), entities, inferred and corrected dates",
        """
        CREATE TABLE analyses (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            content_id TEXT,
            versions TEXT NOT NULL,
            sentences TEXT NOT NULL,
            analysed_at TEXT NOT NULL
        );
        CREATE TABLE mentions (
            article_id TEXT NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            key TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            role TEXT,
            PRIMARY KEY (article_id, start, end)
        );
        CREATE INDEX mentions_key ON mentions(key);
        CREATE TABLE time_refs (
            article_id TEXT NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            value TEXT,
            precision TEXT,
            end_value TEXT,
            anchor TEXT NOT NULL,
            confidence REAL NOT NULL,
            PRIMARY KEY (article_id, start, end)
        );
        CREATE INDEX time_refs_value ON time_refs(value);
        CREATE TABLE quotes (
            article_id TEXT NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            kind TEXT NOT NULL,
            speaker TEXT,
            speaker_start INTEGER,
            speaker_end INTEGER,
            cue TEXT,
            PRIMARY KEY (article_id, start, end)
        );
        CREATE TABLE entities (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            aliases TEXT NOT NULL,
            roles TEXT NOT NULL,
            merges TEXT NOT NULL,
            articles INTEGER NOT NULL
        );
        CREATE TABLE mention_entities (
            article_id TEXT NOT NULL,
            key TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            PRIMARY KEY (article_id, key)
        );
        CREATE INDEX mention_entities_entity ON mention_entities(entity_id);
        CREATE TABLE inferred_dates (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            date TEXT NOT NULL,
            inferred_at TEXT NOT NULL
        );
        -- What users decided. Kept apart from computed results so a re-analysis never loses it.
        CREATE TABLE date_corrections (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            date TEXT NOT NULL,
            corrected_at TEXT NOT NULL
        );
        CREATE TABLE entity_overrides (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
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
        -- More of what users decided, kept apart from computed results like date_corrections.
        CREATE TABLE outlet_corrections (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            outlet TEXT NOT NULL,
            corrected_at TEXT NOT NULL
        );
        -- Timeline entries are keyed by their date, which survives re-analysis (event ids need not).
        CREATE TABLE hidden_entries (
            date TEXT PRIMARY KEY,
            hidden_at TEXT NOT NULL
        );
        """,
    ),
    (
        5,
        "dates inferred from the corpus kept apart from those inferred from each article's text",
        """
        -- A corpus date is redone over the whole corpus at every run; keeping it apart from the text date
        -- it may replace lets a run start from the same state as a fresh build (update == rebuild).
        CREATE TABLE corpus_dates (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            date TEXT NOT NULL,
            inferred_at TEXT NOT NULL
        );
        INSERT INTO corpus_dates
            SELECT article_id, date, inferred_at FROM inferred_dates
            WHERE json_extract(date, '$.method') = 'corpus';
        DELETE FROM inferred_dates WHERE json_extract(date, '$.method') = 'corpus';
        """,
    ),
    (
        6,
        "the time expressions of each analysis, to re-anchor its time references without a parse",
        """
        -- JSON, one list per expression (see sqlite_analysis._time_exprs_json). NULL in the analyses made
        -- before (timex version 1): the next analyse redoes those; until then re-anchoring parses again.
        ALTER TABLE analyses ADD COLUMN time_exprs TEXT;
        """,
    ),
]

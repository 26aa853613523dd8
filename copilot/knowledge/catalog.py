"""The document catalog (SQLite beside the vector store): documents, where they came from, chunk texts.

It makes ingest idempotent (a source maps to the content hash it had), lets the BM25 index be rebuilt
without asking the vector store, and answers ``kb list``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, url TEXT, published TEXT,
    kind TEXT, tickers TEXT NOT NULL, fiscal_year INTEGER, quarter INTEGER, doc_type TEXT,
    chunk_count INTEGER NOT NULL, added_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS sources (source_key TEXT PRIMARY KEY, doc_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL,
    page INTEGER, section TEXT, mentions TEXT NOT NULL, content_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS sources_doc ON sources(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class DocumentRecord:
    """A stored document, as ``kb list`` shows it."""

    doc_id: str
    title: str
    publisher: str | None
    url: str | None
    published: date | None
    kind: str | None
    tickers: list[str]
    fiscal_year: int | None
    quarter: int | None
    doc_type: str | None
    chunk_count: int
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChunkRecord:
    """A stored chunk of a document."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    page: int | None
    section: str | None
    mentions: list[str]
    content_hash: str


class Catalog:
    """SQLite catalog; every write bumps a generation number the BM25 index is stamped with."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failed document leaves no partial rows."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '1')")
        self._db.execute("COMMIT")

    @property
    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def doc_for_source(self, source_key: str) -> str | None:
        row = self._db.execute("SELECT doc_id FROM sources WHERE source_key = ?", (source_key,)).fetchone()
        return row[0] if row else None

    def has_document(self, doc_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def link_source(self, source_key: str, doc_id: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)", (source_key, doc_id))

    def unlink_source(self, source_key: str) -> str | None:
        """Forget a source; return its document id if no other source refers to that document."""
        doc_id = self.doc_for_source(source_key)
        self._db.execute("DELETE FROM sources WHERE source_key = ?", (source_key,))
        if doc_id is None:
            return None
        others = self._db.execute("SELECT 1 FROM sources WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if others else doc_id

    def insert_document(self, record: DocumentRecord, chunks: Iterable[ChunkRecord]) -> None:
        self._db.execute(
            "INSERT INTO documents (doc_id, title, publisher, url, published, kind, tickers, fiscal_year,"
            " quarter, doc_type, chunk_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.doc_id,
                record.title,
                record.publisher,
                record.url,
                record.published.isoformat() if record.published else None,
                record.kind,
                json.dumps(record.tickers),
                record.fiscal_year,
                record.quarter,
                record.doc_type,
                record.chunk_count,
            ),
        )
        self._db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.chunk_id,
                    c.doc_id,
                    c.ordinal,
                    c.text,
                    c.page,
                    c.section,
                    json.dumps(c.mentions),
                    c.content_hash,
                )
                for c in chunks
            ],
        )

    def delete_document(self, doc_id: str) -> list[str]:
        """Delete a document, its chunks and its sources; return the chunk ids that were removed."""
        ids = [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM sources WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def documents(self) -> list[DocumentRecord]:
        """Every stored document with the sources it was added from."""
        sources: dict[str, list[str]] = {}
        for key, doc_id in self._db.execute("SELECT source_key, doc_id FROM sources ORDER BY source_key"):
            sources.setdefault(doc_id, []).append(key)
        rows = self._db.execute(
            "SELECT doc_id, title, publisher, url, published, kind, tickers, fiscal_year, quarter, doc_type,"
            " chunk_count FROM documents ORDER BY published, title"
        )
        return [
            DocumentRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                date.fromisoformat(r[4]) if r[4] else None,
                r[5],
                json.loads(r[6]),
                r[7],
                r[8],
                r[9],
                r[10],
                sources.get(r[0], []),
            )
            for r in rows
        ]

    def chunks(self, chunk_ids: Iterable[str] | None = None) -> list[ChunkRecord]:
        """Chunks by id (in the given order), or all chunks in storage order."""
        columns = "chunk_id, doc_id, ordinal, text, page, section, mentions, content_hash"
        if chunk_ids is None:
            rows = list(self._db.execute(f"SELECT {columns} FROM chunks ORDER BY rowid"))
        else:
            wanted = list(chunk_ids)
            marks = ",".join("?" * len(wanted))
            found = {
                r[0]: r
                for r in self._db.execute(f"SELECT {columns} FROM chunks WHERE chunk_id IN ({marks})", wanted)
            }
            rows = [found[i] for i in wanted if i in found]
        return [ChunkRecord(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    def close(self) -> None:
        self._db.close()

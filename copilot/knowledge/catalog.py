"""The document catalog (SQLite beside the vector store): documents, their sources, chunks and terms.

It makes ingest idempotent (a source maps to the content hash it had), holds each chunk's indexed
terms so the lexical index can follow changes made by any process (chunks carry the catalog
generation that added them), and answers ``kb list``. Every write is one transaction that bumps
the generation.

The schema carries a version: a catalog written by an older Verity is refused with a clear error
that names ``verity kb rebuild`` (see ``rebuild.py``), never silently read with missing fields.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from copilot.errors import ConfigError

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, url TEXT, published TEXT,
    available TEXT, kind TEXT NOT NULL, format TEXT NOT NULL, meeting TEXT, speaker TEXT, owner TEXT,
    tickers TEXT NOT NULL, fiscal_year INTEGER, fiscal_quarter INTEGER, period_end TEXT, doc_type TEXT,
    chunk_count INTEGER NOT NULL, added_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS documents_owner ON documents(owner);
CREATE TABLE IF NOT EXISTS sources (
    source_key TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '', doc_id TEXT NOT NULL, options TEXT,
    PRIMARY KEY (source_key, owner));
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL,
    page INTEGER, section TEXT, mentions TEXT NOT NULL, content_hash TEXT NOT NULL,
    terms TEXT NOT NULL, added_gen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_gen ON chunks(added_gen);
CREATE INDEX IF NOT EXISTS sources_doc ON sources(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_DOC_COLUMNS = (
    "doc_id, title, publisher, url, published, available, kind, format, meeting, speaker, owner, tickers,"
    " fiscal_year, fiscal_quarter, period_end, doc_type, chunk_count"
)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class DocumentRecord:
    """A stored document, as ``kb list`` and the document API show it."""

    doc_id: str
    title: str
    publisher: str | None
    url: str | None
    published: date | None  # the date the document carries (minutes: the meeting's last day)
    available: date | None  # from when it counts for as_of and "latest"; None = undated
    kind: str  # statement, minutes, projections, speech, 10-K, 10-Q, 20-F, 8-K, note, other
    format: str  # markdown, text, html, pdf, record
    meeting: date | None
    speaker: str | None
    owner: str | None  # None = the shared corpus; otherwise the opaque id of the user who added it
    tickers: list[str]
    fiscal_year: int | None
    fiscal_quarter: int | None
    period_end: date | None
    doc_type: str | None
    chunk_count: int
    sources: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.doc_id

    @property
    def chunks(self) -> int:
        return self.chunk_count

    @property
    def source_name(self) -> str:
        """The file the document came from (its name only), or the title when none is recorded."""
        if not self.sources:
            return self.title
        return Path(self.sources[0].split("#", 1)[0]).name

    @property
    def fiscal_period(self) -> str | None:
        """'Q3 FY2026' / 'FY2025' for a filing whose period is known."""
        if self.fiscal_year is None or self.kind not in ("10-K", "10-Q", "20-F", "8-K"):
            return None
        year = f"FY{self.fiscal_year}"
        return f"Q{self.fiscal_quarter} {year}" if self.fiscal_quarter else year

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (dates as ISO strings)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out.update({k: _iso(v) for k, v in out.items() if isinstance(v, date)})
        out.update(id=self.doc_id, source_name=self.source_name, fiscal_period=self.fiscal_period)
        return out


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


@dataclass(frozen=True)
class ChunkMeta:
    """What the search keeps in memory per chunk (no text)."""

    chunk_id: str
    doc_id: str
    page: int | None
    mentions: list[str]


class Catalog:
    """SQLite catalog; every write bumps a generation number that chunks and the lexical index carry."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._writing = 0  # the generation a transaction in progress will commit
        existing = self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone()
        if existing is not None:
            self._check_version()
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))

    def _check_version(self) -> None:
        has_meta = self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() if has_meta else None
        version = int(row[0]) if row else 1
        if version != SCHEMA_VERSION:
            self._db.close()
            raise ConfigError(
                f"the knowledge base at {self.path.parent} was built by another version of Verity "
                f"(catalog schema {version}, this version reads {SCHEMA_VERSION}: documents now carry kind, "
                "availability date, meeting, speaker, fiscal period and owner); run `verity kb rebuild` "
                "to re-read its source files into the new format (the old one is kept as a backup)"
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failed document leaves no partial rows."""
        self._db.execute("BEGIN IMMEDIATE")
        self._writing = self.generation + 1
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(self._writing),))
        self._db.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads from one consistent state (another process may be writing meanwhile)."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    @property
    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    # --- sources ---------------------------------------------------------------------------
    def doc_for_source(self, source_key: str, owner: str | None = None) -> str | None:
        row = self._db.execute(
            "SELECT doc_id FROM sources WHERE source_key = ? AND owner = ?", (source_key, owner or "")
        ).fetchone()
        return row[0] if row else None

    def link_source(
        self, source_key: str, doc_id: str, owner: str | None = None, options: dict[str, Any] | None = None
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)",
            (source_key, owner or "", doc_id, json.dumps(options, default=str) if options else None),
        )

    def unlink_source(self, source_key: str, owner: str | None = None) -> str | None:
        """Forget a source; return its document id if no other source refers to that document."""
        doc_id = self.doc_for_source(source_key, owner)
        self._db.execute("DELETE FROM sources WHERE source_key = ? AND owner = ?", (source_key, owner or ""))
        if doc_id is None:
            return None
        others = self._db.execute("SELECT 1 FROM sources WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if others else doc_id

    # --- documents and chunks --------------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def insert_document(
        self, record: DocumentRecord, chunks: Iterable[ChunkRecord], terms: Iterable[str]
    ) -> None:
        """Store a document and its chunks (with each chunk's indexed terms) in the open transaction."""
        assert self._writing, "insert_document runs inside Catalog.transaction()"
        self._db.execute(
            f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES ({', '.join('?' * 17)})",
            (
                record.doc_id,
                record.title,
                record.publisher,
                record.url,
                _iso(record.published),
                _iso(record.available),
                record.kind,
                record.format,
                _iso(record.meeting),
                record.speaker,
                record.owner,
                json.dumps(record.tickers),
                record.fiscal_year,
                record.fiscal_quarter,
                _iso(record.period_end),
                record.doc_type,
                record.chunk_count,
            ),
        )
        self._db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (c.chunk_id, c.doc_id, c.ordinal, c.text, c.page, c.section, json.dumps(c.mentions), *rest)
                for c, t in zip(chunks, terms, strict=True)
                for rest in [(c.content_hash, t, self._writing)]
            ],
        )

    def delete_document(self, doc_id: str) -> list[str]:
        """Delete a document, its chunks and its sources; return the chunk ids that were removed."""
        ids = [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM sources WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def documents(self, viewer: str | None = None, everyone: bool = False) -> list[DocumentRecord]:
        """The shared documents plus the viewer's own (every document with ``everyone``)."""
        where, params = ("", ()) if everyone else ("WHERE owner IS NULL OR owner = ?", (viewer,))
        sources: dict[str, list[str]] = {}
        for key, doc_id in self._db.execute("SELECT source_key, doc_id FROM sources ORDER BY source_key"):
            sources.setdefault(doc_id, []).append(key)
        rows = self._db.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents {where} ORDER BY available, published, title", params
        )
        return [self._record(r, sources.get(r[0], [])) for r in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        row = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        keys = [r[0] for r in self._db.execute("SELECT source_key FROM sources WHERE doc_id = ?", (doc_id,))]
        return self._record(row, sorted(keys))

    @staticmethod
    def _record(r: tuple[Any, ...], sources: list[str]) -> DocumentRecord:
        return DocumentRecord(
            r[0],
            r[1],
            r[2],
            r[3],
            _day(r[4]),
            _day(r[5]),
            r[6],
            r[7],
            _day(r[8]),
            r[9],
            r[10],
            json.loads(r[11]),
            r[12],
            r[13],
            _day(r[14]),
            r[15],
            r[16],
            sources,
        )

    def chunks(self, chunk_ids: Iterable[str]) -> list[ChunkRecord]:
        """Chunks by id, in the given order (ids no longer stored are skipped)."""
        wanted = list(chunk_ids)
        marks = ",".join("?" * len(wanted))
        columns = "chunk_id, doc_id, ordinal, text, page, section, mentions, content_hash"
        query = f"SELECT {columns} FROM chunks WHERE chunk_id IN ({marks})"
        found = {r[0]: r for r in self._db.execute(query, wanted)}
        rows = [found[i] for i in wanted if i in found]
        return [ChunkRecord(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    def chunk_texts(self) -> list[tuple[str, str]]:
        """(chunk id, text) of every chunk in storage order (benchmarks and peers read it)."""
        return list(self._db.execute("SELECT chunk_id, text FROM chunks ORDER BY rowid"))

    def chunk_meta(self) -> dict[str, ChunkMeta]:
        """Every chunk's document, page and mentions, by chunk id."""
        rows = self._db.execute("SELECT chunk_id, doc_id, page, mentions FROM chunks")
        return {r[0]: ChunkMeta(r[0], r[1], r[2], json.loads(r[3])) for r in rows}

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT chunk_id FROM chunks")}

    def terms_since(self, generation: int) -> list[tuple[str, str]]:
        """(chunk id, indexed terms) of the chunks added after a generation, in insertion order."""
        return list(
            self._db.execute(
                "SELECT chunk_id, terms FROM chunks WHERE added_gen > ? ORDER BY added_gen, rowid",
                (generation,),
            )
        )

    def speakers(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT speaker FROM documents WHERE speaker IS NOT NULL")
        return [r[0] for r in rows]

    def close(self) -> None:
        self._db.close()

"""A loaded document made ready to store: its catalog record, chunks, indexed terms and embedded texts.

The metadata (kind, availability, meeting, speaker, fiscal period) is derived once here, and each
chunk's indexed text (metadata header + body) is what both BM25 and the embeddings see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from copilot.errors import CorruptDataError
from copilot.knowledge.catalog import ChunkRecord, DocumentRecord
from copilot.knowledge.chunking import chunk_document
from copilot.knowledge.companies import names_by_ticker
from copilot.knowledge.documents import Document
from copilot.knowledge.lexical import index_terms
from copilot.knowledge.metadata import describe
from copilot.knowledge.query import document_tickers
from copilot.knowledge.store import SHARED
from copilot.knowledge.tagging import MentionFinder

Metadata = dict[str, str | int | float | bool]


def document_id(doc: Document, owner: str | None = None) -> str:
    """A stable id from the document's text (whitespace-normalised), not its name.

    A user's document also hashes its owner: the same text uploaded by two users (or already in the
    shared corpus) is two documents, each removable by its owner alone.
    """
    text = " ".join(doc.text.split())
    salted = f"{owner}\x00{text}" if owner is not None else text
    return "doc_" + hashlib.sha256(salted.encode()).hexdigest()[:16]


def indexed_text(
    title: str,
    publisher: str | None,
    published: date | None,
    tickers: Sequence[str],
    fiscal_year: int | None,
    section: str | None,
    body: str,
) -> str:
    """What BM25 and the embeddings see: the metadata (title, publisher, date, companies, year) + body."""
    names = names_by_ticker()
    companies = " ".join(f"{names.get(t, '')} {t}" for t in tickers)
    period = f"FY{fiscal_year} {fiscal_year}" if fiscal_year else ""
    parts = (title, publisher, published.isoformat() if published else "", companies, period, section or "")
    return " | ".join(p for p in parts if p) + f"\n{body}"


@dataclass
class Prepared:
    """A document ready to store: its catalog record, chunks, their terms and the texts to embed."""

    source_key: str
    record: DocumentRecord
    chunks: list[ChunkRecord]
    terms: list[str]
    texts: list[str]
    options: dict[str, str] | None = None  # overrides given at add time (kept for a rebuild)


def prepare(doc: Document, doc_id: str, owner: str | None, mentions: MentionFinder) -> Prepared:
    """Chunk, tag and describe a document."""
    drafts = chunk_document(doc)
    if not drafts:
        raise CorruptDataError(f"{doc.source_key}: no text to index")
    meta = describe(doc)
    mentioned = [mentions(d.text) for d in drafts]
    tickers = document_tickers(doc.title, doc.tickers)
    if meta.kind == "note":  # someone's note is about the companies it names (a filing names many)
        tickers = list(dict.fromkeys([*tickers, *(t for found in mentioned for t in found)]))
    record = DocumentRecord(
        doc_id=doc_id,
        title=doc.title,
        publisher=doc.publisher,
        url=doc.url,
        published=meta.published,
        available=meta.available,
        kind=meta.kind,
        format=doc.format,
        meeting=meta.meeting,
        speaker=meta.speaker,
        owner=owner,
        tickers=tickers,
        fiscal_year=meta.fiscal_year,
        fiscal_quarter=meta.fiscal_quarter,
        period_end=meta.period_end,
        doc_type=meta.doc_type,
        chunk_count=len(drafts),
    )
    chunks = [
        ChunkRecord(
            chunk_id=f"{doc_id}:{d.ordinal}",
            doc_id=doc_id,
            ordinal=d.ordinal,
            text=d.text,
            page=d.page,
            section=d.section,
            mentions=found,
            content_hash=hashlib.sha256(d.text.encode()).hexdigest()[:16],
        )
        for d, found in zip(drafts, mentioned, strict=True)
    ]
    texts = [
        indexed_text(doc.title, doc.publisher, doc.published, tickers, meta.fiscal_year, c.section, c.text)
        for c in chunks
    ]
    return Prepared(doc.source_key, record, chunks, [index_terms(t) for t in texts], texts)


def chroma_metadata(record: DocumentRecord, chunk: ChunkRecord) -> Metadata:
    """A chunk's metadata in the vector store: owner always (the store filters on it), the rest if known."""
    tickers = sorted({*record.tickers, *chunk.mentions})
    names = names_by_ticker()
    meta: Metadata = {
        "doc_id": record.doc_id,
        "title": record.title,
        "ordinal": chunk.ordinal,
        "tickers": ",".join(tickers),
        "companies": "; ".join(names[t] for t in tickers if t in names),
        "content_hash": chunk.content_hash,
        "owner": record.owner if record.owner is not None else SHARED,
        "kind": record.kind,
    }
    optional = {
        "publisher": record.publisher,
        "url": record.url,
        "page": chunk.page,
        "section": chunk.section,
        "speaker": record.speaker,
        "published": record.published.isoformat() if record.published else None,
        "available": record.available.isoformat() if record.available else None,
        "available_ord": record.available.toordinal() if record.available else None,
        "meeting": record.meeting.isoformat() if record.meeting else None,
        "fiscal_year": record.fiscal_year,
        "fiscal_quarter": record.fiscal_quarter,
    }
    meta.update({k: v for k, v in optional.items() if v is not None})
    return meta

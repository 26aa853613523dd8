"""The ingest pipeline: load, chunk, tag, embed and store documents, idempotently, with a report.

A document is identified by the hash of its text: the same file added again changes nothing, a
changed file replaces its chunks, identical content under two names is stored once. A document that
fails is reported with its reason and leaves no partial chunks; the others go on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from copilot.errors import CorruptDataError, VerityError
from copilot.knowledge.catalog import Catalog, ChunkRecord, DocumentRecord
from copilot.knowledge.chunking import chunk_document
from copilot.knowledge.companies import names_by_ticker
from copilot.knowledge.documents import Document, LoadFailure
from copilot.knowledge.loading import iter_documents
from copilot.knowledge.query import document_period, document_tickers
from copilot.knowledge.report import IngestFailure, IngestReport
from copilot.knowledge.store import VectorStore
from copilot.knowledge.tagging import MentionFinder

Progress = Callable[[str], None]
BATCH_CHUNKS = 2000


def document_id(doc: Document) -> str:
    """A stable id from the document's text (whitespace-normalised), not its name."""
    return "doc_" + hashlib.sha256(" ".join(doc.text.split()).encode()).hexdigest()[:16]


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
    header = " | ".join(
        p
        for p in (
            title,
            publisher,
            published.isoformat() if published else "",
            companies,
            period,
            section or "",
        )
        if p
    )
    return f"{header}\n{body}"


@dataclass
class _Prepared:
    """A document ready to store: its catalog record, chunks and the texts to embed."""

    source_key: str
    record: DocumentRecord
    chunks: list[ChunkRecord]
    texts: list[str]


class Ingestor:
    """Adds documents to the catalog and the vector store.

    Documents are written in batches (one catalog transaction and one vector-store write per ~2,000
    chunks: Chroma indexes big batches about twice as fast); if a batch fails, its documents are
    retried one by one so only the bad one is reported and nothing partial stays behind.
    """

    def __init__(self, catalog: Catalog, store: VectorStore, max_bytes: int, mentions: MentionFinder) -> None:
        self.catalog = catalog
        self.store = store
        self.max_bytes = max_bytes
        self.mentions = mentions
        self._pending: list[_Prepared] = []

    def add(
        self,
        paths: Sequence[Path],
        publisher: str | None = None,
        url: str | None = None,
        published: date | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files and directories; returns what happened to each document."""
        report = IngestReport()
        started = time.perf_counter()
        for path in paths:
            for item in iter_documents(Path(path), self.max_bytes):
                if isinstance(item, LoadFailure):
                    report.failed.append(IngestFailure(item.source_key, item.reason, item.error.code))
                else:
                    item.publisher = publisher or item.publisher
                    item.url = url or item.url
                    item.published = published or item.published
                    try:
                        self._add_document(item, report)
                    except VerityError as exc:
                        report.failed.append(IngestFailure(item.source_key, exc.message, exc.code))
                if progress is not None:
                    progress(item.source_key)
        self._flush(report)
        report.seconds = time.perf_counter() - started
        return report

    def _add_document(self, doc: Document, report: IngestReport) -> None:
        doc_id = document_id(doc)
        previous = self.catalog.doc_for_source(doc.source_key)
        if previous == doc_id:
            report.unchanged.append(doc.source_key)
            return
        if any(p.record.doc_id == doc_id for p in self._pending):
            self._flush(report)  # the same text is waiting to be stored: store it, then link this name
        if self.catalog.has_document(doc_id):
            with self.catalog.transaction():
                self._unlink(doc.source_key, report)
                self.catalog.link_source(doc.source_key, doc_id)
            report.duplicates.append(doc.source_key)
            return
        record, chunks, texts = self._prepare(doc, doc_id)
        self._pending.append(_Prepared(doc.source_key, record, chunks, texts))
        if sum(len(p.chunks) for p in self._pending) >= BATCH_CHUNKS:
            self._flush(report)

    def _flush(self, report: IngestReport) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            self._write(batch, report)
        except VerityError:
            if len(batch) == 1:
                raise
            for prepared in batch:  # isolate the failing document; the others are stored
                try:
                    self._write([prepared], report)
                except VerityError as exc:
                    report.failed.append(IngestFailure(prepared.source_key, exc.message, exc.code))

    def _write(self, batch: list[_Prepared], report: IngestReport) -> None:
        """Store a batch atomically: catalog rows and vectors together, or neither."""
        written: list[str] = []
        replaced: list[str] = []
        stale: list[str] = []  # vectors of replaced documents: deleted once the catalog has committed
        try:
            with self.catalog.transaction():
                for prepared in batch:
                    orphan = self.catalog.unlink_source(prepared.source_key)
                    if orphan is not None:
                        stale.extend(self.catalog.delete_document(orphan))
                        replaced.append(orphan)
                    self.catalog.insert_document(prepared.record, prepared.chunks)
                    self.catalog.link_source(prepared.source_key, prepared.record.doc_id)
                chunks = [c for p in batch for c in p.chunks]
                metadatas = [self._metadata(p.record, c) for p in batch for c in p.chunks]
                written = [c.chunk_id for c in chunks]
                self.store.add(written, [t for p in batch for t in p.texts], metadatas)
        except BaseException:
            if written:  # the catalog rolled back: take back any vectors already written
                self.store.delete(written)
            raise
        self.store.delete(stale)
        report.replaced.extend(replaced)
        report.added.extend(p.record.doc_id for p in batch)
        report.chunks_added += sum(len(p.chunks) for p in batch)

    def _unlink(self, source_key: str, report: IngestReport) -> None:
        orphan = self.catalog.unlink_source(source_key)
        if orphan is not None:
            self.store.delete(self.catalog.delete_document(orphan))
            report.replaced.append(orphan)

    def _prepare(self, doc: Document, doc_id: str) -> tuple[DocumentRecord, list[ChunkRecord], list[str]]:
        drafts = chunk_document(doc)
        if not drafts:
            raise CorruptDataError(f"{doc.source_key}: no text to index")
        head = doc.sections[0].text[:2000]
        period = document_period(doc.title, head, doc.published, doc.extra.get("form"))
        tickers = document_tickers(doc.title, doc.tickers)
        record = DocumentRecord(
            doc_id=doc_id,
            title=doc.title,
            publisher=doc.publisher,
            url=doc.url,
            published=doc.published,
            kind=doc.kind,
            tickers=tickers,
            fiscal_year=period.fiscal_year,
            quarter=period.quarter,
            doc_type=period.doc_type,
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
                mentions=self.mentions(d.text),
                content_hash=hashlib.sha256(d.text.encode()).hexdigest()[:16],
            )
            for d in drafts
        ]
        texts = [
            indexed_text(
                doc.title, doc.publisher, doc.published, tickers, period.fiscal_year, c.section, c.text
            )
            for c in chunks
        ]
        return record, chunks, texts

    @staticmethod
    def _metadata(record: DocumentRecord, chunk: ChunkRecord) -> dict[str, str | int | float | bool]:
        tickers = sorted({*record.tickers, *chunk.mentions})
        names = names_by_ticker()
        meta: dict[str, str | int | float | bool] = {
            "doc_id": record.doc_id,
            "title": record.title,
            "ordinal": chunk.ordinal,
            "tickers": ",".join(tickers),
            "companies": "; ".join(names[t] for t in tickers if t in names),
            "content_hash": chunk.content_hash,
        }
        optional = {
            "publisher": record.publisher,
            "url": record.url,
            "page": chunk.page,
            "section": chunk.section,
            "published": record.published.isoformat() if record.published else None,
            "published_ord": record.published.toordinal() if record.published else None,
        }
        meta.update({k: v for k, v in optional.items() if v is not None})
        return meta

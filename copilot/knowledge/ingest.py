"""The ingest pipeline: load, chunk, tag, embed and store documents, idempotently, with a report.

A document is identified by the hash of its text: the same file added again changes nothing, a
changed file replaces its chunks, identical content under two names is stored once. A document that
fails is reported with its reason and leaves no partial chunks; the others go on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from copilot.errors import CorruptDataError, VerityError
from copilot.knowledge.catalog import Catalog, ChunkRecord, DocumentRecord
from copilot.knowledge.chunking import chunk_document
from copilot.knowledge.companies import names_by_ticker
from copilot.knowledge.documents import Document, LoadFailure, iter_documents
from copilot.knowledge.query import document_period, document_tickers
from copilot.knowledge.store import VectorStore
from copilot.knowledge.tagging import MentionFinder

Progress = Callable[[str], None]


@dataclass(frozen=True)
class IngestFailure:
    """A file or record that was not ingested: where, why, and the error's code."""

    source: str
    reason: str
    code: str


@dataclass
class IngestReport:
    """What one ``add`` did, document by document."""

    added: list[str] = field(default_factory=list)  # doc ids
    replaced: list[str] = field(default_factory=list)  # doc ids removed because their source changed
    unchanged: list[str] = field(default_factory=list)  # source keys
    duplicates: list[str] = field(default_factory=list)  # source keys whose content was already stored
    failed: list[IngestFailure] = field(default_factory=list)
    chunks_added: int = 0
    seconds: float = 0.0

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_added / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
            f"{len(self.duplicates)} duplicates, {len(self.failed)} failed; {self.chunks_added} chunks "
            f"in {self.seconds:.1f}s"
        )


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


class Ingestor:
    """Adds documents to the catalog and the vector store, one atomic step per document."""

    def __init__(self, catalog: Catalog, store: VectorStore, max_bytes: int, mentions: MentionFinder) -> None:
        self.catalog = catalog
        self.store = store
        self.max_bytes = max_bytes
        self.mentions = mentions

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
        report.seconds = time.perf_counter() - started
        return report

    def _add_document(self, doc: Document, report: IngestReport) -> None:
        doc_id = document_id(doc)
        previous = self.catalog.doc_for_source(doc.source_key)
        if previous == doc_id:
            report.unchanged.append(doc.source_key)
            return
        if self.catalog.has_document(doc_id):
            with self.catalog.transaction():
                self._unlink(doc.source_key, report)
                self.catalog.link_source(doc.source_key, doc_id)
            report.duplicates.append(doc.source_key)
            return
        record, chunks, texts = self._prepare(doc, doc_id)
        written: list[str] = []
        try:
            with self.catalog.transaction():
                self._unlink(doc.source_key, report)
                self.catalog.insert_document(record, chunks)
                self.catalog.link_source(doc.source_key, doc_id)
                written = [c.chunk_id for c in chunks]
                self.store.add(
                    written, [c.text for c in chunks], texts, [self._metadata(record, c) for c in chunks]
                )
        except BaseException:
            if written:  # the catalog rolled back: take back any vectors already written
                self.store.delete(written)
            raise
        report.added.append(doc_id)
        report.chunks_added += len(chunks)

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
        meta: dict[str, str | int | float | bool] = {
            "doc_id": record.doc_id,
            "title": record.title,
            "ordinal": chunk.ordinal,
            "tickers": ",".join(sorted({*record.tickers, *chunk.mentions})),
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

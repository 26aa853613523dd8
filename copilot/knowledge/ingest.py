"""The ingest pipeline: load, chunk, tag, describe, embed and store documents, idempotently, with a report.

A document is identified by the hash of its text (and its owner's id, for a user's upload): the same
file added again changes nothing, a changed file replaces its chunks, identical content under two
names is stored once. A document that fails is reported with its reason and leaves no partial
chunks; the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from copilot.errors import VerityError
from copilot.knowledge.catalog import Catalog
from copilot.knowledge.documents import Document, LoadFailure
from copilot.knowledge.loading import iter_documents
from copilot.knowledge.prepare import Prepared, chroma_metadata, document_id, prepare
from copilot.knowledge.report import IngestFailure, IngestReport
from copilot.knowledge.store import VectorStore
from copilot.knowledge.tagging import MentionFinder

Progress = Callable[[str], None]
BATCH_CHUNKS = 2000


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
        self._pending: list[Prepared] = []

    def add(
        self,
        paths: Sequence[Path],
        publisher: str | None = None,
        url: str | None = None,
        published: date | None = None,
        progress: Progress | None = None,
        owner: str | None = None,
    ) -> IngestReport:
        """Ingest files and directories (as ``owner``'s documents, or shared); returns what happened."""
        report = IngestReport()
        started = time.perf_counter()
        day = published.isoformat() if published else None
        given = {"publisher": publisher, "url": url, "published": day}
        options = {k: v for k, v in given.items() if v} or None  # kept with the source, for a rebuild
        for path in paths:
            for item in iter_documents(Path(path), self.max_bytes):
                if isinstance(item, LoadFailure):
                    report.failed.append(IngestFailure(item.source_key, item.reason, item.error.code))
                else:
                    item.publisher = publisher or item.publisher
                    item.url = url or item.url
                    item.published = published or item.published
                    try:
                        self._add_document(item, report, owner, options)
                    except VerityError as exc:
                        report.failed.append(IngestFailure(item.source_key, exc.message, exc.code))
                if progress is not None:
                    progress(item.source_key)
        self._flush(report)
        report.seconds = time.perf_counter() - started
        return report

    def _add_document(
        self, doc: Document, report: IngestReport, owner: str | None, options: dict[str, str] | None
    ) -> None:
        doc_id = document_id(doc, owner)
        previous = self.catalog.doc_for_source(doc.source_key, owner)
        if previous == doc_id:
            report.unchanged.append(doc.source_key)
            report.documents.append(doc_id)
            return
        if any(p.record.doc_id == doc_id for p in self._pending):
            self._flush(report)  # the same text is waiting to be stored: store it, then link this name
        if self.catalog.has_document(doc_id):
            with self.catalog.transaction():
                self._unlink(doc.source_key, owner, report)
                self.catalog.link_source(doc.source_key, doc_id, owner, options)
            report.duplicates.append(doc.source_key)
            report.documents.append(doc_id)
            return
        prepared = prepare(doc, doc_id, owner, self.mentions)
        prepared.options = options
        self._pending.append(prepared)
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

    def _write(self, batch: list[Prepared], report: IngestReport) -> None:
        """Store a batch atomically: catalog rows and vectors together, or neither."""
        owner = batch[0].record.owner  # one add() stores one owner's documents
        written: list[str] = []
        replaced: list[str] = []
        stale: list[str] = []  # vectors of replaced documents: deleted once the catalog has committed
        try:
            with self.catalog.transaction():
                for prepared in batch:
                    orphan = self.catalog.unlink_source(prepared.source_key, owner)
                    if orphan is not None:
                        stale.extend(self.catalog.delete_document(orphan))
                        replaced.append(orphan)
                    self.catalog.insert_document(prepared.record, prepared.chunks, prepared.terms)
                    self.catalog.link_source(
                        prepared.source_key, prepared.record.doc_id, owner, prepared.options
                    )
                chunks = [c for p in batch for c in p.chunks]
                metadatas = [chroma_metadata(p.record, c) for p in batch for c in p.chunks]
                written = [c.chunk_id for c in chunks]
                self.store.add(written, [t for p in batch for t in p.texts], metadatas, owner)
        except BaseException:
            if written:  # the catalog rolled back: take back any vectors already written
                self.store.delete(written, owner)
            raise
        self.store.delete(stale, owner)
        report.replaced.extend(replaced)
        report.added.extend(p.record.doc_id for p in batch)
        report.documents.extend(p.record.doc_id for p in batch)
        report.chunks_added += sum(len(p.chunks) for p in batch)

    def _unlink(self, source_key: str, owner: str | None, report: IngestReport) -> None:
        orphan = self.catalog.unlink_source(source_key, owner)
        if orphan is not None:
            self.store.delete(self.catalog.delete_document(orphan), owner)
            report.replaced.append(orphan)

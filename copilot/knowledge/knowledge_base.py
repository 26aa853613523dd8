"""The knowledge base facade: add, list, remove and search documents; what the agent and CLI call."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from copilot.config import Settings
from copilot.errors import BadInputError
from copilot.knowledge.catalog import Catalog, DocumentRecord
from copilot.knowledge.facts import extract_facts
from copilot.knowledge.ingest import Ingestor, Progress, indexed_text
from copilot.knowledge.lexical import LexicalIndex
from copilot.knowledge.passages import Passage
from copilot.knowledge.report import IngestReport
from copilot.knowledge.search import ChunkTable, Filters, HybridSearcher, Mode
from copilot.knowledge.store import VectorStore
from copilot.knowledge.tagging import MentionFinder
from copilot.schemas import Source

SNIPPET_CHARS = 240


class KnowledgeBase:
    """Documents in a Chroma collection plus a BM25 index and a SQLite catalog under the data dir."""

    def __init__(self, settings: Settings, mentions: MentionFinder | None = None) -> None:
        self.settings = settings
        self.root = settings.data_dir / "knowledge"
        self.catalog = Catalog(self.root / "catalog.sqlite")
        self.store = VectorStore(settings)
        self.ingestor = Ingestor(
            self.catalog, self.store, settings.max_document_bytes, mentions or MentionFinder()
        )
        self._lock = threading.RLock()  # one writer; searches see a whole index or the previous one
        self._searcher: HybridSearcher | None = None
        self._generation = -1  # the catalog generation the searcher reflects

    # --- writing -------------------------------------------------------------------------
    def add(
        self,
        paths: Sequence[Path | str],
        publisher: str | None = None,
        url: str | None = None,
        published: date | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files/directories (md, txt, html, pdf, jsonl, .gz); failures are in the report."""
        with self._lock:
            report = self.ingestor.add([Path(p) for p in paths], publisher, url, published, progress)
            if report.added or report.replaced or report.duplicates:
                self._rebuild()
            return report

    def remove(self, doc_id: str) -> int:
        """Delete a document and its chunks; returns how many chunks went. Unknown id -> BadInputError."""
        with self._lock:
            if not self.catalog.has_document(doc_id):
                raise BadInputError(f"no document with id {doc_id!r} (see `verity kb list`)")
            with self.catalog.transaction():
                chunk_ids = self.catalog.delete_document(doc_id)
                self.store.delete(chunk_ids)
            self._rebuild()
            return len(chunk_ids)

    def list_documents(self) -> list[DocumentRecord]:
        """Every stored document (id, title, publisher, date, tickers, chunk count, sources)."""
        return self.catalog.documents()

    # --- reading -------------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int = 5,
        ticker: str | None = None,
        since: date | None = None,
        until: date | None = None,
        publisher: str | None = None,
        as_of: date | None = None,
        mode: Mode = "hybrid",
        use_intent: bool = True,
    ) -> list[Passage]:
        """The k passages that best answer the query under the filters (as_of excludes later documents)."""
        if not query.strip():
            raise BadInputError("the search query is empty")
        if k < 1:
            raise BadInputError(f"k must be at least 1, not {k}")
        if since and until and since > until:
            raise BadInputError(f"--since {since} is after --until {until}")
        filters = Filters(ticker, since, until, publisher, as_of)
        with self._lock:  # one SQLite connection: reads must not interleave with a write
            searcher = self._get_searcher()
            hits = searcher.search(query, k, filters, mode, use_intent)
            return self._passages(hits, searcher.table.docs)

    def _passages(self, hits: list[tuple[str, float]], docs: dict[str, DocumentRecord]) -> list[Passage]:
        chunks = self.catalog.chunks([chunk_id for chunk_id, _ in hits])
        scores = dict(hits)
        passages = []
        for chunk in chunks:
            doc = docs[chunk.doc_id]
            source = Source(
                kind="document",
                title=doc.title,
                provider=doc.publisher or "unknown publisher",
                url=doc.url,
                as_of=doc.published,
                published=doc.published,
                page=chunk.page,
                section=chunk.section,
                document_id=doc.doc_id,
                snippet=" ".join(chunk.text.split())[:SNIPPET_CHARS],
                facts=extract_facts(chunk.text, doc.published),
                tool="search_documents",
                details={"chunk_id": chunk.chunk_id, "tickers": sorted({*doc.tickers, *chunk.mentions})},
            )
            passages.append(Passage(chunk.text, source, scores[chunk.chunk_id]))
        return passages

    def _get_searcher(self) -> HybridSearcher:
        with self._lock:
            # another process (e.g. `verity kb add` beside a running server) may have changed the catalog
            if self._searcher is not None and self._generation != self.catalog.generation:
                self._searcher = None
            if self._searcher is None:
                lexical = LexicalIndex.load(self.root / "lexical", self.catalog.generation)
                if lexical is None:
                    self._rebuild()
                else:
                    self._generation = self.catalog.generation
                    self._searcher = HybridSearcher(
                        ChunkTable(self.catalog, lexical.ids), lexical, self.store
                    )
            assert self._searcher is not None
            return self._searcher

    def _rebuild(self) -> None:
        """Rebuild the BM25 index and chunk table from the catalog (bm25s cannot update in place)."""
        docs = {d.doc_id: d for d in self.catalog.documents()}
        chunks = self.catalog.chunks()
        texts = []
        for c in chunks:
            d = docs[c.doc_id]
            texts.append(
                indexed_text(d.title, d.publisher, d.published, d.tickers, d.fiscal_year, c.section, c.text)
            )
        lexical = LexicalIndex.build([c.chunk_id for c in chunks], texts)
        self._generation = self.catalog.generation
        lexical.save(self.root / "lexical", self._generation)
        self._searcher = HybridSearcher(ChunkTable(self.catalog, lexical.ids), lexical, self.store)


def build_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The knowledge base the settings describe (embedded Chroma, or a server via VERITY_CHROMA_URL)."""
    return KnowledgeBase(settings, MentionFinder(_resolver_mentions()))


def _resolver_mentions() -> Callable[[str], list[Any]] | None:
    """The market-data SymbolResolver's mention finder, when that package provides one."""
    try:
        from tools.symbols import SymbolResolver
    except ImportError:  # the knowledge base also works without the market-data package
        return None
    return SymbolResolver().find_mentions

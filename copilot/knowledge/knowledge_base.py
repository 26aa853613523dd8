"""The knowledge base facade: add, list, remove and search documents; what the agent, CLI and API call.

Documents belong to the shared corpus (owner ``None``) or to one owner (an opaque id: a user, an
anonymous session). A viewer sees the shared corpus plus their own documents, in every listing and
search; only the owner removes their document, and only an administrator (viewer ``None``) a
shared one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from copilot.config import Settings
from copilot.errors import BadInputError, NoDataError, NotAllowedError
from copilot.knowledge.catalog import Catalog, DocumentRecord
from copilot.knowledge.chunk_table import ChunkTable, Filters
from copilot.knowledge.claims import price_claims
from copilot.knowledge.facts import extract_facts
from copilot.knowledge.ingest import Ingestor, Progress
from copilot.knowledge.lexical import LexicalIndex
from copilot.knowledge.meetings import MeetingSpec, parse_meeting
from copilot.knowledge.metadata import normalize_kind
from copilot.knowledge.passages import Passage
from copilot.knowledge.report import IngestReport
from copilot.knowledge.search import HybridSearcher, Mode
from copilot.knowledge.store import VectorStore
from copilot.knowledge.tagging import MentionFinder
from copilot.schemas import Source

SNIPPET_CHARS = 240
# the lexical index is saved (for the next process to start from) once this many chunks changed
SAVE_AFTER = 2000


class KnowledgeBase:
    """Documents in a Chroma collection, a SQLite catalog and an incremental BM25 index (data dir)."""

    def __init__(self, settings: Settings, mentions: MentionFinder | None = None) -> None:
        self.settings = settings
        self.root = settings.data_dir / "knowledge"
        self.catalog = Catalog(self.root / "catalog.sqlite")
        self.store = VectorStore(settings)
        self.mentions = mentions or MentionFinder()
        self.ingestor = Ingestor(self.catalog, self.store, settings.max_document_bytes, self.mentions)
        self._lock = threading.RLock()  # one writer; a search sees the index before or after a change
        self._lexical: LexicalIndex | None = None
        self._searcher: HybridSearcher | None = None

    # --- writing -------------------------------------------------------------------------
    def add(
        self,
        paths: Sequence[Path | str],
        publisher: str | None = None,
        url: str | None = None,
        published: date | None = None,
        progress: Progress | None = None,
        owner: str | None = None,
    ) -> IngestReport:
        """Ingest files/directories (md, txt, html, pdf, jsonl, .gz) as ``owner``'s (None: shared).

        The report lists the new documents' ids (``added``) and every document the paths hold
        (``documents``); failures are in it too. New documents are searchable when this returns.
        """
        if owner is not None and not owner.strip():
            raise BadInputError("an owner id cannot be empty (use None for the shared corpus)")
        with self._lock:
            report = self.ingestor.add([Path(p) for p in paths], publisher, url, published, progress, owner)
            self._refresh()
            return report

    def remove(self, document_id: str, viewer: str | None = None) -> int:
        """Delete a document and its chunks; returns how many chunks went.

        A viewer removes only their own documents: someone else's is not found (NoDataError, which
        does not tell it exists) and a shared one is refused (NotAllowedError); viewer None is the
        administrator.
        """
        with self._lock:
            doc = self.catalog.document(document_id)
            if doc is None or (viewer is not None and doc.owner not in (None, viewer)):
                raise NoDataError(f"no document with id {document_id!r} (see the list of documents)")
            if viewer is not None and doc.owner is None:
                raise NotAllowedError(
                    f"{document_id} belongs to the shared corpus: only an administrator removes it"
                )
            with self.catalog.transaction():
                chunk_ids = self.catalog.delete_document(document_id)
                self.store.delete(chunk_ids, doc.owner)
            self._refresh()
            return len(chunk_ids)

    def list_documents(self, viewer: str | None = None, everyone: bool = False) -> list[DocumentRecord]:
        """The shared documents plus the viewer's own (id, title, owner, kind, dates, source, chunks).

        ``everyone`` lists every owner's documents (the administrator's view).
        """
        with self._lock:
            return self.catalog.documents(viewer, everyone)

    # --- reading -------------------------------------------------------------------------
    def passage(
        self, document_id: str, chunk_id: str, viewer: str | None = None
    ) -> tuple[DocumentRecord, str]:
        """A cited passage's document and whole text (a source's snippet is its first few lines).

        The viewer sees the shared corpus and their own documents: anything else, or a chunk that is
        no longer stored (its document was replaced), is not found.
        """
        with self._lock:
            doc = self.catalog.document(document_id)
            found = self.catalog.chunks([chunk_id]) if doc is not None else []
        if doc is None or (doc.owner is not None and doc.owner != viewer):
            raise NoDataError(f"no document with id {document_id!r} (see the list of documents)")
        if not found or found[0].doc_id != document_id:
            raise NoDataError(f"{document_id} has no passage {chunk_id!r} (the document may have changed)")
        return doc, found[0].text

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
        kind: str | Sequence[str] | None = None,
        speaker: str | None = None,
        meeting: str | date | MeetingSpec | None = None,
        latest: bool = False,
        fiscal_year: int | None = None,
        fiscal_quarter: int | None = None,
        viewer: str | None = None,
        per_document: bool = False,
    ) -> list[Passage]:
        """The k passages that best answer the query under the filters, from what the viewer may see.

        Dates filter on the availability date (as_of excludes later documents); ``latest`` orders
        the newest available documents about the query first (never an undated one);
        ``per_document`` returns the best passage of each document only.
        """
        if not query.strip():
            raise BadInputError("the search query is empty")
        if k < 1:
            raise BadInputError(f"k must be at least 1, not {k}")
        if since and until and since > until:
            raise BadInputError(f"--since {since} is after --until {until}")
        if fiscal_quarter is not None and not 1 <= fiscal_quarter <= 4:
            raise BadInputError(f"a fiscal quarter is 1 to 4, not {fiscal_quarter}")
        kinds = [kind] if isinstance(kind, str) else list(kind or [])
        filters = Filters(
            ticker,
            since,
            until,
            publisher,
            as_of,
            kinds=tuple(dict.fromkeys(normalize_kind(k) for k in kinds)),
            speaker=speaker.strip() if speaker and speaker.strip() else None,
            meeting=_meeting(meeting),
            fiscal_year=fiscal_year,
            fiscal_quarter=fiscal_quarter,
            viewer=viewer,
            latest=latest,
            per_document=per_document,
        )
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
            details: dict[str, Any] = {
                "chunk_id": chunk.chunk_id,
                "tickers": sorted({*doc.tickers, *chunk.mentions}),
                "kind": doc.kind,
            }
            optional = {
                "meeting": doc.meeting.isoformat() if doc.meeting else None,
                "speaker": doc.speaker,
                "fiscal_period": doc.fiscal_period,
                "period_end": doc.period_end.isoformat() if doc.period_end else None,
                "undated": True if doc.available is None else None,
                "visibility": "private" if doc.owner is not None else None,
            }
            details.update({key: value for key, value in optional.items() if value is not None})
            claims = price_claims(chunk.text, self.mentions.spans)
            if claims:
                details["price_claims"] = [asdict(c) for c in claims]
            source = Source(
                kind="document",
                title=doc.title,
                provider=doc.publisher or "unknown publisher",
                url=doc.url,
                as_of=doc.available,
                published=doc.available,
                page=chunk.page,
                section=chunk.section,
                document_id=doc.doc_id,
                snippet=" ".join(chunk.text.split())[:SNIPPET_CHARS],
                facts=extract_facts(chunk.text, doc.available),
                tool="search_documents",
                details=details,
            )
            passages.append(Passage(chunk.text, source, scores[chunk.chunk_id]))
        return passages

    # --- the lexical index ---------------------------------------------------------------
    def _get_searcher(self) -> HybridSearcher:
        # another process (a `verity kb add` beside a running server, another web worker) may have
        # changed the catalog: the index follows it incrementally
        if self._lexical is None:
            self._lexical = LexicalIndex.load(self.root / "lexical") or LexicalIndex()
            self._searcher = None
        if self._lexical.sync(self.catalog) or self._searcher is None:
            self._searcher = self._new_searcher(self._lexical)
            if self._lexical.unsaved >= SAVE_AFTER:
                self.save_index()
        assert self._searcher is not None
        return self._searcher

    def _new_searcher(self, lexical: LexicalIndex) -> HybridSearcher:
        return HybridSearcher(ChunkTable(self.catalog, lexical), lexical, self.store)

    def _refresh(self) -> None:
        """Bring the index up to date after a write, so the change is searchable on return."""
        self._get_searcher()

    def save_index(self) -> None:
        """Save the lexical index (compacted) beside the catalog: the next process starts from it."""
        with self._lock:
            if self._lexical is None:
                return
            self._lexical.save(self.root / "lexical")
            # compacting renumbered the positions: the chunk table follows them
            self._searcher = self._new_searcher(self._lexical)

    def rebuild_index(self) -> None:
        """Build the lexical index from the catalog's terms from scratch (what an incremental one equals)."""
        with self._lock:
            self._lexical = LexicalIndex()
            self._searcher = None
            self._get_searcher()


def _meeting(value: str | date | MeetingSpec | None) -> MeetingSpec | None:
    if value is None or isinstance(value, MeetingSpec):
        return value
    if isinstance(value, date):
        return MeetingSpec(value.month, value.year, value.day)
    return parse_meeting(value) if value.strip() else None


def build_knowledge_base(settings: Settings, resolver: Any = None) -> KnowledgeBase:
    """The knowledge base the settings describe (embedded Chroma, or a server via VERITY_CHROMA_URL).

    ``resolver`` is the services' one ``SymbolResolver`` (chunks are tagged with the companies it
    finds); without one, the lexicon's default resolver tags them."""
    if resolver is None:
        from tools.symbols import SymbolResolver

        resolver = SymbolResolver()
    return KnowledgeBase(settings, MentionFinder(resolver.find_mentions))

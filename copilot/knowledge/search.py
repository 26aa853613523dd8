"""Hybrid search: BM25 and vector rankings fused (reciprocal rank), shaped by query understanding.

Filters (ticker, dates, publisher, as_of) remove chunks outright. What the question itself names
narrows and orders the rest: a company it names restricts the search to documents about that
company (when there are any), and documents of the fiscal year, quarter or month it names come first.
Undated documents are kept under ``as_of`` (nothing says they are later) but not under since/until.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from copilot.knowledge.catalog import Catalog
from copilot.knowledge.lexical import LexicalIndex
from copilot.knowledge.query import QueryIntent, understand
from copilot.knowledge.store import VectorStore

Mode = Literal["hybrid", "bm25", "vector"]
RRF_K = 60
CANDIDATES = 100
# WordLlama vectors rank pages less well than BM25 (FinanceBench MRR 0.79 vs 0.83 with the same query
# understanding); at 0.3 of BM25's weight they break ties without overriding it (measured: 0.3 > 0.6 > 1.0)
VECTOR_WEIGHT = 0.3
EXACT_VECTOR_LIMIT = 600
# boosts sit far above any fused rank score (at most 2/61), so the period a question names decides first
YEAR_BOOST, OTHER_YEAR_BOOST, QUARTER_BOOST, MONTH_BOOST, TYPE_BOOST = 1.0, 0.3, 0.5, 0.5, 0.2


@dataclass(frozen=True)
class Filters:
    """Hard filters: what a chunk must satisfy to be returned at all."""

    ticker: str | None = None
    since: date | None = None
    until: date | None = None
    publisher: str | None = None
    as_of: date | None = None


class ChunkTable:
    """Per-chunk metadata as arrays, aligned with the lexical index's chunk order."""

    def __init__(self, catalog: Catalog, ids: list[str]) -> None:
        docs = {d.doc_id: d for d in catalog.documents()}
        chunks = {c.chunk_id: c for c in catalog.chunks()}
        self.ids = ids
        self.doc_ids = [chunks[i].doc_id for i in ids]
        doc_list = [docs[d] for d in self.doc_ids]
        self.published = np.array([d.published.toordinal() if d.published else -1 for d in doc_list])
        self.fiscal_year = np.array([d.fiscal_year or -1 for d in doc_list])
        self.month = np.array(
            [d.published.year * 12 + d.published.month if d.published else -1 for d in doc_list]
        )
        self.quarter = np.array([d.quarter or 0 for d in doc_list])
        self.doc_type = np.array([d.doc_type or "" for d in doc_list])
        self.publisher = np.array([(d.publisher or "").lower() for d in doc_list])
        self.page = np.array([chunks[i].page if chunks[i].page is not None else -1 for i in ids])
        self.doc_tickers = [frozenset(d.tickers) for d in doc_list]
        self.tickers = [self.doc_tickers[n] | frozenset(chunks[i].mentions) for n, i in enumerate(ids)]
        self.docs = docs
        self._company_masks: dict[str, np.ndarray] = {}
        self._ticker_masks: dict[str, np.ndarray] = {}

    def filter_mask(self, filters: Filters) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        if filters.as_of is not None:
            mask &= self.published <= filters.as_of.toordinal()
        if filters.since is not None:
            mask &= self.published >= filters.since.toordinal()
        if filters.until is not None:
            mask &= (self.published >= 0) & (self.published <= filters.until.toordinal())
        if filters.publisher:
            needle = filters.publisher.lower()
            mask &= np.array([needle in p for p in self.publisher], dtype=bool)
        if filters.ticker:
            mask &= self.ticker_mask(filters.ticker.upper())
        return mask

    def company_mask(self, tickers: list[str]) -> np.ndarray:
        """Chunks of documents about any of these companies (by their metadata or title)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        for ticker in tickers:
            if ticker not in self._company_masks:
                self._company_masks[ticker] = np.array([ticker in t for t in self.doc_tickers], dtype=bool)
            mask |= self._company_masks[ticker]
        return mask

    def ticker_mask(self, ticker: str) -> np.ndarray:
        """Chunks about or mentioning the ticker."""
        if ticker not in self._ticker_masks:
            self._ticker_masks[ticker] = np.array([ticker in t for t in self.tickers], dtype=bool)
        return self._ticker_masks[ticker]

    def period_boost(self, intent: QueryIntent) -> np.ndarray:
        boost = np.zeros(len(self.ids), dtype=np.float64)
        if intent.year is not None:
            boost += np.where(self.fiscal_year == intent.year, YEAR_BOOST, 0.0)
            if intent.forward_looking:  # guidance for a year is published in the year before
                boost += np.where(self.fiscal_year == intent.year - 1, YEAR_BOOST, 0.0)
            boost += np.where(
                np.isin(self.fiscal_year, intent.years) & (self.fiscal_year != intent.year),
                OTHER_YEAR_BOOST,
                0.0,
            )
        if intent.months:  # "July 2025": documents published that month
            boost += np.where(np.isin(self.month, [y * 12 + m for y, m in intent.months]), MONTH_BOOST, 0.0)
        if intent.quarter is not None:
            boost += np.where(self.quarter == intent.quarter, QUARTER_BOOST, 0.0)
        elif intent.year is not None:
            # a year alone: annual documents first (a Q4 release reports the full year too)
            boost += np.where(np.isin(self.quarter, (0, 4)), TYPE_BOOST / 2, 0.0)
        if intent.doc_types:
            boost += np.where(np.isin(self.doc_type, intent.doc_types), TYPE_BOOST, 0.0)
        return boost


def _top(scores: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n best-scoring positive chunks within the mask, best first."""
    masked = np.where(mask & (scores > 0), scores, -np.inf)
    n = min(n, int(np.isfinite(masked).sum()))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-masked, n - 1)[:n]
    return top[np.argsort(-masked[top], kind="stable")]


class HybridSearcher:
    """Ranks chunk ids for a question under filters."""

    def __init__(self, table: ChunkTable, lexical: LexicalIndex, store: VectorStore) -> None:
        self.table = table
        self.lexical = lexical
        self.store = store
        self._position = {chunk_id: n for n, chunk_id in enumerate(table.ids)}

    def search(
        self, query: str, k: int, filters: Filters, mode: Mode = "hybrid", use_intent: bool = True
    ) -> list[tuple[str, float]]:
        """The k best (chunk id, score) pairs, at most one per page of a paged document."""
        if not self.table.ids:
            return []
        mask = self.table.filter_mask(filters)
        boost = np.zeros(len(self.table.ids))
        if use_intent:
            intent = understand(query)
            if intent.tickers:
                company = mask & self.table.company_mask(intent.tickers)
                mask = company if company.any() else mask
            boost = self.table.period_boost(intent)
        if not mask.any():
            return []
        # rank candidates tier by tier (the period the question names first), relevance inside a tier
        tier = mask & (boost == boost[mask].max()) if boost[mask].max() > 0 else mask
        fused = np.zeros(len(self.table.ids))
        if mode in ("hybrid", "bm25"):
            lexical = self.lexical.scores(query)
            keyed = np.where(lexical > 0, boost * 1e4 + lexical, 0.0)
            for rank, index in enumerate(_top(keyed, mask, CANDIDATES)):
                fused[index] += 1.0 / (RRF_K + rank + 1)
        if mode in ("hybrid", "vector"):
            for rank, index in enumerate(self._vector_top(query, tier)):
                fused[index] += VECTOR_WEIGHT / (RRF_K + rank + 1)
        hits = np.flatnonzero(fused)
        order = hits[np.argsort(-(fused[hits] + boost[hits]), kind="stable")]
        return [(self.table.ids[i], float(fused[i] + boost[i])) for i in self._one_per_page(order, k)]

    def _one_per_page(self, order: np.ndarray, k: int) -> list[int]:
        """Skip further chunks of a page already chosen: overlapping chunks would crowd out other pages."""
        chosen: list[int] = []
        pages: set[tuple[str, int]] = set()
        for index in order:
            page = int(self.table.page[index])
            key = (self.table.doc_ids[index], page)
            if page >= 0 and key in pages:
                continue
            pages.add(key)
            chosen.append(int(index))
            if len(chosen) == k:
                break
        return chosen

    def _vector_top(self, query: str, mask: np.ndarray) -> list[int]:
        """Chunk positions by vector similarity within the mask, best first."""
        count = int(mask.sum())
        if count <= EXACT_VECTOR_LIMIT:  # small set: exact cosine over its vectors
            positions = np.flatnonzero(mask)
            similarity = self.store.similarities(query, [self.table.ids[i] for i in positions])
            return [int(positions[i]) for i in np.argsort(-similarity, kind="stable")[:CANDIDATES]]
        # large set: approximate nearest neighbours, over-fetched when a filter will drop some
        n = CANDIDATES if mask.all() else CANDIDATES * 4
        hits = self.store.query(query, n)
        found = [self._position.get(chunk_id) for chunk_id, _ in hits]
        return [p for p in found if p is not None and mask[p]]

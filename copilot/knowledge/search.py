"""Hybrid search: BM25 and vector rankings fused (reciprocal rank), shaped by query understanding.

Filters (``chunk_table.Filters``) remove chunks outright, visibility first: a document the viewer
may not see never competes for a place. What the question itself names narrows and orders the
rest: a company, a Fed document kind (minutes, statement...), a speaker or an FOMC meeting
restricts the search to the documents that match (when there are any); documents of the fiscal
year, quarter or month it names come first; "the January meeting" puts that meeting's statement
first. "Latest" (asked for, or said: "recently") orders the passages newest first among the
documents that are about the question.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np

from copilot.knowledge.chunk_table import ChunkTable, Filters
from copilot.knowledge.lexical import LexicalIndex
from copilot.knowledge.query import QueryIntent, read_speakers, topic_terms, understand
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
STATEMENT_BOOST = 2.0  # "the January meeting": its statement before its minutes or projections
# "latest": a document is about the question when its best chunk scores at least this share of the best
# document's (a passing mention scores far lower); the newest few such documents are ranked
LATEST_RELEVANCE, LATEST_DOCUMENTS = 0.5, 3
# documents the FOMC issues on a schedule: the latest one is the newest, whatever the topic
SCHEDULED_KINDS = frozenset({"statement", "minutes", "projections"})


def _top(scores: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n best-scoring positive chunks within the mask, best first."""
    masked = np.where(mask & (scores > 0), scores, -np.inf)
    n = min(n, int(np.isfinite(masked).sum()))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-masked, n - 1)[:n]
    return top[np.argsort(-masked[top], kind="stable")]


def _narrowed(mask: np.ndarray, restriction: np.ndarray) -> np.ndarray:
    """The mask restricted, unless nothing in it would be left (then the question's hint is ignored)."""
    narrowed = mask & restriction
    return narrowed if narrowed.any() else mask


class HybridSearcher:
    """Ranks chunk ids for a question under filters."""

    def __init__(self, table: ChunkTable, lexical: LexicalIndex, store: VectorStore) -> None:
        self.table = table
        self.lexical = lexical
        self.store = store

    def search(
        self, query: str, k: int, filters: Filters, mode: Mode = "hybrid", use_intent: bool = True
    ) -> list[tuple[str, float]]:
        """The k best (chunk id, score) pairs, at most one per page of a paged document."""
        if not self.table.ids:
            return []
        boost = np.zeros(len(self.table.ids))
        intent = understand(query) if use_intent else None
        if intent is not None and intent.latest and not filters.latest:
            filters = replace(filters, latest=True)
        mask = self.table.filter_mask(filters)
        if intent is not None:
            mask, boost = self._apply_intent(intent, mask, filters)
        if not mask.any():
            return []
        lexical = self.lexical.scores(query) if mode != "vector" else None
        if filters.latest and filters.kinds and set(filters.kinds) <= SCHEDULED_KINDS:
            # "the latest statement": the newest one, whatever it stresses; the topic ranks its passages
            mask = self._newest_relevant(np.zeros(len(self.table.ids)), mask, documents=1)
        elif filters.latest:
            mask = self._newest_relevant(self.lexical.term_scores(topic_terms(query)), mask)
        # rank candidates tier by tier (the period the question names first), relevance inside a tier
        tier = mask & (boost == boost[mask].max()) if boost[mask].max() > 0 else mask
        fused = np.zeros(len(self.table.ids))
        if mode in ("hybrid", "bm25"):
            assert lexical is not None
            keyed = np.where(lexical > 0, boost * 1e4 + lexical, 0.0)
            for rank, index in enumerate(_top(keyed, mask, CANDIDATES)):
                fused[index] += 1.0 / (RRF_K + rank + 1)
        if mode in ("hybrid", "vector"):
            for rank, index in enumerate(self._vector_top(query, tier, filters.viewer)):
                fused[index] += VECTOR_WEIGHT / (RRF_K + rank + 1)
        hits = np.flatnonzero(fused)
        score = fused[hits] + boost[hits]
        if filters.latest:  # newest first, relevance within a day
            order = hits[np.lexsort((-score, -self.table.available[hits]))]
        else:
            order = hits[np.argsort(-score, kind="stable")]
        total = fused + boost
        chosen = self._one_per_page(order, k, whole_documents=filters.per_document)
        return [(self.table.ids[i], float(total[i])) for i in chosen]

    def _apply_intent(
        self, intent: QueryIntent, mask: np.ndarray, filters: Filters
    ) -> tuple[np.ndarray, np.ndarray]:
        """Narrow the mask to what the question names (company, kind, speaker, meeting); period boosts."""
        table = self.table
        if intent.tickers:
            mask = _narrowed(mask, table.company_mask(intent.tickers))
        if intent.kinds and not filters.kinds:
            mask = _narrowed(mask, np.isin(table.kind, intent.kinds))
        speakers = read_speakers(intent.text, table.speakers()) if not filters.speaker else []
        if speakers:
            named = np.zeros(len(table.ids), dtype=bool)
            for speaker in speakers:
                named |= table.speaker_mask(speaker)
            mask = _narrowed(mask, named)
        boost = self.period_boost(intent)
        if intent.meeting is not None and filters.meeting is None:
            mask = _narrowed(mask, table.meeting_mask(intent.meeting, mask))
            if not intent.kinds and not filters.kinds:
                boost = boost + np.where(table.kind == "statement", STATEMENT_BOOST, 0.0)
        return mask, boost

    def period_boost(self, intent: QueryIntent) -> np.ndarray:
        table = self.table
        boost = np.zeros(len(table.ids), dtype=np.float64)
        if intent.year is not None:
            boost += np.where(table.fiscal_year == intent.year, YEAR_BOOST, 0.0)
            if intent.forward_looking:  # guidance for a year is published in the year before
                boost += np.where(table.fiscal_year == intent.year - 1, YEAR_BOOST, 0.0)
            boost += np.where(
                np.isin(table.fiscal_year, intent.years) & (table.fiscal_year != intent.year),
                OTHER_YEAR_BOOST,
                0.0,
            )
        if intent.months:  # "July 2025": documents dated that month
            months = [y * 12 + m - 1 for y, m in intent.months]
            boost += np.where(np.isin(table.published_month, months), MONTH_BOOST, 0.0)
        if intent.quarter is not None:
            boost += np.where(table.quarter == intent.quarter, QUARTER_BOOST, 0.0)
        elif intent.year is not None:
            # a year alone: annual documents first (a Q4 release reports the full year too)
            boost += np.where(np.isin(table.quarter, (0, 4)), TYPE_BOOST / 2, 0.0)
        if intent.doc_types:
            boost += np.where(np.isin(table.doc_type, intent.doc_types), TYPE_BOOST, 0.0)
        return boost

    def _newest_relevant(
        self, lexical: np.ndarray, mask: np.ndarray, documents: int = LATEST_DOCUMENTS
    ) -> np.ndarray:
        """The chunks of the newest few documents that are about the question (dated ones only)."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return mask
        owners = self.table.doc_index[positions]
        best = np.full(int(owners.max()) + 1, -1.0)
        np.maximum.at(best, owners, lexical[positions])
        available = np.full(len(best), -1, dtype=np.int64)
        available[owners] = self.table.available[positions]
        if best.max() > 0:
            relevant = np.flatnonzero(best >= LATEST_RELEVANCE * best.max())
        else:  # no word of the question is indexed: the newest documents under the filters
            relevant = np.flatnonzero(best >= 0)
        newest_first = relevant[np.argsort(-available[relevant], kind="stable")]
        keep = np.isin(owners, newest_first[:documents])
        narrowed = np.zeros_like(mask)
        narrowed[positions[keep]] = True
        return narrowed

    def _one_per_page(self, order: np.ndarray, k: int, whole_documents: bool = False) -> list[int]:
        """Skip further chunks of a page already chosen: overlapping chunks would crowd out other pages.
        With ``whole_documents``, a document is one page: its best chunk only."""
        chosen: list[int] = []
        pages: set[tuple[str, int]] = set()
        for index in order:
            page = 0 if whole_documents else int(self.table.page[index])
            key = (self.table.doc_ids[index], page)
            if page >= 0 and key in pages:
                continue
            pages.add(key)
            chosen.append(int(index))
            if len(chosen) == k:
                break
        return chosen

    def _vector_top(self, query: str, mask: np.ndarray, viewer: str | None) -> list[int]:
        """Chunk positions by vector similarity within the mask, best first."""
        count = int(mask.sum())
        if count <= EXACT_VECTOR_LIMIT:  # small set: exact cosine over its vectors
            positions = np.flatnonzero(mask)
            similarity = self.store.similarities(query, [self.table.ids[i] for i in positions], viewer)
            return [int(positions[i]) for i in np.argsort(-similarity, kind="stable")[:CANDIDATES]]
        # large set: approximate nearest neighbours among what the viewer may see (the store queries the
        # shared and the viewer's collections only: nobody else's chunks take places), over-fetched when
        # another filter drops some
        n = CANDIDATES if mask.sum() == self.table.visible(viewer).sum() else CANDIDATES * 4
        found = [self.lexical.position(chunk_id) for chunk_id, _ in self.store.query(query, n, viewer)]
        return [p for p in found if p is not None and mask[p]]

"""Per-chunk metadata as arrays aligned with the lexical index's positions, and the hard filters.

Filters remove chunks outright: visibility (the shared corpus plus the viewer's own documents),
ticker, availability dates (``as_of``, since/until), publisher, kind, speaker, FOMC meeting and
fiscal period. Undated documents are kept under ``as_of`` (nothing says they are later) but not
under since/until, and never under ``latest``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from copilot.knowledge.catalog import Catalog, DocumentRecord
from copilot.knowledge.lexical import LexicalIndex
from copilot.knowledge.meetings import MeetingSpec


@dataclass(frozen=True)
class Filters:
    """Hard filters: what a chunk must satisfy to be returned at all."""

    ticker: str | None = None
    since: date | None = None
    until: date | None = None
    publisher: str | None = None
    as_of: date | None = None
    kinds: tuple[str, ...] = ()
    speaker: str | None = None
    meeting: MeetingSpec | None = None
    fiscal_year: int | None = None
    fiscal_quarter: int | None = None
    viewer: str | None = None
    latest: bool = False
    per_document: bool = False  # one passage per document ("every decision in 2025")


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day else -1


def _month(day: date | None) -> int:
    return day.year * 12 + day.month - 1 if day else -1


class ChunkTable:
    """Document metadata per chunk position; dead positions (removed chunks) never pass a filter."""

    def __init__(self, catalog: Catalog, lexical: LexicalIndex) -> None:
        meta = catalog.chunk_meta()
        self.docs = {d.doc_id: d for d in catalog.documents(everyone=True)}
        self.ids = lexical.ids
        doc_list = list(self.docs.values())
        where = {d.doc_id: n for n, d in enumerate(doc_list)}
        chunks = [meta.get(chunk_id) for chunk_id in self.ids]
        self.doc_ids = [c.doc_id if c else "" for c in chunks]
        # -1 for a position whose chunk is gone (or whose document is: both go in one transaction)
        self.doc_index = np.array([where.get(d, -1) for d in self.doc_ids], dtype=np.int64)
        self.live = lexical.live.copy() & (self.doc_index >= 0)
        self.page = np.array([c.page if c and c.page is not None else -1 for c in chunks], dtype=np.int64)
        self._mentions: dict[str, list[int]] = {}
        for position, chunk in enumerate(chunks):
            for ticker in chunk.mentions if chunk else ():
                self._mentions.setdefault(ticker, []).append(position)

        def per_chunk(values: list[Any], empty: Any, dtype: Any = None) -> np.ndarray:
            column = np.array([*values, empty], dtype=dtype)  # index -1 reads the trailing empty value
            return column[self.doc_index]

        self.available = per_chunk([_ordinal(d.available) for d in doc_list], -1, np.int64)
        self.published_month = per_chunk([_month(d.published) for d in doc_list], -1, np.int64)
        self.meeting = per_chunk([_ordinal(d.meeting) for d in doc_list], -1, np.int64)
        self.meeting_month = per_chunk([_month(d.meeting) for d in doc_list], -1, np.int64)
        self.fiscal_year = per_chunk([d.fiscal_year or -1 for d in doc_list], -1, np.int64)
        self.quarter = per_chunk([d.fiscal_quarter or 0 for d in doc_list], 0, np.int64)
        self.doc_type = per_chunk([d.doc_type or "" for d in doc_list], "", object)
        self.kind = per_chunk([d.kind for d in doc_list], "", object)
        self.publisher = per_chunk([(d.publisher or "").lower() for d in doc_list], "", object)
        self.speaker = per_chunk([(d.speaker or "").lower() for d in doc_list], "", object)
        self.owner = per_chunk([d.owner or "" for d in doc_list], "\x00gone", object)
        self._doc_tickers = [frozenset(d.tickers) for d in doc_list]
        self._company_masks: dict[str, np.ndarray] = {}
        self._ticker_masks: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def document(self, position: int) -> DocumentRecord:
        return self.docs[self.doc_ids[position]]

    def visible(self, viewer: str | None) -> np.ndarray:
        """The shared corpus plus the viewer's own documents (shared only without a viewer)."""
        mask = self.live & (self.owner == "")
        return mask | (self.live & (self.owner == viewer)) if viewer else mask

    def filter_mask(self, filters: Filters) -> np.ndarray:
        mask = self.visible(filters.viewer)
        if filters.as_of is not None:
            mask &= self.available <= filters.as_of.toordinal()
        # meetings held by the analysis date: any document of theirs is out (the statement comes the
        # same day); "the September minutes" on 2025-10-01 is the 2025 meeting's, not yet released
        held = mask.copy()
        if filters.since is not None:
            mask &= self.available >= filters.since.toordinal()
        if filters.until is not None:
            mask &= (self.available >= 0) & (self.available <= filters.until.toordinal())
        if filters.latest:
            mask &= self.available >= 0
        if filters.publisher:
            needle = filters.publisher.lower()
            mask &= np.array([needle in p for p in self.publisher], dtype=bool)
        if filters.ticker:
            mask &= self.ticker_mask(filters.ticker.upper())
        if filters.kinds:
            mask &= np.isin(self.kind, list(filters.kinds))
        if filters.speaker:
            mask &= self.speaker_mask(filters.speaker)
        if filters.fiscal_year is not None:
            mask &= self.fiscal_year == filters.fiscal_year
        if filters.fiscal_quarter is not None:
            mask &= self.quarter == filters.fiscal_quarter
        if filters.meeting is not None:
            mask &= self.meeting_mask(filters.meeting, held)
        return mask

    def speaker_mask(self, speaker: str) -> np.ndarray:
        """Documents by this speaker ('Waller' matches 'Waller' and 'Christopher J. Waller')."""
        needle = speaker.lower().strip()
        return np.array([s == needle or needle in s.split() for s in self.speaker], dtype=bool)

    def meeting_mask(self, meeting: MeetingSpec, within: np.ndarray) -> np.ndarray:
        """Documents of that meeting; a month without a year is the newest such meeting in ``within``."""
        if meeting.day is not None and meeting.year is not None:
            return self.meeting == date(meeting.year, meeting.month, meeting.day).toordinal()
        in_month = (self.meeting >= 0) & (self.meeting_month % 12 == meeting.month - 1)
        if meeting.year is not None:
            return in_month & (self.meeting_month // 12 == meeting.year)
        candidates = in_month & within
        if not candidates.any():
            return candidates
        newest = int(self.meeting_month[candidates].max())
        return in_month & (self.meeting_month == newest)

    def company_mask(self, tickers: list[str]) -> np.ndarray:
        """Chunks of documents about any of these companies (by their metadata or title)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        for ticker in tickers:
            if ticker not in self._company_masks:
                about = np.array([ticker in t for t in self._doc_tickers] + [False], dtype=bool)
                self._company_masks[ticker] = about[self.doc_index]
            mask |= self._company_masks[ticker]
        return mask

    def ticker_mask(self, ticker: str) -> np.ndarray:
        """Chunks about or mentioning the ticker."""
        if ticker not in self._ticker_masks:
            mask = self.company_mask([ticker]).copy()
            mask[self._mentions.get(ticker, [])] = True
            self._ticker_masks[ticker] = mask
        return self._ticker_masks[ticker]

    def speakers(self) -> set[str]:
        """Every speaker named by a stored document."""
        return {d.speaker for d in self.docs.values() if d.speaker}

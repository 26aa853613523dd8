"""The lexical half of hybrid search: BM25 over each chunk's indexed terms, updated incrementally.

The catalog stores every chunk's terms (its title, publisher, date, companies, period and text,
tokenized at ingest) with the catalog generation that added it. The index follows the catalog:
``sync`` appends the chunks added since the generation it reflects as a new segment and marks the
removed ones dead, so an upload is searchable in milliseconds instead of a whole rebuild (bm25s,
used before, can only be rebuilt: about 6 s at 32,000 chunks). Scores are computed at query time
from term and document frequencies of the live chunks (BM25, Lucene variant, k1 = 1.5, b = 0.75,
bm25s's defaults), so after any sequence of adds and removes they equal a fresh build's exactly.
Segments are merged, and the index saved beside the catalog, once enough has changed.

Measured when choosing it, on the whole corpus with the 150 FinanceBench questions: SQLite FTS5 (on
the same terms) took 30-55 ms per question to score its matches against about 1 ms here, and its
ranking cannot take the search's filters and boosts; bench/bench_kb.py times an upload.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Sequence
from itertools import chain
from pathlib import Path

import numpy as np

from copilot.knowledge.catalog import Catalog

K1, B = 1.5, 0.75
MAX_SEGMENTS = 8
SNAPSHOT = "lexical.npz"
_TOKEN = re.compile(r"[a-z0-9]+(?:&[a-z0-9]+)?")
_STOPWORD_TEXT = (
    "a an and are as at be been but by for from had has have he her his i if in into is it its of on or our"
    " she so than that the their them then there these they this those to was we were what when where which"
    " who will with would you your do does did can could should may might not no"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
log = logging.getLogger(__name__)


def _stem(token: str) -> str:
    # a light plural/verb-form fold so "expenditures" meets "expenditure"; no stemmer package needed
    if len(token) > 4 and not token.isdigit():
        for suffix in ("ies", "es", "s"):
            if token.endswith(suffix) and not token.endswith("ss"):
                return token[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return token


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens without stop words, lightly stemmed."""
    return [_stem(t) for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


def index_terms(text: str) -> str:
    """The terms a chunk is indexed under, as the catalog stores them (a chunk with none gets '_')."""
    return " ".join(tokenize(text) or ["_"])


class _Segment:
    """Postings of a batch of chunks, by term: positions and term frequencies (compressed columns)."""

    def __init__(self, indptr: np.ndarray, positions: np.ndarray, tf: np.ndarray) -> None:
        self.indptr, self.positions, self.tf = indptr, positions, tf

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        if term + 1 >= len(self.indptr):
            return self.positions[:0], self.tf[:0]
        start, end = self.indptr[term], self.indptr[term + 1]
        return self.positions[start:end], self.tf[start:end]


class LexicalIndex:
    """BM25 scores of every chunk position for a query; positions follow ``ids`` (dead ones score 0)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.generation = 0  # the catalog generation the index reflects
        self.unsaved = 0  # chunks added or removed since the index was last saved
        self._position: dict[str, int] = {}  # live chunk id -> position
        self._vocab: dict[str, int] = {}
        self._segments: list[_Segment] = []
        self._lengths = np.zeros(0, dtype=np.float32)
        self._live = np.zeros(0, dtype=bool)
        self._total_length = 0
        self._norm: np.ndarray | None = None  # k1 * (1 - b + b * length / average), per position

    # --- reading -------------------------------------------------------------------------
    @property
    def live(self) -> np.ndarray:
        """Which positions hold a chunk that is still stored."""
        return self._live

    def position(self, chunk_id: str) -> int | None:
        return self._position.get(chunk_id)

    def __len__(self) -> int:
        return len(self._position)

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every position for the query (zeros when no query word is indexed)."""
        return self.term_scores(tokenize(query))

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """The BM25 score of every position for already tokenized query terms."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        count = len(self._position)
        if count == 0:
            return out
        if self._norm is None:
            average = self._total_length / count
            self._norm = (K1 * (1 - B + B * self._lengths / average)).astype(np.float32)
        everything_live = count == len(self.ids)
        for token in terms:  # a repeated query word counts again, as in bm25s
            term = self._vocab.get(token)
            if term is None:
                continue
            parts = [segment.postings(term) for segment in self._segments]
            positions = np.concatenate([p for p, _ in parts])
            tf = np.concatenate([f for _, f in parts])
            if not everything_live:
                keep = self._live[positions]
                positions, tf = positions[keep], tf[keep]
            frequency = len(positions)
            if frequency == 0:
                continue
            idf = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
            out[positions] += idf * tf / (self._norm[positions] + tf)
        return out

    # --- changing ------------------------------------------------------------------------
    def add(self, rows: Sequence[tuple[str, str]]) -> None:
        """Append chunks given as (chunk id, terms); a chunk already present is replaced."""
        if not rows:
            return
        self.remove([chunk_id for chunk_id, _ in rows if chunk_id in self._position])
        start = len(self.ids)
        tokens = [terms.split() for _, terms in rows]
        lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
        vocab = self._vocab
        term_ids = np.fromiter(
            (vocab.setdefault(w, len(vocab)) for w in chain.from_iterable(tokens)), dtype=np.int64
        )
        positions = np.repeat(np.arange(start, start + len(rows), dtype=np.int64), lengths)
        span = start + len(rows)
        keys, counts = np.unique(term_ids * span + positions, return_counts=True)
        terms = keys // span
        indptr = np.searchsorted(terms, np.arange(len(vocab) + 1))
        self._segments.append(_Segment(indptr, (keys % span).astype(np.int32), counts.astype(np.float32)))
        for offset, (chunk_id, _) in enumerate(rows):
            self._position[chunk_id] = start + offset
        self.ids.extend(chunk_id for chunk_id, _ in rows)
        self._lengths = np.concatenate([self._lengths, lengths.astype(np.float32)])
        self._live = np.concatenate([self._live, np.ones(len(rows), dtype=bool)])
        self._total_length += int(lengths.sum())
        self._norm = None
        self.unsaved += len(rows)
        if len(self._segments) > MAX_SEGMENTS:
            self._merge()

    def remove(self, chunk_ids: Sequence[str]) -> None:
        """Mark chunks dead: they stop scoring and stop counting in the statistics at once."""
        for chunk_id in chunk_ids:
            position = self._position.pop(chunk_id, None)
            if position is None:
                continue
            self._live[position] = False
            self._total_length -= int(self._lengths[position])
            self.unsaved += 1
        self._norm = None

    def sync(self, catalog: Catalog) -> bool:
        """Follow the catalog: add the chunks added since ``generation``, drop the ones gone."""
        with catalog.reading():
            generation = catalog.generation
            if generation == self.generation:
                return False
            if generation < self.generation:  # another catalog than the one indexed: start over
                self.remove(list(self._position))
                self.generation = 0
            stored = catalog.chunk_ids()
            added = catalog.terms_since(self.generation)
        self.remove([chunk_id for chunk_id in self._position if chunk_id not in stored])
        self.add(added)
        self.generation = generation
        return True

    def _merge(self) -> None:
        """Merge every segment into one, leaving out dead positions' postings."""
        if not self._segments:
            return
        terms, positions, tf = [], [], []
        for segment in self._segments:
            counts = np.diff(segment.indptr)
            terms.append(np.repeat(np.arange(len(counts), dtype=np.int64), counts))
            positions.append(segment.positions)
            tf.append(segment.tf)
        term = np.concatenate(terms)
        position = np.concatenate(positions)
        frequency = np.concatenate(tf)
        keep = self._live[position]
        term, position, frequency = term[keep], position[keep], frequency[keep]
        order = np.lexsort((position, term))
        indptr = np.searchsorted(term[order], np.arange(len(self._vocab) + 1))
        self._segments = [_Segment(indptr, position[order], frequency[order])]

    def compact(self) -> None:
        """One segment and no dead positions (positions change: callers re-read ``ids``)."""
        self._merge()
        if len(self._position) == len(self.ids) or not self._segments:
            return
        alive = np.flatnonzero(self._live)
        renumber = np.full(len(self.ids), -1, dtype=np.int64)
        renumber[alive] = np.arange(len(alive))
        segment = self._segments[0]
        segment.positions = renumber[segment.positions].astype(np.int32)
        self.ids = [self.ids[i] for i in alive]
        self._position = {chunk_id: n for n, chunk_id in enumerate(self.ids)}
        self._lengths = self._lengths[alive]
        self._live = np.ones(len(alive), dtype=bool)
        self._norm = None

    # --- persistence ---------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the compacted index atomically (a reader sees the old file or the new one)."""
        self.compact()
        directory.mkdir(parents=True, exist_ok=True)
        segment = self._segments[0] if self._segments else _Segment(np.zeros(1, np.int64), *_empty())
        temporary = directory / f".{SNAPSHOT}.{os.getpid()}.tmp"
        with temporary.open("wb") as handle:
            np.savez(
                handle,
                generation=np.int64(self.generation),
                ids=np.asarray(self.ids, dtype=str),
                vocab=np.asarray(list(self._vocab), dtype=str),
                lengths=self._lengths,
                indptr=segment.indptr,
                positions=segment.positions,
                tf=segment.tf,
            )
        os.replace(temporary, directory / SNAPSHOT)
        self.unsaved = 0

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The saved index (call ``sync`` next), or None when there is none or it cannot be read."""
        path = directory / SNAPSHOT
        if not path.is_file():
            return None
        try:
            with np.load(path) as saved:
                index = cls()
                index.generation = int(saved["generation"])
                index.ids = [str(i) for i in saved["ids"]]
                index._vocab = {str(w): n for n, w in enumerate(saved["vocab"])}
                index._lengths = saved["lengths"].astype(np.float32)
                index._segments = [_Segment(saved["indptr"], saved["positions"], saved["tf"])]
        except (OSError, ValueError, KeyError) as exc:  # a torn or foreign file: rebuild from the catalog
            log.warning("ignoring the saved lexical index %s (%s); rebuilding it", path, exc)
            return None
        index._position = {chunk_id: n for n, chunk_id in enumerate(index.ids)}
        index._live = np.ones(len(index.ids), dtype=bool)
        index._total_length = int(index._lengths.sum())
        return index


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)

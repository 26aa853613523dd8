"""The lexical half of hybrid search: a bm25s index over chunk text with its title, publisher and date.

bm25s cannot update an index in place, so it is rebuilt after each change to the catalog (about a
second per 10,000 chunks) and saved beside the collection, stamped with the catalog's generation.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import bm25s
import numpy as np

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
_TOKEN = re.compile(r"[a-z0-9]+(?:&[a-z0-9]+)?")
_STOPWORD_TEXT = (
    "a an and are as at be been but by for from had has have he her his i if in into is it its of on or our"
    " she so than that the their them then there these they this those to was we were what when where which"
    " who will with would you your do does did can could should may might not no"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


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


class LexicalIndex:
    """BM25 scores for every chunk, aligned with ``ids``."""

    def __init__(self, ids: list[str], retriever: bm25s.BM25 | None) -> None:
        self.ids = ids
        self._retriever = retriever

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> LexicalIndex:
        """Index the given texts (already including title/publisher/date) under the given chunk ids."""
        if not ids:
            return cls([], None)
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) or ["_"] for t in texts], show_progress=False)
        return cls(ids, retriever)

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every chunk for the query (zeros when no query word is indexed)."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        vocab = self._retriever.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def save(self, directory: Path, generation: int) -> None:
        """Persist the index, its chunk ids and the catalog generation it reflects."""
        directory.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(directory / "bm25"), show_progress=False)
        (directory / "ids.json").write_text(json.dumps({"generation": generation, "ids": self.ids}))

    @classmethod
    def load(cls, directory: Path, generation: int) -> LexicalIndex | None:
        """The saved index if it reflects this catalog generation, else None (rebuild it)."""
        stamp = directory / "ids.json"
        if not stamp.is_file():
            return None
        saved = json.loads(stamp.read_text())
        if saved.get("generation") != generation:
            return None
        if not saved["ids"]:
            return cls([], None)
        retriever = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
        return cls(saved["ids"], retriever)

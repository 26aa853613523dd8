"""Tag chunks with the companies (and indices, funds) they mention: the lexicon's names read by the
market package's ``SymbolResolver.find_mentions`` (the one mention finder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from copilot.knowledge.companies import find_companies


class MentionFinder:
    """Callable: text -> tickers it mentions (in order, without repeats)."""

    def __init__(self, resolver_mentions: Callable[[str], list[Any]] | None = None) -> None:
        self._resolver_mentions = resolver_mentions

    def __call__(self, text: str) -> list[str]:
        return list(dict.fromkeys(ticker for ticker, _, _ in self.spans(text)))

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(ticker, start, end) of every company or ticker the text names, in order."""
        if self._resolver_mentions is None:
            return [(m.ticker, m.start, m.end) for m in find_companies(text)]
        mentions = self._resolver_mentions(text)
        return sorted(((str(m.symbol), int(m.start), int(m.end)) for m in mentions), key=lambda m: m[1])

"""Tag chunks with the companies they mention: the built-in alias table, plus the market-data
package's ``SymbolResolver.find_mentions`` when one is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from copilot.knowledge.companies import find_companies


class MentionFinder:
    """Callable: text -> tickers it mentions (in order, without repeats)."""

    def __init__(self, resolver_mentions: Callable[[str], list[Any]] | None = None) -> None:
        self._resolver_mentions = resolver_mentions

    def __call__(self, text: str) -> list[str]:
        tickers = [m.ticker for m in find_companies(text)]
        if self._resolver_mentions is not None:
            tickers += [str(m.symbol) for m in self._resolver_mentions(text)]
        return list(dict.fromkeys(tickers))

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(ticker, start, end) of every company or ticker the text names, in order."""
        found = [(m.ticker, m.start, m.end) for m in find_companies(text)]
        if self._resolver_mentions is not None:
            taken = [(start, end) for _, start, end in found]
            for mention in self._resolver_mentions(text):
                start, end = int(mention.start), int(mention.end)
                if not any(start < e and s < end for s, e in taken):
                    found.append((str(mention.symbol), start, end))
        return sorted(found, key=lambda m: m[1])

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

"""A provider over in-memory frames: the seam tests and benchmarks use to feed known bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from copilot.errors import NoDataError, UnknownSymbolError
from tools.providers.base import Fundamentals, PriceHistory, SymbolMatch


class InMemoryProvider:
    """Serves bars and fundamentals given at construction; counts calls for batching tests."""

    def __init__(
        self,
        bars: Mapping[str, pd.DataFrame],
        fundamentals: Mapping[str, Fundamentals] | None = None,
        names: Sequence[SymbolMatch] = (),
        name: str = "memory",
    ) -> None:
        self.name = name
        self._bars = dict(bars)
        self._fundamentals = dict(fundamentals or {})
        self._names = list(names)
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        self.calls.append(("price_history", tuple(symbols)))
        out: dict[str, PriceHistory] = {}
        for symbol in symbols:
            if symbol not in self._bars:
                raise UnknownSymbolError(symbol, f"{self.name} has no series for it")
            frame = self._bars[symbol]
            lo = pd.Timestamp(start) if start else frame.index[0]
            window = frame.loc[(frame.index >= lo) & (frame.index <= pd.Timestamp(end))]
            if window.empty:
                raise NoDataError(f"{symbol}: no bars between {start} and {end}", symbol=symbol)
            out[symbol] = PriceHistory(symbol=symbol, bars=window, provider=self.name)
        return out

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        self.calls.append(("fundamentals", (symbol,)))
        if symbol not in self._fundamentals:
            raise NoDataError(f"{symbol}: {self.name} has no fundamentals", symbol=symbol)
        return self._fundamentals[symbol]

    def search(self, query: str) -> list[SymbolMatch]:
        q = query.lower()
        return [m for m in self._names if q in m.name.lower() or q == m.symbol.lower()]

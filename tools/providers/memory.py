"""A provider over in-memory frames: the seam tests and benchmarks use to feed known bars.

Frames with only open/high/low/close/volume are taken as prices as traded without adjusted
closes; frames may also carry ``adj_close`` and ``traded`` (tools/providers/base.py).
"""

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
        adjusted_through: date | None = None,
    ) -> None:
        self.name = name
        # completed once here (PriceHistory adds the missing columns), not on every call
        self._bars = {symbol: PriceHistory(symbol, frame, name).bars for symbol, frame in bars.items()}
        self.adjusted_through = adjusted_through
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
            out[symbol] = PriceHistory(
                symbol=symbol, bars=window, provider=self.name, adjusted_through=self.adjusted_through
            )
        return out

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        self.calls.append(("fundamentals", (symbol,)))
        if symbol not in self._fundamentals:
            raise NoDataError(f"{symbol}: {self.name} has no fundamentals", symbol=symbol)
        return self._fundamentals[symbol]

    def search(self, query: str) -> list[SymbolMatch]:
        q = query.lower()
        return [m for m in self._names if q in m.name.lower() or q == m.symbol.lower()]

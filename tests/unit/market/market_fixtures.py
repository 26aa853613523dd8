"""Builders shared by the market tests: a MarketData over CSV bars in an InMemoryProvider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from copilot.lexicon import SECTOR_SYMBOLS
from tests.unit.market.csv_bars import ETFS_2025, INDICES, LARGE_CAPS, YAHOO, bars_for
from tools.market import MarketData
from tools.providers.base import Fundamentals, PriceHistory
from tools.providers.memory import InMemoryProvider

TODAY = date(2026, 8, 21)  # the last day of the shared data


def csv_provider(extra: Mapping[str, pd.DataFrame] | None = None, **kw: object) -> InMemoryProvider:
    """Indices (IBKR file), ^RUT/^VIX/^DJI/IWM (Yahoo file), large caps, sector ETFs (2025-26 file)."""
    frames = {
        **bars_for(INDICES, ["^GSPC", "^IXIC"]),
        **bars_for(YAHOO, ["^RUT", "^VIX", "^DJI", "IWM", "QQQ"]),
        **bars_for(LARGE_CAPS, ["SPY", "AAPL", "NVDA", "MSFT"]),
        **bars_for(ETFS_2025, list(SECTOR_SYMBOLS)),
        **(extra or {}),
    }
    return InMemoryProvider(frames, **kw)  # type: ignore[arg-type]


def market(provider: object | None = None, today: date = TODAY) -> MarketData:
    return MarketData(provider or csv_provider(), today=lambda: today)  # type: ignore[arg-type]


class IgnoresEndProvider(InMemoryProvider):
    """A misbehaving provider that returns bars after the requested end (tests the as_of cut)."""

    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        return super().price_history(symbols, start, date(2100, 1, 1))


def fundamentals(symbol: str, as_of: date, **values: float | str | None) -> Fundamentals:
    return Fundamentals(symbol=symbol, provider="memory", as_of=as_of, **values)  # type: ignore[arg-type]

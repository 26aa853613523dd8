"""The one interface every market-data provider implements, and the typed records it returns.

Raw provider dicts and DataFrames never leave ``tools/providers/``: a provider maps its field
names once and returns ``PriceHistory``/``Fundamentals``/``SymbolMatch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

import pandas as pd

BAR_COLUMNS = ("open", "high", "low", "close", "volume")
Adjustment = Literal["split", "split+dividend", "none", "unknown"]
SymbolKind = Literal["index", "etf", "equity", "other"]


@dataclass(frozen=True)
class PriceHistory:
    """Daily bars of one symbol.

    ``bars``: index is a tz-naive ``DatetimeIndex`` named ``date`` (one row per trading day,
    ascending, unique); columns exactly ``BAR_COLUMNS`` as float64. ``adjustment`` says whether
    closes include splits and dividends (index levels are price returns: ``none``).
    """

    symbol: str
    bars: pd.DataFrame
    provider: str
    url: str | None = None
    adjustment: Adjustment = "unknown"
    currency: str = "USD"
    retrieved_at: datetime | None = None
    stale: bool = False
    age_seconds: float | None = None

    @property
    def first_date(self) -> date:
        return self.bars.index[0].date()

    @property
    def last_date(self) -> date:
        return self.bars.index[-1].date()


@dataclass(frozen=True)
class Fundamentals:
    """Valuation fields as the provider reports them; ``None`` where it reports nothing."""

    symbol: str
    provider: str
    as_of: date
    quote_type: str | None = None
    name: str | None = None
    currency: str | None = None
    exchange: str | None = None
    sector: str | None = None
    industry: str | None = None
    price: float | None = None
    market_cap: float | None = None
    trailing_pe: float | None = None
    forward_pe: float | None = None
    price_to_book: float | None = None
    price_to_sales: float | None = None
    enterprise_to_ebitda: float | None = None
    peg_ratio: float | None = None
    dividend_yield: float | None = None  # percent, e.g. 0.45 means 0.45%
    trailing_eps: float | None = None
    forward_eps: float | None = None
    enterprise_value: float | None = None
    beta: float | None = None
    average_volume_3m: float | None = None
    url: str | None = None
    retrieved_at: datetime | None = None
    stale: bool = False
    age_seconds: float | None = None


@dataclass(frozen=True)
class SymbolMatch:
    symbol: str
    name: str
    kind: SymbolKind = "other"
    exchange: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)


class MarketDataProvider(Protocol):
    """What the cache and metrics need from a source of market data."""

    name: str

    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        """Daily bars for every symbol between start and end inclusive, in ONE provider call.

        Raises ``UnknownSymbolError`` / ``NoDataError`` / ``ProviderUnavailableError`` with the
        symbol and reason. ``start=None`` means as far back as the provider has.
        """
        ...

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        """Valuation fields known on ``as_of`` (the latest snapshot on or before it)."""
        ...

    def search(self, query: str) -> list[SymbolMatch]:
        """Symbols whose name or ticker matches a company/fund name; empty if none."""
        ...

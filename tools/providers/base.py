"""The one interface every market-data provider implements, and the typed records it returns.

Raw provider dicts and DataFrames never leave ``tools/providers/``: a provider maps its field
names once and returns ``PriceHistory``/``Fundamentals``/``SymbolMatch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

import numpy as np
import pandas as pd

BAR_COLUMNS = ("open", "high", "low", "close", "volume")  # what every source of bars provides
# where the close as traded and the dividend-adjusted close part ways (see PriceHistory)
BASIS_COLUMNS = ("adj_close", "traded")
SERIES_COLUMNS = (*BAR_COLUMNS, *BASIS_COLUMNS)
Adjustment = Literal["split", "split+dividend", "none", "unknown"]
SymbolKind = Literal["index", "etf", "equity", "other"]


@dataclass(frozen=True)
class PriceHistory:
    """Daily bars of one symbol: prices as traded and, where known, the dividend-adjusted close.

    ``bars``: index is a tz-naive ``DatetimeIndex`` named ``date`` (one row per trading day,
    ascending, unique); columns ``SERIES_COLUMNS`` as float64:

    - ``open``/``high``/``low``/``close``: the prices as traded (split-adjusted only, Yahoo's
      "Close") where ``traded`` is 1. Where ``traded`` is 0 the record holds no traded price for
      the day and they hold the dividend-adjusted prices instead (``close == adj_close``): never
      present those as traded prices.
    - ``adj_close``: the close adjusted for splits and dividends on one basis (the dividends paid
      up to ``adjusted_through``), NaN where no source gives one. Index levels have none: they
      are price returns only.
    - ``volume``: shares, split-adjusted (0 where the source has none).

    A frame with only ``BAR_COLUMNS`` is completed on construction: every row traded, no
    adjusted close. ``adjustment`` says what the traded close holds (``split``: as traded,
    split-adjusted; ``none``: index levels or raw prices; ``unknown``: the provider does not say).
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
    adjusted_through: date | None = None  # the adjusted closes include dividends up to this day

    def __post_init__(self) -> None:
        if "traded" not in self.bars.columns or "adj_close" not in self.bars.columns:
            completed = self.bars.assign(
                adj_close=self.bars.get("adj_close", np.nan), traded=self.bars.get("traded", 1.0)
            )
            object.__setattr__(self, "bars", completed.loc[:, list(SERIES_COLUMNS)].astype("float64"))

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

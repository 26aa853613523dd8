"""Typed records of company fundamentals beyond a quote: statements, filings, analyst targets, and
the market-level (Shiller) valuation series; and the ``FundamentalsProvider`` protocol.

A separate protocol from ``MarketDataProvider`` (prices stay there): the snapshot and yfinance
providers implement both; the facade checks for this one at run time. Frames inside these records
are typed (fixed columns, our names), never a provider's raw table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

import pandas as pd

Statement = Literal["income", "balance", "cashflow"]
Frequency = Literal["annual", "quarterly"]
STATEMENTS: tuple[Statement, ...] = ("income", "balance", "cashflow")
FREQUENCIES: tuple[Frequency, ...] = ("annual", "quarterly")
# the columns of ``FinancialStatements.lines``: one row per figure, ``item`` is our key
LINE_COLUMNS = ("statement", "freq", "period_end", "item", "value")
# annual reports (a fiscal year) and quarterly reports; a 20-F or 40-F is a foreign issuer's annual report
ANNUAL_FORMS = frozenset({"10-K", "20-F", "40-F"})
QUARTERLY_FORMS = frozenset({"10-Q"})


@dataclass(frozen=True)
class Filing:
    """One real filing of a company: its form, the day it was filed and, when known, its period end."""

    form: str
    filed: date
    period_end: date | None = None
    source: str = ""


@dataclass(frozen=True)
class FinancialStatements:
    """Every statement figure the provider has for one company.

    ``lines``: columns ``LINE_COLUMNS`` (``period_end`` a tz-naive Timestamp, ``value`` float64),
    one row per statement, frequency, period and item. ``filings``: the real filing dates known
    (may be empty: availability then follows the SEC deadlines). ``currency``: the reporting
    currency when the provider says it (None: not stated). ``foreign_filer``: the company files a
    20-F/40-F, so its per-share figures may be per ordinary share rather than per listed ADR.
    """

    symbol: str
    provider: str
    lines: pd.DataFrame
    filings: tuple[Filing, ...] = ()
    currency: str | None = None
    foreign_filer: bool = False
    url: str | None = None
    retrieved_at: datetime | None = None


@dataclass(frozen=True)
class AnalystTargets:
    """Analysts' 12-month price targets and rating for one symbol as recorded on ``as_of``."""

    symbol: str
    provider: str
    as_of: date
    target_mean: float
    target_high: float | None = None
    target_low: float | None = None
    target_median: float | None = None
    analysts: int | None = None
    rating: str | None = None  # e.g. "buy", "strong_buy", "hold"
    price: float | None = None  # the price the provider recorded with the targets
    company: str | None = None
    url: str | None = None
    retrieved_at: datetime | None = None


@dataclass(frozen=True)
class MarketValuationSeries:
    """A monthly market-level series (Shiller's S&P 500): level, trailing earnings and CAPE.

    ``rows``: index = first day of each month (tz-naive DatetimeIndex named ``month``), columns
    ``price`` (the month's average index level), ``earnings`` (trailing 12-month earnings per
    index unit) and ``cape`` (price over 10-year average real earnings); NaN where not available.
    """

    name: str
    symbol: str
    provider: str
    rows: pd.DataFrame
    url: str | None = None
    retrieved_at: datetime | None = None


@runtime_checkable
class FundamentalsProvider(Protocol):
    """What the statements, analyst and market-valuation tools need from a provider."""

    name: str

    def financial_statements(self, symbol: str) -> FinancialStatements:
        """All statement figures of ``symbol`` (UnknownSymbolError / NoDataError when none)."""
        ...

    def analyst_targets(self, symbol: str, as_of: date) -> AnalystTargets:
        """The latest targets recorded on or before ``as_of`` (NoDataError before the first)."""
        ...

    def market_valuation(self) -> MarketValuationSeries:
        """The S&P 500's monthly valuation series (NoDataError when the provider has none)."""
        ...

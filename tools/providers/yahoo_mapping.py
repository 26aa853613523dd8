"""Yahoo Finance's names mapped to ours, once: columns, ``info`` keys, failure texts.

Used only by ``tools/providers/yfinance_provider.py``; yfinance's frames and dicts stop here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from copilot.errors import (
    NoDataError,
    ProviderUnavailableError,
    RateLimitedError,
    UnknownSymbolError,
    VerityError,
)
from tools.providers.base import SERIES_COLUMNS, SymbolKind

# "Close" is the close as traded (split-adjusted only); "Adj Close" adds the dividends
YAHOO_COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Volume": "volume",
    "Adj Close": "adj_close",
}

# Fundamentals field -> yfinance ``info`` keys, first present wins (mapped once, here)
INFO_ALIASES: dict[str, tuple[str, ...]] = {
    "quote_type": ("quoteType",),
    "name": ("longName", "shortName"),
    "currency": ("currency",),
    "exchange": ("fullExchangeName", "exchange"),
    "sector": ("sector",),
    "industry": ("industry",),
    "price": ("regularMarketPrice", "currentPrice"),
    "market_cap": ("marketCap",),
    "trailing_pe": ("trailingPE",),
    "forward_pe": ("forwardPE",),
    "price_to_book": ("priceToBook",),
    "price_to_sales": ("priceToSalesTrailing12Months",),
    "enterprise_to_ebitda": ("enterpriseToEbitda",),
    "peg_ratio": ("pegRatio", "trailingPegRatio"),
    "dividend_yield": ("dividendYield",),  # percent or fraction depending on the endpoint: see below
    "trailing_eps": ("trailingEps", "epsTrailingTwelveMonths"),
    "forward_eps": ("forwardEps", "epsForward"),
    "enterprise_value": ("enterpriseValue",),
    "beta": ("beta", "beta3Year"),
    "average_volume_3m": ("averageDailyVolume3Month", "averageVolume"),
}
NUMERIC_FIELDS = set(INFO_ALIASES) - {"quote_type", "name", "currency", "exchange", "sector", "industry"}
QUOTE_KINDS: dict[str, SymbolKind] = {"EQUITY": "equity", "ETF": "etf", "INDEX": "index"}

# yfinance reports per-ticker download failures as text; first match decides the error type
FAILURE_PATTERNS: tuple[tuple[str, type[VerityError]], ...] = (
    ("RateLimit", RateLimitedError),
    ("Too Many Requests", RateLimitedError),
    ("Timeout", ProviderUnavailableError),
    # curl_cffi's DNS failure says "Domain name not found": a network failure, not an unknown symbol
    ("DNSError", ProviderUnavailableError),
    ("Could not resolve host", ProviderUnavailableError),
    ("Failed to perform, curl", ProviderUnavailableError),
    ("ConnectionError", ProviderUnavailableError),
    ("SSLError", ProviderUnavailableError),
    ("ProxyError", ProviderUnavailableError),
    ("no price data found", NoDataError),
    ("PricesMissing", NoDataError),
    ("no timezone found", UnknownSymbolError),
    ("delisted", UnknownSymbolError),
    ("404", UnknownSymbolError),
    ("Not Found", UnknownSymbolError),
)
SEVERITY = (RateLimitedError, ProviderUnavailableError, UnknownSymbolError, NoDataError)


def bars_from_frame(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """Our bars (``SERIES_COLUMNS``) from a yfinance download with ``auto_adjust=False``.

    Every row is traded (Yahoo's "Close"); "Adj Close" is the dividend-adjusted close, except for
    index levels, which have no dividends (Yahoo repeats the level there): price returns only.
    """
    if frame is None or frame.empty:
        return pd.DataFrame(
            columns=list(SERIES_COLUMNS), index=pd.DatetimeIndex([], name="date"), dtype="float64"
        )
    raw = pd.DataFrame(frame[ticker] if isinstance(frame.columns, pd.MultiIndex) else frame)
    columns = [c for c in YAHOO_COLUMNS if c in raw.columns]
    bars = raw.loc[:, columns].rename(columns=YAHOO_COLUMNS).dropna(subset=["close"])
    if "adj_close" not in bars.columns or ticker.startswith("^"):
        bars["adj_close"] = float("nan")
    bars["traded"] = 1.0
    index = pd.DatetimeIndex(bars.index)
    bars.index = (index.tz_localize(None) if index.tz is not None else index).normalize().rename("date")
    return bars.loc[:, list(SERIES_COLUMNS)].astype("float64").sort_index()


def failure_error(ticker: str, reason: str) -> VerityError:
    kind: type[VerityError] = ProviderUnavailableError
    for pattern, error in FAILURE_PATTERNS:
        if pattern.lower() in reason.lower():
            kind = error
            break
    short = "HTTP 404" if "404" in reason else (reason.split("(", 1)[0] if len(reason) > 160 else reason)
    if kind is UnknownSymbolError:
        return UnknownSymbolError(ticker, f"Yahoo Finance does not know it ({short})")
    if kind is NoDataError:
        return NoDataError(f"{ticker}: Yahoo Finance has no bars for the requested dates ({short})", ticker)
    if kind is RateLimitedError:
        return RateLimitedError(f"Yahoo Finance rate-limited the request for {ticker}: {short}")
    return ProviderUnavailableError(f"Yahoo Finance failed for {ticker}: {short}", ticker, "yfinance")


def dividend_yield_percent(info: dict[str, Any]) -> float | None:
    """Dividend yield in percent.

    Yahoo's v7 quote reports ``dividendYield`` in percent (0.41) but quoteSummary's summaryDetail
    as a fraction (0.0041), and ``info`` holds whichever came last; the annual dividend over the
    price (Yahoo's own definition) says which one it is.
    """
    value = info.get("dividendYield")
    if value is None:
        return None
    rate = info.get("dividendRate") or info.get("trailingAnnualDividendRate")
    price = info.get("regularMarketPrice") or info.get("currentPrice")
    if rate and price:
        implied = rate / price * 100
        return float(value) if abs(value - implied) <= abs(value * 100 - implied) else float(value) * 100
    return float(value) if value >= 0.2 else None  # ambiguous without a dividend rate: say nothing


def trade_date(info: dict[str, Any]) -> date:
    """The exchange-local day of the last trade in ``info`` (today, UTC, if Yahoo gives none)."""
    stamp = info.get("regularMarketTime")
    if not isinstance(stamp, int | float):
        return datetime.now(UTC).date()
    try:
        zone = ZoneInfo(str(info.get("exchangeTimezoneName") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.fromtimestamp(stamp, zone).date()

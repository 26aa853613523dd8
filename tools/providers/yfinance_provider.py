"""Live market data from Yahoo Finance through yfinance (``VERITY_MARKET_DATA=yfinance``).

Sync and blocking (HTTP): the facade calls it off the event loop with ``asyncio.to_thread`` and
puts a ``CachedProvider`` in front. yfinance keeps ONE process-wide HTTP session and cookie/crumb
state (``yfinance.data.YfData`` is a singleton), so calls are serialised by a module lock and an
injected ``requests.Session`` (tests: one whose adapter replays recorded Yahoo exchanges) is
installed for each call. yfinance's frames and dicts never leave tools/providers/: bars become
``PriceHistory``, ``Ticker.info`` becomes ``Fundamentals`` through ``INFO_ALIASES``
(tools/providers/yahoo_mapping.py, where every Yahoo name is mapped once).

Failures map to typed errors carrying the symbol and Yahoo's reason: rate limits ->
``RateLimitedError``; timeouts and connection errors -> ``ProviderUnavailableError``; a symbol
Yahoo does not know -> ``UnknownSymbolError``; a known symbol without bars in the range ->
``NoDataError``.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd
import requests
import yfinance as yf
from yfinance import multi as yf_multi
from yfinance._http import HTTPError as BackendHTTPError  # curl_cffi's, or requests' without it
from yfinance.exceptions import YFException, YFRateLimitError

from copilot.errors import (
    BadInputError,
    NoDataError,
    ProviderUnavailableError,
    RateLimitedError,
    UnknownSymbolError,
    VerityError,
)
from tools.providers import yfinance_fundamentals
from tools.providers.base import Fundamentals, PriceHistory, SymbolMatch
from tools.providers.statements_base import AnalystTargets, FinancialStatements, MarketValuationSeries
from tools.providers.yahoo_mapping import (
    INFO_ALIASES,
    NUMERIC_FIELDS,
    QUOTE_KINDS,
    SEVERITY,
    bars_from_frame,
    dividend_yield_percent,
    failure_error,
    trade_date,
)

# yfinance 1.7 still passes inplace= to pandas 3.1; the deprecation is its own, not ours
warnings.filterwarnings("ignore", message="The inplace keyword", module="yfinance")

if TYPE_CHECKING:
    from copilot.config import Settings

_HTTP_ERRORS = (requests.exceptions.HTTPError, BackendHTTPError)
_YF_LOCK = threading.Lock()  # yfinance's session, cookie and crumb are process-wide


class YFinanceProvider:
    """``MarketDataProvider`` over live Yahoo Finance (see the module docstring)."""

    name = "yfinance"

    def __init__(
        self, session: requests.Session | None = None, timeout: float = 20.0, cache_dir: Path | None = None
    ) -> None:
        self.session = session
        self.timeout = timeout
        if cache_dir is not None:  # yfinance's own time-zone/cookie sqlite caches
            cache_dir.mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(cache_dir))  # sets all three (tz, cookie, isin)

    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        """Daily bars of all symbols in ONE download: closes as traded (split-adjusted, as Yahoo
        shows them) and Yahoo's dividend-adjusted closes, adjusted as of the download."""
        if start is not None and start > end:
            raise BadInputError(f"empty date range: start {start} is after end {end}")
        tickers = {symbol: symbol.strip().upper() for symbol in symbols}
        if not tickers:
            return {}
        frame, errors = self._download(sorted(set(tickers.values())), start, end)
        retrieved_at = datetime.now(UTC)
        out: dict[str, PriceHistory] = {}
        failures: list[VerityError] = []
        for symbol, ticker in tickers.items():
            if ticker in errors:
                failures.append(failure_error(ticker, errors[ticker]))
                continue
            bars = bars_from_frame(frame, ticker)
            if bars.empty:
                failures.append(
                    NoDataError(f"{ticker}: Yahoo returned no bars from {start} to {end}", ticker)
                )
                continue
            out[symbol] = PriceHistory(
                symbol=ticker,
                bars=bars,
                provider=self.name,
                url=f"https://finance.yahoo.com/quote/{quote(ticker, safe='')}/history",
                adjustment="none" if ticker.startswith("^") else "split",
                retrieved_at=retrieved_at,
                # Yahoo adjusts for every dividend paid up to the download, whatever the range
                adjusted_through=None if ticker.startswith("^") else retrieved_at.date(),
            )
        if failures:
            raise min(failures, key=lambda e: next(i for i, t in enumerate(SEVERITY) if isinstance(e, t)))
        return out

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        """Current valuation fields of ``Ticker.info`` (quoteSummary + v7 quote), dated by the last trade."""
        ticker = symbol.strip().upper()
        info = self._call(ticker, lambda: dict(yf.Ticker(ticker, session=self.session).info))
        if not info.get("quoteType") and not info.get("regularMarketPrice"):
            raise UnknownSymbolError(ticker, "Yahoo has no quote for it")
        values: dict[str, Any] = {
            field: next((info[k] for k in keys if info.get(k) is not None), None)
            for field, keys in INFO_ALIASES.items()
        }
        values = {
            k: float(v) if isinstance(v, int | float) and k in NUMERIC_FIELDS else v
            for k, v in values.items()
        }
        values["dividend_yield"] = dividend_yield_percent(info)
        reported = trade_date(info)
        if as_of < reported:
            raise NoDataError(
                f"{ticker}: Yahoo only reports current fundamentals (as of {reported}), not as of {as_of}",
                ticker,
            )
        return Fundamentals(
            symbol=ticker,
            provider=self.name,
            as_of=reported,
            url=f"https://finance.yahoo.com/quote/{quote(ticker, safe='')}/key-statistics",
            retrieved_at=datetime.now(UTC),
            **values,
        )

    def search(self, query: str) -> list[SymbolMatch]:
        """Yahoo's symbol search (quotes only, no news)."""
        found = self._call(
            query,
            lambda: list(
                yf.Search(
                    query, max_results=10, news_count=0, session=self.session, timeout=self.timeout
                ).quotes
            ),
        )
        return [
            SymbolMatch(
                symbol=str(q["symbol"]),
                name=str(q.get("longname") or q.get("shortname") or q["symbol"]),
                kind=QUOTE_KINDS.get(str(q.get("quoteType", "")), "other"),
                exchange=q.get("exchDisp") or q.get("exchange"),
            )
            for q in found
            if q.get("symbol") and q.get("quoteType") != "OPTION"  # option contracts are not names
        ]

    # --- FundamentalsProvider (tools/providers/yfinance_fundamentals.py) ----------------------
    def financial_statements(self, symbol: str) -> FinancialStatements:
        """Yahoo's annual and quarterly statement tables, SEC filing dates and reporting currency."""
        ticker = symbol.strip().upper()
        return self._call(
            ticker,
            lambda: yfinance_fundamentals.financial_statements(
                ticker, yf.Ticker(ticker, session=self.session), self.name, datetime.now(UTC)
            ),
        )

    def analyst_targets(self, symbol: str, as_of: date) -> AnalystTargets:
        """Yahoo's current analyst price targets (NoDataError for an earlier ``as_of``)."""
        ticker = symbol.strip().upper()
        return self._call(
            ticker,
            lambda: yfinance_fundamentals.analyst_targets(
                ticker, yf.Ticker(ticker, session=self.session), as_of, self.name, datetime.now(UTC)
            ),
        )

    def market_valuation(self) -> MarketValuationSeries:
        """Yahoo has no Shiller series: the market P/E and CAPE need a snapshot that holds it."""
        raise NoDataError(
            "Yahoo Finance has no S&P 500 P/E or CAPE series; use a snapshot imported from the Shiller "
            "file (VERITY_MARKET_DATA=snapshot:DIR)"
        )

    # --- yfinance calls -------------------------------------------------------------------
    def _download(
        self, tickers: list[str], start: date | None, end: date
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        # yf.download's own body with a context we keep: it records each ticker's failure
        # (timeout, 404, rate limit) that yf.download only logs.
        context = yf_multi._DownloadCtx()
        frame = self._call(
            ",".join(tickers),
            lambda: _raising(
                yf_multi._download_impl,
                context,
                tickers,
                start=start.isoformat() if start else None,
                end=(end + timedelta(days=1)).isoformat(),  # yfinance's end is exclusive
                period="max" if start is None else None,
                threads=False,
                group_by="ticker",
                auto_adjust=False,
                actions=False,
                progress=False,
                timeout=self.timeout,
                session=self.session,
            ),
        )
        return frame, dict(context.errors)

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        """Run a yfinance call under the lock and map its failures to typed errors."""
        try:
            with _YF_LOCK:
                return call()
        except YFRateLimitError as exc:
            raise RateLimitedError(f"Yahoo Finance rate-limited the request for {what}: {exc}") from exc
        except _HTTP_ERRORS as exc:
            response = getattr(exc, "response", None)
            if getattr(response, "status_code", None) == 404:
                raise UnknownSymbolError(what, "Yahoo Finance does not know it (HTTP 404)") from exc
            message = f"Yahoo Finance failed for {what}: {exc}"
            raise ProviderUnavailableError(message, what, self.name) from exc
        except (requests.exceptions.RequestException, OSError) as exc:  # curl_cffi errors are OSErrors
            message = f"Yahoo Finance unreachable for {what}: {type(exc).__name__}"
            raise ProviderUnavailableError(message, what, self.name) from exc
        except (YFException, ValueError, KeyError, TypeError) as exc:  # an answer yfinance cannot read
            message = f"Yahoo Finance sent data yfinance could not read for {what}: {exc}"
            raise ProviderUnavailableError(message, what, self.name) from exc


def _raising(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a yfinance call with its exceptions raised (called under ``_YF_LOCK``).

    By default yfinance logs a failed chart request and returns an empty frame, so a timeout
    reads as "possibly delisted; no price data found"; raising keeps each failure's type.
    """
    hidden = yf.config.debug.hide_exceptions
    yf.config.debug.hide_exceptions = False
    try:
        return function(*args, **kwargs)
    finally:
        yf.config.debug.hide_exceptions = hidden


def build_yfinance_provider(settings: Settings, session: requests.Session | None = None) -> YFinanceProvider:
    """The live provider configured from settings (timeout, yfinance caches under the data dir)."""
    return YFinanceProvider(
        session=session, timeout=settings.provider_timeout, cache_dir=settings.data_dir / "yfinance"
    )

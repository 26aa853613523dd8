"""MarketData: the one facade the agent, CLI and web call for verified market figures.

Every method takes names or symbols (resolved through ``SymbolResolver``) and ``as_of``
(``None`` = the latest available data; a future date is refused), makes ONE provider call for
all its symbols, cuts the bars at ``as_of`` before computing anything, and returns a ``Source``
(kind "market_data", tool = the method name, arguments = the resolved arguments incl. as_of)
whose facts are computed in ``tools.metrics``. The facade is synchronous: async callers run it
with ``asyncio.to_thread``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pandas as pd

from copilot.errors import BadInputError, NoDataError
from copilot.schemas import Source, utc_now
from tools.metrics import MetricResult, adjustment_note, bars_until
from tools.metrics.performance import (
    LOOKBACK_DAYS,
    check_period,
    fetch_start,
    performance_metrics,
    period_return,
)
from tools.metrics.quote import quote_metrics
from tools.metrics.sectors import SECTOR_NAMES, sector_metrics
from tools.metrics.technicals import HISTORY_DAYS, technical_metrics
from tools.metrics.valuation import reported_by, valuation_metrics
from tools.providers.base import MarketDataProvider, PriceHistory, SymbolMatch
from tools.providers.statements_base import FundamentalsProvider
from tools.symbol_table import SECTOR_SYMBOLS
from tools.symbols import SymbolResolver

if TYPE_CHECKING:
    import requests

    from copilot.config import Settings

MARKET_TZ = ZoneInfo("America/New_York")
QUOTE_HISTORY_DAYS = 400  # 52-week range (365 days) plus the 63-day average volume
STALE_BAR_DAYS = 7  # a last bar older than this before the analysis date is said so (long weekends fit)


def market_today() -> date:
    """Today's date on the US market's clock (as-of dates are exchange dates)."""
    return datetime.now(MARKET_TZ).date()


class MarketData:
    """Quote, performance, technicals, valuation and sector rankings as cited Sources."""

    def __init__(
        self,
        provider: MarketDataProvider,
        resolver: SymbolResolver | None = None,
        today: Callable[[], date] = market_today,
        fundamentals: FundamentalsProvider | None = None,
    ) -> None:
        self.provider = provider
        self.resolver = resolver or SymbolResolver(search=provider.search)
        self._today = today
        # statements, analyst targets, Shiller series: the provider itself when it has them
        if fundamentals is None and isinstance(provider, FundamentalsProvider):
            fundamentals = provider
        from tools.fundamentals.facade import FundamentalsData

        self._fundamentals = FundamentalsData(self, fundamentals)

    def resolve(self, name: str) -> SymbolMatch:
        """The symbol a name stands for (AmbiguousSymbolError with candidates, UnknownSymbolError)."""
        return self.resolver.resolve(name)

    # -- tools ----------------------------------------------------------------------------------

    def quote(self, symbol: str, as_of: date | None = None) -> Source:
        """Last price, change, day range, volume vs averages and 52-week range."""
        match = self.resolve(symbol)
        day = self._as_of(as_of)
        history, late = self._history_before(match.symbol, QUOTE_HISTORY_DAYS, day)
        result = quote_metrics(match.symbol, bars_until(history, day), history.currency)
        result.notes.extend(late)
        self._add_related(match.symbol, result)
        return self._source(
            "quote",
            f"Quote: {_who(match)}",
            {"symbol": match.symbol, **_named(symbol, match), "as_of": day.isoformat()},
            [history],
            result,
        )

    def performance(
        self,
        symbols: Sequence[str],
        period: str | None = "ytd",
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> Source:
        """Returns over a period (or start/end) and the first symbol relative to the others."""
        if not symbols:
            raise BadInputError("performance needs at least one symbol")
        key = check_period(period, start, end)
        day = self._as_of(as_of)
        if end is not None and end > day:
            raise BadInputError(f"end {end} is after the analysis date {day}")
        if start is not None and start >= day:
            raise BadInputError(f"empty range: start {start} is not before the analysis date {day}")
        matches = [self.resolve(name) for name in symbols]
        wanted = list(dict.fromkeys(m.symbol for m in matches))
        late: list[str] = []
        until = day  # where the windows end: the analysis date, or the data's end long before it
        if key in LOOKBACK_DAYS:
            histories, until = self._histories_before(wanted, LOOKBACK_DAYS[key], day, late)
        else:
            histories = self._history(wanted, fetch_start(key, day, start), day)
        returns = [period_return(s, bars_until(histories[s], until), key, start, end, until) for s in wanted]
        result = performance_metrics(returns, key, histories[wanted[0]].currency)
        result.notes.extend(late)
        arguments: dict[str, Any] = {"symbols": wanted, "period": key, "as_of": day.isoformat()}
        names = [name for name, m in zip(symbols, matches, strict=True) if name != m.symbol]
        if names:
            arguments["names"] = list(symbols)
        if start is not None:
            arguments["start"] = start.isoformat()
            arguments["end"] = (end or day).isoformat()
        span = "YTD" if key == "ytd" else key.upper() if key != "custom" else f"{start} to {end or day}"
        title = f"Performance {span}: " + " vs ".join(wanted)
        return self._source("performance", title, arguments, list(histories.values()), result)

    def technicals(self, symbol: str, as_of: date | None = None) -> Source:
        """Moving averages, RSI, MACD, Bollinger, ATR, support/resistance, volatility, drawdown."""
        match = self.resolve(symbol)
        day = self._as_of(as_of)
        history, late = self._history_before(match.symbol, HISTORY_DAYS, day)
        bars = bars_until(history, day)
        result = technical_metrics(match.symbol, bars, history.currency)
        result.notes.extend(late)
        self._add_related(match.symbol, result)
        # the EMAs are seeded at the first fetched bar: say where, so the figures can be reproduced
        result.details["history_start"] = bars.index[0].date().isoformat()
        result.details["history_bars"] = len(bars)
        return self._source(
            "technicals",
            f"Technicals: {_who(match)}",
            {"symbol": match.symbol, **_named(symbol, match), "as_of": day.isoformat()},
            [history],
            result,
        )

    def valuation(self, symbol: str, as_of: date | None = None) -> Source:
        """Valuation multiples as the provider reports them; missing ones listed."""
        match = self.resolve(symbol)
        day = self._as_of(as_of)
        fundamentals = self.provider.fundamentals(match.symbol, day)
        if fundamentals.as_of > day:  # never let a later snapshot reach an earlier analysis date
            raise BadInputError(
                f"{match.symbol}: the provider's fundamentals are dated {fundamentals.as_of}, after {day}"
            )
        result = valuation_metrics(fundamentals)
        age = (day - fundamentals.as_of).days
        if age > 7:  # say plainly when the multiples predate the analysis date
            result.notes.append(f"These figures are {age} days older than the analysis date {day}.")
        return Source(
            kind="market_data",
            title=f"Valuation reported by {reported_by(fundamentals)} on {fundamentals.as_of}: {_who(match)}",
            provider=fundamentals.provider,
            url=fundamentals.url,
            as_of=fundamentals.as_of,
            retrieved_at=fundamentals.retrieved_at or utc_now(),
            tool="valuation",
            arguments={"symbol": match.symbol, **_named(symbol, match), "as_of": day.isoformat()},
            facts=result.facts,
            details=result.details,
            notes=result.notes,
            stale=fundamentals.stale,
            age_seconds=fundamentals.age_seconds,
        )

    def valuations(self, symbol: str, as_of: date | None = None) -> list[Source]:
        """Valuation computed at ``as_of`` from the close and public statements, then the provider's
        dated snapshot (``valuation``); whichever exists, the other's absence noted."""
        from tools.fundamentals.facade import combine_valuations

        return combine_valuations(
            symbol,
            [lambda: self.valuation_at(symbol, as_of=as_of), lambda: self.valuation(symbol, as_of=as_of)],
        )

    def valuation_at(self, symbol: str, as_of: date | None = None) -> Source:
        """Trailing P/E, P/S, P/B, EV/EBITDA, net margin, FCF yield from the close and public statements."""
        return self._fundamentals.valuation_at(symbol, as_of=as_of)

    def financials(
        self,
        symbol: str,
        statement: str | None = None,
        freq: str = "quarterly",
        periods: int = 4,
        as_of: date | None = None,
    ) -> Source:
        """Income, balance-sheet and cash-flow lines, margins and growth of the periods public at as_of."""
        return self._fundamentals.financials(symbol, statement, freq, periods, as_of=as_of)

    def analyst_targets(self, symbol: str, as_of: date | None = None) -> Source:
        """Analysts' mean/high/low price target, count, rating and implied upside, dated."""
        return self._fundamentals.analyst_targets(symbol, as_of=as_of)

    def market_valuation(self, as_of: date | None = None) -> Source:
        """The S&P 500's P/E and CAPE (Shiller), with the month of each and its age."""
        return self._fundamentals.market_valuation(as_of=as_of)

    def analysis_date(self, as_of: date | None) -> date:
        """``as_of``, or today on the exchange clock when None; a future date is refused."""
        return self._as_of(as_of)

    def last_close(self, symbol: str, day: date) -> tuple[float, date, list[str]]:
        """The close of the last bar on or before ``day``, its date, and a note when it is old."""
        history, late = self._history_before(symbol, STALE_BAR_DAYS + 7, day)
        bars = bars_until(history, day)
        return float(bars["close"].iloc[-1]), bars.index[-1].date(), late

    def sectors(self, period: str = "1d", as_of: date | None = None) -> Source:
        """The 11 sector SPDR ETFs ranked by return over ``period`` (one batched provider call)."""
        key = check_period(period, None, None)
        day = self._as_of(as_of)
        unranked: dict[str, str] = {}  # a fund not yet launched (XLC before 2018-06-19) is left out
        late: list[str] = []
        until = day
        if key in LOOKBACK_DAYS:
            histories, until = self._histories_before(
                list(SECTOR_SYMBOLS), LOOKBACK_DAYS[key], day, late, unranked
            )
        else:
            start = fetch_start(key, day, None)
            try:
                histories = self._history(list(SECTOR_SYMBOLS), start, day)
            except NoDataError:
                histories = {}
                for symbol in SECTOR_SYMBOLS:
                    try:
                        histories.update(self._history([symbol], start, day))
                    except NoDataError as exc:
                        unranked[symbol] = exc.message
        returns = []
        for symbol in (s for s in SECTOR_SYMBOLS if s in histories):
            try:
                returns.append(period_return(symbol, bars_until(histories[symbol], until), key, as_of=until))
            except NoDataError as exc:
                unranked[symbol] = exc.message
        if len(returns) < 2:
            raise NoDataError(f"no sector returns {key} as of {day}: " + "; ".join(unranked.values()))
        result = sector_metrics(returns, key)
        result.notes.extend(f"Not ranked: {reason}" for reason in unranked.values())
        result.notes.extend(dict.fromkeys(late))
        span = "YTD" if key == "ytd" else key.upper()
        arguments = {"period": key, "as_of": day.isoformat(), "symbols": list(SECTOR_NAMES)}
        return self._source(
            "sectors", f"Sector performance {span}", arguments, list(histories.values()), result
        )

    # -- plumbing -------------------------------------------------------------------------------

    def _add_related(self, symbol: str, result: MetricResult) -> None:
        """Name the ETFs tracking an index (or the index an ETF tracks): figures differ between them."""
        related = self.resolver.related(symbol)
        if related:
            result.details["related_symbols"] = list(related)

    def _as_of(self, as_of: date | None) -> date:
        today = self._today()
        if as_of is None:
            return today
        if as_of > today:
            raise BadInputError(f"as_of {as_of} is in the future (today is {today})")
        return as_of

    def _histories_before(
        self,
        symbols: list[str],
        days: int,
        day: date,
        late: list[str],
        missing: dict[str, str] | None = None,
    ) -> tuple[dict[str, PriceHistory], date]:
        """Histories of windows of ``days`` ending at ``day`` (one batched call), and that end date.

        When every series ends over a week before ``day`` (a snapshot asked without a date), the
        windows end at the newest last bar instead, one end for all so they stay comparable; a note
        goes to ``late``. With ``missing``, a symbol without data is recorded there, not raised.
        """
        batch_error: NoDataError | None = None
        try:
            histories = self._history(symbols, _minus(day, days), day)
            lasts = [d for d in (_last_bar(h, day) for h in histories.values()) if d is not None]
            if lasts and (day - max(lasts)).days <= STALE_BAR_DAYS:
                return histories, day
        except NoDataError as exc:
            batch_error = exc
        ends: list[date] = []
        for symbol in symbols:  # where the data ends (one call per symbol, only on this rare path)
            try:
                last = _last_bar(self._history([symbol], None, day)[symbol], day)
            except NoDataError as exc:
                batch_error = batch_error or exc
                continue
            if last is not None:
                ends.append(last)
        if not ends:
            raise batch_error or NoDataError(f"no prices of {', '.join(symbols)} on or before {day}")
        anchor = max(ends)
        if (day - anchor).days > STALE_BAR_DAYS:
            late.append(
                f"The latest bar is from {anchor}, {(day - anchor).days} days before the analysis date {day}."
            )
        if missing is None:
            return self._history(symbols, _minus(anchor, days), anchor), anchor
        out: dict[str, PriceHistory] = {}
        for symbol in symbols:
            try:
                out.update(self._history([symbol], _minus(anchor, days), anchor))
            except NoDataError as exc:
                missing[symbol] = exc.message
        return out, anchor

    def _history_before(self, symbol: str, days: int, day: date) -> tuple[PriceHistory, list[str]]:
        """``days`` calendar days of bars up to the last bar on or before ``day``, and a note when that
        bar is over a week older than ``day`` (a series that ended: its windows count back from its
        last bar, so a 52-week range stays 52 weeks long)."""
        try:
            history: PriceHistory | None = self._history([symbol], _minus(day, days), day)[symbol]
        except NoDataError:  # nothing in the window: where does the series end?
            history = None
        last = _last_bar(history, day) if history is not None else None
        if history is not None and last is not None and (day - last).days <= STALE_BAR_DAYS:
            return history, []
        if last is None:
            last = bars_until(self._history([symbol], None, day)[symbol], day).index[-1].date()
        history = self._history([symbol], _minus(last, days), last)[symbol]
        note = f"The latest bar is from {last}, {(day - last).days} days before the analysis date {day}."
        return history, [note]

    def _history(self, symbols: list[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        """One provider call for every symbol (the provider batches; the cache batches misses)."""
        histories = self.provider.price_history(symbols, start, end)
        for symbol in symbols:
            if symbol not in histories:
                raise NoDataError(f"{symbol}: {self.provider.name} returned no prices", symbol=symbol)
        return histories

    def _source(
        self,
        tool: str,
        title: str,
        arguments: dict[str, Any],
        histories: list[PriceHistory],
        result: MetricResult,
    ) -> Source:
        first = histories[0]
        dates = [f.as_of for f in result.facts if f.as_of is not None]
        stale = [h for h in histories if h.stale]
        notes = list(dict.fromkeys([*_adjustment_notes(histories), *result.notes]))
        return Source(
            kind="market_data",
            title=title,
            provider=first.provider,
            url=first.url if len(histories) == 1 else None,
            as_of=max(dates) if dates else None,
            retrieved_at=min((h.retrieved_at for h in histories if h.retrieved_at), default=utc_now()),
            tool=tool,
            arguments=arguments,
            facts=result.facts,
            details=result.details,
            notes=notes,
            stale=bool(stale),
            age_seconds=max((h.age_seconds or 0.0 for h in stale), default=None),
        )


def _adjustment_notes(histories: list[PriceHistory]) -> list[str]:
    """One note per adjustment kind, naming its symbols: "XLK, XLF: split-adjusted closes ..."."""
    grouped: dict[str, list[str]] = {}
    for history in histories:
        text = adjustment_note(history).split(": ", 1)[1]
        grouped.setdefault(text, []).append(history.symbol)
    return [f"{', '.join(symbols)}: {text}" for text, symbols in grouped.items()]


def _last_bar(history: PriceHistory, day: date) -> date | None:
    """The date of the last bar on or before ``day`` (None when there is none)."""
    index = history.bars.index
    position = int(index.searchsorted(pd.Timestamp(day), side="right"))
    return index[position - 1].date() if position else None


def _minus(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() - days)


def _who(match: SymbolMatch) -> str:
    return match.symbol if match.name in ("", match.symbol) else f"{match.symbol} ({match.name})"


def _named(name: str, match: SymbolMatch) -> dict[str, str]:
    return {} if name == match.symbol else {"name": name}


def build_market_data(settings: Settings, session: requests.Session | None = None) -> MarketData:
    """The MarketData that settings.market_data selects: live yfinance behind the SQLite cache,
    or a snapshot directory (``snapshot:DIR``)."""
    if settings.market_data.startswith("snapshot:"):
        from pathlib import Path

        from tools.providers.snapshot import SnapshotProvider

        return MarketData(SnapshotProvider(Path(settings.market_data.removeprefix("snapshot:"))))
    from tools.cache import CachedProvider, CacheTTL
    from tools.providers.yfinance_provider import YFinanceProvider

    live = YFinanceProvider(session=session, timeout=settings.provider_timeout)
    ttls = CacheTTL(  # the same values as CacheTTL.from_settings, spelled out for the type checker
        quote=settings.ttl_quote,
        finished_bars=settings.ttl_finished_bars,
        fundamentals=settings.ttl_fundamentals,
    )
    cached = CachedProvider(live, settings.data_dir / "market_cache.sqlite", ttls)
    # statements and targets go to Yahoo directly: the cache keeps prices and quote fundamentals
    return MarketData(cached, fundamentals=live)

"""MarketData: the one facade the agent, CLI and web call for verified market figures.

Every method takes names or symbols (resolved through ``SymbolResolver``) and ``as_of``
(``None`` = the latest available data; a future date is refused), makes ONE provider call for
all its symbols, cuts the bars at ``as_of`` before computing anything, and returns a ``Source``
(kind "market_data", tool = the method name, arguments = the resolved arguments incl. as_of)
whose facts are computed in ``tools.metrics``. Prices are prices as traded; figures on
dividend-adjusted prices are keyed and labelled so (tools/metrics/basis.py). The facade is
synchronous: async callers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from copilot.errors import BadInputError, NoDataError, UnknownSymbolError, VerityError
from copilot.lexicon import SECTOR_SYMBOLS
from copilot.schemas import Source, utc_now
from tools.market_windows import STALE_BAR_DAYS, Windows, minus
from tools.metrics import MetricResult, bars_until
from tools.metrics.history import day_metrics, range_metrics
from tools.metrics.performance import PeriodReturn, check_range, performance_metrics, period_return
from tools.metrics.periods import Window, parse_period, span_label
from tools.metrics.quote import quote_metrics
from tools.metrics.sectors import SECTOR_NAMES, sector_metrics
from tools.metrics.technicals import HISTORY_DAYS, technical_metrics
from tools.metrics.valuation import reported_by, valuation_metrics
from tools.providers.base import MarketDataProvider, PriceHistory, SymbolMatch
from tools.providers.statements_base import FundamentalsProvider
from tools.symbols import SymbolResolver

if TYPE_CHECKING:
    import requests

    from copilot.config import Settings

MARKET_TZ = ZoneInfo("America/New_York")
QUOTE_HISTORY_DAYS = 400  # 52-week range (365 days) plus the 63-day average volume
SESSION_LOOKBACK_DAYS = 15  # calendar days before a date that surely hold its previous session


def market_today() -> date:
    """Today's date on the US market's clock (as-of dates are exchange dates)."""
    return datetime.now(MARKET_TZ).date()


class MarketData:
    """Quote, price history, performance, technicals, valuation and sector rankings as Sources."""

    def __init__(
        self,
        provider: MarketDataProvider,
        resolver: SymbolResolver | None = None,
        today: Callable[[], date] = market_today,
        fundamentals: FundamentalsProvider | None = None,
    ) -> None:
        self.provider = provider
        self.resolver = resolver or SymbolResolver(search=provider.search)
        self.windows = Windows(provider)
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
        history, late = self.windows.history_before(match.symbol, QUOTE_HISTORY_DAYS, day)
        bars = bars_until(history, day)
        result = quote_metrics(match.symbol, bars, history.currency, history.adjusted_through)
        result.notes.extend(late)
        self._add_related(match.symbol, result)
        arguments = {"symbol": match.symbol, **_named(symbol, match), "as_of": day.isoformat()}
        return self._source("quote", f"Quote: {_who(match)}", arguments, [history], result)

    def price_history(
        self,
        symbol: str,
        date: dt.date | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        as_of: dt.date | None = None,
    ) -> Source:
        """Prices on ``date`` (the last session on or before it), or over ``start``..``end``
        (end: the analysis date by default); the analysis date itself when neither is given."""
        match = self.resolve(symbol)
        day = self._as_of(as_of)
        if date is not None and (start is not None or end is not None):
            raise BadInputError("give either a date or a start (and end) date, not both")
        check_range(start, end)
        for name, value in (("date", date), ("start", start), ("end", end)):
            if value is not None and value > day:
                raise BadInputError(f"{name} {value} is after the analysis date {day}")
        arguments: dict[str, Any] = {"symbol": match.symbol, **_named(symbol, match)}
        if start is None:
            asked = date or day
            first = minus(asked, SESSION_LOOKBACK_DAYS)
            history = self.windows.history([match.symbol], first, asked)[match.symbol]
            bars = bars_until(history, asked)
            result = day_metrics(match.symbol, bars, asked, history.currency, history.adjusted_through)
            arguments["date"] = asked.isoformat()
            title = f"Price of {_who(match)} on {result.details['session']}"
        else:
            last = end or day
            # from a little earlier: a range of non-trading days gets "no trading session", not "a gap"
            first = minus(start, SESSION_LOOKBACK_DAYS)
            history = self.windows.history([match.symbol], first, last)[match.symbol]
            bars = bars_until(history, last)
            result = range_metrics(
                match.symbol, bars, start, last, history.currency, history.adjusted_through
            )
            arguments |= {"start": start.isoformat(), "end": last.isoformat()}
            title = f"Price history of {_who(match)}, {start} to {last}"
        arguments["as_of"] = day.isoformat()
        return self._source("price_history", title, arguments, [history], result)

    def bars(
        self, symbol: str, start: date | None = None, end: date | None = None, as_of: date | None = None
    ) -> PriceHistory:
        """Plain daily bars between ``start`` and ``end`` (default: the analysis date), nothing after
        ``as_of`` (for charts). ``traded`` and ``adj_close`` say which prices are which."""
        match = self.resolve(symbol)
        day = self._as_of(as_of)
        last = min(end or day, day)
        if start is not None and start > last:
            raise BadInputError(f"empty range: start {start} is after the end {last}")
        history = self.windows.history([match.symbol], start, last)[match.symbol]
        return replace(history, bars=bars_until(history, last))

    def performance(
        self,
        symbols: Sequence[str],
        period: str | None = "ytd",
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> Source:
        """Price and total returns over a period (or start/end); the first symbol against the others."""
        if not symbols:
            raise BadInputError("performance needs at least one symbol")
        check_range(start, end)
        key = "custom" if start is not None else parse_period(period)
        day = self._as_of(as_of)
        if end is not None and end > day:
            raise BadInputError(f"end {end} is after the analysis date {day}")
        if start is not None and start >= day:
            raise BadInputError(f"empty range: start {start} is not before the analysis date {day}")
        named: list[tuple[str, SymbolMatch]] = []  # (as asked, as resolved)
        lacking: list[VerityError] = []
        for name in symbols:
            try:
                named.append((name, self.resolve(name)))
            except UnknownSymbolError as exc:
                lacking.append(exc)
        if not named:
            raise lacking[0]
        wanted = list(dict.fromkeys(m.symbol for _, m in named))
        custom = Window("custom", end or day, anchor=start) if start is not None else None
        while True:  # a name the data lacks is left out and said so; the others are still compared
            try:
                histories, windows, late = self.windows.periods(wanted, key, day, custom)
                break
            except (UnknownSymbolError, NoDataError) as exc:
                if (len(wanted) < 2 or exc.symbol not in wanted) and lacking:
                    reasons = "; ".join(e.message for e in [*lacking, exc])
                    raise NoDataError(reasons, symbol=exc.symbol) from exc
                if len(wanted) < 2 or exc.symbol not in wanted:
                    raise
                wanted.remove(exc.symbol)
                lacking.append(exc)
        named = [(name, m) for name, m in named if m.symbol in wanted]
        returns = [
            period_return(
                s, bars_until(histories[s], windows[s].end), windows[s], histories[s].adjusted_through
            )
            for s in wanted
        ]
        label = f"{start} to {end or day}" if custom else span_label(key)
        result = performance_metrics(returns, key, histories[wanted[0]].currency, label)
        result.notes.extend([*late, *_open_period(windows[wanted[0]], day)])
        result.notes.extend(f"Not available: {exc.message}" for exc in lacking)
        arguments: dict[str, Any] = {"symbols": wanted, "period": key, "as_of": day.isoformat()}
        if any(name != m.symbol for name, m in named):
            arguments["names"] = [name for name, _ in named]
        arguments |= _resolved(windows[wanted[0]], returns[0])
        title = f"Performance {label}: " + " vs ".join(wanted)
        return self._source("performance", title, arguments, list(histories.values()), result)

    def technicals(self, symbol: str, as_of: date | None = None) -> Source:
        """Moving averages, RSI, MACD, Bollinger, ATR, support/resistance, volatility, drawdown."""
        match = self.resolve(symbol)
        day = self._as_of(as_of)
        history, late = self.windows.history_before(match.symbol, HISTORY_DAYS, day)
        bars = bars_until(history, day)
        result = technical_metrics(match.symbol, bars, history.currency, history.adjusted_through)
        result.notes.extend(late)
        self._add_related(match.symbol, result)
        arguments = {"symbol": match.symbol, **_named(symbol, match), "as_of": day.isoformat()}
        return self._source("technicals", f"Technicals: {_who(match)}", arguments, [history], result)

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

    def valuations(self, symbol: str, as_of: date | None = None, on: date | None = None) -> list[Source]:
        """Valuation computed at ``on`` (default: the analysis date ``as_of``) from that day's close
        and the statements public by then, then the provider's latest snapshot dated no later;
        whichever exists, the other's absence noted. ``on`` after the analysis date is refused."""
        from tools.fundamentals.facade import combine_valuations

        day = self._as_of(as_of)
        if on is not None and on > day:
            raise BadInputError(f"date {on} is after the analysis date {day}")
        at = on or day
        return combine_valuations(
            symbol,
            [lambda: self.valuation_at(symbol, as_of=at), lambda: self.valuation(symbol, as_of=at)],
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
        """The traded close of the last bar on or before ``day``, its date, and a note when it is old.

        A valuation multiple divides the price people paid: a day whose close is only known
        dividend-adjusted (``traded`` 0) is refused rather than priced on another basis.
        """
        history, late = self.windows.history_before(symbol, STALE_BAR_DAYS + 7, day)
        bars = bars_until(history, day)
        if "traded" in bars.columns and not bool(bars["traded"].iloc[-1]):
            last = bars.index[-1].date()
            message = f"{symbol}: no traded close on {last}, only a dividend-adjusted one"
            raise NoDataError(message, symbol=symbol)
        return float(bars["close"].iloc[-1]), bars.index[-1].date(), late

    def sectors(self, period: str = "1d", as_of: date | None = None) -> Source:
        """The 11 sector SPDR ETFs ranked by return over ``period`` (one batched provider call)."""
        key = parse_period(period)
        day = self._as_of(as_of)
        unranked: dict[str, str] = {}  # a fund not yet launched (XLC before 2018-06-19) is left out
        histories, windows, late = self.windows.periods(list(SECTOR_SYMBOLS), key, day, None, unranked)
        returns: list[PeriodReturn] = []
        for symbol in (s for s in SECTOR_SYMBOLS if s in histories):
            window = windows[symbol]
            try:
                bars = bars_until(histories[symbol], window.end)
                returns.append(period_return(symbol, bars, window, histories[symbol].adjusted_through))
            except NoDataError as exc:
                unranked[symbol] = exc.message
        if len(returns) < 2:
            raise NoDataError(f"no sector returns {key} as of {day}: " + "; ".join(unranked.values()))
        result = sector_metrics(returns, key)
        result.notes.extend(f"Not ranked: {reason}" for reason in unranked.values())
        result.notes.extend([*dict.fromkeys(late), *_open_period(next(iter(windows.values())), day)])
        arguments = {"period": key, "as_of": day.isoformat(), "symbols": list(SECTOR_NAMES)}
        arguments |= _resolved(windows[returns[0].symbol], returns[0])
        title = f"Sector performance {span_label(key)}"
        return self._source("sectors", title, arguments, list(histories.values()), result)

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
            notes=list(dict.fromkeys(result.notes)),
            stale=bool(stale),
            age_seconds=max((h.age_seconds or 0.0 for h in stale), default=None),
        )


def _resolved(window: Window, first: PeriodReturn) -> dict[str, str]:
    """The dates a period was resolved to: its calendar start (the base close is the last on or
    before it; trading-day periods: the base close's day) and its end."""
    start = window.anchor or first.headline.start_date
    return {"start": start.isoformat(), "end": window.end.isoformat()}


def _open_period(window: Window, day: date) -> list[str]:
    if not window.open_period:
        return []
    return [f"The period {window.period} is not over: the returns run to the analysis date {day}."]


def _who(match: SymbolMatch) -> str:
    return match.symbol if match.name in ("", match.symbol) else f"{match.symbol} ({match.name})"


def _named(name: str, match: SymbolMatch) -> dict[str, str]:
    return {} if name == match.symbol else {"name": name}


def build_market_data(settings: Settings, session: requests.Session | None = None) -> MarketData:
    """The MarketData that settings.market_data selects: live yfinance behind the SQLite cache,
    or a snapshot directory (``snapshot:DIR``)."""
    if settings.market_data.startswith("snapshot:"):
        from pathlib import Path

        from copilot.clock import ExchangeClock
        from tools.providers.snapshot import SnapshotProvider

        snapshot = SnapshotProvider(Path(settings.market_data.removeprefix("snapshot:")))
        # a snapshot's clock stops at its last session: "today" is never later than that day
        return MarketData(snapshot, today=ExchangeClock(stops=snapshot.last_session).today)
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

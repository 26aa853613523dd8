"""``/api/market/*``: the verified market-data layer as JSON — each answer is a ``Source`` with its facts.

quote, performance, technicals, valuation and sectors return the same Source the agent cites;
``history`` returns daily bars up to ``as_of`` (``web/routes/charts.py`` adds the lines a chart draws).
Answers are cached in this process for
the quote time-to-live (a pinned past ``as_of`` never changes, so it is kept for the finished-bars
time-to-live): a page that polls a quote does not recompute it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from copilot.config import Settings
from copilot.errors import BadInputError, ConfigError, ProviderUnavailableError
from copilot.schemas import Source
from copilot.services import Services
from web.deps import client_address

if TYPE_CHECKING:
    from tools.market import MarketData

router = APIRouter(prefix="/api/market", tags=["market"])

Symbol = Annotated[str, Query(min_length=1, max_length=40, description="ticker or name (AAPL, Russell 2000)")]
AsOf = Annotated[date | None, Query(description="analysis date YYYY-MM-DD (default: the latest data)")]
Period = Annotated[str, Query(pattern="^(1d|5d|1m|3m|6m|1y|ytd)$")]
CACHE_SIZE = 2048
HISTORY_DAYS = 365


class Bar(BaseModel):
    date: date
    open: float
    high: float
    low: float
    close: float
    volume: float
    traded: bool  # false: the record holds no traded price that day (the prices are dividend-adjusted)
    adj_close: float | None  # dividend-adjusted close, where a source gives one


class HistoryOut(BaseModel):
    symbol: str
    name: str
    provider: str
    url: str | None
    adjustment: str
    currency: str
    as_of: date
    stale: bool
    bars: list[Bar]


class _Cache:
    """A small LRU of JSON answers with a time-to-live per entry."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], tuple[float, bytes]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        found = self._items.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        self._items.move_to_end(key)
        return found[1]

    def put(self, key: tuple[Any, ...], ttl: float, body: bytes) -> None:
        self._items[key] = (time.monotonic() + ttl, body)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


_cache = _Cache()


@dataclass(frozen=True)
class Market:
    """What every market route needs, resolved as one dependency (each one costs per request)."""

    services: Services
    settings: Settings


async def market_context(request: Request) -> Market:
    """The services and settings, after charging the caller's address one API call."""
    services: Services = request.app.state.services
    settings: Settings = request.app.state.settings
    await request.app.state.limiter.hit(settings.rate_limit_api, "api", client_address(request))
    return Market(services, settings)


MarketDep = Annotated[Market, Depends(market_context)]


async def cached_answer(
    market: Market, key: tuple[Any, ...], as_of: date | None, call: Callable[[], Any]
) -> Response:
    services, settings = market.services, market.settings
    cached = _cache.get(key)
    if cached is None:
        try:
            result = await asyncio.wait_for(asyncio.to_thread(call), settings.provider_timeout)
        except TimeoutError:
            raise ProviderUnavailableError(
                f"market data did not answer within {settings.provider_timeout:g} s"
            ) from None
        cached = result.model_dump_json().encode()
        past = as_of is not None and as_of < services.clock.today()
        _cache.put(key, settings.ttl_finished_bars if past else settings.ttl_quote, cached)
    return Response(cached, media_type="application/json")


def analysis_day(market: Market, as_of: date | None) -> date:
    """The analysis date a request asked for (today by default); BadInputError when in the future."""
    today = market.services.clock.today()
    if as_of is not None and as_of > today:
        raise BadInputError(f"as_of {as_of} is in the future (today is {today})")
    return as_of or today


def days_before(day: date, days: int) -> date:
    """``days`` calendar days before ``day``; a date near the calendar's start has none before it
    (schemathesis sends 0001-01-02)."""
    return day - timedelta(days=days) if day.toordinal() > days else date.min


def market_facade(market: Any) -> MarketData:
    from tools.market import MarketData

    if not isinstance(market, MarketData):
        raise ConfigError("price history needs the MarketData facade")
    return market


@router.get("/quote", response_model=Source)
async def quote(symbol: Symbol, market: MarketDep, as_of: AsOf = None) -> Response:
    """Last price, day change and range, volume against its averages, 52-week range."""
    key = ("quote", symbol.upper(), as_of)
    return await cached_answer(market, key, as_of, lambda: market.services.market.quote(symbol, as_of))


@router.get("/performance", response_model=Source)
async def performance(
    market: MarketDep,
    symbols: Annotated[list[str], Query(min_length=1, max_length=12, description="the first is the subject")],
    period: Period = "ytd",
    as_of: AsOf = None,
) -> Response:
    """Returns over a period of one or more symbols, the first compared with the others."""
    names = [s for s in (part.strip() for item in symbols for part in item.split(",")) if s]
    if not names or len(names) > 12 or any(len(n) > 40 for n in names):
        raise BadInputError("symbols: give one to twelve tickers or names")
    key = ("performance", tuple(n.upper() for n in names), period, as_of)
    return await cached_answer(
        market, key, as_of, lambda: market.services.market.performance(names, period=period, as_of=as_of)
    )


@router.get("/technicals", response_model=Source)
async def technicals(symbol: Symbol, market: MarketDep, as_of: AsOf = None) -> Response:
    """Moving averages, RSI, MACD, Bollinger bands, ATR, support and resistance, volatility, drawdown."""
    key = ("technicals", symbol.upper(), as_of)
    return await cached_answer(market, key, as_of, lambda: market.services.market.technicals(symbol, as_of))


@router.get("/valuation", response_model=Source)
async def valuation(symbol: Symbol, market: MarketDep, as_of: AsOf = None) -> Response:
    """P/E (trailing, forward), P/B, P/S, EV/EBITDA, PEG, dividend yield, market cap."""
    key = ("valuation", symbol.upper(), as_of)
    return await cached_answer(market, key, as_of, lambda: market.services.market.valuation(symbol, as_of))


@router.get("/sectors", response_model=Source)
async def sectors(market: MarketDep, period: Period = "1d", as_of: AsOf = None) -> Response:
    """The eleven sector ETFs ranked by return over the period."""
    key = ("sectors", period, as_of)
    return await cached_answer(market, key, as_of, lambda: market.services.market.sectors(period, as_of))


@router.get("/history", response_model=HistoryOut)
async def history(
    symbol: Symbol,
    market: MarketDep,
    start: Annotated[date | None, Query(description="first day (default: a year before as_of)")] = None,
    as_of: AsOf = None,
) -> Response:
    """Daily bars from ``start`` up to ``as_of`` (never after it), for charts."""
    day = analysis_day(market, as_of)
    first = start or days_before(day, HISTORY_DAYS)
    if first > day:
        raise BadInputError(f"start {first} is after the analysis date {day}")
    key = ("history", symbol.upper(), first, as_of)
    return await cached_answer(market, key, as_of, lambda: _bars(market.services.market, symbol, first, day))


def _bars(market: Any, symbol: str, start: date, day: date) -> HistoryOut:
    """The bars of one symbol from ``start``, cut at the analysis date (``MarketData.bars``)."""
    facade = market_facade(market)
    match = facade.resolve(symbol)
    found = facade.bars(match.symbol, start=start, as_of=day)
    frame = found.bars
    rows = [
        Bar(
            date=stamp.date(),
            open=o,
            high=h,
            low=lo,
            close=c,
            volume=v,
            traded=bool(t),
            adj_close=None if math.isnan(a) else a,
        )
        for stamp, o, h, lo, c, v, t, a in zip(
            frame.index,
            frame["open"].tolist(),
            frame["high"].tolist(),
            frame["low"].tolist(),
            frame["close"].tolist(),
            frame["volume"].fillna(0.0).tolist(),
            frame["traded"].tolist(),
            frame["adj_close"].tolist(),
            strict=True,
        )
        if stamp.date() >= start
    ]
    return HistoryOut(
        symbol=found.symbol,
        name=match.name,
        provider=found.provider,
        url=found.url,
        adjustment=found.adjustment,
        currency=found.currency,
        as_of=rows[-1].date if rows else day,
        stale=found.stale,
        bars=rows,
    )

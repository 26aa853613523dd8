"""``/api/market/chart/*``: the lines a page's chart draws, computed here so the page computes no figure.

``price``: a symbol's closes with their 50- and 200-day simple moving averages, on the prices the
technicals tool uses (so the last points equal its cited averages). ``relative``: several symbols'
closes rebased to 100 at the last close on or before ``start`` (the base close of a cited return over
a period starting there). Both answer a ``copilot.research.report.Chart``, the shape the research
report's charts have, cached like every market answer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from copilot.errors import BadInputError
from copilot.research.report import Chart, ChartPoint, ChartSeries
from tools.chart_series import ChartLines, price_lines, rebased_lines
from tools.metrics.technicals import HISTORY_DAYS as TECHNICALS_DAYS
from web.routes.market import (
    HISTORY_DAYS,
    AsOf,
    MarketDep,
    Symbol,
    analysis_day,
    cached_answer,
    days_before,
    market_facade,
)

router = APIRouter(prefix="/api/market/chart", tags=["market"])

REBASE_LOOKBACK_DAYS = 14  # reaches the last close before a base day that had none (holidays, closures)


def _chart(key: str, title: str, found: ChartLines, note: str) -> Chart:
    return Chart(
        key=key,
        kind="line",
        title=title,
        unit=found.unit,
        series=[
            ChartSeries(
                name=line.name,
                symbol=line.symbol,
                points=[
                    ChartPoint(x=d.isoformat(), y=v) for d, v in zip(line.dates, line.values, strict=True)
                ],
            )
            for line in found.lines
        ],
        note=note,
    )


def _price_chart(market: Any, symbol: str, start: date | None, day: date) -> Chart:
    facade = market_facade(market)
    match = facade.resolve(symbol)
    # the window the technicals tool reads, so the last averages equal its cited figures
    history = facade.bars(match.symbol, start=days_before(day, TECHNICALS_DAYS), as_of=day)
    name = match.name if match.name and match.name != match.symbol else match.symbol
    found = price_lines(history, start or days_before(day, HISTORY_DAYS), name=f"{name} ({match.symbol})")
    return _chart(
        "price",
        f"{name} with its 50- and 200-day averages, as of {found.end}",
        found,
        f"Daily closes ({found.basis}), {found.provider}; simple moving averages of closes (TA-Lib).",
    )


def _relative_chart(market: Any, names: list[str], start: date, day: date) -> Chart:
    facade = market_facade(market)
    matches = list({m.symbol: m for m in (facade.resolve(n) for n in names)}.values())
    histories = [
        (
            m.symbol if m.name in ("", m.symbol) else f"{m.name} ({m.symbol})",
            facade.bars(m.symbol, start=days_before(start, REBASE_LOOKBACK_DAYS), as_of=day),
        )
        for m in matches
    ]
    found = rebased_lines(histories, start)
    kind = "total returns" if found.basis == "dividend-adjusted" else "price returns"
    return _chart(
        "relative",
        f"Performance from {found.start} to {found.end}, rebased to 100",
        found,
        f"Each line divides the closes ({found.basis}) by the last close on or before {start} "
        f"({kind}), {found.provider}.",
    )


@router.get("/price", response_model=Chart)
async def price_chart(
    symbol: Symbol,
    market: MarketDep,
    start: Annotated[date | None, Query(description="first day shown (default: a year before as_of)")] = None,
    as_of: AsOf = None,
) -> Response:
    """A symbol's daily closes with their 50- and 200-day simple moving averages, up to ``as_of``."""
    day = analysis_day(market, as_of)
    if start is not None and start > day:
        raise BadInputError(f"start {start} is after the analysis date {day}")
    key = ("chart/price", symbol.upper(), start, as_of)
    return await cached_answer(
        market, key, as_of, lambda: _price_chart(market.services.market, symbol, start, day)
    )


@router.get("/relative", response_model=Chart)
async def relative_chart(
    market: MarketDep,
    symbols: Annotated[list[str], Query(min_length=1, max_length=12, description="one to twelve symbols")],
    start: Annotated[date | None, Query(description="the base day (default: a year before as_of)")] = None,
    as_of: AsOf = None,
) -> Response:
    """Several symbols' closes rebased to 100 at the last close on or before ``start``, up to ``as_of``."""
    names = [s for s in (part.strip() for item in symbols for part in item.split(",")) if s]
    if not 1 <= len(names) <= 12 or any(len(n) > 40 for n in names):
        raise BadInputError("symbols: give one to twelve tickers or names")
    day = analysis_day(market, as_of)
    first = start or days_before(day, HISTORY_DAYS)
    if first >= day:
        raise BadInputError(f"start {first} is not before the analysis date {day}")
    key = ("chart/relative", tuple(n.upper() for n in names), first, as_of)
    return await cached_answer(
        market, key, as_of, lambda: _relative_chart(market.services.market, names, first, day)
    )

"""Chart series computed from daily bars: a price with its 50/200-day averages, and closes rebased to 100.

The page never computes a figure, so the lines come from here, on the same prices as the cited
figures:

- ``price_lines``: the prices the technicals tool uses (``price_view`` with ``TRADED_ENOUGH``: the
  traded run ending at the last bar, else the dividend-adjusted prices, said so in ``basis``) and
  TA-Lib's SMA over them, so the last points equal the cited ``sma_50`` and ``sma_200``.
- ``rebased_lines``: each symbol's closes divided by its last close on or before ``start`` (the base
  close of a cited return over a period starting there), times 100, so a line ends at
  100 x (1 + that return). Traded closes (price returns) when every symbol has them over the whole
  window; else dividend-adjusted closes (total returns) when every symbol has those; never mixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import talib

from copilot.errors import NoDataError
from tools.metrics import price_unit
from tools.metrics.basis import price_view
from tools.metrics.technicals import TRADED_ENOUGH
from tools.providers.base import PriceHistory

AVERAGE_WINDOWS = (50, 200)


@dataclass(frozen=True)
class Line:
    """One named line: a value per date (dates without a value, e.g. before an average starts, left out)."""

    name: str
    dates: list[date]
    values: list[float]
    symbol: str | None = None


@dataclass(frozen=True)
class ChartLines:
    """Lines of one chart with what they are drawn from."""

    lines: list[Line]
    unit: str  # USD, points, "index (start = 100)"
    basis: str  # "as traded", "index levels", "dividend-adjusted"
    provider: str
    start: date  # the first date shown (rebased: the base close's date)
    end: date  # the last bar, on or before the analysis date


def _line(name: str, symbol: str | None, index: pd.DatetimeIndex, values: np.ndarray) -> Line:
    keep = np.isfinite(values)
    days = [stamp.date() for stamp, ok in zip(index, keep, strict=True) if ok]
    return Line(name, days, [round(float(v), 6) for v in values[keep]], symbol)


def price_lines(
    history: PriceHistory, start: date, name: str | None = None, windows: Sequence[int] = AVERAGE_WINDOWS
) -> ChartLines:
    """The closes from ``start`` on with their simple moving averages (bars already cut at as-of).

    The averages run over the whole history given (``start`` only trims what is shown), so give the
    window the technicals tool reads for the last points to equal its figures.
    """
    if history.bars.empty:
        raise NoDataError(f"{history.symbol}: no prices to chart", symbol=history.symbol)
    view = price_view(history.bars, enough=TRADED_ENOUGH)
    bars = view.bars
    closes = bars["close"].to_numpy(dtype=np.float64)
    shown = bars.index >= pd.Timestamp(start)
    if not shown.any():
        raise NoDataError(f"{history.symbol}: no prices from {start}", symbol=history.symbol)
    index = pd.DatetimeIndex(bars.index[shown])
    label = name or history.symbol
    lines = [_line(f"{label} close", history.symbol, index, closes[shown])]
    for window in windows:
        average = talib.SMA(closes, window)
        lines.append(_line(f"{window}-day average", history.symbol, index, average[shown]))
    if view.basis == "adjusted":
        basis = "dividend-adjusted"
    else:
        basis = "index levels" if history.symbol.startswith("^") else "as traded"
    return ChartLines(
        lines=[line for line in lines if line.values],
        unit=price_unit(history.symbol, history.currency),
        basis=basis,
        provider=history.provider,
        start=index[0].date(),
        end=index[-1].date(),
    )


def rebased_lines(histories: Sequence[tuple[str, PriceHistory]], start: date) -> ChartLines:
    """Each (name, history) as 100 x close / (its last close on or before ``start``)."""
    if not histories:
        raise NoDataError("no symbols to compare")
    windows = []
    for _, history in histories:
        bars = history.bars
        before = int(bars.index.searchsorted(pd.Timestamp(start), side="right"))
        if before == 0:
            raise NoDataError(
                f"{history.symbol}: no close on or before {start} to rebase on", symbol=history.symbol
            )
        windows.append(bars.iloc[before - 1 :])
    traded = all(bool((w["traded"] == 1).all()) for w in windows)
    adjusted = all(bool(w["adj_close"].notna().all()) for w in windows)
    if not traded and not adjusted:
        raise NoDataError(
            "no common basis to compare: the record holds neither traded nor dividend-adjusted closes "
            "for every symbol over the whole period"
        )
    column = "close" if traded else "adj_close"
    lines = []
    for (name, history), window in zip(histories, windows, strict=True):
        closes = window[column].to_numpy(dtype=np.float64)
        index = pd.DatetimeIndex(window.index)
        lines.append(_line(name, history.symbol, index, 100.0 * closes / closes[0]))
    index_only = all(h.symbol.startswith("^") for _, h in histories)
    return ChartLines(
        lines=lines,
        unit="index (start = 100)",
        basis=("index levels" if index_only else "as traded") if traded else "dividend-adjusted",
        provider=", ".join(dict.fromkeys(h.provider for _, h in histories)),
        start=min(line.dates[0] for line in lines),
        end=max(line.dates[-1] for line in lines),
    )

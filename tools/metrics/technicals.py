"""Trend and momentum: moving averages, RSI, MACD, Bollinger, ATR, levels, volatility, drawdown.

Indicators are computed by TA-Lib (SMA, EMA, RSI with Wilder smoothing, MACD 12/26/9, Bollinger
20/2 with population deviations, ATR 14); the EMAs are seeded at the start of the fetched history
(``HISTORY_DAYS`` before as-of, ~1,260 bars: the seed's weight in EMA-200 is then below 1e-5 of a
typical move). Swing points, drawdown and volatility are ours (tools/metrics/price_stats.py).

Prices are prices as traded (tools/metrics/basis.py): the run of traded days ending at the as-of
bar, when it holds ``TRADED_ENOUGH`` bars (a year: every level below) or nothing reaches further
back; otherwise the dividend-adjusted prices, every fact keyed ``<key>_adjusted``. Conventions:

- crossovers: sign changes over the last ``CROSSOVER_LOOKBACK`` trading days of close − MA,
  SMA 50 − SMA 200 (golden/death cross) and MACD − signal, newest first;
- support/resistance: swing lows/highs — a bar whose low (high) is the strict extreme of the
  ``SWING_SPAN`` bars either side — over the last ``LEVEL_LOOKBACK`` trading days; resistance =
  the nearest swing highs above the last close, support = the nearest swing lows below it, a
  level within ``LEVEL_MERGE_PCT``% of a nearer one skipped;
- volatility: annualised sample stdev of the last 20 daily log returns (x sqrt(252)), in %;
- max drawdown 1Y: the largest fall from a running peak close over the 365 days to as-of, in %.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import talib

from copilot.errors import NoDataError
from tools.metrics import FactList, MetricResult, price_unit
from tools.metrics import price_stats as stats
from tools.metrics.basis import (
    adjusted_key,
    adjusted_note,
    mark_adjusted,
    price_view,
    traded_note,
    traded_run,
)

HISTORY_DAYS = 5 * 365 + 2
CROSSOVER_LOOKBACK = 20
MAX_CROSSOVERS = 8  # the most recent ones; a choppy month can flip the 20-day lines many times
SWING_SPAN = 5
LEVEL_LOOKBACK = 252
LEVEL_MERGE_PCT = 1.0
MA_PERIODS = (20, 50, 200)
MIN_BARS = 35  # MACD(12,26,9) needs 34 closes
TRADED_ENOUGH = LEVEL_LOOKBACK  # traded bars that make every level of the snapshot computable


def technical_metrics(
    symbol: str, series: pd.DataFrame, currency: str = "USD", adjusted_through: date | None = None
) -> MetricResult:
    """The technical snapshot on the last bar (bars already cut at as-of)."""
    view = price_view(series, enough=TRADED_ENOUGH)
    result = _snapshot(symbol, view.bars, currency)
    result.details["history_start"] = view.bars.index[0].date().isoformat()
    result.details["history_bars"] = len(view.bars)
    if view.basis == "adjusted":
        result.facts = mark_adjusted(result.facts, untraded=not series["traded"].iloc[-1])
        if "missing" in result.details:
            result.details["missing"] = [adjusted_key(k) for k in result.details["missing"]]
        result.details["price_basis"] = "dividend-adjusted"
        run = traded_run(series)  # a traded run too short for the levels: say from when it starts
        traded_from = series.index[len(series) - run].date() if run else None
        result.notes.append(adjusted_note(symbol, view.bars.index[-1].date(), adjusted_through, traded_from))
    else:
        result.details["price_basis"] = "index levels" if symbol.startswith("^") else "as traded"
        result.notes.append(traded_note(symbol))
        if view.traded_from is not None:  # the EMAs are seeded there, not five years back
            result.notes.append(
                f"{symbol}: the record holds traded prices only from {view.traded_from}; "
                f"the figures use those {len(view.bars)} days (the EMAs start there)."
            )
    return result


def _snapshot(symbol: str, bars: pd.DataFrame, currency: str) -> MetricResult:
    """Every indicator on ``bars`` (one price basis)."""
    if len(bars) < MIN_BARS:
        raise NoDataError(
            f"{symbol}: technicals need at least {MIN_BARS} daily closes, the series has {len(bars)}",
            symbol=symbol,
        )
    close = bars["close"].to_numpy(dtype=np.float64)
    high = bars["high"].to_numpy(dtype=np.float64)
    low = bars["low"].to_numpy(dtype=np.float64)
    # dates as datetime64[D]: boxing pandas Timestamps one by one would cost more than the maths
    dates = bars.index.to_numpy().astype("datetime64[D]")
    facts = FactList(symbol, dates[-1].item(), price_unit(symbol, currency))
    result = MetricResult()
    missing: list[str] = []
    last = float(close[-1])
    facts.add("last_close", "Last close", last)
    span = CROSSOVER_LOOKBACK + 1
    lines = {"close": close[-span:]}
    for period in MA_PERIODS:
        averages = (("sma", talib.SMA(close, period)[-span:]), ("ema", talib.EMA(close, period)[-span:]))
        for kind, values in averages:
            key = f"{kind}_{period}"
            lines[key] = _fit(values, span)
            if np.isnan(values[-1]):
                missing.append(key)
                continue
            name = "Simple" if kind == "sma" else "Exponential"
            facts.add(key, f"{period}-day {name.lower()} moving average", values[-1], formula=_FORMULAS[kind])
            result.details[f"price_vs_{key}"] = "above" if last > values[-1] else "below"
    _momentum(close, high, low, facts, result, lines)
    result.details["crossovers"] = _crossovers(lines, dates[-span:])
    missing += _levels(high, low, last, dates, facts, result)
    facts.add(
        "volatility_20d",
        "Volatility (20-day, annualised)",
        stats.log_return_volatility(close, 20) * 100.0,
        "%",
        formula="sample stdev of the last 20 daily log returns * sqrt(252) * 100",
    )
    _drawdown(close, dates, facts, result)
    missing += facts.skipped
    if missing:
        result.details["missing"] = missing
    result.facts = list(facts)
    return result


def _fit(values: np.ndarray, length: int) -> np.ndarray:
    """The last ``length`` values, left-padded with NaN when the series is shorter."""
    if values.shape[0] >= length:
        return values[values.shape[0] - length :]
    return np.concatenate((np.full(length - values.shape[0], np.nan), values))


_FORMULAS = {
    "sma": "mean of the last N closes",
    "ema": "EMA of closes, k = 2/(N+1), seeded with the SMA of the first N closes (TA-Lib)",
}


def _momentum(
    close: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    facts: FactList,
    result: MetricResult,
    lines: dict[str, np.ndarray],
) -> None:
    rsi = float(talib.RSI(close, 14)[-1])
    facts.add(
        "rsi_14", "RSI (14, Wilder)", rsi, "points", formula="100 - 100 / (1 + avg gain / avg loss), Wilder"
    )
    result.details["rsi_state"] = "overbought" if rsi > 70 else "oversold" if rsi < 30 else "neutral"
    span = CROSSOVER_LOOKBACK + 1
    line, signal, hist = (_fit(values, span) for values in talib.MACD(close, 12, 26, 9))
    lines["macd"], lines["macd_signal"] = line, signal
    formula = "EMA(12) - EMA(26) of closes; signal = EMA(9) of MACD; hist = MACD - signal"
    facts.add("macd", "MACD (12, 26)", line[-1], formula=formula)
    facts.add("macd_signal", "MACD signal (9)", signal[-1], formula=formula)
    facts.add("macd_hist", "MACD histogram", hist[-1], formula=formula)
    result.details["macd_state"] = (
        "bullish (MACD above signal)" if hist[-1] > 0 else "bearish (MACD below signal)"
    )
    upper, middle, lower = (float(values[-1]) for values in talib.BBANDS(close, 20, 2.0, 2.0))
    band_formula = "SMA(20) +/- 2 population standard deviations of the last 20 closes"
    facts.add("bb_upper", "Bollinger upper band (20, 2)", upper, formula=band_formula)
    facts.add("bb_middle", "Bollinger middle band (SMA 20)", middle, formula=band_formula)
    facts.add("bb_lower", "Bollinger lower band (20, 2)", lower, formula=band_formula)
    last = close[-1]
    result.details["bollinger_position"] = (
        "above the upper band"
        if last > upper
        else "below the lower band"
        if last < lower
        else "inside the bands"
    )
    atr = float(talib.ATR(high, low, close, 14)[-1])
    facts.add("atr_14", "Average true range (14, Wilder)", atr, formula="Wilder average of the true range")


_CROSSINGS = [
    *(
        ("close", f"{kind}_{p}", f"price crossed {{dir}} the {p}-day {kind.upper()}")
        for p in MA_PERIODS
        for kind in ("sma", "ema")
    ),
    ("sma_50", "sma_200", "{name}: the 50-day SMA crossed {dir} the 200-day SMA"),
    ("macd", "macd_signal", "MACD crossed {dir} its signal line"),
]


def _crossovers(lines: dict[str, np.ndarray], dates: np.ndarray) -> list[str]:
    """Sign changes of (fast - slow) in the lookback window, newest first."""
    diff = np.stack([lines[fast] for fast, _, _ in _CROSSINGS]) - np.stack(
        [lines[slow] for _, slow, _ in _CROSSINGS]
    )
    before, after = diff[:, :-1], diff[:, 1:]
    ups = (before <= 0) & (after > 0)
    downs = (before >= 0) & (after < 0)
    events: list[tuple[int, int, str]] = []
    for mask, direction, name in ((ups, "above", "golden cross"), (downs, "below", "death cross")):
        for row, col in zip(*np.nonzero(mask), strict=True):
            text = _CROSSINGS[row][2].format(dir=direction, name=name)
            events.append((int(col) + 1, int(row), text))
    events.sort(key=lambda event: (-event[0], event[1]))  # newest first, then in table order
    return [f"{text} on {dates[index]}" for index, _, text in events[:MAX_CROSSOVERS]]


def _levels(
    high: np.ndarray, low: np.ndarray, last: float, dates: np.ndarray, facts: FactList, result: MetricResult
) -> list[str]:
    """Support and resistance from swing points; returns the keys that have no level."""
    start = max(0, len(high) - LEVEL_LOOKBACK)
    tops = stats.swing_points(high[start:], SWING_SPAN, "high") + start
    bottoms = stats.swing_points(low[start:], SWING_SPAN, "low") + start
    resistance = _nearest(high, tops[high[tops] > last], ascending=True)
    support = _nearest(low, bottoms[low[bottoms] < last], ascending=False)
    missing: list[str] = []
    method = (
        f"swing {{kind}} (strict extreme of {SWING_SPAN} bars either side) "
        f"in the last {LEVEL_LOOKBACK} trading days"
    )
    for kind, values, chosen in (("resistance", high, resistance), ("support", low, support)):
        swing = "high" if kind == "resistance" else "low"
        for rank in (1, 2):
            key = f"{kind}_{rank}"
            if len(chosen) < rank:
                missing.append(key)
                continue
            at = chosen[rank - 1]
            label = f"{kind.capitalize()} {rank} (swing {swing} of {dates[at]})"
            facts.add(key, label, float(values[at]), formula=method.format(kind=swing + "s"))
    result.details["levels_method"] = (
        f"resistance = nearest swing highs above the last close, support = nearest swing lows below it; "
        f"a swing is the strict extreme of {SWING_SPAN} bars either side, "
        f"last {LEVEL_LOOKBACK} trading days; "
        f"levels within {LEVEL_MERGE_PCT:g}% of a nearer one are skipped"
    )
    if not resistance:
        result.details["resistance_note"] = (
            "the last close is above every swing high of the lookback (no overhead level)"
        )
    return missing


def _nearest(values: np.ndarray, candidates: np.ndarray, ascending: bool) -> list[int]:
    """Indices of up to two levels nearest the close, skipping one within LEVEL_MERGE_PCT of a kept one."""
    order = candidates[np.argsort(values[candidates], kind="stable")]
    chosen: list[int] = []
    for at in order if ascending else order[::-1]:
        level = float(values[at])
        if all(abs(level / float(values[kept]) - 1.0) * 100.0 > LEVEL_MERGE_PCT for kept in chosen):
            chosen.append(int(at))
        if len(chosen) == 2:
            break
    return chosen


def _drawdown(close: np.ndarray, dates: np.ndarray, facts: FactList, result: MetricResult) -> None:
    first = int(np.searchsorted(dates, dates[-1] - np.timedelta64(365, "D"), side="right"))
    window = close[first:]
    drawdown = stats.max_drawdown(window)
    facts.add(
        "max_drawdown_1y",
        "Max drawdown (1 year)",
        drawdown.depth * 100.0,
        "%",
        formula="min over the last 365 days of (close / running peak close - 1) * 100",
        inputs={
            "peak_close": float(window[drawdown.peak_index]),
            "trough_close": float(window[drawdown.trough_index]),
        },
    )
    peak, trough = dates[first + drawdown.peak_index], dates[first + drawdown.trough_index]
    result.details["max_drawdown_1y"] = f"peak {peak}, trough {trough}"

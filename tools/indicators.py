"""Technical indicators on numpy arrays, matching TA-Lib's definitions exactly (warm-up included).

Every function takes float64 arrays without NaNs (one value per trading day, oldest first) and
returns arrays of the same length with NaN during the warm-up, like TA-Lib. The conventions are
TA-Lib's (it is the test reference; it is not used here):

- SMA: running sum over the window, evaluated in TA-Lib's order (``recurrences.window_sums``).
- EMA(n): seeded with the SMA of the first n values, then ``y += k * (x - y)``, k = 2 / (n + 1).
- RSI(n): Wilder smoothing (alpha = 1/n) of gains and losses, seeded with their n-day means.
- MACD(12, 26, 9): both EMAs start at the slow EMA's first index (the fast one seeded with the
  SMA of its last n values there), signal = EMA(9) of MACD; all three start at index 33.
- Bollinger(20, 2): SMA ± 2 population standard deviations (sqrt(E[x²] − E[x]²)).
- ATR(n): Wilder smoothing of the true range, seeded with the mean of the first n true ranges.

Exponential recurrences are sequential; ``recurrences.smooth`` evaluates them in closed form.
``tail=N`` returns only the last N values (what a snapshot needs): the same numbers as the end
of the full series, computed from the recent values that still carry weight (>= 1e-17).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from tools.recurrences import FAR_PAST, Array, decay, nan_array, smooth, window_sums

# TA-Lib treats |v| < 1e-8 as zero (TA_IS_ZERO); RSI and the Bollinger variance follow it.
_TA_EPSILON = 1e-8


class MACD(NamedTuple):
    macd: Array
    signal: Array
    hist: Array


class Bands(NamedTuple):
    upper: Array
    middle: Array
    lower: Array


def _fit(values: Array, length: int) -> Array:
    """The last ``length`` values, left-padded with NaN when there are fewer."""
    if values.shape[0] >= length:
        return values[values.shape[0] - length :]
    return np.concatenate((nan_array(length - values.shape[0]), values))


def _span(n: int, tail: int | None) -> int:
    return n if tail is None else tail


def sma(x: Array, period: int, tail: int | None = None) -> Array:
    """Simple moving average of the last ``period`` values (TA-Lib SMA); ``tail``: last values only."""
    n = x.shape[0]
    usable = n - period + 1 if tail is None else min(tail, n - period + 1)
    if usable <= 0:
        return nan_array(_span(n, tail))
    return _fit(window_sums(x[n - usable - period + 1 :], period) / period, _span(n, tail))


def ema(x: Array, period: int, tail: int | None = None) -> Array:
    """Exponential moving average, k = 2/(period+1), seeded with the first SMA (TA-Lib EMA)."""
    n = x.shape[0]
    if n < period:
        return nan_array(_span(n, tail))
    return _ema_at(x, period, period - 1, tail)


def _ema_at(x: Array, period: int, start: int, tail: int | None = None) -> Array:
    """EMA whose first value is at ``start``, seeded with the SMA of the ``period`` values ending there."""
    seed = float(np.cumsum(x[start - period + 1 : start + 1])[-1]) / period
    return _fit(smooth(x, 2.0 / (period + 1), start, seed, tail), _span(x.shape[0], tail))


def rsi(close: Array, period: int = 14, tail: int | None = None) -> Array:
    """Relative Strength Index with Wilder smoothing; first value at index ``period`` (TA-Lib RSI)."""
    n = close.shape[0]
    if n <= period:
        return nan_array(_span(n, tail))
    alpha = 1.0 / period
    count = n - 1 if tail is None else min(tail, n - 1)
    recent = _recent(close, alpha, count, period)
    diff = np.diff(close if recent is None else recent)
    gains = np.maximum(diff, 0.0)
    losses = np.maximum(-diff, 0.0)
    if recent is None:
        gain_seed = float(np.cumsum(gains[:period])[-1]) / period
        loss_seed = float(np.cumsum(losses[:period])[-1]) / period
        avg_gain = smooth(gains, alpha, period - 1, gain_seed, count)
        avg_loss = smooth(losses, alpha, period - 1, loss_seed, count)
    else:
        avg_gain = smooth(gains, alpha, FAR_PAST, 0.0, count)
        avg_loss = smooth(losses, alpha, FAR_PAST, 0.0, count)
    total = avg_gain + avg_loss
    flat = np.abs(total) < _TA_EPSILON
    value = np.where(flat, 0.0, 100.0 * avg_gain / np.where(flat, 1.0, total))
    return _fit(value, _span(n, tail))


def _recent(x: Array, alpha: float, tail: int, warmup: int) -> Array | None:
    """The end of a long series that still carries weight for a smoothed tail, or None if short.

    Past ``_decay``'s horizon the seed and older values weigh under 1e-17, so a tail can be
    computed from the recent values alone, without transforming the whole history.
    """
    keep = decay(alpha).shape[0] + tail + 2
    return x[x.shape[0] - keep :] if x.shape[0] > keep + warmup + 2 else None


def macd(close: Array, fast: int = 12, slow: int = 26, signal: int = 9, tail: int | None = None) -> MACD:
    """MACD line, signal and histogram with TA-Lib's seeding (all start at slow + signal - 2)."""
    n = close.shape[0]
    length = _span(n, tail)
    first = slow - 1
    begin = first + signal - 1
    if n <= begin:
        return MACD(nan_array(length), nan_array(length), nan_array(length))
    alpha = 2.0 / (signal + 1)
    # the signal line needs the MACD line over its own memory (weights >= 1e-17) plus the tail
    needed = None if tail is None else tail + decay(alpha).shape[0] + 1
    if needed is not None and needed < n - first:
        line = _ema_at(close, fast, first, needed) - _ema_at(close, slow, first, needed)
        sig = smooth(line, alpha, FAR_PAST, 0.0, tail)
        line = line[needed - length :]
    else:
        line = _ema_at(close, fast, first) - _ema_at(close, slow, first)
        sig = nan_array(n)
        sig[first:] = _ema_at(line[first:], signal, signal - 1)
        line[:begin] = np.nan
        line, sig = _fit(line, length), _fit(sig, length)
    return MACD(line, sig, line - sig)


def bollinger(close: Array, period: int = 20, devs: float = 2.0, tail: int | None = None) -> Bands:
    """Bollinger bands: SMA ± devs population standard deviations (TA-Lib BBANDS, SMA type)."""
    n = close.shape[0]
    usable = n - period + 1 if tail is None else min(tail, n - period + 1)
    length = _span(n, tail)
    if usable <= 0:
        return Bands(nan_array(length), nan_array(length), nan_array(length))
    segment = close[n - usable - period + 1 :]
    mean = window_sums(segment, period) / period
    variance = window_sums(segment * segment, period) / period - mean * mean
    width = np.where(variance < _TA_EPSILON, 0.0, np.sqrt(np.maximum(variance, 0.0))) * devs
    return Bands(_fit(mean + width, length), _fit(mean, length), _fit(mean - width, length))


def true_range(high: Array, low: Array, close: Array) -> Array:
    """max(high, previous close) − min(low, previous close); NaN on the first day."""
    out = nan_array(close.shape[0])
    prev = close[:-1]
    out[1:] = np.maximum(high[1:], prev) - np.minimum(low[1:], prev)
    return out


def atr(high: Array, low: Array, close: Array, period: int = 14, tail: int | None = None) -> Array:
    """Average True Range with Wilder smoothing; first value at index ``period`` (TA-Lib ATR)."""
    n = close.shape[0]
    if n <= period:
        return nan_array(_span(n, tail))
    alpha = 1.0 / period
    keep = None if tail is None else decay(alpha).shape[0] + tail + 2
    if keep is not None and n > keep + period + 2:
        tr = true_range(high[n - keep :], low[n - keep :], close[n - keep :])
        return smooth(tr, alpha, FAR_PAST, 0.0, tail)
    tr = true_range(high, low, close)
    seed = float(np.cumsum(tr[1 : period + 1])[-1]) / period
    return _fit(smooth(tr, alpha, period, seed, tail), _span(n, tail))


def log_return_volatility(close: Array, window: int = 20, periods_per_year: int = 252) -> float:
    """Annualised sample standard deviation (ddof=1) of the last ``window`` daily log returns."""
    if close.shape[0] <= window:
        return math.nan
    recent = close[-(window + 1) :]
    if not (recent > 0).all():  # no log return of a zero or negative price
        return math.nan
    returns = np.diff(np.log(recent))
    deviations = returns - returns.sum() / window
    return math.sqrt(float(np.dot(deviations, deviations)) / (window - 1) * periods_per_year)


class Drawdown(NamedTuple):
    depth: float  # fraction, <= 0 (e.g. -0.12 for a 12% fall from the peak)
    peak_index: int
    trough_index: int


def max_drawdown(close: Array) -> Drawdown:
    """Largest fall from a running peak close to a later close, as a fraction (0 if none)."""
    peaks = np.maximum.accumulate(close)
    drawdowns = close / peaks - 1.0
    trough = int(np.argmin(drawdowns))
    peak = int(np.argmax(close[: trough + 1]))
    return Drawdown(float(drawdowns[trough]), peak, trough)


def swing_points(values: Array, span: int, kind: str) -> NDArray[np.intp]:
    """Indices of swing highs (``kind="high"``) or lows: the extreme of the ``span`` bars each side.

    A bar qualifies when it is strictly above (below) each of the ``span`` bars before and after
    it, so a swing is only confirmed once the market has moved away from it (flat tops are not
    swings).
    """
    n = values.shape[0]
    if n < 2 * span + 1:
        return np.empty(0, dtype=np.intp)
    signed = values if kind == "high" else -values
    centre = signed[span : n - span]
    # the highest of the other 2*span bars of each window, built from shifted slices
    others = np.full(centre.shape[0], -np.inf)
    for offset in range(2 * span + 1):
        if offset != span:
            np.maximum(others, signed[offset : n - 2 * span + offset], out=others)
    return np.flatnonzero(centre > others) + span

"""Statistics of a daily price series that TA-Lib does not compute: swing points, drawdown, volatility.

Each function takes float64 numpy arrays without NaNs (one value per trading day, oldest first).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class Drawdown(NamedTuple):
    depth: float  # fraction, <= 0 (e.g. -0.12 for a 12% fall from the peak)
    peak_index: int
    trough_index: int


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

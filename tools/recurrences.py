"""Running sums and exponential recurrences, evaluated fast and in TA-Lib's arithmetic.

``window_sums`` reproduces TA-Lib's running total bit for bit; ``smooth`` evaluates the
recurrence y[t] = y[t-1] + alpha * (x[t] - y[t-1]) (EMA, Wilder) in closed form — ~20x faster than
a Python loop over a 10-year series and equal to it within ~1e-15 relative.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# Largest growth of w**-j inside one closed-form block: keeps the scaled terms finite and exact.
_MAX_LOG_GROWTH = 230.0
# A start so far back that its seed's weight has vanished (a tail computed from recent values only).
FAR_PAST = -(1 << 40)
# Tails up to this length are stepped in a float loop rather than with numpy blocks.
_SHORT_TAIL = 64


def nan_array(n: int) -> Array:
    return np.full(n, np.nan)


def window_sums(x: Array, period: int) -> Array:
    """Sums of each full window, bit-identical to TA-Lib's running total (add new, then drop old).

    The running total is a sequential sum of [x0..x(p-2), x(p-1), -x0, x(p), -x1, ...]; numpy's
    cumsum is sequential too, so evaluating that interleaved sequence reproduces every rounding.
    """
    n = x.shape[0]
    if n == period:
        return np.cumsum(x)[-1:]
    tail = np.empty(2 * (n - period + 1) - 1)
    tail[0::2] = x[period - 1 :]
    tail[1::2] = -x[: n - period]
    running = np.cumsum(np.concatenate((x[: period - 1], tail)))
    return running[period - 1 :: 2]


@lru_cache(maxsize=64)
def _powers(alpha: float) -> tuple[Array, Array]:
    """(w**q, w**-q) for q = 0..block-1 with w = 1 - alpha, the block bounded by _MAX_LOG_GROWTH."""
    w = 1.0 - alpha
    block = max(1, int(_MAX_LOG_GROWTH / -math.log(w)))
    q = np.arange(block, dtype=np.float64)
    down = np.power(w, q)
    up = np.power(w, -q)
    down.flags.writeable = False
    up.flags.writeable = False
    return down, up


@lru_cache(maxsize=64)
def decay(alpha: float) -> Array:
    """w**q for q = Q-1..0 (oldest weight first), Q such that w**Q < 1e-17: older terms vanish."""
    w = 1.0 - alpha
    count = max(1, math.ceil(39.2 / -math.log(w)))
    weights = np.power(w, np.arange(count - 1, -1, -1, dtype=np.float64))
    weights.flags.writeable = False
    return weights


def smooth(x: Array, alpha: float, start: int, seed: float, tail: int | None = None) -> Array:
    """y[start] = seed, y[t] = y[t-1] + alpha * (x[t] - y[t-1]) after it; NaN before start.

    Closed form per block with state s: y[q] - s = alpha * w**q * cumsum((x[j] - s) * w**-j),
    working on deviations from s so the error stays at the scale of the moves, not the level.
    With ``tail`` only the last ``tail`` values are returned: the value just before them is one
    dot product y[m] = w**(m-start) * seed + alpha * sum w**(m-j) * x[j] (terms whose weight is
    below 1e-17 dropped), the tail then follows the recurrence.
    """
    n = x.shape[0]
    if tail is not None and n - tail > start + 1:
        m = n - tail - 1
        steps = m - start
        weights = decay(alpha)
        k = min(steps, weights.shape[0])
        value = alpha * float(np.dot(weights[weights.shape[0] - k :], x[m - k + 1 : m + 1]))
        if k == steps:
            value += (1.0 - alpha) ** steps * seed
        if tail > _SHORT_TAIL:
            return smooth(x[m:], alpha, 0, value)[1:]
        # a handful of steps: a float loop beats the numpy calls of a block
        values = []
        for item in x[m + 1 :].tolist():
            value += alpha * (item - value)
            values.append(value)
        return np.array(values)
    out = nan_array(n)
    if start < n:
        out[start] = seed
    down, up = _powers(alpha)
    block = down.shape[0]
    state = seed
    i = start + 1
    while i < n:
        j = min(n, i + block)
        size = j - i
        scaled = np.cumsum((x[i:j] - state) * up[:size])
        scaled *= down[:size]
        scaled *= alpha
        scaled += state
        out[i:j] = scaled
        state = float(scaled[-1])
        i = j
    return out if tail is None else out[max(0, n - tail) :]

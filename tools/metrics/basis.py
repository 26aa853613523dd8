"""Which prices a figure uses: as traded, or dividend-adjusted where the record holds no traded price.

The bars (tools/providers/base.py) hold per day the prices as traded (``traded`` = 1) or, where
the record holds none (IWM before 2025-06-16 in the shared data), the dividend-adjusted prices;
``adj_close`` is the dividend-adjusted close wherever a source gives one. The rules:

- A level (a price, a range, a moving average, support and resistance) uses prices as traded:
  the run of traded days ending at the as-of bar (``price_view``). A window reaching before that
  run is cut at its start, and the source says so. Traded and adjusted prices are never mixed.
- Only where that run is missing (the as-of day has no traded price) or too short for the
  figure, and the adjusted closes reach further back, do the figures use the dividend-adjusted
  prices (open, high and low scaled like the close), each fact keyed ``<key>_adjusted`` and
  labelled so: never presented as a traded price.
- A price return uses traded closes, a total return adjusted closes (tools/metrics/performance.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from copilot.schemas import Fact

Basis = Literal["traded", "adjusted"]
PRICES = ["open", "high", "low", "close"]
# facts that do not depend on the price basis (shares traded)
BASIS_FREE_KEYS = frozenset(
    {
        "volume",
        "avg_volume_50d",
        "avg_volume_3m",
        "volume_ratio_50d",
        "avg_volume",
        "total_volume",
        "sessions",
    }
)


@dataclass(frozen=True)
class PriceView:
    """The bars one figure uses: open/high/low/close (and volume) on one basis, ending at the as-of bar."""

    basis: Basis
    bars: pd.DataFrame
    traded_from: date | None  # the first traded day of the run, when the bars given reach earlier


def traded_run(bars: pd.DataFrame) -> int:
    """How many bars at the end of ``bars`` are prices as traded (0 if the last one is not)."""
    flags = bars["traded"].to_numpy()
    off = np.flatnonzero(flags == 0)
    return len(flags) if len(off) == 0 else len(flags) - 1 - int(off[-1])


def adjusted_run(bars: pd.DataFrame) -> int:
    """How many bars at the end of ``bars`` have a dividend-adjusted close."""
    known = ~np.isnan(bars["adj_close"].to_numpy())
    off = np.flatnonzero(~known)
    return len(known) if len(off) == 0 else len(known) - 1 - int(off[-1])


def price_view(bars: pd.DataFrame, enough: int = 2) -> PriceView:
    """Traded bars when the traded run ending at the last bar holds ``enough`` bars (or nothing
    reaches further back); else the dividend-adjusted bars."""
    traded = traded_run(bars)
    if traded >= enough or traded == len(bars):  # the common case: every bar is traded
        return PriceView("traded", bars.iloc[len(bars) - traded :], _cut(bars, traded))
    adjusted = adjusted_run(bars)
    if traded and adjusted <= traded:
        return PriceView("traded", bars.iloc[len(bars) - traded :], _cut(bars, traded))
    return PriceView("adjusted", adjusted_bars(bars.iloc[len(bars) - adjusted :]), None)


def _cut(bars: pd.DataFrame, traded: int) -> date | None:
    return bars.index[len(bars) - traded].date() if 0 < traded < len(bars) else None


def adjusted_bars(bars: pd.DataFrame) -> pd.DataFrame:
    """Open/high/low/close on the dividend-adjusted basis (each scaled by adj_close / close)."""
    factor = bars["adj_close"].to_numpy() / bars["close"].to_numpy()
    columns = {c: bars[c].to_numpy() * factor for c in PRICES}
    return pd.DataFrame({**columns, "volume": bars["volume"].to_numpy()}, index=bars.index)


def adjusted_key(key: str) -> str:
    """The key of a figure computed on dividend-adjusted prices (volumes keep theirs)."""
    return key if key in BASIS_FREE_KEYS else f"{key}_adjusted"


def mark_adjusted(facts: list[Fact], untraded: bool = False) -> list[Fact]:
    """Facts computed on dividend-adjusted prices, keyed and labelled so (volumes unchanged).

    ``untraded``: the day's own close has no traded price on record (its label says so)."""
    out = []
    for fact in facts:
        if fact.key in BASIS_FREE_KEYS:
            out.append(fact)
            continue
        label = (
            "Dividend-adjusted close (no traded price on record)"
            if untraded and fact.key in ("last_price", "close", "last_close")
            else f"{fact.label} (dividend-adjusted prices)"
        )
        out.append(fact.model_copy(update={"key": adjusted_key(fact.key), "label": label}))
    return out


def adjusted_note(symbol: str, day: date, adjusted_through: date | None, traded_from: date | None) -> str:
    """Why figures use dividend-adjusted prices, for the Source notes."""
    through = (
        f"dividends paid through {adjusted_through} deducted" if adjusted_through else "dividends deducted"
    )
    if traded_from is None:
        why = f"the record holds no traded price of {symbol} for {day}"
    else:
        why = f"the record holds traded prices of {symbol} only from {traded_from}"
    return (
        f"{symbol}: {why}; these figures use dividend-adjusted prices ({through}), "
        "not prices as traded (keys ending in _adjusted)."
    )


def traded_note(symbol: str) -> str:
    """What the prices are, for the Source notes."""
    if symbol.startswith("^"):
        return f"{symbol}: index levels, price return (no dividends)."
    return f"{symbol}: prices as traded (split-adjusted only; dividends not deducted)."

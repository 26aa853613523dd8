"""Find unadjusted stock splits in a daily series and adjust the bars before them.

A file that mixes split-adjusted and raw rows shows a k-for-1 split as a one-day price ratio of
about 1/k (XLK 288.15 -> 141.61 on 2025-11-17 in one shared file). A real crash can look the same,
so a candidate jump is only taken as a split with evidence:

1. another file covering the same two days disagrees by the split ratio; else (no other file,
   or one showing the same jump: a real move, or two unadjusted copies)
2. the day opened at the split ratio of the prior close too (within 2.5%; a crash rarely opens
   exactly at -50% / -66.7% / -75% ... of the prior close), the listing traded on both days with
   a median volume of at least 1,000 shares, and the new level held for the days around it
   (illiquid small caps in the shared data bounce 104 -> 53 -> 104 on stale quotes).

Index levels (symbols starting with ``^``) never split. Adjusting divides the prior open, high,
low and close by k and multiplies the prior volume by k, so no split shows up as a return. When
another file confirmed the split, the prior prices are divided by the ratio the two files disagree
by instead (XLU: 1.9970, not 2): the rows before a split in a raw download were fetched earlier,
on an older dividend basis, and exactly k would leave that difference as a spurious return on the
split day (XLU +0.15% instead of the +0.90% it traded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# k-for-1 splits (price falls to 1/k) and reverse splits (k < 1); label -> k
SPLIT_RATIOS: dict[str, float] = {
    "2-for-1": 2.0,
    "3-for-1": 3.0,
    "4-for-1": 4.0,
    "5-for-1": 5.0,
    "10-for-1": 10.0,
    "20-for-1": 20.0,
    "3-for-2": 1.5,
    "1-for-2": 0.5,
    "1-for-3": 1 / 3,
    "1-for-4": 0.25,
    "1-for-5": 0.2,
    "1-for-10": 0.1,
    "1-for-20": 0.05,
    "2-for-3": 2 / 3,
}
CANDIDATE_TOLERANCE = 0.08  # |close ratio * k - 1|: wide, only selects days worth a closer look
CONFIRM_TOLERANCE = 0.03  # |(this ratio / other file's ratio) * k - 1| when another file covers the day
OPEN_TOLERANCE = 0.025  # |open / prior close * k - 1| when no other file covers the day
CLOSE_TOLERANCE = 0.05  # |close ratio * k - 1| when no other file covers the day
MIN_MEDIAN_VOLUME = 1000.0  # shares a day over the prior 20 days: below it quotes are too sparse to judge
PERSISTENCE_DAYS = 5
PERSISTENCE_BAND = 1.18  # the 5 days before and after stay within this factor of the split-day levels


@dataclass(frozen=True)
class SplitEvent:
    """One split found in one file's series of one symbol."""

    symbol: str
    date: str
    ratio: str  # e.g. "2-for-1"
    factor: float  # k: prior prices are divided by it, prior volumes multiplied
    price_ratio: float  # observed close / prior close in the file
    source: str  # the file whose rows were adjusted
    evidence: str  # why it is a split and not a crash
    price_factor: float | None = None  # prior prices are divided by this (None: by ``factor``)


def nearest_split(price_ratio: float, tolerance: float) -> tuple[str, float] | None:
    """The split whose 1/k is within ``tolerance`` (relative) of a one-day price ratio."""
    for label, k in SPLIT_RATIOS.items():
        if abs(price_ratio * k - 1.0) < tolerance:
            return label, k
    return None


def find_splits(
    symbol: str, bars: pd.DataFrame, source: str, others: Sequence[tuple[str, pd.DataFrame]] = ()
) -> list[SplitEvent]:
    """Split-like jumps in ``bars`` (one file's rows of ``symbol``) with the evidence for each."""
    if symbol.startswith("^") or len(bars) < 2:
        return []
    close = bars["close"].to_numpy(dtype=float)
    prior = np.roll(close, 1)
    ratio = np.divide(close, prior, out=np.ones_like(close), where=prior > 0)
    ratio[0] = 1.0
    # only big one-day moves can be splits; the cheapest filter first
    candidates = np.flatnonzero(np.abs(np.log(np.where(ratio > 0, ratio, 1.0))) > np.log(1.3))
    events: list[SplitEvent] = []
    for i in candidates.tolist():
        match = nearest_split(float(ratio[i]), CANDIDATE_TOLERANCE)
        if match is None:
            continue
        found = _evidence(bars, i, match[1], others)
        if found is not None:
            evidence, other_ratio = found
            events.append(
                SplitEvent(
                    symbol=symbol,
                    date=bars.index[i].strftime("%Y-%m-%d"),
                    ratio=match[0],
                    factor=match[1],
                    price_ratio=round(float(ratio[i]), 6),
                    source=source,
                    evidence=evidence,
                    # the confirming file's split-day return is kept: k times a basis difference
                    price_factor=None if other_ratio is None else round(other_ratio / float(ratio[i]), 8),
                )
            )
    return events


def _evidence(
    bars: pd.DataFrame, i: int, k: float, others: Sequence[tuple[str, pd.DataFrame]]
) -> tuple[str, float | None] | None:
    """Why the jump at ``i`` is a split, and the other file's ratio that day when one confirmed it."""
    close = bars["close"].to_numpy(dtype=float)
    ratio = close[i] / close[i - 1]
    days = bars.index[[i - 1, i]]
    for name, other in others:
        if days.isin(other.index).all():
            before, after = other["close"].reindex(days).to_numpy(dtype=float)
            other_ratio = after / before
            if abs(ratio / other_ratio * k - 1.0) < CONFIRM_TOLERANCE:
                return (
                    f"{name} shows {other_ratio - 1:+.2%} that day (files disagree by 1/{k:g})",
                    other_ratio,
                )
            if abs(ratio / other_ratio - 1.0) > CONFIRM_TOLERANCE:
                return None  # the files disagree, but not by a split ratio: not a split
            break  # the other file has the same jump: a real move, or both unadjusted; ask the bars
    open_ratio = float(bars["open"].to_numpy(dtype=float)[i] / close[i - 1])
    if (
        abs(open_ratio * k - 1.0) < OPEN_TOLERANCE
        and abs(ratio * k - 1.0) < CLOSE_TOLERANCE
        and _liquid(bars["volume"].to_numpy(dtype=float), i)
        and _persistent(close, i)
    ):
        return f"opened at {open_ratio:.4f}x the prior close and held the new level (no second file)", None
    return None


def _liquid(volume: np.ndarray, i: int) -> bool:
    """Traded on both days and usually: stale quotes of illiquid listings jump around without splits."""
    recent = volume[max(0, i - 20) : i]
    return bool(volume[i] > 0 and volume[i - 1] > 0 and np.median(recent) >= MIN_MEDIAN_VOLUME)


def _persistent(close: np.ndarray, i: int) -> bool:
    """A split moves the level for good: the days around it stay near the pre- and post-split prices."""
    after = close[i + 1 : i + 1 + PERSISTENCE_DAYS]
    before = close[max(0, i - 1 - PERSISTENCE_DAYS) : i - 1]
    lo, hi = 1 / PERSISTENCE_BAND, PERSISTENCE_BAND
    after_ok = after.size == 0 or lo < float(np.median(after)) / close[i] < hi
    before_ok = before.size == 0 or lo < float(np.median(before)) / close[i - 1] < hi
    return bool(after_ok and before_ok)


def adjust_for_split(bars: pd.DataFrame, event: SplitEvent) -> pd.DataFrame:
    """Bars with every row before the split day divided by k (volume multiplied by k)."""
    out = bars.copy()
    before = out.index < pd.Timestamp(event.date)
    out.loc[before, ["open", "high", "low", "close"]] /= event.price_factor or event.factor
    out.loc[before, "volume"] *= event.factor
    return out

"""Find dividend-adjustment basis breaks inside one file and rescale the rows before them.

A file assembled from two downloads carries two dividend-adjustment bases: the rows fetched
earlier lack the dividends paid between the two downloads, so they sit too high, and the day
the later download takes over shows a spurious loss of about one dividend. In the shared data
``yahoo_etfs_indices_daily_to_2026-02.csv.gz`` does this on 2025-11-17 for every ETF that did
not split that day (SPY -0.29%, IWM -0.33%, XLRE -1.08% against ``etfs_daily_2025-01_to_2026-03``;
the split ETFs' split day already keeps that file's return) and once more on 2025-09-16 (SPY,
IWM) / 2025-09-22 (QQQ and all sector ETFs).

Seen against another file covering the same days, such a break is a step in the close ratio
(this file / other file) between two consecutive shared days, with the ratio flat on either side.
A step is taken as a break of this file when:

1. it exceeds ``BREAK_THRESHOLD`` (0.05%) and ``NOISE_MULTIPLE`` (10) times the pair's median
   day-to-day ratio step: the smallest real break in the data is QQQ's 0.12% (one quarter's
   dividend of a low-yield fund); the largest noise between files on one basis is a one-day
   0.036% bad print (several sector ETFs on 2025-09-08; the files otherwise agree to ~1e-7 a day),
   while NVDA's rounded pre-split closes scatter 0.03% a day against the large-cap file;
2. this file's return across it is LOWER than the other file's: rows on an older basis lack
   dividends, so they are too high. A step the other way is the other file lacking an adjustment
   (a split-only file such as ``us_large_caps_daily_2016_2026`` at every ex-dividend date, or a
   break in the other file), and this file's return is kept;
3. the ratio stays at the new level: the medians of the (up to) 5 shared days before and from the
   break differ by the step, the two days sit at those levels, and at most one of those days
   strays from its side's level (a one-day bad print is not a break);
4. every other dividend-adjusted file covering both days shows the same step (files that disagree
   among themselves give no basis to choose), and the day is not a split day of this file (a
   confirmed split already keeps the confirming file's return: tools/splits.py).

A file that falls short of another at more than ``MAX_FALLS`` (2) dates is not a file with a
break but one without dividend adjustment (``us_large_caps_daily_2016_2026`` falls short of the
yfinance file at every quarterly ex-dividend date since 2016): its returns are kept as they are.
Such a file, seen from a dividend-adjusted one (the ratio rises more than twice), neither confirms
nor contradicts a break either: QQQ's ex-dividend drop on 2025-09-22 in the split-only file
coincides with the yfinance file's break that day.

Only files read earlier (which this file wins over) are references, final rows (possibly partial)
are left out, and index levels (``^``) carry no dividend basis. The rows before the break are
multiplied by the step factor (this file's day ratio / the other file's), so this file's return
across the break equals the other file's; volume is untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

BREAK_THRESHOLD = 5e-4  # |log step| of the close ratio between two consecutive shared days
LEVEL_DAYS = 5  # shared days on each side whose median ratio must show the new level
MIN_SIDE_DAYS = 2  # shared days needed on each side to tell a level change from a blip
NOISE_MULTIPLE = 10  # a break stands this far above the pair's median day-to-day ratio step
MAX_FALLS = 2  # more falls against one file than stitched downloads make: the file is unadjusted


@dataclass(frozen=True)
class BasisBreak:
    """One adjustment-basis break inside one file's series of one symbol."""

    symbol: str
    date: str  # first day on the newer basis
    factor: float  # rows before ``date`` were multiplied by this (< 1: they lacked dividends)
    step_pct: float  # the spurious return the file showed across the break, in percent
    source: str  # the file whose rows were rescaled
    confirmed_by: str  # the file whose day return is kept
    evidence: str


def find_basis_breaks(
    symbol: str,
    bars: pd.DataFrame,
    source: str,
    earlier: Sequence[tuple[str, pd.DataFrame]],
    later: Sequence[tuple[str, pd.DataFrame]] = (),
    split_days: Sequence[str] = (),
) -> list[BasisBreak]:
    """Basis breaks in ``bars`` (one file's rows), judged against the files it wins over."""
    if symbol.startswith("^") or len(bars) < 2 * MIN_SIDE_DAYS or not earlier:
        return []
    steps = [_steps(bars, other) for _, other in earlier]
    falls = [_level_changes(s) for s in steps]
    if any(len(f) > MAX_FALLS for f in falls) or any(
        len(_level_changes(_steps(bars, other))) > MAX_FALLS for _, other in later
    ):
        return []  # short of another file at every ex-dividend date: no dividend basis to break
    # a file short of this one at every ex-dividend date is unadjusted: it can neither confirm
    # nor contradict a dividend-basis break (its ex-dividend drop may coincide with one)
    adjusted = [len(_level_changes(s, rises=True)) <= MAX_FALLS for s in steps]
    skip = {pd.Timestamp(d) for d in split_days}
    found: dict[pd.Timestamp, BasisBreak] = {}
    for j in [j for j in range(len(earlier) - 1, -1, -1) if adjusted[j]]:  # the latest file first
        for day, step in falls[j].items():
            if day in found or day in skip:
                continue
            seen = [
                (name, value)
                for (name, _), s, ok in zip(earlier, steps, adjusted, strict=True)
                if ok
                and day in s.index
                and not np.isnan(value := float(s["step"].to_numpy()[s.index.get_loc(day)]))
            ]
            if any(abs(v - step) > BREAK_THRESHOLD / 2 for _, v in seen):
                continue  # the other files disagree among themselves: no basis to choose
            found[day] = BasisBreak(
                symbol=symbol,
                date=day.strftime("%Y-%m-%d"),
                factor=round(float(np.exp(step)), 8),
                step_pct=round(float(np.expm1(step)) * 100, 4),
                source=source,
                confirmed_by=earlier[j][0],
                evidence="close ratio to "
                + ", ".join(f"{name} steps {np.expm1(v):+.3%}" for name, v in seen)
                + " that day and holds the new level",
            )
    return [found[d] for d in sorted(found)]


def adjust_for_basis_break(bars: pd.DataFrame, event: BasisBreak) -> pd.DataFrame:
    """Bars with every price before the break multiplied by the step factor (volume untouched)."""
    out = bars.copy()
    before = out.index < pd.Timestamp(event.date)
    out.loc[before, ["open", "high", "low", "close"]] *= event.factor
    return out


def _steps(bars: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per shared day: log close ratio, and its step from the prior day when that day is the prior
    row in both files (NaN otherwise)."""
    shared = bars.index[:-1].intersection(other.index[:-1])  # final rows may be partial
    if len(shared) == 0:
        return pd.DataFrame({"ratio": [], "step": []}, index=shared, dtype=float)
    ratio = np.log(bars.loc[shared, "close"].to_numpy(dtype=float) / other.loc[shared, "close"].to_numpy())
    mine, theirs = bars.index.get_indexer(shared), other.index.get_indexer(shared)
    adjacent = np.r_[False, (np.diff(mine) == 1) & (np.diff(theirs) == 1)]
    step = np.where(adjacent, np.r_[np.nan, np.diff(ratio)], np.nan)
    return pd.DataFrame({"ratio": ratio, "step": step}, index=shared)


def _level_changes(frame: pd.DataFrame, rises: bool = False) -> dict[pd.Timestamp, float]:
    """Falls (or rises) of the ratio that change its level for good (module doc, rules 1-3):
    day -> log step."""
    step = frame["step"].to_numpy()
    ratio = frame["ratio"].to_numpy()
    out: dict[pd.Timestamp, float] = {}
    if not np.isfinite(step).any():
        return out
    noise = float(np.nanmedian(np.abs(step)))
    signed = np.nan_to_num(step) * (-1.0 if rises else 1.0)
    for t in np.flatnonzero(signed < -max(BREAK_THRESHOLD, NOISE_MULTIPLE * noise)).tolist():
        before, after = ratio[max(0, t - LEVEL_DAYS) : t], ratio[t : t + LEVEL_DAYS]
        if len(before) < MIN_SIDE_DAYS or len(after) < MIN_SIDE_DAYS:
            continue
        level_before, level_after = float(np.median(before)), float(np.median(after))
        if (
            abs(level_after - level_before - step[t]) < BREAK_THRESHOLD / 2
            and abs(ratio[t] - level_after) < BREAK_THRESHOLD / 2
            and abs(ratio[t - 1] - level_before) < BREAK_THRESHOLD / 2
            and _strays(before) + _strays(after) <= 1  # near-constant on both sides; one bad print allowed
        ):
            out[frame.index[t]] = float(step[t])
    return out


def _strays(levels: np.ndarray) -> int:
    """How many of ``levels`` stray from their median by more than half the threshold."""
    return int(np.count_nonzero(np.abs(levels - np.median(levels)) > BREAK_THRESHOLD / 2))

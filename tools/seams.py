"""Join several files' series of one symbol into one, and report every seam.

Rules (documented in docs/snapshot-format.md):

- Precedence: parts come in import order; a later part wins every date it shares with an earlier one.
- A part's final row yields to any other part that continues past that date: a download's last
  row may have been captured intraday (the 2026-02-23 row of the yfinance ETF/index file).
- Seams, ``rescale="basis"`` (the dividend-adjusted series): files downloaded at different times
  carry different dividend-adjustment bases, so at each seam the earlier segment is rescaled to
  the later segment's basis by the median close ratio over the (up to 5) shared dates nearest the
  seam. Factors within ``SAME_BASIS`` of 1 are float noise and left alone; a factor that is a
  split ratio also scales volume inversely. The newest segment is never rescaled.
- Seams, ``rescale="splits"`` (prices as traded): traded prices are never rescaled; only a seam
  whose factor is a split ratio (a file downloaded before a split) divides the earlier segment
  by exactly that ratio and multiplies its volume by it. Other differences are reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from tools.basis_breaks import BasisBreak
from tools.splits import SplitEvent, nearest_split
from tools.traded_prices import DerivedRun, FileBasis

Rescale = Literal["basis", "splits"]

SAME_BASIS = 2e-5  # relative close difference treated as the same basis (float32 noise, rounding)
SEAM_OVERLAP_DAYS = 5
GAP_DAYS = 10  # calendar days without a bar worth reporting (longest market closure: 6 days in 2001)


@dataclass(frozen=True)
class Segment:
    source: str
    first_date: str
    last_date: str
    rows: int


@dataclass(frozen=True)
class Seam:
    date: str  # first date of the later segment
    earlier: str
    later: str
    factor: float | None  # later close / earlier close over the shared dates; None without overlap
    shared_days: int
    applied: bool
    seam_return_pct: float  # close-to-close return across the seam after rescaling
    note: str = ""


@dataclass(frozen=True)
class Gap:
    after: str
    before: str
    calendar_days: int


@dataclass
class SymbolReport:
    """How one symbol's series was built from the files that cover it.

    ``segments``/``seams``: which file supplies the prices as traded, and where they meet;
    ``adjusted_segments``/``adjusted_seams``: the same for the dividend-adjusted closes.
    """

    symbol: str
    rows: int = 0
    first_date: str = ""
    last_date: str = ""
    traded_rows: int = 0  # days with prices as traded (directly or derived)
    untraded_rows: int = 0  # days the record holds only dividend-adjusted prices for
    adjusted_rows: int = 0  # days with a dividend-adjusted close
    adjusted_through: str | None = None  # the adjusted closes include dividends up to this day
    files: list[FileBasis] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    overridden_rows: int = 0
    yielded_final_rows: list[str] = field(default_factory=list)  # "file@date"
    seams: list[Seam] = field(default_factory=list)
    derived: list[DerivedRun] = field(default_factory=list)
    adjusted_segments: list[Segment] = field(default_factory=list)
    adjusted_seams: list[Seam] = field(default_factory=list)
    splits: list[SplitEvent] = field(default_factory=list)
    basis_breaks: list[BasisBreak] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class Join:
    """One series joined from several files' parts, and how."""

    bars: pd.DataFrame
    segments: list[Segment] = field(default_factory=list)
    seams: list[Seam] = field(default_factory=list)
    overridden_rows: int = 0
    yielded_final_rows: list[str] = field(default_factory=list)


def join_parts(
    parts: Sequence[tuple[str, pd.DataFrame]], rescale: Rescale = "basis", yield_final: bool = True
) -> Join:
    """One series from ``parts`` (source name, bars) in precedence order, lowest first.

    ``yield_final=False``: the parts' final rows were already judged (the caller dropped those that
    yield), so a final row here is a full day."""
    result = Join(bars=parts[0][1].iloc[:0])
    frames = []
    for rank, (name, frame) in enumerate(parts):
        priority = np.full(len(frame), rank, dtype=np.int64)
        if yield_final and continued_elsewhere(parts, rank):
            priority[-1] = -1  # a possibly partial final row loses to a part that saw the day end
            result.yielded_final_rows.append(f"{name}@{frame.index[-1].date()}")
        frames.append(frame.assign(_rank=rank, _priority=priority))
    stacked = pd.concat(frames).rename_axis("date").reset_index()
    stacked = stacked.sort_values(["date", "_priority"], kind="stable")
    joined = stacked.drop_duplicates("date", keep="last").set_index("date")
    result.overridden_rows = len(stacked) - len(joined)
    owner = joined["_rank"].to_numpy()
    bars = joined.drop(columns=["_rank", "_priority"])
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    bounds = [*starts.tolist(), len(bars)]
    for lo, hi in itertools.pairwise(bounds):
        result.segments.append(
            Segment(
                source=parts[owner[lo]][0],
                first_date=str(bars.index[lo].date()),
                last_date=str(bars.index[hi - 1].date()),
                rows=hi - lo,
            )
        )
    result.bars, result.seams = _rescale(bars, parts, owner, starts, rescale)
    return result


def continued_elsewhere(parts: Sequence[tuple[str, pd.DataFrame]], rank: int) -> bool:
    """Whether another part has the final day of part ``rank`` and continues past it."""
    last = parts[rank][1].index[-1]
    return any(
        last in frame.index and frame.index[-1] > last for j, (_, frame) in enumerate(parts) if j != rank
    )


def _rescale(
    bars: pd.DataFrame,
    parts: Sequence[tuple[str, pd.DataFrame]],
    owner: np.ndarray,
    starts: np.ndarray,
    rescale: Rescale,
) -> tuple[pd.DataFrame, list[Seam]]:
    prices = bars[["open", "high", "low", "close"]].to_numpy(copy=True)
    volume = bars["volume"].to_numpy(copy=True)
    scale, volume_scale = 1.0, 1.0
    seams: list[Seam] = []
    for s in range(len(starts) - 1, 0, -1):  # newest seam first: scales accumulate backwards
        lo, seam_at = starts[s - 1], starts[s]
        earlier, later = parts[owner[lo]], parts[owner[seam_at]]
        factor, shared = _basis_factor(earlier[1], later[1], bars.index[seam_at])
        applied = factor is not None and abs(factor - 1.0) > SAME_BASIS
        note = "no shared dates: basis unknown, not rescaled" if factor is None else ""
        if factor is None and rescale == "splits":
            note = "no shared dates: traded prices kept as they are"
        split = nearest_split(factor, 0.03) if factor is not None and abs(factor - 1.0) > 0.2 else None
        if rescale == "splits" and applied and split is None:
            applied = False  # traded prices are never rescaled: say how far the files differ
            note = f"the files' closes differ by {(factor or 1.0) - 1.0:+.4%} here: traded prices kept"
        elif applied and factor is not None:
            step = factor if rescale == "basis" or split is None else 1.0 / split[1]
            scale *= step
            if split is not None:
                volume_scale /= step
                note = f"bases differ by a {split[0]} split: volume scaled too"
            elif abs(factor - 1.0) > 0.2:
                note = "large basis difference: check the files cover the same instrument"
        prices[lo:seam_at] *= scale
        volume[lo:seam_at] *= volume_scale
        before, after = prices[seam_at - 1, 3], prices[seam_at, 3]
        seams.append(
            Seam(
                date=str(bars.index[seam_at].date()),
                earlier=earlier[0],
                later=later[0],
                factor=None if factor is None else round(factor, 8),
                shared_days=shared,
                applied=applied,
                seam_return_pct=round(float(after / before - 1.0) * 100, 4),
                note=note,
            )
        )
    out = pd.DataFrame(prices, index=bars.index, columns=["open", "high", "low", "close"])
    out["volume"] = volume
    return out, seams[::-1]


def _basis_factor(earlier: pd.DataFrame, later: pd.DataFrame, seam: pd.Timestamp) -> tuple[float | None, int]:
    shared = earlier.index.intersection(later.index)
    # the final rows may be partial: basis comes from full days on both sides when there are any
    full = shared[(shared != earlier.index[-1]) & (shared != later.index[-1])]
    shared = full if len(full) else shared
    if len(shared) == 0:
        return None, 0
    distance = np.abs((pd.DatetimeIndex(shared) - seam).days.to_numpy())
    nearest = shared[np.argsort(distance)[:SEAM_OVERLAP_DAYS]]
    ratios = later.loc[nearest, "close"].to_numpy() / earlier.loc[nearest, "close"].to_numpy()
    return float(np.median(ratios)), len(nearest)


def find_gaps(index: pd.DatetimeIndex) -> list[Gap]:
    """Stretches of more than GAP_DAYS calendar days without a bar."""
    days = np.diff(index.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    return [
        Gap(after=str(index[i].date()), before=str(index[i + 1].date()), calendar_days=int(days[i]))
        for i in np.flatnonzero(days > GAP_DAYS).tolist()
    ]

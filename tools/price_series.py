"""One symbol's daily series from every file that covers it: prices as traded, and adjusted closes.

``build_series(symbol, parts)`` (parts in import order, later files winning):

1. Each file's rows are read for their basis (tools/traded_prices.py): index levels, traded
   prices, traded prices with an ``adj_close`` column, or a dividend-adjusted download whose
   whole-cent tail is traded.
2. Splits are found in each file (tools/splits.py) against the others.
3. Prices as traded: the traded rows of every file, split-adjusted by the exact split ratio,
   joined by precedence and NEVER rescaled (tools/seams.py, ``rescale="splits"``). A file's final
   row that another file continues past is left out (it may be an intraday capture). Then each
   dividend-adjusted file contributes the traded prices its adjustment factors imply on the days
   no traded source covers (``derive_traded``).
4. Dividend-adjusted closes: the adjusted files (and the ``adj_close`` of files that have one),
   split-adjusted keeping the confirming file's split-day return, corrected for basis breaks
   inside a file (tools/basis_breaks.py) and rescaled at each seam to the newest file's basis
   (``rescale="basis"``). If they predate a split the traded prices include, they are divided by it.
5. Per day: the traded prices where known (``traded`` = 1), else the dividend-adjusted prices
   (``traded`` = 0); ``adj_close`` wherever an adjusted close is known (index levels: never).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tools.basis_breaks import BasisBreak, adjust_for_basis_break, find_basis_breaks
from tools.providers.base import BAR_COLUMNS, SERIES_COLUMNS
from tools.seams import Join, Seam, SymbolReport, continued_elsewhere, find_gaps, join_parts
from tools.splits import SplitEvent, adjust_for_split, find_splits, nearest_split
from tools.traded_prices import PRICE_COLUMNS, FileBasis, derive_traded, read_basis

Part = tuple[str, pd.DataFrame]
SPLIT_CHECK_DAYS = 5  # latest shared days on which adjusted and traded closes are compared


def build_series(symbol: str, parts: Sequence[Part]) -> tuple[pd.DataFrame, SymbolReport]:
    """The snapshot series of ``symbol`` (``SERIES_COLUMNS``) and how it was built."""
    report = SymbolReport(symbol=symbol)
    bases = [read_basis(symbol, name, bars) for name, bars in parts]
    report.files = [basis for basis, _ in bases]
    plain = [(name, bars.loc[:, list(BAR_COLUMNS)]) for name, bars in parts]
    events: list[list[SplitEvent]] = []
    for i, (name, bars) in enumerate(plain):
        others = [p for j, p in enumerate(plain) if j != i]
        events.append(find_splits(symbol, bars, name, others))
    report.splits = [event for found in events for event in found]

    traded = _traded(symbol, parts, plain, bases, events, report)
    adjusted = _adjusted(symbol, parts, events, [basis.kind for basis, _ in bases], report)
    if adjusted is not None and traded is not None:
        adjusted = _align_splits(adjusted, traded, report)
    bars = _combine(traded, adjusted)
    flags = bars["traded"].to_numpy()
    report.rows = len(bars)
    report.first_date, report.last_date = str(bars.index[0].date()), str(bars.index[-1].date())
    report.traded_rows = int(flags.sum())
    report.untraded_rows = len(bars) - report.traded_rows
    report.adjusted_rows = int(bars["adj_close"].notna().sum())
    if adjusted is not None:
        report.adjusted_through = str(adjusted.index[-1].date())
    report.gaps = find_gaps(pd.DatetimeIndex(bars.index))
    return bars, report


def _traded(
    symbol: str,
    parts: Sequence[Part],
    plain: Sequence[Part],
    bases: Sequence[tuple[FileBasis, np.ndarray]],
    events: Sequence[list[SplitEvent]],
    report: SymbolReport,
) -> pd.DataFrame | None:
    """Prices as traded: the files' traded rows joined, plus those adjusted files imply."""
    candidates: list[Part] = []
    scaled: list[tuple[str, pd.DataFrame, np.ndarray]] = []
    for i, (name, bars) in enumerate(plain):
        scale = _split_scale(pd.DatetimeIndex(bars.index), events[i])
        rows = bars.assign(
            **{c: bars[c].to_numpy() / scale for c in PRICE_COLUMNS}, volume=bars["volume"].to_numpy() * scale
        )
        scaled.append((name, rows, scale))
        keep = bases[i][1].copy()
        if continued_elsewhere(plain, i):  # a possibly partial final row: the other file saw the day end
            keep[-1] = False
            report.yielded_final_rows.append(f"{name}@{bars.index[-1].date()}")
        if keep.any():
            candidates.append((name, rows.loc[keep]))
    if not candidates:
        return None
    joined = join_parts(candidates, rescale="splits", yield_final=False)
    report.segments, report.seams, report.overridden_rows = (
        joined.segments,
        joined.seams,
        joined.overridden_rows,
    )
    derived: list[pd.DataFrame] = []
    for (name, rows, scale), (basis, _) in zip(scaled, bases, strict=True):
        if basis.kind != "adjusted":
            continue
        # measured against the OTHER files' traded prices: a file stitched from several downloads
        # is traded in its appended runs and adjusted between them, so against its own runs the
        # factor is 1 on both sides of rows that are not traded prices at all
        others = [c for c in candidates if c[0] != name]
        if not others:
            continue
        own = len(others) < len(candidates)
        reference = join_parts(others, "splits", yield_final=False).bars if own else joined.bars
        found, runs = derive_traded(name, rows, scale, reference)
        report.derived.extend(runs)
        derived.append(found)
    return _fill(joined.bars, derived)


def _fill(traded: pd.DataFrame, derived: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Traded rows plus derived rows on the days no traded source covers (later files win)."""
    extra = [frame for frame in derived if len(frame)]
    if not extra:
        return traded
    stacked = pd.concat(extra[::-1])  # later files first: they win a day two files both imply
    stacked = stacked.loc[~stacked.index.duplicated(keep="first") & ~stacked.index.isin(traded.index)]
    return pd.concat([traded, stacked]).sort_index()


def _split_scale(index: pd.DatetimeIndex, found: Sequence[SplitEvent]) -> np.ndarray:
    """What each row's prices are divided by for the splits after it (exact ratios)."""
    scale = np.ones(len(index))
    for event in found:
        scale[index < pd.Timestamp(event.date)] *= event.factor
    return scale


def _adjusted(
    symbol: str,
    parts: Sequence[Part],
    events: Sequence[list[SplitEvent]],
    kinds: Sequence[str],
    report: SymbolReport,
) -> pd.DataFrame | None:
    """Dividend-adjusted OHLCV on one basis, from the files that carry dividend adjustment."""
    adjusted: list[Part] = []
    split_days: list[list[str]] = []
    for (name, bars), found, kind in zip(parts, events, kinds, strict=True):
        if kind not in ("adjusted", "traded+adjusted"):
            continue
        rows = bars.loc[:, list(BAR_COLUMNS)]
        if kind == "traded+adjusted":  # yfinance scales open/high/low by the close's factor too
            factor = (bars["adj_close"] / bars["close"]).to_numpy()
            rows = rows.assign(**{c: rows[c].to_numpy() * factor for c in PRICE_COLUMNS})
        for event in found:
            rows = adjust_for_split(rows, event)
        adjusted.append((name, rows))
        split_days.append([e.date for e in found])
    if not adjusted:
        return None
    # each file against the files it wins over, already corrected themselves (tools/basis_breaks.py)
    breaks: list[BasisBreak] = []
    for i, (name, rows) in enumerate(adjusted):
        for found_break in find_basis_breaks(
            symbol, rows, name, adjusted[:i], adjusted[i + 1 :], split_days[i]
        ):
            breaks.append(found_break)
            rows = adjust_for_basis_break(rows, found_break)
        adjusted[i] = (name, rows)
    report.basis_breaks = breaks
    joined: Join = join_parts(adjusted, rescale="basis")
    report.adjusted_segments, report.adjusted_seams = joined.segments, joined.seams
    report.yielded_final_rows.extend(
        y for y in joined.yielded_final_rows if y not in report.yielded_final_rows
    )
    return joined.bars


def _align_splits(adjusted: pd.DataFrame, traded: pd.DataFrame, report: SymbolReport) -> pd.DataFrame:
    """Adjusted closes downloaded before a split the traded prices include are divided by it.

    Adjusted and traded closes differ by the dividends only (a factor a little below 1); a ratio
    near a split ratio on their latest shared days (NVDA's ``adj_close`` of 2024-03, before the
    10-for-1 split of 2024-06) is that split.
    """
    shared = adjusted.index[:-1].intersection(traded.index[:-1])[-SPLIT_CHECK_DAYS:]
    if len(shared) == 0:
        return adjusted
    ratio = float(
        np.median(traded.loc[shared, "close"].to_numpy() / adjusted.loc[shared, "close"].to_numpy())
    )
    split = nearest_split(ratio, 0.03) if abs(ratio - 1.0) > 0.2 else None
    if split is None:
        return adjusted
    step = 1.0 / split[1]
    report.adjusted_seams.append(
        Seam(
            date=str(shared[-1].date()),
            earlier="adjusted closes",
            later="prices as traded",
            factor=round(ratio, 8),
            shared_days=len(shared),
            applied=True,
            seam_return_pct=0.0,
            note=f"the adjusted closes predate a {split[0]} split: prices divided by {split[1]:g}",
        )
    )
    return adjusted.assign(
        **{c: adjusted[c].to_numpy() * step for c in PRICE_COLUMNS},
        volume=adjusted["volume"].to_numpy() / step,
    )


def _combine(traded: pd.DataFrame | None, adjusted: pd.DataFrame | None) -> pd.DataFrame:
    """Per day the traded prices where known, else the dividend-adjusted ones (flagged)."""
    frames = [f for f in (traded, adjusted) if f is not None]
    index = frames[0].index
    for frame in frames[1:]:
        index = index.union(frame.index)
    index = pd.DatetimeIndex(index, name="date")
    empty = pd.DataFrame(np.nan, index=index, columns=list(BAR_COLUMNS))
    t = empty if traded is None else traded.reindex(index)
    a = empty if adjusted is None else adjusted.reindex(index)
    known = t["close"].notna().to_numpy()
    out = pd.DataFrame(
        np.where(known[:, None], t[list(BAR_COLUMNS)].to_numpy(), a[list(BAR_COLUMNS)].to_numpy()),
        index=index,
        columns=list(BAR_COLUMNS),
    )
    out["adj_close"] = a["close"].to_numpy()
    out["traded"] = known.astype("float64")
    return out.loc[:, list(SERIES_COLUMNS)]

"""Which rows of a price file are prices as traded, and the traded prices an adjusted file implies.

A long-format price file does not say how it was adjusted, so each file's series of a symbol is
read by what its numbers show (``read_basis``):

- ``levels``: index levels (``^``), as published: no dividends, so no adjusted close either.
- ``traded+adjusted``: the file has an ``adj_close`` column (a yfinance download with
  ``auto_adjust=False``): ``close`` is the close as traded, ``adj_close`` the dividend-adjusted one.
- ``adjusted``: more than ``ADJUSTED_SHARE`` of its closes are not whole cents: a download whose
  prices were multiplied by dividend-adjustment factors (yfinance ``auto_adjust``). Only its rows
  after the last ex-dividend date before the download are prices as traded, and they look traded
  again (below): the *traded tail*. A file stitched from several downloads (rows appended day by
  day, never re-adjusted) has such runs inside too: the yfinance ETF file's SPY rows of
  2025-06-20..09-15 equal the split-only large-cap file's closes. Every run of at least
  ``MIN_RUN`` rows that look traded is taken as traded prices; a lone one is not.
- ``traded``: whole-cent closes: prices as traded (split-adjusted only).

A row "looks traded" when its close is whole cents (closing prices are) and its open, high and
low are whole tenths of a cent (Yahoo's highs and lows include sub-penny prints such as 116.456),
allowing the noise of the float32 numbers the adjusted files hold (``TAIL_TOLERANCE``). A
dividend-adjusted $250 price lands on that grid by chance about once in six million rows.

An adjusted file also implies traded prices where it overlaps traded ones (``derive_traded``).
Between two ex-dividend dates its factor to the traded price is constant, and the factor only
grows towards the download (each dividend multiplies the rows before its ex-date by less than 1).
So on the days it shares with traded prices its close ratio forms runs of one level; a row
between two shared days of one run is on that run's factor (a step up and back down is
impossible), and so is a row next to a run whose close divided by the run's factor is whole
cents, walking away from the run until one is not (an ex-dividend date in between leaves
fractions of a cent). Such a row's traded prices are its prices divided by the factor. The walk
allows the ratio's own noise on the run (older Yahoo rows scatter ~3e-7), up to ``MAX_TOLERANCE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

BasisKind = Literal["levels", "traded+adjusted", "adjusted", "traded"]

ADJUSTED_SHARE = 0.05  # more closes off whole cents than this: a dividend-adjusted file
TAIL_TOLERANCE = 7e-8  # relative: a float32 holds a price to 2**-24 (6e-8)
DERIVED_TOLERANCE = 1.5e-7  # relative: float32 noise plus a factor measured to ~1e-7
MAX_TOLERANCE = 1e-6  # beyond this a grid of cents tells nothing (+-0.05 cents at $500)
RUN_TOLERANCE = 1e-6  # relative change of the ratio that still counts as the same factor
MIN_RUN = 2  # consecutive rows that look traded before an adjusted file's rows count as traded
PRICE_COLUMNS = ["open", "high", "low", "close"]


@dataclass(frozen=True)
class FileBasis:
    """How one file's series of one symbol was read (see the module docstring)."""

    source: str
    kind: BasisKind
    traded_rows: int  # rows whose prices are prices as traded, straight from the file
    traded_from: str | None  # an adjusted file's first row that is a traded price
    evidence: str


@dataclass(frozen=True)
class DerivedRun:
    """Traded prices derived from one adjusted file's rows through one adjustment factor."""

    source: str
    first_date: str
    last_date: str
    rows: int  # rows whose traded prices were derived
    factor: float  # this file's prices / the traded prices over the run
    shared_days: int  # days the factor was measured on
    evidence: str


def whole_cents(
    values: np.ndarray | pd.Series, tolerance: float = TAIL_TOLERANCE, step: float = 1.0
) -> np.ndarray:
    """Which values are a whole number of ``step`` cents within ``tolerance`` (relative) of noise."""
    units = np.asarray(values, dtype=np.float64) * (100.0 / step)
    return np.asarray(np.abs(units - np.round(units)) <= np.maximum(np.abs(units) * tolerance, 1e-6))


def looks_traded(prices: np.ndarray, tolerance: float = TAIL_TOLERANCE) -> np.ndarray:
    """Rows (open, high, low, close) whose close is whole cents and the rest whole tenths of a cent."""
    ok = whole_cents(prices[:, 3], tolerance)
    for column in range(3):
        ok &= whole_cents(prices[:, column], tolerance, step=0.1)
    return ok


def read_basis(symbol: str, source: str, bars: pd.DataFrame) -> tuple[FileBasis, np.ndarray]:
    """How ``bars`` (one file's rows of ``symbol``) are adjusted, and which rows are traded prices."""
    rows = len(bars)
    everything = np.ones(rows, dtype=bool)
    if symbol.startswith("^"):
        return FileBasis(source, "levels", rows, None, "index levels: no dividends"), everything
    if "adj_close" in bars.columns:
        evidence = "the file gives the close as traded and the dividend-adjusted close (adj_close)"
        return FileBasis(source, "traded+adjusted", rows, None, evidence), everything
    cents = whole_cents(bars["close"].to_numpy())
    full = cents[:-1] if rows > 1 else cents  # the final row may be an intraday capture
    off = np.flatnonzero(~full)
    if len(off) <= ADJUSTED_SHARE * len(full):
        evidence = f"{len(full) - len(off):,} of {len(full):,} closes are whole cents"
        return FileBasis(source, "traded", rows, None, evidence), everything
    traded = _runs(looks_traded(bars[PRICE_COLUMNS].to_numpy(dtype=np.float64)), MIN_RUN)
    first = bars.index[int(np.argmax(traded))].strftime("%Y-%m-%d") if traded.any() else None
    found = (
        f"; {int(traded.sum()):,} rows in runs that look traded (whole cents) from {first} on: traded prices"
        if first
        else "; no rows that look traded"
    )
    evidence = f"{len(off):,} of {len(full):,} closes are not whole cents (dividend-adjusted){found}"
    return FileBasis(source, "adjusted", int(traded.sum()), first, evidence), traded


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """``flags`` kept only where they form runs of at least ``length`` consecutive True values."""
    edges = np.flatnonzero(np.diff(np.r_[0, flags.astype(np.int8), 0]))
    out = np.zeros(len(flags), dtype=bool)
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start >= length:
            out[start:stop] = True
    return out


def derive_traded(
    source: str, bars: pd.DataFrame, split_scale: np.ndarray, traded: pd.DataFrame
) -> tuple[pd.DataFrame, list[DerivedRun]]:
    """Traded prices implied by an adjusted file where it meets ``traded`` (module docstring).

    ``bars``: the file's rows, split-adjusted like ``traded``; ``split_scale``: what each row was
    divided by for splits (the cents a row traded at were before later splits). Returns the
    derived rows (OHLCV, dates ``traded`` lacks) and the runs they came from.
    """
    rows = bars.iloc[:-1]  # a final row may be partial: it neither measures nor gets a factor
    if len(rows) < 2 or len(traded) < 2:
        return bars.iloc[:0], []
    reference = traded.iloc[:-1]["close"]
    shared = rows.index.isin(reference.index)
    positions = np.flatnonzero(shared)
    if len(positions) == 0:
        return bars.iloc[:0], []
    prices = rows[PRICE_COLUMNS].to_numpy(dtype=np.float64)
    close = prices[:, 3]
    ratio = close[positions] / reference.reindex(rows.index[positions]).to_numpy()
    breaks = np.flatnonzero(np.abs(np.diff(ratio) / ratio[:-1]) > RUN_TOLERANCE) + 1
    derived = np.zeros(len(rows), dtype=bool)
    factors = np.full(len(rows), np.nan)
    runs: list[DerivedRun] = []
    for members in np.split(np.arange(len(positions)), breaks):
        factor = float(np.median(ratio[members]))
        noise = float(np.quantile(np.abs(ratio[members] / factor - 1.0), 0.9))
        tolerance = min(MAX_TOLERANCE, max(DERIVED_TOLERANCE, 3.0 * noise))
        first, last = positions[members[0]], positions[members[-1]]
        inside = np.arange(first, last + 1)
        chosen = list(inside[~shared[inside]])  # between two shared days of one run: proven
        # the prices as they traded that day, before any later split
        as_traded = prices * (split_scale[: len(rows)] / factor)[:, None]
        for step in (-1, 1):
            i = first - 1 if step < 0 else last + 1
            while 0 <= i < len(rows) and not shared[i] and not derived[i]:
                if not looks_traded(as_traded[i : i + 1], tolerance)[0]:
                    break
                chosen.append(i)
                i += step
        if not chosen:
            continue
        picked = np.array(sorted(chosen))
        derived[picked] = True
        factors[picked] = factor
        runs.append(
            DerivedRun(
                source=source,
                first_date=rows.index[picked[0]].strftime("%Y-%m-%d"),
                last_date=rows.index[picked[-1]].strftime("%Y-%m-%d"),
                rows=len(picked),
                factor=round(factor, 10),
                shared_days=len(members),
                evidence=(
                    f"ratio to traded closes {factor:.7f} on {len(members)} shared days "
                    f"{rows.index[first].date()}..{rows.index[last].date()}; rows between them "
                    "share it, rows beyond them divided by it are whole cents"
                ),
            )
        )
    out = rows.loc[derived, [*PRICE_COLUMNS, "volume"]].copy()
    out[PRICE_COLUMNS] = out[PRICE_COLUMNS].to_numpy() / factors[derived][:, None]
    return out, runs

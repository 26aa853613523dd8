"""Expected values for the answer eval, computed with plain pandas (and TA-Lib) on the shared CSVs.

Nothing here imports ``tools/``: each figure is recomputed from the raw files with the conventions
DESIGN.md states (close-to-close returns; 1d/5d count trading days, 1m..1y start from the last
close on or before the same calendar day that many months earlier; YTD from the previous year's
last close; 52-week high over 365 calendar days; RSI(14) with Wilder smoothing = TA-Lib; SMA of
closes), and the Fed's target range is read from the statement text itself.

Prices as traded and dividend-adjusted closes are read from the file that holds each: the index
files (levels), the split-only large-cap file (SPY, QQQ, stocks), and for IWM and the sector ETFs
the yfinance file's rows that look traded: whole-cent closes with opens, highs and lows in tenths
of a cent, two or more days in a row (the rows after the last ex-dividend date before a download
are the traded prices; the file was stitched from several downloads); the yfinance file's closes
are the dividend-adjusted ones. A return is a price return where both closes are traded ones, else a total
return (the keys say which, as the tools do).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import talib

TRADING_DAYS = {"1d": 1, "5d": 5}
CALENDAR_MONTHS = {"1m": 1, "3m": 3, "6m": 6, "1y": 12, "3y": 36, "5y": 60, "10y": 120}
SECTOR_ETFS = ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY")
_INDICES = "indices_daily_2016_2026.csv.gz"
_YAHOO = "yahoo_etfs_indices_daily_to_2026-02.csv.gz"
_LARGE_CAPS = "us_large_caps_daily_2016_2026.csv.gz"
# The file each symbol's traded prices are read from (the rest: the large-cap file)
_TRADED_FILES = {
    _INDICES: ("^GSPC", "^IXIC", "^RUT", "^SOX"),
    _YAHOO: ("^DJI", "IWM", *SECTOR_ETFS),  # IWM and the sector ETFs: the whole-cent tail only
}
_ADJUSTED = ("SPY", "QQQ", "IWM", *SECTOR_ETFS)  # their dividend-adjusted closes: the yfinance file
# 2-for-1 splits the yfinance file holds unadjusted (its rows before the day are pre-split prices)
_SPLIT_2025 = dict.fromkeys(("XLB", "XLE", "XLK", "XLU", "XLY"), "2025-11-17")


@dataclass(frozen=True)
class Expected:
    """One figure the answer must hold: what the eval runner matches (key, symbol, unit, value)."""

    value: float
    key: str | None = None
    symbol: str | None = None
    unit: str | None = None
    tolerance: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class Reference:
    """Plain-pandas figures over ``shared_data``."""

    def __init__(self, shared_data: Path) -> None:
        self.root = shared_data

    @cache  # noqa: B019  (one Reference per test session)
    def _raw(self, name: str, symbol: str) -> pd.DataFrame:
        frame = pd.read_csv(self.root / "prices" / name, parse_dates=["date"])
        bars = frame[frame["symbol"] == symbol].set_index("date").sort_index()
        assert not bars.empty, f"{symbol} is not in {name}"
        return bars

    @cache  # noqa: B019
    def _file(self, name: str, symbol: str) -> pd.DataFrame:
        bars = self._raw(name, symbol).copy()
        if name == _YAHOO and symbol in _SPLIT_2025:  # its rows before the split are not adjusted for it
            before = bars.index < pd.Timestamp(_SPLIT_2025[symbol])
            bars.loc[before, ["open", "high", "low", "close"]] /= 2.0
        return bars

    def sessions(self, symbol: str) -> pd.DatetimeIndex:
        """Every trading day of ``symbol`` in the files the eval imports."""
        names = [n for n, symbols in _TRADED_FILES.items() if symbol in symbols] or [_LARGE_CAPS]
        if symbol in _ADJUSTED:
            names.append(_YAHOO)
        days = [self._file(n, symbol).index for n in dict.fromkeys(names)]
        return pd.DatetimeIndex(sorted(set().union(*days)))

    @cache  # noqa: B019
    def bars(self, symbol: str) -> pd.DataFrame:
        """Prices as traded (split-adjusted only)."""
        name = next((f for f, symbols in _TRADED_FILES.items() if symbol in symbols), _LARGE_CAPS)
        bars = self._file(name, symbol)
        if name == _YAHOO and not symbol.startswith("^"):
            # whole cents as the file holds them (a pre-split price halved is not); the final row
            # was captured intraday
            bars = bars.loc[_traded_rows(self._raw(name, symbol).iloc[:-1]).index]
        return bars

    def adjusted(self, symbol: str) -> pd.Series:
        """Dividend-adjusted closes (empty for symbols whose files have none)."""
        if symbol not in _ADJUSTED:
            return pd.Series(dtype=float)
        return self._file(_YAHOO, symbol)["close"].iloc[:-1]

    def upto(self, symbol: str, as_of: date) -> pd.DataFrame:
        """Traded bars up to as-of; the as-of session must be a traded one (the eval asks no others)."""
        bars = self.bars(symbol).loc[: pd.Timestamp(as_of)]
        assert len(bars) and bars.index[-1] >= pd.Timestamp(as_of) - timedelta(days=5), f"{symbol} {as_of}"
        return bars

    def period_return(
        self, symbol: str, period: str, as_of: date, start: date | None = None, end: date | None = None
    ) -> tuple[str, float]:
        """("price" or "total", the return in percent): the price return where both closes are
        traded ones, else the total return."""
        for kind, closes in (("price", self.bars(symbol)["close"]), ("total", self.adjusted(symbol))):
            value = _return(closes, period, min(as_of, end) if end else as_of, start, self.sessions(symbol))
            if value is not None:
                return kind, value
        raise AssertionError(f"no closes of one kind for {symbol} {period} as of {as_of}")

    def last_close(self, symbol: str, as_of: date) -> float:
        return float(self.upto(symbol, as_of)["close"].iloc[-1])

    def change_pct(self, symbol: str, as_of: date) -> float:
        closes = self.upto(symbol, as_of)["close"]
        return float((closes.iloc[-1] / closes.iloc[-2] - 1.0) * 100.0)

    def high_52w(self, symbol: str, as_of: date) -> float:
        """Over the 365 days to as-of, on the run of traded sessions ending at as-of (a session
        without a traded price, as IWM's of 2025-11-17..12-15 in the yfinance file, cuts it)."""
        bars = self.upto(symbol, as_of)
        name = next((f for f, symbols in _TRADED_FILES.items() if symbol in symbols), _LARGE_CAPS)
        sessions = self._file(name, symbol).loc[: bars.index[-1]].index
        missing = sessions.difference(bars.index)
        if len(missing):
            bars = bars.loc[bars.index > missing[-1]]
        window = bars.loc[bars.index > pd.Timestamp(bars.index[-1].date() - timedelta(days=365))]
        return float(window["high"].max())

    def rsi_14(self, symbol: str, as_of: date) -> float:
        closes = self.upto(symbol, as_of)["close"].to_numpy(dtype=np.float64)
        assert len(closes) >= 252, f"{symbol}: too few traded closes for a traded-price RSI"
        return float(talib.RSI(closes, timeperiod=14)[-1])

    def sma(self, symbol: str, window: int, as_of: date) -> float:
        return float(self.upto(symbol, as_of)["close"].iloc[-window:].mean())

    def sector_returns(self, period: str, as_of: date) -> tuple[str, dict[str, float]]:
        """One kind for all funds: price returns when every fund has one, else total returns."""
        found = {etf: self.period_return(etf, period, as_of) for etf in SECTOR_ETFS}
        if all(kind == "price" for kind, _ in found.values()):
            return "price", {etf: value for etf, (_, value) in found.items()}
        total = {
            etf: _return(self.adjusted(etf), period, as_of, None, self.sessions(etf)) for etf in SECTOR_ETFS
        }
        assert all(value is not None for value in total.values())
        return "total", {etf: float(value) for etf, value in total.items() if value is not None}

    def valuation(self, symbol: str, field: str) -> float:
        frame = pd.read_csv(self.root / "fundamentals" / "yahoo_quotesummary_valuation_snapshot_2025.csv")
        row = frame[frame["symbol"] == symbol]
        assert len(row) == 1, f"{symbol} is not in the valuation snapshot"
        return float(row[field].iloc[0])

    def fed_target_range(self, as_of: date) -> tuple[float, float]:
        """The federal funds target range of the latest FOMC statement on or before ``as_of``."""
        path = self.root / "corpus" / "fed_fomc_communications_2020_2026.jsonl.gz"
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle]
        statements = [r for r in rows if r["kind"] == "statement" and r["date"] <= as_of.isoformat()]
        latest = max(statements, key=lambda r: r["date"])
        found = re.search(
            r"target range for the federal funds rate[^.]*?(\d+(?:-\d/\d)?) to (\d+(?:-\d/\d)?) percent",
            latest["text"],
        )
        assert found, f"no target range in the statement of {latest['date']}"
        return _fraction(found.group(1)), _fraction(found.group(2))


def _return(
    closes: pd.Series, period: str, day: date, start: date | None, sessions: pd.DatetimeIndex
) -> float | None:
    """Close-to-close return up to ``day`` (None when ``closes`` lacks the close of either session:
    the periods count ``sessions``, every trading day, whether ``closes`` has it or not).

    Named periods besides the trailing ones: ``mtd``/``qtd``/``ytd`` from the last close of the
    previous month/quarter/year; a month ``2024-02``, quarter ``2025Q4`` or year ``2025`` from the
    last close before it to its last close (at most ``day``)."""
    first, last = _calendar(period)
    if last is not None:
        day = min(day, last)
    calendar = sessions[sessions <= pd.Timestamp(day)]
    end = calendar[-1]
    if period in TRADING_DAYS and start is None:
        base_day = calendar[-TRADING_DAYS[period] - 1]
    else:
        if start is not None:
            anchor = pd.Timestamp(start)
        elif first is not None:
            anchor = pd.Timestamp(first) - pd.Timedelta(days=1)
        elif period in ("mtd", "qtd", "ytd"):
            month = {"mtd": day.month, "qtd": (day.month - 1) // 3 * 3 + 1, "ytd": 1}[period]
            anchor = pd.Timestamp(date(day.year, month, 1)) - pd.Timedelta(days=1)
        else:
            anchor = end - pd.DateOffset(months=CALENDAR_MONTHS[period])
        base_day = calendar[calendar <= anchor][-1]
    if base_day not in closes.index or end not in closes.index:
        return None
    return float((closes.loc[end] / closes.loc[base_day] - 1.0) * 100.0)


def _traded_rows(bars: pd.DataFrame) -> pd.DataFrame:
    """Rows that look traded (see the module docstring), in runs of at least two."""

    def on_grid(values: pd.Series, step: float) -> pd.Series:
        units = values * (100 / step)
        return (units - units.round()).abs() <= units.abs() * 1e-7

    looks = on_grid(bars["close"], 1.0)
    for column in ("open", "high", "low"):
        looks &= on_grid(bars[column], 0.1)
    run = looks.ne(looks.shift()).cumsum()
    length = looks.groupby(run).transform("size")
    return bars.loc[looks & (length >= 2)]


def _calendar(period: str) -> tuple[date | None, date | None]:
    """First and last day of a named month ``2024-02``, quarter ``2025Q4`` or year ``2025``."""
    if re.fullmatch(r"\d{4}-\d{2}", period):
        start = pd.Timestamp(f"{period}-01")
        return start.date(), (start + pd.offsets.MonthEnd(0)).date()
    if re.fullmatch(r"\d{4}Q[1-4]", period):
        start = pd.Timestamp(date(int(period[:4]), 3 * int(period[-1]) - 2, 1))
        return start.date(), (start + pd.offsets.QuarterEnd(0)).date()
    if re.fullmatch(r"\d{4}", period):
        return date(int(period), 1, 1), date(int(period), 12, 31)
    return None, None


def _fraction(text: str) -> float:
    """'4-1/4' -> 4.25, '4' -> 4.0 (the Fed's way of writing quarter points)."""
    whole, _, part = text.partition("-")
    if not part:
        return float(whole)
    numerator, denominator = part.split("/")
    return float(whole) + float(numerator) / float(denominator)


def expected_figures(ref: Reference, spec: dict[str, Any], as_of: date) -> list[Expected]:
    """The figures one expectation spec of questions.jsonl stands for."""
    kind = spec["kind"]
    symbol: str = spec.get("symbol", "")
    if kind == "published":  # a figure published outside Verity (the seed report)
        return [Expected(spec["value"], spec.get("key"), symbol, spec.get("unit"), spec.get("tolerance"))]
    if kind == "return":
        start = date.fromisoformat(spec["start"]) if "start" in spec else None
        end = date.fromisoformat(spec["end"]) if "end" in spec else None
        period = "custom" if start else spec["period"]
        basis, value = ref.period_return(symbol, spec.get("period", "ytd"), as_of, start, end)
        return [Expected(value, f"{basis}_return_{period}", symbol, "%")]
    if kind == "quote":
        return [
            Expected(ref.last_close(symbol, as_of), "last_price", symbol),
            Expected(ref.change_pct(symbol, as_of), "change_pct", symbol, "%"),
        ]
    if kind == "high_52w":
        # no key: on a day that sets the high, day_high holds the same value and the verifier may
        # name either fact
        return [Expected(ref.high_52w(symbol, as_of), symbol=symbol)]
    if kind == "rsi":
        return [Expected(ref.rsi_14(symbol, as_of), "rsi_14", symbol)]
    if kind == "moving_averages":
        return [
            Expected(ref.sma(symbol, 50, as_of), "sma_50", symbol),
            Expected(ref.sma(symbol, 200, as_of), "sma_200", symbol),
        ]
    if kind == "valuation":
        return [
            Expected(ref.valuation(symbol, "trailing_pe"), "trailing_pe", symbol, "x"),
            Expected(ref.valuation(symbol, "forward_pe"), "forward_pe", symbol, "x"),
        ]
    if kind == "sectors":
        basis, returns = ref.sector_returns(spec["period"], as_of)
        best, worst = max(returns, key=returns.__getitem__), min(returns, key=returns.__getitem__)
        key = f"{basis}_return_{spec['period']}"
        return [Expected(returns[best], key, best, "%"), Expected(returns[worst], key, worst, "%")]
    if kind == "fed_target_range":
        low, high = ref.fed_target_range(as_of)
        return [Expected(low, unit="%"), Expected(high, unit="%")]
    raise ValueError(f"unknown expectation kind {kind!r}")

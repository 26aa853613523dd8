"""Expected values for the answer eval, computed with plain pandas (and TA-Lib) on the shared CSVs.

Nothing here imports ``tools/``: each figure is recomputed from the raw files with the conventions
DESIGN.md states (close-to-close returns over trading days, YTD from the previous year's last close,
52-week high over 365 calendar days, RSI(14) with Wilder smoothing = TA-Lib, SMA of closes), and
the Fed's target range is read from the statement text itself.
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

TRADING_DAYS = {"1d": 1, "5d": 5, "1m": 21, "3m": 63, "6m": 126, "1y": 252}
SECTOR_ETFS = ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY")
# The one file each symbol's figures are read from: where the snapshot's series for the eval dates
# comes from unchanged (index levels, the large caps' split-adjusted closes, Yahoo's ETF closes).
_FILES = {
    "indices_daily_2016_2026.csv.gz": ("^GSPC", "^IXIC", "^RUT", "^SOX"),
    "yahoo_etfs_indices_daily_to_2026-02.csv.gz": ("^DJI", "SPY", "QQQ", "IWM", *SECTOR_ETFS),
}
_LARGE_CAPS = "us_large_caps_daily_2016_2026.csv.gz"


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
    def bars(self, symbol: str) -> pd.DataFrame:
        name = next((f for f, symbols in _FILES.items() if symbol in symbols), _LARGE_CAPS)
        frame = pd.read_csv(self.root / "prices" / name, parse_dates=["date"])
        bars = frame[frame["symbol"] == symbol].set_index("date").sort_index()
        assert not bars.empty, f"{symbol} is not in {name}"
        return bars

    def upto(self, symbol: str, as_of: date) -> pd.DataFrame:
        return self.bars(symbol).loc[: pd.Timestamp(as_of)]

    def period_return(
        self, symbol: str, period: str, as_of: date, start: date | None = None, end: date | None = None
    ) -> float:
        closes = self.upto(symbol, min(as_of, end) if end else as_of)["close"]
        if start is not None:
            base = closes.loc[: pd.Timestamp(start)].iloc[-1]
        elif period == "ytd":
            base = closes.loc[: pd.Timestamp(date(as_of.year - 1, 12, 31))].iloc[-1]
        else:
            base = closes.iloc[-TRADING_DAYS[period] - 1]
        return float((closes.iloc[-1] / base - 1.0) * 100.0)

    def last_close(self, symbol: str, as_of: date) -> float:
        return float(self.upto(symbol, as_of)["close"].iloc[-1])

    def change_pct(self, symbol: str, as_of: date) -> float:
        closes = self.upto(symbol, as_of)["close"]
        return float((closes.iloc[-1] / closes.iloc[-2] - 1.0) * 100.0)

    def high_52w(self, symbol: str, as_of: date) -> float:
        bars = self.upto(symbol, as_of)
        window = bars.loc[bars.index > pd.Timestamp(bars.index[-1].date() - timedelta(days=365))]
        return float(window["high"].max())

    def rsi_14(self, symbol: str, as_of: date) -> float:
        closes = self.upto(symbol, as_of)["close"].to_numpy(dtype=np.float64)
        return float(talib.RSI(closes, timeperiod=14)[-1])

    def sma(self, symbol: str, window: int, as_of: date) -> float:
        return float(self.upto(symbol, as_of)["close"].iloc[-window:].mean())

    def sector_returns(self, period: str, as_of: date) -> dict[str, float]:
        return {etf: self.period_return(etf, period, as_of) for etf in SECTOR_ETFS}

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
        value = ref.period_return(symbol, spec.get("period", "ytd"), as_of, start, end)
        return [Expected(value, f"return_{period}", symbol, "%")]
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
        returns = ref.sector_returns(spec["period"], as_of)
        best, worst = max(returns, key=returns.__getitem__), min(returns, key=returns.__getitem__)
        key = f"return_{spec['period']}"
        return [Expected(returns[best], key, best, "%"), Expected(returns[worst], key, worst, "%")]
    if kind == "fed_target_range":
        low, high = ref.fed_target_range(as_of)
        return [Expected(low, unit="%"), Expected(high, unit="%")]
    raise ValueError(f"unknown expectation kind {kind!r}")

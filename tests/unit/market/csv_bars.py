"""Plain pandas reads of the real price CSVs, for the market tests (independent of the importer)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from tests.conftest import SHARED_DATA
from tools.providers.base import BAR_COLUMNS

PRICES = SHARED_DATA / "prices"
INDICES = "indices_daily_2016_2026.csv.gz"
YAHOO = "yahoo_etfs_indices_daily_to_2026-02.csv.gz"
ETFS_2025 = "etfs_daily_2025-01_to_2026-03.csv.gz"
LARGE_CAPS = "us_large_caps_daily_2016_2026.csv.gz"
SMALL_CAPS = "us_stocks_incl_small_caps_daily_2000_2024-03.csv.gz"


@lru_cache(maxsize=8)
def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(Path(PRICES) / name)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def bars(name: str, symbol: str) -> pd.DataFrame:
    """One symbol's daily bars as PriceHistory wants them: DatetimeIndex 'date', float64 OHLCV."""
    frame = _read(name)
    rows = frame.loc[frame["symbol"] == symbol, ["date", *BAR_COLUMNS]]
    out = rows.set_index("date").sort_index().astype("float64")
    assert not out.empty, f"{symbol} not in {name}"
    return out


def bars_for(name: str, symbols: list[str]) -> dict[str, pd.DataFrame]:
    return {symbol: bars(name, symbol) for symbol in symbols}

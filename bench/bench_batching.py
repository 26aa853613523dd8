"""Benchmark: a 15-symbol performance comparison makes ONE provider call (issue 2), timed.

Counts the calls the facade makes to its provider (an in-memory provider over the real CSVs,
counting calls) and, behind ``CachedProvider``, the calls that reach the inner provider on a cold
and a warm cache. The peer, measured in the same run, is the naive approach: one provider call
per symbol. Run: ``.venv/bin/python bench/bench_batching.py``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from copilot.config import get_settings
from tools.cache import CachedProvider, CacheTTL
from tools.market import MarketData
from tools.metrics.performance import period_return
from tools.metrics.periods import resolve
from tools.providers.memory import InMemoryProvider

SYMBOLS = [
    "^RUT",
    "^GSPC",
    "^IXIC",
    "^DJI",
    "IWM",
    "QQQ",
    "SPY",
    "XLK",
    "XLF",
    "XLE",
    "XLV",
    "XLU",
    "AAPL",
    "NVDA",
    "MSFT",
]
AS_OF = date(2026, 1, 9)
ROUNDS = 30


def _frames() -> dict[str, pd.DataFrame]:
    prices = get_settings().shared_data / "prices"
    sources = {
        "indices_daily_2016_2026.csv.gz": ["^GSPC", "^IXIC"],
        "yahoo_etfs_indices_daily_to_2026-02.csv.gz": ["^RUT", "^DJI", "IWM", "QQQ", "SPY"],
        "etfs_daily_2025-01_to_2026-03.csv.gz": ["XLK", "XLF", "XLE", "XLV", "XLU"],
        "us_large_caps_daily_2016_2026.csv.gz": ["AAPL", "NVDA", "MSFT"],
    }
    frames = {}
    for name, symbols in sources.items():
        table = pd.read_csv(prices / name, parse_dates=["date"])
        for symbol in symbols:
            rows = table.loc[table["symbol"] == symbol].set_index("date").sort_index()
            frames[symbol] = rows[["open", "high", "low", "close", "volume"]].astype("float64")
    return frames


def _naive(provider: InMemoryProvider) -> None:
    """The peer: one provider call per symbol, then the same return arithmetic."""
    window = resolve("ytd", AS_OF)
    for symbol in SYMBOLS:
        bars = provider.price_history([symbol], window.first_needed, AS_OF)[symbol].bars
        period_return(symbol, bars.loc[: AS_OF.isoformat()], window)


def _median(call, rounds: int = ROUNDS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    frames = _frames()
    direct = InMemoryProvider(frames)
    market = MarketData(direct, today=lambda: AS_OF)
    source = market.performance(SYMBOLS, "ytd", as_of=AS_OF)
    assert len(direct.calls) == 1, direct.calls
    print(
        f"15-symbol YTD comparison: {len(source.facts)} facts, provider calls: {len(direct.calls)} (goal 1)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        inner = InMemoryProvider(frames)
        cached = CachedProvider(inner, Path(tmp) / "cache.sqlite", CacheTTL())
        cached_market = MarketData(cached, today=lambda: AS_OF)
        started = time.perf_counter()
        cached_market.performance(SYMBOLS, "ytd", as_of=AS_OF)
        cold = time.perf_counter() - started
        cold_calls = len(inner.calls)
        warm = _median(lambda: cached_market.performance(SYMBOLS, "ytd", as_of=AS_OF))
        print(
            f"behind CachedProvider: cold cache {cold * 1e3:.1f} ms, inner calls {cold_calls} (goal 1); "
            f"warm cache {warm * 1e3:.2f} ms, inner calls still {len(inner.calls)}"
        )

    batched = _median(lambda: market.performance(SYMBOLS, "ytd", as_of=AS_OF))
    counting = InMemoryProvider(frames)
    _naive(counting)
    naive_calls = len(counting.calls)
    naive = _median(lambda: _naive(counting))
    print(f"facade, one batched call: {batched * 1e3:.2f} ms per comparison")
    print(f"naive peer, {naive_calls} calls:      {naive * 1e3:.2f} ms per comparison (no facts, no Source)")
    print(f"ratio batched / naive:    {batched / naive:.2f}x")


if __name__ == "__main__":
    main()

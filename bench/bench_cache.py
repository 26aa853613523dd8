"""Benchmark: the cached quote path and the batching of a 15-symbol request.

Goals (issue 2): a cached quote <= 1 ms; a 15-symbol comparison makes ONE provider call, not 15.
Peers measured in the same run: the same request to the snapshot provider itself, cold (a file
read per call, as a provider without a cache does) and memoised (its in-process memo).
Run: ``.venv/bin/python bench/bench_cache.py`` (VERITY_SHARED_DATA overrides the data folder).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from tools.cache import CachedProvider, CacheTTL
from tools.importer import import_snapshot
from tools.providers.base import Fundamentals, PriceHistory, SymbolMatch
from tools.providers.snapshot import SnapshotProvider

SHARED = Path(os.environ.get("VERITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
SYMBOLS = [
    "SPY",
    "QQQ",
    "IWM",
    "DIA",
    "XLK",
    "XLF",
    "XLV",
    "XLE",
    "XLI",
    "XLY",
    "XLP",
    "XLU",
    "XLB",
    "XLRE",
    "XLC",
]
TODAY = date(2026, 8, 21)
START = date(2025, 8, 1)  # the ~1 year a quote needs (52-week range, 3-month volume)
NOW = datetime(2026, 8, 21, 16, 0, tzinfo=UTC)
GOAL_MS = 1.0


class CountingProvider:
    """Counts the calls that reach the provider behind the cache."""

    def __init__(self, inner: SnapshotProvider) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0

    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        self.calls += 1
        return self.inner.price_history(symbols, start, end)

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        self.calls += 1
        return self.inner.fundamentals(symbol, as_of)

    def search(self, query: str) -> list[SymbolMatch]:
        return self.inner.search(query)


def _timings(call: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> int:
    prices = SHARED / "prices"
    sources = [
        prices / "etfs_daily_2025-01_to_2026-03.csv.gz",
        prices / "etfs_daily_recent_2026-03_to_2026-08.csv.gz",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "snapshot"
        import_snapshot(sources, snapshot)
        inner = CountingProvider(SnapshotProvider(snapshot))
        cached = CachedProvider(inner, Path(tmp) / "cache.sqlite", CacheTTL(), clock=lambda: NOW)

        cached.price_history(SYMBOLS, START, TODAY)
        print(f"15-symbol request, cold cache: {inner.calls} provider call(s) (goal: 1)")
        batched_ok = inner.calls == 1
        cached.price_history(SYMBOLS, START, TODAY)
        print(f"same request again: {inner.calls - 1} more provider call(s)")

        p50, p95 = _timings(lambda: cached.price_history(["SPY"], START, TODAY), 2000)
        restarted = CachedProvider(inner, Path(tmp) / "cache.sqlite", CacheTTL(), clock=lambda: NOW)
        started = time.perf_counter()
        restarted.price_history(["SPY"], START, TODAY)
        from_disk = (time.perf_counter() - started) * 1000
        cold50, cold95 = _timings(
            lambda: SnapshotProvider(snapshot).price_history(["SPY"], START, TODAY), 100
        )
        memo = SnapshotProvider(snapshot)
        memo50, memo95 = _timings(lambda: memo.price_history(["SPY"], START, TODAY), 2000)
        verdict = "OK" if p95 <= GOAL_MS else "MISSED"
        goal = f"goal <= {GOAL_MS} ms: {verdict}"
        print(f"cached quote path (memo hit): p50 {p50:.3f} ms, p95 {p95:.3f} ms ({goal})")
        print(f"cached quote after a restart (SQLite, memo cold): {from_disk:.2f} ms")
        print(
            f"peer: uncached snapshot read (file per call): p50 {cold50:.2f} ms, p95 {cold95:.2f} ms; "
            f"cached is {cold50 / p50:.0f}x faster"
        )
        print(
            f"peer: memoised snapshot provider: p50 {memo50:.3f} ms, p95 {memo95:.3f} ms; "
            f"cached / memoised = {p50 / memo50:.2f}x"
        )
    return 0 if batched_ok and p95 <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: import all of shared/data/prices into a snapshot, and read symbols back.

Goals (issue 2): the import of every price file <= 10 s; loading one symbol's history a few ms.
Peer measured in the same run: a plain ``pandas.read_csv`` of the same files (no split checks, no
seams, nothing written) — the floor of any importer that reads these CSVs with pandas.
Run: ``.venv/bin/python bench/bench_import.py`` (VERITY_SHARED_DATA overrides the data folder).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from tools.importer import import_snapshot
from tools.providers.snapshot import SnapshotProvider

SHARED = Path(os.environ.get("VERITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
GOAL_SECONDS = 10.0
RUNS = 3


def _peer(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        pd.read_csv(path)
    return time.perf_counter() - started


def main() -> int:
    prices = SHARED / "prices"
    files = sorted(prices.glob("*.csv*"))
    ours: list[float] = []
    peer: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(RUNS):
            peer.append(_peer(files))
            started = time.perf_counter()
            report = import_snapshot([prices], Path(tmp) / f"snap{run}")
            ours.append(time.perf_counter() - started)
        best, peer_best = min(ours), min(peer)
        rows = sum(r.rows for r in report.symbols.values())
        verdict = "OK" if best <= GOAL_SECONDS else "MISSED"
        print(
            f"import of {len(files)} price files ({rows:,} rows, {len(report.symbols)} symbols, "
            f"{len(report.splits)} splits adjusted): best {best:.2f} s, "
            f"median {statistics.median(ours):.2f} s (goal <= {GOAL_SECONDS:.0f} s: {verdict})"
        )
        ratio = best / peer_best
        print(
            f"peer pandas.read_csv of the same files: best {peer_best:.2f} s; importer / peer = {ratio:.1f}x"
        )
        snapshot = Path(tmp) / f"snap{RUNS - 1}"
        loads: dict[str, float] = {}
        for symbol in ("SPY", "AAPL", "^RUT", "XLK", "DIA"):
            times = []
            for _ in range(20):
                provider = SnapshotProvider(snapshot)  # fresh: no memo, a real file read each time
                _ = provider.manifest  # opened once per process; timed separately below
                started = time.perf_counter()
                provider.price_history([symbol], None, date(2026, 12, 31))
                times.append(time.perf_counter() - started)
            loads[symbol] = statistics.median(times) * 1000
        worst = max(loads.values())
        listed = ", ".join(f"{s} {ms:.1f} ms" for s, ms in loads.items())
        print(f"cold load of one symbol's whole history (median of 20): {listed}; worst {worst:.1f} ms")
        opens = []
        for _ in range(20):
            started = time.perf_counter()
            _ = SnapshotProvider(snapshot).manifest
            opens.append(time.perf_counter() - started)
        open_ms = statistics.median(opens) * 1000
        print(f"opening the snapshot (manifest.json, once per process): {open_ms:.1f} ms")
        memo = SnapshotProvider(snapshot)
        memo.price_history(["SPY"], None, date(2026, 12, 31))
        started = time.perf_counter()
        for _ in range(200):
            memo.price_history(["SPY"], date(2026, 1, 2), date(2026, 8, 21))
        print(f"memoised 8-month window of SPY: {(time.perf_counter() - started) / 200 * 1000:.3f} ms")
    return 0 if best <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the technical snapshot of a 10-year daily series against bare TA-Lib, in the same run.

The snapshot (``technical_metrics``) computes its indicators with TA-Lib (SMA/EMA 20/50/200, RSI 14,
MACD 12/26/9, Bollinger 20/2, ATR 14) and adds what TA-Lib lacks: crossovers, support/resistance
from swing points, volatility, drawdown, the choice of price basis and the Fact objects. Peer: the
bare TA-Lib calls for the same indicators. Goal: the whole snapshot within 10x the bare calls, and
its indicator values equal to TA-Lib's exactly. Run: ``.venv/bin/python bench/bench_technicals.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import talib

from copilot.config import get_settings
from tools.metrics.technicals import technical_metrics

ROUNDS = 300
GOAL_RATIO = 10.0


def _series() -> pd.DataFrame:
    path = get_settings().shared_data / "prices" / "indices_daily_2016_2026.csv.gz"
    frame = pd.read_csv(path, parse_dates=["date"])
    bars = frame.loc[frame["symbol"] == "^GSPC"].set_index("date")[["open", "high", "low", "close", "volume"]]
    return bars.astype("float64").assign(adj_close=np.nan, traded=1.0)


def talib_set(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> dict[str, float]:
    """The snapshot's indicators as bare TA-Lib calls (their last values)."""
    macd, signal, hist = talib.MACD(c, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(c, 20, 2.0, 2.0)
    out = {f"sma_{p}": talib.SMA(c, p)[-1] for p in (20, 50, 200)}
    out |= {f"ema_{p}": talib.EMA(c, p)[-1] for p in (20, 50, 200)}
    out |= {
        "rsi_14": talib.RSI(c, 14)[-1],
        "macd": macd[-1],
        "macd_signal": signal[-1],
        "macd_hist": hist[-1],
    }
    out |= {"bb_upper": upper[-1], "bb_middle": middle[-1], "bb_lower": lower[-1]}
    out["atr_14"] = talib.ATR(h, lo, c, 14)[-1]
    return out


def _alternate(calls: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median seconds per call, the contenders interleaved round by round (fair on a busy machine)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(ROUNDS):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    bars = _series()
    h, lo, c = (bars[col].to_numpy() for col in ("high", "low", "close"))
    reference = talib_set(h, lo, c)
    snapshot = technical_metrics("^GSPC", bars)
    facts = {f.key: f.value for f in snapshot.facts}
    worst = max(abs(facts[k] - reference[k]) / abs(reference[k]) for k in reference)
    timing = _alternate(
        {"talib": lambda: talib_set(h, lo, c), "snapshot": lambda: technical_metrics("^GSPC", bars)}
    )
    ratio = timing["snapshot"] / timing["talib"]
    verdict = "OK" if ratio <= GOAL_RATIO else "MISSED"
    print(f"series: ^GSPC daily, {len(c)} bars {bars.index[0].date()}..{bars.index[-1].date()}")
    print(f"bare TA-Lib, {len(reference)} indicator values (whole series): {timing['talib'] * 1e6:8.1f} us")
    print(f"full snapshot (technical_metrics, {len(facts)} facts):      {timing['snapshot'] * 1e6:8.1f} us")
    print(f"ratio full snapshot / bare TA-Lib calls: {ratio:6.2f}x (goal <= {GOAL_RATIO:g}x: {verdict})")
    print(f"max relative difference, snapshot vs TA-Lib values: {worst:.2e} (goal 0)")


if __name__ == "__main__":
    main()

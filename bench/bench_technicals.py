"""Benchmark: the technical snapshot of a 10-year daily series vs TA-Lib, in the same run.

Goal (issue 2): within 3x of TA-Lib's time for the same indicators (SMA/EMA 20/50/200, RSI 14,
MACD 12/26/9, Bollinger 20/2, ATR 14) and values equal to 1e-9 relative. TA-Lib computes whole
series (its API); ours computes what the snapshot needs (the last values and a 21-day tail for
crossovers). Also timed: the full snapshot (``technical_metrics``: the indicators plus levels,
crossovers, volatility, drawdown and the Fact objects) against the same code with TA-Lib computing
its indicators, and against the bare TA-Lib calls. Run: ``.venv/bin/python bench/bench_technicals.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pandas as pd
import talib

from copilot.config import get_settings
from tools import indicators as ind
from tools.metrics import MetricResult, technicals
from tools.metrics.technicals import CROSSOVER_LOOKBACK, technical_metrics

ROUNDS = 300


def _series() -> pd.DataFrame:
    path = get_settings().shared_data / "prices" / "indices_daily_2016_2026.csv.gz"
    frame = pd.read_csv(path, parse_dates=["date"])
    bars = frame.loc[frame["symbol"] == "^GSPC"].set_index("date")[["open", "high", "low", "close", "volume"]]
    return bars.astype("float64")


def talib_set(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> dict[str, float]:
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


def our_set(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> dict[str, float]:
    span = CROSSOVER_LOOKBACK + 1
    out = {f"sma_{p}": ind.sma(c, p, span)[-1] for p in (20, 50, 200)}
    out |= {f"ema_{p}": ind.ema(c, p, span)[-1] for p in (20, 50, 200)}
    macd = ind.macd(c, tail=span)
    bands = ind.bollinger(c, 20, 2.0, tail=1)
    out |= {"rsi_14": ind.rsi(c, 14, tail=1)[-1], "macd": macd.macd[-1], "macd_signal": macd.signal[-1]}
    out |= {"macd_hist": macd.hist[-1], "bb_upper": bands.upper[-1], "bb_middle": bands.middle[-1]}
    out |= {"bb_lower": bands.lower[-1], "atr_14": ind.atr(h, lo, c, 14, tail=1)[-1]}
    return out


def _tail(values: np.ndarray, tail: int | None) -> np.ndarray:
    return values if tail is None else values[-tail:]


# The same snapshot with TA-Lib computing the indicators: what a TA-Lib-based product would spend.
TALIB_INDICATORS = SimpleNamespace(
    sma=lambda x, p, tail=None: _tail(talib.SMA(x, p), tail),
    ema=lambda x, p, tail=None: _tail(talib.EMA(x, p), tail),
    rsi=lambda x, p=14, tail=None: _tail(talib.RSI(x, p), tail),
    macd=lambda x, tail=None: ind.MACD(*(_tail(a, tail) for a in talib.MACD(x, 12, 26, 9))),
    bollinger=lambda x, p=20, d=2.0, tail=None: ind.Bands(
        *(_tail(a, tail) for a in talib.BBANDS(x, p, d, d))
    ),
    atr=lambda h, lo, c, p=14, tail=None: _tail(talib.ATR(h, lo, c, p), tail),
    swing_points=ind.swing_points,
    log_return_volatility=ind.log_return_volatility,
    max_drawdown=ind.max_drawdown,
)


def talib_snapshot(bars: pd.DataFrame) -> MetricResult:
    technicals.ind = TALIB_INDICATORS  # type: ignore[assignment]  # a plain swap: no mock overhead
    try:
        return technical_metrics("^GSPC", bars)
    finally:
        technicals.ind = ind


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
    ref, ours = talib_set(h, lo, c), our_set(h, lo, c)
    snapshot = technical_metrics("^GSPC", bars)
    facts = {f.key: f.value for f in snapshot.facts}
    peer = {f.key: f.value for f in talib_snapshot(bars).facts}
    assert peer.keys() == facts.keys()
    worst_facts = max(abs(facts[k] - peer[k]) / abs(peer[k]) for k in peer)
    worst = max(abs(ours[k] - ref[k]) / abs(ref[k]) for k in ref)
    worst_snapshot = max(abs(facts[k] - ref[k]) / abs(ref[k]) for k in ref)
    full = [
        (ind.sma(c, 200), talib.SMA(c, 200)),
        (ind.ema(c, 200), talib.EMA(c, 200)),
        (ind.rsi(c), talib.RSI(c, 14)),
        *zip(ind.macd(c), talib.MACD(c, 12, 26, 9), strict=True),
        *zip(ind.bollinger(c), talib.BBANDS(c, 20, 2.0, 2.0), strict=True),
        (ind.atr(h, lo, c), talib.ATR(h, lo, c, 14)),
    ]
    worst_series = max(np.nanmax(np.abs(a - b) / np.abs(b)) for a, b in full)
    timing = _alternate(
        {
            "talib": lambda: talib_set(h, lo, c),
            "ours": lambda: our_set(h, lo, c),
            "snapshot": lambda: technical_metrics("^GSPC", bars),
            "talib_snapshot": lambda: talib_snapshot(bars),
        }
    )
    print(f"series: ^GSPC daily, {len(c)} bars {bars.index[0].date()}..{bars.index[-1].date()}")
    print(f"TA-Lib, 10 indicators (whole series):       {timing['talib'] * 1e6:8.1f} us")
    print(f"ours, same indicators (snapshot values):    {timing['ours'] * 1e6:8.1f} us")
    print(
        f"ratio ours / TA-Lib:                        {timing['ours'] / timing['talib']:8.2f}x (goal <= 3x)"
    )
    print(f"full snapshot (technical_metrics, {len(facts)} facts):{timing['snapshot'] * 1e6:8.1f} us")
    print(f"same snapshot, TA-Lib computing indicators: {timing['talib_snapshot'] * 1e6:8.1f} us")
    print(
        f"ratio full snapshot / TA-Lib-based snapshot: {timing['snapshot'] / timing['talib_snapshot']:7.2f}x"
    )
    print(f"ratio full snapshot / bare TA-Lib calls:    {timing['snapshot'] / timing['talib']:8.2f}x")
    print(f"max relative difference, snapshot values:   {max(worst, worst_snapshot):.2e} (goal <= 1e-9)")
    print(f"max relative difference, all {len(peer)} facts:     {worst_facts:.2e} (vs TA-Lib-based snapshot)")
    print(f"max relative difference, whole series:      {worst_series:.2e}")


if __name__ == "__main__":
    main()

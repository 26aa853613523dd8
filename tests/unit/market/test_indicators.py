"""Indicators against TA-Lib (the reference) and plain pandas, on real 10-year daily series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import talib

from tests.unit.market.csv_bars import INDICES, LARGE_CAPS, bars
from tools import indicators as ind

RTOL = 1e-9


def _series(name: str, symbol: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frame = bars(name, symbol)
    assert len(frame) > 2500  # ten years of trading days
    return frame["high"].to_numpy(), frame["low"].to_numpy(), frame["close"].to_numpy()


SERIES = [(INDICES, "^GSPC"), (INDICES, "^RUT"), (LARGE_CAPS, "AAPL"), (LARGE_CAPS, "NVDA")]


def _assert_matches(ours: np.ndarray, ref: np.ndarray) -> None:
    """Same warm-up (NaN positions) and every value equal to RTOL relative."""
    assert ours.shape == ref.shape
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    valid = ~np.isnan(ref)
    assert valid.any()
    worst = np.max(np.abs(ours[valid] - ref[valid]) / np.abs(ref[valid]))
    assert worst <= RTOL, worst


@pytest.fixture(scope="module", params=SERIES, ids=[s for _, s in SERIES])
def hlc(request: pytest.FixtureRequest) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return _series(*request.param)


@pytest.mark.parametrize("period", [20, 50, 200])
def test_moving_averages_equal_talib(hlc, period: int) -> None:
    _, _, close = hlc
    _assert_matches(ind.sma(close, period), talib.SMA(close, period))
    _assert_matches(ind.ema(close, period), talib.EMA(close, period))


def test_rsi_macd_bollinger_atr_equal_talib(hlc) -> None:
    high, low, close = hlc
    _assert_matches(ind.rsi(close, 14), talib.RSI(close, 14))
    for ours, ref in zip(ind.macd(close, 12, 26, 9), talib.MACD(close, 12, 26, 9), strict=True):
        _assert_matches(ours, ref)
    for ours, ref in zip(ind.bollinger(close, 20, 2.0), talib.BBANDS(close, 20, 2.0, 2.0), strict=True):
        _assert_matches(ours, ref)
    _assert_matches(ind.atr(high, low, close, 14), talib.ATR(high, low, close, 14))


@pytest.mark.parametrize("tail", [1, 21, 300])
def test_tails_equal_the_end_of_talib_series(hlc, tail: int) -> None:
    high, low, close = hlc
    for period in (20, 50, 200):
        _assert_matches(ind.sma(close, period, tail=tail), talib.SMA(close, period)[-tail:])
        _assert_matches(ind.ema(close, period, tail=tail), talib.EMA(close, period)[-tail:])
    _assert_matches(ind.rsi(close, 14, tail=tail), talib.RSI(close, 14)[-tail:])
    for ours, ref in zip(ind.macd(close, tail=tail), talib.MACD(close, 12, 26, 9), strict=True):
        _assert_matches(ours, ref[-tail:])
    for ours, ref in zip(ind.bollinger(close, tail=tail), talib.BBANDS(close, 20, 2.0, 2.0), strict=True):
        _assert_matches(ours, ref[-tail:])
    _assert_matches(ind.atr(high, low, close, tail=tail), talib.ATR(high, low, close, 14)[-tail:])


@pytest.mark.parametrize("length", [15, 30, 40, 60, 250])
def test_short_series_keep_talib_warm_up(length: int) -> None:
    high, low, close = (a[:length] for a in _series(INDICES, "^GSPC"))
    for tail in (None, 5):
        keep = slice(None) if tail is None else slice(-tail, None)
        for period in (20, 200):
            assert np.all(np.isnan(ind.sma(close, period, tail=tail))) == (length < period)
            ours = ind.ema(close, period, tail=tail)
            if length >= period + (tail or 0):
                _assert_matches(ours, talib.EMA(close, period)[keep])
        if length > 33 + (tail or 0):
            for ours, ref in zip(ind.macd(close, tail=tail), talib.MACD(close, 12, 26, 9), strict=True):
                _assert_matches(ours, ref[keep])
        if length > 14 + (tail or 0):
            _assert_matches(ind.rsi(close, tail=tail), talib.RSI(close, 14)[keep])
            _assert_matches(ind.atr(high, low, close, tail=tail), talib.ATR(high, low, close, 14)[keep])


def test_volatility_is_annualised_sample_stdev_of_log_returns() -> None:
    close = bars(INDICES, "^RUT")["close"]
    expected = np.log(close).diff().rolling(20).std().iloc[-1] * math.sqrt(252)
    assert ind.log_return_volatility(close.to_numpy(), 20) == pytest.approx(expected, rel=1e-12)


def test_max_drawdown_matches_pandas_cummax() -> None:
    close = bars(INDICES, "^GSPC")["close"]
    window = close.loc["2020-01-01":"2020-12-31"]
    drawdown = window / window.cummax() - 1
    result = ind.max_drawdown(window.to_numpy())
    assert result.depth == pytest.approx(drawdown.min(), rel=1e-12)
    assert window.index[result.trough_index] == drawdown.idxmin()
    assert window.index[result.peak_index] == window.loc[: drawdown.idxmin()].idxmax()
    # the COVID crash: peak 2020-02-19, trough 2020-03-23, about -34%
    assert window.index[result.peak_index] == pd.Timestamp("2020-02-19")
    assert window.index[result.trough_index] == pd.Timestamp("2020-03-23")


def test_swing_points_equal_a_plain_loop() -> None:
    frame = bars(INDICES, "^RUT").iloc[-300:]
    span = 5
    for kind, column in (("high", "high"), ("low", "low")):
        values = frame[column].to_numpy()
        expected = []
        for i in range(span, len(values) - span):
            window = list(values[i - span : i + span + 1])
            best = max(window) if kind == "high" else min(window)
            if values[i] == best and window.count(best) == 1:
                expected.append(i)
        assert ind.swing_points(values, span, kind).tolist() == expected
        assert expected  # a year of real prices has swings

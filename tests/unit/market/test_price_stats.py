"""The statistics TA-Lib lacks (volatility, drawdown, swing points) against plain pandas and loops."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.unit.market.csv_bars import INDICES, bars
from tools.metrics import price_stats as stats


def test_volatility_is_annualised_sample_stdev_of_log_returns() -> None:
    close = bars(INDICES, "^RUT")["close"]
    expected = np.log(close).diff().rolling(20).std().iloc[-1] * math.sqrt(252)
    assert stats.log_return_volatility(close.to_numpy(), 20) == pytest.approx(expected, rel=1e-12)
    assert math.isnan(stats.log_return_volatility(close.to_numpy()[:20], 20))  # 20 closes: 19 returns


def test_max_drawdown_matches_pandas_cummax() -> None:
    close = bars(INDICES, "^GSPC")["close"]
    window = close.loc["2020-01-01":"2020-12-31"]
    drawdown = window / window.cummax() - 1
    result = stats.max_drawdown(window.to_numpy())
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
        assert stats.swing_points(values, span, kind).tolist() == expected
        assert expected  # a year of real prices has swings

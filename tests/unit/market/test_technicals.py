"""The technical snapshot of the facade against TA-Lib and pandas on the same bars."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import talib

from copilot.errors import NoDataError
from tests.unit.market.csv_bars import INDICES, LARGE_CAPS, YAHOO, bars
from tests.unit.market.market_fixtures import IgnoresEndProvider, market
from tools.providers.memory import InMemoryProvider

RTOL = 1e-9


def _window(frame: pd.DataFrame, source) -> pd.DataFrame:
    """The bars the facade used: from details["history_start"] to the as-of bar."""
    return frame.loc[source.details["history_start"] : source.as_of.isoformat()]


@pytest.mark.parametrize(
    ("name", "symbol", "as_of"),
    [
        (YAHOO, "IWM", date(2026, 1, 9)),
        (INDICES, "^GSPC", date(2025, 4, 8)),
        (LARGE_CAPS, "NVDA", date(2024, 6, 14)),
    ],
)
def test_indicator_facts_equal_talib_on_the_same_bars(name: str, symbol: str, as_of: date) -> None:
    frame = bars(name, symbol)
    source = market().technicals(symbol, as_of=as_of)
    window = _window(frame, source)
    assert len(window) == source.details["history_bars"] > 1200
    h, lo, c = (window[col].to_numpy() for col in ("high", "low", "close"))
    macd, signal, hist = talib.MACD(c, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(c, 20, 2.0, 2.0)
    expected = {
        "last_close": c[-1],
        "sma_20": talib.SMA(c, 20)[-1],
        "sma_50": talib.SMA(c, 50)[-1],
        "sma_200": talib.SMA(c, 200)[-1],
        "ema_20": talib.EMA(c, 20)[-1],
        "ema_50": talib.EMA(c, 50)[-1],
        "ema_200": talib.EMA(c, 200)[-1],
        "rsi_14": talib.RSI(c, 14)[-1],
        "macd": macd[-1],
        "macd_signal": signal[-1],
        "macd_hist": hist[-1],
        "bb_upper": upper[-1],
        "bb_middle": middle[-1],
        "bb_lower": lower[-1],
        "atr_14": talib.ATR(h, lo, c, 14)[-1],
    }
    got = {key: source.fact(key).value for key in expected}
    assert got == pytest.approx(expected, rel=RTOL, abs=0)
    # volatility and drawdown: plain pandas
    close = window["close"]
    vol = np.log(close).diff().iloc[-20:].std() * math.sqrt(252) * 100
    assert source.fact("volatility_20d").value == pytest.approx(vol, rel=1e-12)
    year = close.loc[close.index > close.index[-1] - timedelta(days=365)]
    assert source.fact("max_drawdown_1y").value == pytest.approx(
        (year / year.cummax() - 1).min() * 100, rel=1e-12
    )
    rsi = expected["rsi_14"]
    assert source.details["rsi_state"] == (
        "overbought" if rsi > 70 else "oversold" if rsi < 30 else "neutral"
    )
    for period in (20, 50, 200):
        side = "above" if c[-1] > expected[f"sma_{period}"] else "below"
        assert source.details[f"price_vs_sma_{period}"] == side
    assert source.fact("rsi_14").unit == "points" and source.fact("volatility_20d").unit == "%"


def test_april_2025_selloff_is_oversold_below_the_200_day() -> None:
    source = market().technicals("S&P 500", as_of=date(2025, 4, 8))
    assert source.details["rsi_state"] == "oversold"
    assert source.details["price_vs_sma_200"] == "below"
    assert source.details["bollinger_position"] == "below the lower band"
    assert source.fact("max_drawdown_1y").value < -15


def test_golden_cross_is_reported_on_the_day_pandas_finds_it() -> None:
    close = bars(INDICES, "^GSPC")["close"]
    diff = close.rolling(50).mean() - close.rolling(200).mean()
    crossed = diff.index[(diff.shift(1) <= 0) & (diff > 0)]
    day = crossed[crossed > pd.Timestamp("2023-01-01")][0]  # the first golden cross of 2023
    as_of = (day + timedelta(days=7)).date()
    source = market().technicals("^GSPC", as_of=as_of)
    text = f"golden cross: the 50-day SMA crossed above the 200-day SMA on {day.date()}"
    assert text in source.details["crossovers"]


def test_support_and_resistance_are_swing_points_around_the_close() -> None:
    frame = bars(YAHOO, "^RUT")
    source = market().technicals("^RUT", as_of=date(2025, 6, 2))
    last = source.fact("last_close").value
    upto = frame.loc[:"2025-06-02"].iloc[-252:]
    for key in ("support_1", "support_2", "resistance_1", "resistance_2"):
        fact = source.fact(key)
        assert fact is not None, key
        column = "low" if key.startswith("support") else "high"
        when = fact.label.split(" of ")[1].rstrip(")")
        i = upto.index.get_loc(pd.Timestamp(when))
        around = upto[column].iloc[i - 5 : i + 6]
        assert fact.value == upto[column].iloc[i]
        assert fact.value == (around.min() if column == "low" else around.max())
    assert source.fact("support_2").value < source.fact("support_1").value < last
    assert last < source.fact("resistance_1").value < source.fact("resistance_2").value


def test_at_a_new_high_there_is_no_resistance() -> None:
    source = market().technicals("IWM", as_of=date(2026, 1, 9))
    assert source.fact("resistance_1") is None
    assert {"resistance_1", "resistance_2"} <= set(source.details["missing"])
    assert "above every swing high" in source.details["resistance_note"]


def test_technicals_ignore_bars_after_as_of() -> None:
    frame = bars(YAHOO, "IWM")
    as_of = date(2025, 9, 30)
    lying = market(IgnoresEndProvider({"IWM": frame})).technicals("IWM", as_of=as_of)
    honest = market(InMemoryProvider({"IWM": frame.loc[:"2025-09-30"]})).technicals("IWM", as_of=as_of)
    assert lying.id == honest.id and lying.as_of == as_of


def test_short_series() -> None:
    frame = bars(YAHOO, "IWM")
    young = market(InMemoryProvider({"IWM": frame.iloc[:100]}))
    source = young.technicals("IWM", as_of=frame.index[99].date())
    assert source.fact("sma_200") is None and source.fact("sma_50") is not None
    assert {"sma_200", "ema_200"} <= set(source.details["missing"])
    with pytest.raises(NoDataError, match="at least 35"):
        market(InMemoryProvider({"IWM": frame.iloc[:20]})).technicals("IWM", as_of=frame.index[19].date())

"""Quote facts against plain pandas arithmetic on the shared CSVs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from copilot.errors import BadInputError, NoDataError
from tests.unit.market.csv_bars import INDICES, YAHOO, bars
from tests.unit.market.market_fixtures import IgnoresEndProvider, csv_provider, market
from tools.providers.memory import InMemoryProvider

AS_OF = date(2026, 1, 9)


def _expected(frame, as_of: date) -> dict[str, float]:
    upto = frame.loc[: as_of.isoformat()]
    last, prev = upto.iloc[-1], upto.iloc[-2]
    year = upto.loc[upto.index > upto.index[-1] - timedelta(days=365)]
    volume = upto["volume"]
    out = {
        "last_price": last["close"],
        "prev_close": prev["close"],
        "change": last["close"] - prev["close"],
        "change_pct": (last["close"] / prev["close"] - 1) * 100,
        "open": last["open"],
        "day_high": last["high"],
        "day_low": last["low"],
        "volume": last["volume"],
        "avg_volume_50d": volume.rolling(50).mean().iloc[-1],
        "avg_volume_3m": volume.rolling(63).mean().iloc[-1],
        "high_52w": year["high"].max(),
        "low_52w": year["low"].min(),
    }
    if out["avg_volume_50d"] > 0:
        out["volume_ratio_50d"] = out["volume"] / out["avg_volume_50d"]
    out["pct_from_high_52w"] = (out["last_price"] / out["high_52w"] - 1) * 100
    out["pct_from_low_52w"] = (out["last_price"] / out["low_52w"] - 1) * 100
    return out


def test_iwm_quote_equals_pandas_on_the_yahoo_file() -> None:
    source = market().quote("IWM", as_of=AS_OF)
    expected = _expected(bars(YAHOO, "IWM"), AS_OF)
    got = {f.key: f.value for f in source.facts}
    assert got == pytest.approx(expected, rel=1e-12)
    assert source.fact("last_price").unit == "USD" and source.fact("volume").unit == "shares"
    assert source.fact("volume_ratio_50d").unit == "x" and source.fact("pct_from_high_52w").unit == "%"
    assert source.details["volume_vs_50d_average"] == "below"
    assert source.details["high_52w_date"] == "2026-01-09"  # IWM made its 52-week high that day
    assert source.tool == "quote" and source.kind == "market_data" and source.provider == "memory"
    assert source.arguments == {"symbol": "IWM", "as_of": "2026-01-09"}
    assert source.as_of == AS_OF


def test_quote_by_name_on_a_weekend_uses_fridays_bar() -> None:
    source = market().quote("Russell 2000", as_of=date(2026, 1, 11))  # Sunday
    expected = _expected(bars(YAHOO, "^RUT"), date(2026, 1, 9))
    assert source.fact("last_price").value == pytest.approx(expected["last_price"], rel=1e-12)
    assert source.fact("last_price").unit == "points"
    assert source.as_of == date(2026, 1, 9)
    assert source.arguments == {"symbol": "^RUT", "name": "Russell 2000", "as_of": "2026-01-11"}
    assert source.details["related_symbols"] == ["IWM"]  # the index is primary, the ETF related


def test_52_week_range_as_of_an_earlier_date_ignores_later_highs() -> None:
    frame = bars(YAHOO, "IWM")
    early = date(2025, 6, 2)
    source = market(IgnoresEndProvider({"IWM": frame})).quote("IWM", as_of=early)
    expected = _expected(frame, early)
    assert source.fact("high_52w").value == pytest.approx(expected["high_52w"], rel=1e-12)
    assert source.fact("high_52w").value < frame["high"].max()  # later highs never leak in
    assert all(f.as_of == date(2025, 6, 2) for f in source.facts)


def test_index_without_volume_reports_it_missing() -> None:
    source = market().quote("VIX", as_of=date(2025, 4, 8))  # Yahoo reports no ^VIX volume
    assert source.fact("volume") is None and source.fact("volume_ratio_50d") is None
    assert source.details["missing"] == ["volume", "avg_volume_50d", "avg_volume_3m", "volume_ratio_50d"]
    assert any("no volume" in note for note in source.notes)
    expected = _expected(bars(YAHOO, "^VIX"), date(2025, 4, 8))
    assert source.fact("high_52w").value == pytest.approx(expected["high_52w"], rel=1e-12)
    # ^GSPC has a few zero-volume days in the IBKR file: the averages over them are refused
    gspc = market().quote("^GSPC", as_of=date(2016, 10, 3))
    zero_days = bars(INDICES, "^GSPC").loc[:"2016-10-03", "volume"].iloc[-50:].eq(0).sum()
    assert zero_days > 0 and "avg_volume_50d" in gspc.details["missing"]


def test_quote_errors() -> None:
    md = market()
    with pytest.raises(BadInputError, match="future"):
        md.quote("IWM", as_of=date(2027, 1, 1))
    with pytest.raises(NoDataError, match="IWM"):
        md.quote("IWM", as_of=date(1999, 1, 4))
    one_day = InMemoryProvider({"IWM": bars(YAHOO, "IWM").iloc[:1]})
    with pytest.raises(NoDataError, match="two closes"):
        market(one_day).quote("IWM", as_of=date(2000, 6, 1))


def test_a_series_that_ended_long_before_the_analysis_date_keeps_its_full_52_week_range() -> None:
    # SOFI's file ends 2024-03-08: as of 2025-01-01 the quote is that bar's, and its 52-week range
    # must be the year before that bar (high 11.70, low 4.45), not the few months the window
    # counted back from the analysis date left (10.49 / 7.00, "the series starts later")
    from tests.unit.market.csv_bars import SMALL_CAPS

    frame = bars(SMALL_CAPS, "SOFI")
    source = market(csv_provider({"SOFI": frame})).quote("SOFI", as_of=date(2025, 1, 1))
    expected = _expected(frame, date(2024, 3, 8))
    got = {f.key: f.value for f in source.facts}
    assert got == pytest.approx(expected, rel=1e-12)
    assert source.as_of == date(2024, 3, 8)
    assert any("2024-03-08" in note and "299 days before" in note for note in source.notes)
    assert not any("starts later" in note for note in source.notes)

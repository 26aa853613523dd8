"""Period returns and comparisons against plain pandas arithmetic on the shared CSVs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from copilot.errors import BadInputError, NoDataError, UnknownSymbolError
from tests.unit.market.csv_bars import INDICES, LARGE_CAPS, YAHOO, bars
from tests.unit.market.market_fixtures import IgnoresEndProvider, csv_provider, market
from tools.providers.memory import InMemoryProvider

AS_OF = date(2026, 1, 9)


def _returns(source, key: str) -> dict[str, float]:
    return {f.symbol: f.value for f in source.facts if f.key == key}


def test_russell_2000_ytd_is_the_seed_notes_5_73_percent() -> None:
    """^RUT closed 2025-12-31 at 2481.91 and 2026-01-09 at 2624.22 (Yahoo file): +5.73%."""
    source = market().performance(["Russell 2000"], "ytd", as_of=AS_OF)
    assert round(source.fact("return_ytd").value, 2) == 5.73
    assert source.fact("start_close").value == pytest.approx(2481.91, abs=0.005)
    assert source.fact("end_close").value == pytest.approx(2624.22, abs=0.005)
    assert source.fact("return_ytd").display() == "5.73%"
    assert source.arguments == {
        "symbols": ["^RUT"],
        "period": "ytd",
        "as_of": "2026-01-09",
        "names": ["Russell 2000"],
    }


def test_index_ytd_against_pandas_and_the_seed_note() -> None:
    """The IBKR index file gives ^GSPC +1.76% and ^IXIC +1.85% YTD on 2026-01-09.

    The seed note quotes +1.46% and +1.11%: our data does NOT agree (those figures match no single
    close of the first January weeks of either index), so the tests assert what the data says.
    """
    provider = csv_provider()
    source = market(provider).performance(["^RUT", "S&P 500", "Nasdaq"], "ytd", as_of=AS_OF)
    expected = {}
    for symbol, name in (("^GSPC", INDICES), ("^IXIC", INDICES), ("^RUT", YAHOO)):
        close = bars(name, symbol)["close"]
        expected[symbol] = (close.loc["2026-01-09"] / close.loc["2025-12-31"] - 1) * 100
    got = _returns(source, "return_ytd")
    assert got == pytest.approx(expected, rel=1e-12)
    assert round(got["^GSPC"], 2) == 1.76 and round(got["^IXIC"], 2) == 1.85
    assert round(got["^GSPC"], 2) != 1.46 and round(got["^IXIC"], 2) != 1.11
    assert provider.calls == [("price_history", ("^RUT", "^GSPC", "^IXIC"))]  # one batched call
    ratio = source.fact("relative_to_^GSPC")
    assert ratio.value == pytest.approx(expected["^RUT"] / expected["^GSPC"], rel=1e-12)
    assert ratio.unit == "x" and ratio.symbol == "^RUT" and ratio.display() == "3.2x"
    spread = source.fact("spread_vs_^IXIC")
    assert spread.value == pytest.approx(expected["^RUT"] - expected["^IXIC"], rel=1e-12)
    assert source.details["leader"] == "^RUT"
    assert "^RUT, ^GSPC, ^IXIC: index levels, price return (no dividends)." in source.notes


@pytest.mark.parametrize(
    ("period", "days"), [("1d", 1), ("5d", 5), ("1m", 21), ("3m", 63), ("6m", 126), ("1y", 252)]
)
def test_trading_day_periods_equal_pandas_shift(period: str, days: int) -> None:
    close = bars(LARGE_CAPS, "AAPL")["close"].loc[:"2025-06-13"]
    expected = (close.iloc[-1] / close.shift(days).iloc[-1] - 1) * 100
    source = market().performance(["AAPL"], period, as_of=date(2025, 6, 15))  # a Sunday
    assert source.fact(f"return_{period}").value == pytest.approx(expected, rel=1e-12)
    assert source.fact("end_close").as_of == date(2025, 6, 13)
    assert source.as_of == date(2025, 6, 13)


def test_custom_range_from_start_close_equals_ytd() -> None:
    md = market()
    custom = md.performance(["^RUT"], None, start=date(2025, 12, 31), end=AS_OF, as_of=date(2026, 2, 1))
    assert custom.fact("return_custom").value == pytest.approx(
        market().performance(["^RUT"], "ytd", as_of=AS_OF).fact("return_ytd").value, rel=1e-15
    )
    assert custom.arguments["start"] == "2025-12-31" and custom.arguments["end"] == "2026-01-09"
    # a start on a holiday uses the last close before it
    close = bars(YAHOO, "^RUT")["close"]
    source = md.performance(["^RUT"], None, start=date(2025, 7, 4), end=date(2025, 8, 1), as_of=AS_OF)
    expected = (close.loc["2025-08-01"] / close.loc["2025-07-03"] - 1) * 100
    assert source.fact("return_custom").value == pytest.approx(expected, rel=1e-12)


def test_result_as_of_an_earlier_date_ignores_later_bars() -> None:
    full = bars(YAHOO, "^RUT")
    cut = full.loc[:"2026-01-09"]
    lying = IgnoresEndProvider({"^RUT": full, "^GSPC": bars(INDICES, "^GSPC")})
    honest = InMemoryProvider({"^RUT": cut, "^GSPC": bars(INDICES, "^GSPC").loc[:"2026-01-09"]})
    for period in ("1d", "1m", "ytd"):
        a = market(lying).performance(["^RUT", "^GSPC"], period, as_of=AS_OF)
        b = market(honest).performance(["^RUT", "^GSPC"], period, as_of=AS_OF)
        assert [f.model_dump() for f in a.facts] == [f.model_dump() for f in b.facts]
        assert a.id == b.id
        assert all(f.as_of is not None and f.as_of <= AS_OF for f in a.facts)


def test_a_missing_day_uses_the_last_close_before_it() -> None:
    full = bars(YAHOO, "^RUT")
    gappy = full.drop(pd.Timestamp("2025-12-31"))
    source = market(InMemoryProvider({"^RUT": gappy})).performance(["^RUT"], "ytd", as_of=AS_OF)
    expected = (full["close"].loc["2026-01-09"] / full["close"].loc["2025-12-30"] - 1) * 100
    assert source.fact("return_ytd").value == pytest.approx(expected, rel=1e-12)
    assert source.notes == ["^RUT: index levels, price return (no dividends)."]  # one day is no gap
    # a three-week hole is reported in the notes, and the 1m window counts the bars present
    holed = full.drop(full.loc["2025-12-10":"2025-12-31"].index)
    source = market(InMemoryProvider({"^RUT": holed})).performance(["^RUT"], "ytd", as_of=AS_OF)
    assert source.fact("start_close").value == holed["close"].loc["2025-12-09"]
    assert any("gap in the series" in note for note in source.notes)
    one_month = market(InMemoryProvider({"^RUT": holed})).performance(["^RUT"], "1m", as_of=AS_OF)
    upto = holed["close"].loc[:"2026-01-09"]
    expected = (upto.iloc[-1] / upto.iloc[-22] - 1) * 100
    assert one_month.fact("return_1m").value == pytest.approx(expected, rel=1e-12)
    assert any("calendar days" in note for note in one_month.notes)


def test_opposite_signs_get_a_spread_but_no_ratio() -> None:
    source = market().performance(["^VIX", "^GSPC"], "1m", as_of=date(2025, 4, 8))
    vix, spx = (f.value for f in source.facts if f.key == "return_1m")
    assert vix > 0 > spx  # April 2025: volatility up, stocks down
    assert source.fact("relative_to_^GSPC") is None
    assert source.fact("spread_vs_^GSPC").value == pytest.approx(vix - spx)
    assert "no ratio" in source.details["relative"][0]


def test_bad_requests_are_typed_errors() -> None:
    md = market()
    with pytest.raises(BadInputError, match="in the future"):
        md.performance(["^RUT"], "ytd", as_of=date(2030, 1, 1))
    with pytest.raises(NoDataError, match="series starts"):
        md.performance(["^GSPC"], "ytd", as_of=date(2016, 7, 1))
    with pytest.raises(NoDataError):
        md.performance(["^GSPC"], "1y", as_of=date(2017, 1, 3))
    with pytest.raises(UnknownSymbolError, match="ZZZZ"):
        md.performance(["^RUT", "ZZZZ"], "ytd", as_of=AS_OF)
    with pytest.raises(BadInputError, match="empty range"):
        md.performance(["^RUT"], None, start=date(2026, 1, 9), end=date(2026, 1, 2), as_of=AS_OF)
    with pytest.raises(BadInputError, match="unknown period"):
        md.performance(["^RUT"], "2w", as_of=AS_OF)
    with pytest.raises(BadInputError, match="after the analysis date"):
        md.performance(["^RUT"], None, start=date(2025, 1, 2), end=date(2026, 2, 1), as_of=AS_OF)
    with pytest.raises(BadInputError):
        md.performance([], "ytd", as_of=AS_OF)
    with pytest.raises(BadInputError, match="not before the analysis date"):
        md.performance(["^RUT"], None, start=date(2026, 1, 12), as_of=AS_OF)


def test_fifteen_symbols_make_one_provider_call() -> None:
    provider = csv_provider()
    symbols = [
        "^RUT",
        "^GSPC",
        "^IXIC",
        "^DJI",
        "IWM",
        "QQQ",
        "SPY",
        "AAPL",
        "NVDA",
        "MSFT",
        "XLK",
        "XLF",
        "XLE",
        "XLV",
        "XLU",
    ]
    source = market(provider).performance(symbols, "3m", as_of=AS_OF)
    assert len(provider.calls) == 1 and provider.calls[0][1] == tuple(symbols)
    assert len([f for f in source.facts if f.key == "return_3m"]) == 15
    assert len([f for f in source.facts if f.key.startswith("spread_vs_")]) == 14


def test_named_periods_count_back_from_the_last_bar_when_the_data_ends_before_today() -> None:
    # a snapshot ending 2026-08-21 asked with no analysis date in late November: the 1M return is
    # the last 21 sessions of the data, said to be old; it failed with "no bars from 2026-09-14"
    frame = bars(LARGE_CAPS, "AAPL")
    md = market(today=date(2026, 11, 25))
    source = md.performance(["AAPL", "MSFT"], "1m")
    close = frame["close"]
    aapl = next(f for f in source.facts if f.key == "return_1m" and f.symbol == "AAPL")
    assert aapl.value == pytest.approx((close.iloc[-1] / close.iloc[-22] - 1) * 100, rel=1e-12)
    assert source.as_of == date(2026, 8, 21)
    assert any("2026-08-21, 96 days before" in note for note in source.notes)
    sectors = md.sectors()  # the default 1D ranking, the same way (this file ends 2026-03-31)
    assert sectors.as_of == date(2026, 3, 31) and len(sectors.facts) == 11

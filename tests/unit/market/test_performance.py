"""Period returns and comparisons against plain pandas arithmetic on the shared CSVs.

The in-memory provider serves the CSV closes as traded prices (no adjusted closes): price returns.
"""

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
    assert round(source.fact("price_return_ytd").value, 2) == 5.73
    assert source.fact("total_return_ytd") is None  # index levels: price return only
    start, end = source.fact("start_close"), source.fact("end_close")
    assert start.value == pytest.approx(2481.91, abs=0.005) and start.as_of == date(2025, 12, 31)
    assert end.value == pytest.approx(2624.22, abs=0.005) and end.as_of == AS_OF
    assert source.fact("price_return_ytd").display() == "5.73%"
    assert source.fact("price_return_ytd").label == "Price return YTD"
    assert source.arguments == {
        "symbols": ["^RUT"],
        "period": "ytd",
        "as_of": "2026-01-09",
        "names": ["Russell 2000"],
        "start": "2025-12-31",
        "end": "2026-01-09",
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
    got = _returns(source, "price_return_ytd")
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
    assert "price returns" in source.details["relative"][0]


@pytest.mark.parametrize(("period", "days"), [("1d", 1), ("5d", 5)])
def test_trading_day_periods_equal_pandas_shift(period: str, days: int) -> None:
    close = bars(LARGE_CAPS, "AAPL")["close"].loc[:"2025-06-13"]
    expected = (close.iloc[-1] / close.shift(days).iloc[-1] - 1) * 100
    source = market().performance(["AAPL"], period, as_of=date(2025, 6, 15))  # a Sunday
    assert source.fact(f"price_return_{period}").value == pytest.approx(expected, rel=1e-12)
    assert source.fact("end_close").as_of == date(2025, 6, 13)
    assert source.fact("start_close").as_of == close.index[-1 - days].date()
    assert source.as_of == date(2025, 6, 13)


@pytest.mark.parametrize(
    ("period", "months", "as_of"),
    [
        ("1m", 1, date(2025, 6, 15)),  # a Sunday: counts back from Friday's close, 2025-06-13
        ("3m", 3, date(2025, 6, 13)),
        ("6m", 6, date(2025, 6, 13)),
        ("1y", 12, date(2025, 6, 13)),
        ("3y", 36, date(2025, 6, 13)),
        ("5y", 60, date(2025, 6, 13)),
        ("1m", 1, date(2025, 3, 31)),  # 31 March - 1 month = 28 February
        ("1y", 12, date(2024, 2, 29)),  # a leap day - 1 year = 28 February 2023
    ],
)
def test_calendar_trailing_periods_equal_pandas(period: str, months: int, as_of: date) -> None:
    close = bars(LARGE_CAPS, "AAPL")["close"].loc[: as_of.isoformat()]
    end_day = close.index[-1]
    anchor = end_day - pd.DateOffset(months=months)
    start = close.loc[:anchor]
    expected = (close.iloc[-1] / start.iloc[-1] - 1) * 100
    source = market().performance(["Apple"], period, as_of=as_of)
    assert source.fact(f"price_return_{period}").value == pytest.approx(expected, rel=1e-12)
    assert source.fact("start_close").as_of == start.index[-1].date()
    assert source.arguments["period"] == period
    assert source.arguments["start"] == anchor.date().isoformat()
    assert source.arguments["end"] == as_of.isoformat()


@pytest.mark.parametrize(
    ("period", "anchor", "end"),
    [
        ("mtd", "2025-05-31", "2025-06-15"),  # to date: ends at the analysis date (a Sunday)
        ("qtd", "2025-03-31", "2025-06-15"),
        ("ytd", "2024-12-31", "2025-06-15"),
        ("2025-02", "2025-01-31", "2025-02-28"),
        ("2024Q4", "2024-09-30", "2024-12-31"),
        ("2024", "2023-12-31", "2024-12-31"),
    ],
)
def test_to_date_and_calendar_periods_equal_pandas(period: str, anchor: str, end: str) -> None:
    close = bars(LARGE_CAPS, "MSFT")["close"]
    expected = (close.loc[:end].iloc[-1] / close.loc[:anchor].iloc[-1] - 1) * 100
    source = market().performance(["MSFT"], period, as_of=date(2025, 6, 15))
    fact = source.fact(f"price_return_{period}")
    assert fact.value == pytest.approx(expected, rel=1e-12)
    assert fact.as_of == close.loc[:end].index[-1].date()
    assert source.fact("start_close").as_of == close.loc[:anchor].index[-1].date()
    assert (source.arguments["start"], source.arguments["end"]) == (anchor, min(end, "2025-06-15"))
    assert not any("not over" in note for note in source.notes)


def test_a_calendar_period_not_over_runs_to_the_analysis_date_and_says_so() -> None:
    close = bars(LARGE_CAPS, "MSFT")["close"]
    source = market().performance(["MSFT"], "2025q2", as_of=date(2025, 6, 15))
    expected = (close.loc[:"2025-06-13"].iloc[-1] / close.loc[:"2025-03-31"].iloc[-1] - 1) * 100
    assert source.fact("price_return_2025Q2").value == pytest.approx(expected, rel=1e-12)
    assert source.arguments["period"] == "2025Q2" and source.arguments["end"] == "2025-06-15"
    assert any("2025Q2 is not over" in note for note in source.notes)
    assert source.fact("price_return_2025Q2").label == "Price return 2025Q2"
    month = market().performance(["MSFT"], "2025-02", as_of=date(2025, 6, 15))
    assert month.fact("price_return_2025-02").label == "Price return February 2025"


@pytest.mark.parametrize("period", ["2w", "2025Q5", "2025-13", "q", "last month", "12m"])
def test_bad_periods_name_the_accepted_forms(period: str) -> None:
    with pytest.raises(BadInputError) as caught:
        market().performance(["MSFT"], period, as_of=AS_OF)
    assert "unknown period" in caught.value.message
    for form in ("1d", "10y", "mtd", "qtd", "ytd", "2024-02", "2025Q4", "2025"):
        assert form in caught.value.message
    with pytest.raises(BadInputError, match="starts after the analysis date"):
        market().performance(["MSFT"], "2026Q2", as_of=AS_OF)


def test_custom_range_from_start_close_equals_ytd() -> None:
    md = market()
    custom = md.performance(["^RUT"], None, start=date(2025, 12, 31), end=AS_OF, as_of=date(2026, 2, 1))
    assert custom.fact("price_return_custom").value == pytest.approx(
        market().performance(["^RUT"], "ytd", as_of=AS_OF).fact("price_return_ytd").value, rel=1e-15
    )
    assert custom.arguments["start"] == "2025-12-31" and custom.arguments["end"] == "2026-01-09"
    # a start on a holiday uses the last close before it
    close = bars(YAHOO, "^RUT")["close"]
    source = md.performance(["^RUT"], None, start=date(2025, 7, 4), end=date(2025, 8, 1), as_of=AS_OF)
    expected = (close.loc["2025-08-01"] / close.loc["2025-07-03"] - 1) * 100
    assert source.fact("price_return_custom").value == pytest.approx(expected, rel=1e-12)


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
    assert source.fact("price_return_ytd").value == pytest.approx(expected, rel=1e-12)
    assert not any("gap" in note for note in source.notes)  # one day is no gap
    # a three-week hole is reported in the notes, and the 1m window counts the bars present
    holed = full.drop(full.loc["2025-12-10":"2025-12-31"].index)
    source = market(InMemoryProvider({"^RUT": holed})).performance(["^RUT"], "ytd", as_of=AS_OF)
    assert source.fact("start_close").value == holed["close"].loc["2025-12-09"]
    assert any("gap in the series" in note for note in source.notes)
    five_days = market(InMemoryProvider({"^RUT": full.drop(full.loc["2025-12-24":"2026-01-06"].index)}))
    source = five_days.performance(["^RUT"], "5d", as_of=AS_OF)
    assert any("calendar days" in note for note in source.notes)  # the 5 sessions reach back a month


def test_opposite_signs_get_a_spread_but_no_ratio() -> None:
    source = market().performance(["^VIX", "^GSPC"], "1m", as_of=date(2025, 4, 8))
    vix, spx = (f.value for f in source.facts if f.key == "price_return_1m")
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
        md.performance(["ZZZZ"], "ytd", as_of=AS_OF)
    partial = md.performance(["^RUT", "ZZZZ"], "ytd", as_of=AS_OF)  # the rest, and what is left out
    assert (
        partial.arguments["symbols"] == ["^RUT"]
        and "Not available: Unknown symbol 'ZZZZ'" in partial.notes[-1]
    )
    with pytest.raises(BadInputError, match="empty range"):
        md.performance(["^RUT"], None, start=date(2026, 1, 9), end=date(2026, 1, 2), as_of=AS_OF)
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
    assert len([f for f in source.facts if f.key == "price_return_3m"]) == 15
    assert len([f for f in source.facts if f.key.startswith("spread_vs_")]) == 14


def test_named_periods_count_back_from_the_last_bar_when_the_data_ends_before_today() -> None:
    # a snapshot ending 2026-08-21 asked with no analysis date in late November: the 1M return is
    # the last 21 sessions of the data, said to be old; it failed with "no bars from 2026-09-14"
    frame = bars(LARGE_CAPS, "AAPL")
    md = market(today=date(2026, 11, 25))
    source = md.performance(["AAPL", "MSFT"], "1m")
    close = frame["close"]
    aapl = next(f for f in source.facts if f.key == "price_return_1m" and f.symbol == "AAPL")
    base = close.loc[: close.index[-1] - pd.DateOffset(months=1)].iloc[-1]  # 2026-07-21's close
    assert aapl.value == pytest.approx((close.iloc[-1] / base - 1) * 100, rel=1e-12)
    assert source.as_of == date(2026, 8, 21)
    assert any("2026-08-21, 96 days before" in note for note in source.notes)
    sectors = md.sectors()  # the default 1D ranking, the same way (this file ends 2026-03-31)
    assert sectors.as_of == date(2026, 3, 31) and len(sectors.facts) == 11

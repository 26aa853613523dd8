"""Valuation facts equal the recorded Yahoo quoteSummary numbers (through the imported snapshot)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from copilot.errors import BadInputError, NoDataError
from tests.conftest import SHARED_DATA
from tests.unit.market.market_fixtures import fundamentals, market
from tools.market import MarketData
from tools.providers.memory import InMemoryProvider

CSV = SHARED_DATA / "fundamentals" / "yahoo_quotesummary_valuation_snapshot_2025.csv"
AS_OF = date(2025, 3, 3)
# fact key -> (CSV column, factor from the CSV to the fact: Yahoo's dividendYield is a fraction)
COLUMNS = {
    "trailing_pe": ("trailing_pe", 1.0),
    "forward_pe": ("forward_pe", 1.0),
    "price_to_book": ("price_to_book", 1.0),
    "peg_ratio": ("peg_ratio", 1.0),
    "dividend_yield": ("dividend_yield", 100.0),
    "market_cap": ("market_cap", 1.0),
    "trailing_eps": ("trailing_eps", 1.0),
    "forward_eps": ("forward_eps", 1.0),
}


@pytest.fixture(scope="module")
def recorded() -> pd.DataFrame:
    return pd.read_csv(CSV).set_index("symbol")


@pytest.fixture()
def snapshot_market(snapshot_provider) -> MarketData:
    return MarketData(snapshot_provider, today=lambda: date(2026, 8, 21))


@pytest.mark.parametrize("symbol", ["AAPL", "ABBV", "AMZN", "GOOG", "CRM", "SPOT", "BABA", "ARMK", "EPAC"])
def test_equity_valuation_equals_recorded_quote_summary(snapshot_market, recorded, symbol: str) -> None:
    source = snapshot_market.valuation(symbol, as_of=AS_OF)
    row = recorded.loc[symbol]
    for key, (column, factor) in COLUMNS.items():
        fact = source.fact(key)
        if pd.isna(row[column]):
            assert fact is None and key in source.details["missing"], key
        else:
            assert fact is not None, key
            assert fact.value == pytest.approx(row[column] * factor, rel=1e-9), key
    assert source.fact("trailing_pe").unit == "x" and source.fact("market_cap").unit == "USD"
    assert source.fact("dividend_yield") is None or source.fact("dividend_yield").unit == "%"
    assert {"price_to_sales", "ev_to_ebitda"} <= set(source.details["missing"])  # not in the recording
    assert source.as_of == date(2025, 2, 24) and source.provider == "snapshot"
    assert source.tool == "valuation" and source.arguments == {"symbol": symbol, "as_of": "2025-03-03"}


def test_aapl_figures_and_formulas(snapshot_market) -> None:
    source = snapshot_market.valuation("Apple", as_of=AS_OF)
    assert source.fact("trailing_pe").display() == "38.91x"
    assert source.fact("dividend_yield").display() == "0.41%"
    assert source.fact("trailing_pe").inputs == {"price": 245.55, "trailing_eps": 6.31}
    assert source.details["sector"] == "Technology"
    assert source.arguments["name"] == "Apple"
    assert "These figures are 7 days older" not in " ".join(source.notes)  # 7 days: recent enough
    later = snapshot_market.valuation("AAPL", as_of=date(2026, 1, 9))
    assert later.as_of == date(2025, 2, 24)
    assert "These figures are 319 days older than the analysis date 2026-01-09." in later.notes


def test_etf_reports_what_the_provider_has_and_lists_the_rest(snapshot_market, recorded) -> None:
    source = snapshot_market.valuation("QQQ", as_of=AS_OF)
    assert source.fact("trailing_pe").value == pytest.approx(recorded.loc["QQQ", "trailing_pe"], rel=1e-9)
    assert source.fact("market_cap").value == pytest.approx(recorded.loc["QQQ", "market_cap"], rel=1e-9)
    assert source.details["missing"] == [
        "forward_pe",
        "price_to_book",
        "price_to_sales",
        "ev_to_ebitda",
        "peg_ratio",
        "dividend_yield",
        "trailing_eps",
        "forward_eps",
    ]
    assert source.details["quote_type"] == "ETF"


def test_valuation_before_the_recording_is_no_data(snapshot_market) -> None:
    with pytest.raises(NoDataError, match="2025-02-24"):
        snapshot_market.valuation("AAPL", as_of=date(2025, 1, 2))


def test_fundamentals_dated_after_as_of_never_reach_a_result() -> None:
    provider = InMemoryProvider(
        {}, fundamentals={"AAPL": fundamentals("AAPL", date(2025, 2, 24), trailing_pe=38.9)}
    )
    with pytest.raises(BadInputError, match="after 2025-01-02"):
        market(provider).valuation("AAPL", as_of=date(2025, 1, 2))
    source = market(provider).valuation("AAPL", as_of=date(2025, 3, 1))
    assert [f.key for f in source.facts] == ["trailing_pe"]
    assert len(source.details["missing"]) == 9

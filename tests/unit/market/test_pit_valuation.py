"""Valuation at an analysis date: trailing P/E = traded close / TTM diluted EPS, recomputed with
pandas from the shared CSVs using only the statements public on that date; the other multiples
by their formulas on the CSV lines; the provider snapshot labelled with its own date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from copilot.errors import BadInputError, NoDataError
from tests.conftest import SHARED_DATA
from tests.unit.market.fundamentals_fixtures import (
    FUNDAMENTAL_SOURCES,
    reference_close,
    reference_ttm,
    statements_csv,
)
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

TODAY = date(2026, 8, 21)


@pytest.fixture(scope="module")
def md(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> MarketData:
    dest = tmp_path_factory.mktemp("pit") / "snapshot"
    valuation = shared_data / "fundamentals" / "yahoo_quotesummary_valuation_snapshot_2025.csv"
    import_snapshot([*FUNDAMENTAL_SOURCES, valuation], dest)
    return MarketData(SnapshotProvider(dest), today=lambda: TODAY)


@pytest.mark.parametrize(
    ("symbol", "as_of", "quarters"),
    [
        ("AAPL", date(2025, 12, 1), 0),  # after the FY2025 10-K (2025-10-31): TTM is the fiscal year
        ("AAPL", date(2026, 5, 15), 4),  # Q2 FY2026 public from its deadline (2026-05-10)
        ("AAPL", date(2026, 8, 21), 4),  # Q3 FY2026 public from its 10-Q (2026-07-31)
        ("MSFT", date(2026, 8, 3), 4),  # FY2026 10-K filed 2026-07-29: Q1-Q4 FY2026
        ("NVDA", date(2026, 6, 1), 4),  # Q1 FY2027 10-Q filed 2026-05-20
    ],
)
def test_trailing_pe_equals_close_over_ttm_eps_from_public_statements(
    md: MarketData, symbol: str, as_of: date, quarters: int
) -> None:
    close, close_day = reference_close(symbol, as_of)
    eps, periods = reference_ttm(symbol, "Diluted EPS", as_of)
    assert len(periods) == (quarters or 1)
    source = md.valuation_at(symbol, as_of=as_of)
    assert source.fact("close").value == close and source.fact("close").as_of == close_day
    assert source.fact("ttm_diluted_eps").value == pytest.approx(eps, rel=1e-12)
    assert source.fact("trailing_pe").value == pytest.approx(close / eps, rel=1e-12)
    assert source.fact("trailing_pe").inputs == pytest.approx({"close": close, "ttm_diluted_eps": eps})
    used = " ".join(source.details["statements_used"])
    for end in periods:
        assert f"ended {end}" in used


def test_the_day_before_a_filing_uses_the_previous_quarters(md: MarketData) -> None:
    before = md.valuation_at("AAPL", as_of=date(2026, 7, 30))
    on = md.valuation_at("AAPL", as_of=date(2026, 7, 31))
    eps_before, periods_before = reference_ttm("AAPL", "Diluted EPS", date(2026, 7, 30))
    eps_on, periods_on = reference_ttm("AAPL", "Diluted EPS", date(2026, 7, 31))
    assert periods_before[-1] == "2026-03-31" and periods_on[-1] == "2026-06-30"
    assert before.fact("ttm_diluted_eps").value == pytest.approx(eps_before, rel=1e-12)
    assert on.fact("ttm_diluted_eps").value == pytest.approx(eps_on, rel=1e-12)
    assert "2026-06-30" not in " ".join(before.details["statements_used"])


def test_other_multiples_follow_their_formulas_on_the_csv(md: MarketData) -> None:
    as_of = date(2026, 8, 21)
    close, _ = reference_close("AAPL", as_of)
    csv = statements_csv()
    q = csv.loc[(csv["symbol"] == "AAPL") & (csv["freq"] == "quarterly")]
    latest = q.loc[q["period_end"] == "2026-06-30"].set_index("line_item")["value"]
    last4 = q.loc[q["period_end"].isin(["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30"])]
    ttm = last4.groupby("line_item")["value"].sum()
    market_cap = close * latest["Ordinary Shares Number"]
    ev = market_cap + latest["Total Debt"] - latest["Cash Cash Equivalents And Short Term Investments"]
    source = md.valuation_at("AAPL", as_of=as_of)
    expected = {
        "market_cap": market_cap,
        "price_to_sales": market_cap / ttm["Total Revenue"],
        "price_to_book": market_cap / latest["Stockholders Equity"],
        "enterprise_value": ev,
        "ev_to_ebitda": ev / ttm["EBITDA"],
        "net_margin_ttm": ttm["Net Income"] / ttm["Total Revenue"] * 100,
        "fcf_yield": ttm["Free Cash Flow"] / market_cap * 100,
    }
    for key, value in expected.items():
        assert source.fact(key).value == pytest.approx(value, rel=1e-12), key
    assert source.kind == "computation" and source.tool == "valuation_at"


def test_berkshire_share_count_basis_and_year_to_date_ttm(md: MarketData) -> None:
    """BRK-B: the balance sheet counts class-A equivalents; a quarter is missing from the data, so
    TTM = FY2025 + Q1-Q2 2026 - Q1-Q2 2025."""
    source = md.valuation_at("BRK-B", as_of=TODAY)
    csv = statements_csv()
    b = csv.loc[(csv["symbol"] == "BRK-B") & (csv["line_item"] == "Total Revenue")].set_index(
        ["freq", "period_end"]
    )
    revenue = b["value"]
    ttm = (
        revenue[("annual", "2025-12-31")]
        + revenue[("quarterly", "2026-03-31")]
        + revenue[("quarterly", "2026-06-30")]
        - revenue[("quarterly", "2025-03-31")]
        - revenue[("quarterly", "2025-06-30")]
    )
    shares = csv.loc[
        (csv["symbol"] == "BRK-B")
        & (csv["line_item"] == "Diluted Average Shares")
        & (csv["period_end"] == "2026-06-30")
        & (csv["freq"] == "quarterly"),
        "value",
    ].iloc[0]
    close, _ = reference_close("BRK-B", TODAY)
    assert source.fact("market_cap").value == pytest.approx(close * shares, rel=1e-12)
    assert source.fact("price_to_sales").value == pytest.approx(close * shares / ttm, rel=1e-12)
    assert any("on another basis than its EPS" in n for n in source.notes)


def test_foreign_filer_gets_no_price_multiples(md: MarketData) -> None:
    source = md.valuation_at("TSM", as_of=TODAY)
    assert {f.key for f in source.facts} == {"net_margin_ttm"}
    assert any("foreign private issuer" in n for n in source.notes)


def test_get_valuation_puts_the_computed_source_first_and_dates_the_provider_snapshot(md: MarketData) -> None:
    computed, reported = md.valuations("AAPL", as_of=TODAY)
    assert computed.tool == "valuation_at" and computed.as_of == TODAY
    assert reported.tool == "valuation" and reported.as_of == date(2025, 2, 24)
    recorded = pd.read_csv(
        SHARED_DATA / "fundamentals" / "yahoo_quotesummary_valuation_snapshot_2025.csv"
    ).set_index("symbol")
    fact = reported.fact("trailing_pe")
    assert fact.value == pytest.approx(recorded.loc["AAPL", "trailing_pe"], rel=1e-12)
    assert fact.label == "Trailing P/E (Yahoo, 2025-02-24)"
    assert reported.title.startswith("Valuation reported by Yahoo on 2025-02-24")
    assert "These figures are 543 days older than the analysis date 2026-08-21." in reported.notes


def test_valuations_of_a_fund_without_either_source_give_both_reasons(md: MarketData) -> None:
    with pytest.raises(NoDataError) as error:
        md.valuations("SPY", as_of=TODAY)
    assert error.value.message == (
        "Unknown symbol 'SPY': the market-data snapshot has no financial statements for it; "
        "SPY: the snapshot has no fundamentals for it"
    )


def test_before_any_statement_is_public_the_reason_is_given(md: MarketData) -> None:
    # AAPL's first statement in the data is FY2022 (ended 2022-09-30), public 60 days later
    with pytest.raises(NoDataError, match="AAPL: no statements were public on 2022-06-01; the first "):
        md.valuation_at("AAPL", as_of=date(2022, 6, 1))


def test_an_old_fiscal_year_used_as_ttm_says_a_later_quarter_is_missing(md: MarketData) -> None:
    source = md.valuation_at("AAPL", as_of=date(2023, 6, 1))
    assert source.fact("ttm_diluted_eps").label == "Diluted EPS, trailing twelve months (FY2022)"
    assert (
        "The trailing twelve months are FY2022 (ended 2022-09-30): the data has no later quarter, "
        "though one was due by 2023-02-09." in source.notes
    )


def test_a_valuation_on_a_past_day_uses_that_days_close_and_what_was_public_then(md: MarketData) -> None:
    close, close_day = reference_close("AAPL", date(2025, 3, 31))
    eps, _ = reference_ttm("AAPL", "Diluted EPS", date(2025, 3, 31))
    computed, *rest = md.valuations("AAPL", as_of=TODAY, on=date(2025, 3, 31))
    assert computed.as_of == close_day and computed.fact("close").value == close
    assert computed.fact("trailing_pe").value == pytest.approx(close / eps, rel=1e-12)
    assert all(s.as_of is not None and s.as_of <= date(2025, 3, 31) for s in rest)  # no later snapshot
    with pytest.raises(BadInputError, match="after the analysis date"):
        md.valuations("AAPL", as_of=date(2025, 3, 31), on=date(2025, 4, 1))

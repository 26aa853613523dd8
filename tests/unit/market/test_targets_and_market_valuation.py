"""Analyst targets equal the Nasdaq-100 targets CSV (latest snapshot on or before the analysis
date); the S&P 500's P/E and CAPE equal Shiller's CSV, zeros read as missing, each dated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from copilot.errors import NoDataError, UnknownSymbolError
from tests.unit.market.fundamentals_fixtures import FUNDAMENTAL_SOURCES, SHILLER_CSV, TARGETS_CSV
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

TODAY = date(2026, 8, 21)


@pytest.fixture(scope="module")
def md(tmp_path_factory: pytest.TempPathFactory) -> MarketData:
    dest = tmp_path_factory.mktemp("targets") / "snapshot"
    import_snapshot(list(FUNDAMENTAL_SOURCES), dest)
    return MarketData(SnapshotProvider(dest), today=lambda: TODAY)


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return pd.read_csv(TARGETS_CSV)


@pytest.mark.parametrize(
    ("symbol", "as_of", "recorded"),
    [
        ("AAPL", date(2026, 8, 6), "2026-08-06"),
        ("AAPL", date(2026, 8, 9), "2026-08-07"),  # a weekend: the Friday's snapshot
        ("NVDA", date(2026, 8, 16), "2026-08-15"),
        ("MSFT", TODAY, "2026-08-21"),
    ],
)
def test_targets_equal_the_latest_csv_snapshot(
    md: MarketData, targets: pd.DataFrame, symbol: str, as_of: date, recorded: str
) -> None:
    row = targets.loc[(targets["ticker"] == symbol) & (targets["date"] == recorded)].iloc[0]
    source = md.analyst_targets(symbol, as_of=as_of)
    assert source.as_of == date.fromisoformat(recorded)
    assert source.fact("target_mean").value == row["target_mean"]
    assert source.fact("target_high").value == row["target_high"]
    assert source.fact("target_low").value == row["target_low"]
    assert source.fact("analysts").value == row["analysts"] and source.fact("analysts").unit == "count"
    assert source.fact("price_at_targets").value == row["price"]
    # the CSV's own upside is rounded to 2 decimals
    assert source.fact("implied_upside").value == pytest.approx(row["upside"], abs=0.006)
    assert source.details["rating"] == row["rating"].replace("_", " ")
    assert all(f.as_of == date.fromisoformat(recorded) for f in source.facts)
    assert recorded in source.fact("target_mean").label


def test_targets_before_the_first_snapshot_are_a_clear_error(md: MarketData) -> None:
    with pytest.raises(
        NoDataError, match="AAPL: the first analyst-target snapshot is dated 2026-08-06, after 2026-08-05"
    ):
        md.analyst_targets("AAPL", as_of=date(2026, 8, 5))
    with pytest.raises(UnknownSymbolError, match="no analyst targets for it"):
        md.analyst_targets("KO", as_of=TODAY)  # not a Nasdaq-100 member


def test_targets_say_how_old_they_are(md: MarketData) -> None:
    later = MarketData(md.provider, today=lambda: date(2026, 9, 30))
    source = later.analyst_targets("AAPL", as_of=date(2026, 9, 30))
    assert source.as_of == date(2026, 8, 21)
    assert "These targets were recorded 40 days before the analysis date 2026-09-30." in source.notes
    recent = md.analyst_targets("AAPL", as_of=TODAY)
    assert not any("days before the analysis date" in note for note in recent.notes)


@pytest.fixture(scope="module")
def shiller() -> pd.DataFrame:
    frame = pd.read_csv(SHILLER_CSV)
    frame["Date"] = pd.to_datetime(frame["Date"])
    return frame


@pytest.mark.parametrize("as_of", [date(2000, 3, 15), date(2020, 3, 15), date(2023, 7, 1), TODAY])
def test_market_pe_and_cape_equal_the_shiller_csv(md: MarketData, shiller: pd.DataFrame, as_of: date) -> None:
    # a month's row is usable from the first day of the next month; zeros are missing values
    public = shiller.loc[shiller["Date"] + pd.offsets.MonthBegin(1) <= pd.Timestamp(as_of)]
    with_pe = public.loc[public["Earnings"] > 0].iloc[-1]
    with_cape = public.loc[public["PE10"] > 0].iloc[-1]
    source = md.market_valuation(as_of=as_of)
    assert source.fact("pe").value == pytest.approx(with_pe["SP500"] / with_pe["Earnings"], rel=1e-12)
    assert source.fact("pe").as_of == with_pe["Date"].date()
    assert source.fact("cape").value == with_cape["PE10"]
    assert source.fact("cape").as_of == with_cape["Date"].date()
    assert source.fact("level").value == public.iloc[-1]["SP500"]
    assert with_pe["Date"].strftime("%Y-%m") in source.fact("pe").label


def test_market_valuation_after_2023_says_how_old_it_is(md: MarketData) -> None:
    source = md.market_valuation(as_of=TODAY)
    assert source.details["pe_month"] == "2023-06" and source.details["cape_month"] == "2023-09"
    assert "PE 2023-06 (1147 days before 2026-08-21)" in source.notes[0]
    assert any("older than the analysis date" in note for note in source.notes)


def test_market_valuation_before_the_series_is_a_clear_error(md: MarketData) -> None:
    with pytest.raises(NoDataError, match="no monthly valuation data public by 1871-01-15"):
        md.market_valuation(as_of=date(1871, 1, 15))


def test_live_provider_without_the_series_says_so(tmp_path: Path) -> None:
    from tools.providers.yfinance_provider import YFinanceProvider

    with pytest.raises(NoDataError, match="Yahoo Finance has no S&P 500 P/E or CAPE series"):
        YFinanceProvider().market_valuation()

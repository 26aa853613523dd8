"""Financial statements: the snapshot equals the shared CSV, headline figures equal the filings'
text, fiscal labels follow each company's fiscal year, and nothing is used before it was public.

Expected values come from pandas on the shared CSVs or from the SEC filing text, never from the
code under test.
"""

from __future__ import annotations

import gzip
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from copilot.errors import BadInputError, NoDataError, UnknownSymbolError
from tests.conftest import SHARED_DATA
from tests.unit.market.fundamentals_fixtures import (
    FUNDAMENTAL_SOURCES,
    reference_availability,
    statements_csv,
)
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

TODAY = date(2026, 8, 21)
# our item -> the CSV line item it must equal (the first choice of the mapping)
SAME_AS = {
    "revenue": "Total Revenue",
    "gross_profit": "Gross Profit",
    "operating_income": "Operating Income",
    "net_income": "Net Income",
    "diluted_eps": "Diluted EPS",
    "total_debt": "Total Debt",
    "cash": "Cash And Cash Equivalents",
    "stockholders_equity": "Stockholders Equity",
    "free_cash_flow": "Free Cash Flow",
    "operating_cash_flow": "Operating Cash Flow",
}


@pytest.fixture(scope="module")
def fundamentals_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("fundamentals") / "snapshot"
    import_snapshot(list(FUNDAMENTAL_SOURCES), dest)
    return dest


@pytest.fixture(scope="module")
def md(fundamentals_snapshot: Path) -> MarketData:
    return MarketData(SnapshotProvider(fundamentals_snapshot), today=lambda: TODAY)


def test_snapshot_statement_lines_equal_the_csv(fundamentals_snapshot: Path) -> None:
    stored = pd.read_csv(fundamentals_snapshot / "statements.csv")
    csv = statements_csv()
    for item, line_item in SAME_AS.items():
        expected = csv.loc[csv["line_item"] == line_item, ["symbol", "freq", "period_end", "value"]].dropna()
        ours = stored.loc[stored["item"] == item, ["symbol", "freq", "period_end", "value"]]
        merged = expected.merge(ours, on=["symbol", "freq", "period_end"], how="left", suffixes=("", "_ours"))
        assert len(merged) > 100, item
        assert merged["value_ours"].notna().all(), (item, merged.loc[merged["value_ours"].isna()].head())
        assert (merged["value"] == merged["value_ours"]).all(), item


def test_quarterly_income_facts_equal_the_csv_with_fiscal_labels(md: MarketData) -> None:
    source = md.financials("Apple", "income", "quarterly", 4, as_of=TODAY)
    csv = statements_csv()
    aapl = csv.loc[(csv["symbol"] == "AAPL") & (csv["freq"] == "quarterly")]
    labels = {
        "2026-06-30": "q3_fy2026",
        "2026-03-31": "q2_fy2026",
        "2025-12-31": "q1_fy2026",
        "2025-09-30": "q4_fy2025",
    }
    for end, key in labels.items():
        row = aapl.loc[aapl["period_end"] == end].set_index("line_item")["value"]
        assert source.fact(f"revenue_{key}").value == row["Total Revenue"]
        assert source.fact(f"diluted_eps_{key}").value == row["Diluted EPS"]
        assert source.fact(f"net_income_{key}").as_of == date.fromisoformat(end)
    assert source.fact("revenue_q3_fy2026").label == "Revenue, Q3 FY2026"
    # growth and margins by plain arithmetic on the CSV
    revenue = aapl.loc[aapl["line_item"] == "Total Revenue"].set_index("period_end")["value"]
    assert source.fact("revenue_growth_qoq_q3_fy2026").value == pytest.approx(
        (revenue["2026-06-30"] / revenue["2026-03-31"] - 1) * 100, rel=1e-12
    )
    assert source.fact("revenue_growth_yoy_q3_fy2026").value == pytest.approx(
        (revenue["2026-06-30"] / revenue["2025-06-30"] - 1) * 100, rel=1e-12
    )
    gross = aapl.loc[(aapl["line_item"] == "Gross Profit") & (aapl["period_end"] == "2026-06-30"), "value"]
    assert source.fact("gross_margin_q3_fy2026").value == pytest.approx(
        float(gross.iloc[0]) / revenue["2026-06-30"] * 100, rel=1e-12
    )
    assert source.arguments == {
        "symbol": "AAPL",
        "statement": "income",
        "freq": "quarterly",
        "periods": 4,
        "as_of": "2026-08-21",
        "name": "Apple",
    }
    assert source.as_of == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("symbol", "freq", "period_end", "label"),
    [
        ("AAPL", "quarterly", "2025-12-31", "Q1 FY2026"),  # fiscal year ends in September
        ("NVDA", "quarterly", "2026-04-30", "Q1 FY2027"),  # ends in January: named by the year it ends
        ("NVDA", "annual", "2026-01-31", "FY2026"),
        ("MSFT", "annual", "2026-06-30", "FY2026"),
        ("MSFT", "quarterly", "2026-06-30", "Q4 FY2026"),
        ("COST", "quarterly", "2026-05-31", "Q3 FY2026"),  # ends in August
        ("KO", "quarterly", "2026-06-30", "Q2 FY2026"),
    ],
)
def test_fiscal_labels(md: MarketData, symbol: str, freq: str, period_end: str, label: str) -> None:
    source = md.financials(symbol, "income", freq, 8, as_of=TODAY)
    end = date.fromisoformat(period_end)
    dated = [
        f for f in source.facts if f.as_of == end and f.key.startswith("revenue_") and "growth" not in f.key
    ]
    assert [f.label for f in dated] == [f"Revenue, {label}"]


def filing_text(name: str) -> str:
    with gzip.open(SHARED_DATA / "corpus" / "sec_filings" / name, "rt", encoding="utf-8") as handle:
        return handle.read()


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_apple_headline_figures_equal_the_10q_text(md: MarketData) -> None:
    """AAPL 10-Q filed 2026-07-31 for the quarter ended 2026-06-27 (yfinance dates it 2026-06-30)."""
    text = filing_text("AAPL_10-Q_2026-07-31.txt.gz")
    sales = re.search(r"Total net sales ([\d,]+)\s+([\d,]+)", text)
    eps = re.search(
        r"Earnings per share: Basic \$ [\d.]+\s+\$ [\d.]+\s+\$ [\d.]+\s+\$ [\d.]+\s+"
        r"Diluted \$ ([\d.]+)\s+\$ ([\d.]+)",
        text,
    )
    income = re.search(r"Net income \$ ([\d,]+)\s+\$ ([\d,]+)", text)
    assert sales and eps and income
    source = md.financials("AAPL", "income", "quarterly", 5, as_of=TODAY)
    # this quarter (three months ended June 27, 2026) and the same quarter a year earlier, in millions
    assert source.fact("revenue_q3_fy2026").value == _number(sales.group(1)) * 1e6
    assert source.fact("revenue_q3_fy2025").value == _number(sales.group(2)) * 1e6
    assert source.fact("diluted_eps_q3_fy2026").value == float(eps.group(1))
    assert source.fact("diluted_eps_q3_fy2025").value == float(eps.group(2))
    assert source.fact("net_income_q3_fy2026").value == _number(income.group(1)) * 1e6


def test_microsoft_annual_figures_equal_the_10k_text(md: MarketData) -> None:
    text = filing_text("MSFT_10-K_2026-07-29.txt.gz")
    revenue = re.search(r"Total revenue\s+([\d,]+)\s+([\d,]+)", text)
    eps = re.search(
        r"Earnings per share:\s+Basic\s+\$\s+[\d.]+\s+\$\s+[\d.]+\s+\$\s+[\d.]+\s+Diluted\s+\$\s+([\d.]+)",
        text,
    )
    assert revenue and eps
    source = md.financials("MSFT", "income", "annual", 2, as_of=TODAY)
    assert source.fact("revenue_fy2026").value == _number(revenue.group(1)) * 1e6
    assert source.fact("revenue_fy2025").value == _number(revenue.group(2)) * 1e6
    assert source.fact("diluted_eps_fy2026").value == float(eps.group(1))


@pytest.mark.parametrize("symbol", ["AAPL", "MSFT", "NVDA", "BRK-B", "KO", "TSM", "WMT"])
@pytest.mark.parametrize(
    "as_of", [date(2024, 3, 1), date(2025, 8, 15), date(2026, 2, 20), date(2026, 7, 30), TODAY]
)
def test_no_statement_is_used_before_its_availability_date(md: MarketData, symbol: str, as_of: date) -> None:
    public = reference_availability(symbol, set(SAME_AS.values()))
    for freq in ("annual", "quarterly"):
        expected = sorted(e for (f, e), day in public.items() if f == freq and day <= as_of)
        try:
            source = md.financials(symbol, "all", freq, 8, as_of=as_of)
        except NoDataError:  # nothing of this frequency public yet: check that is true
            assert expected == [], (symbol, freq, as_of)
            continue
        shown = sorted({f.as_of.isoformat() for f in source.facts if f.as_of is not None})
        # exactly the periods public on as_of (8 periods cover all the data holds)
        assert shown == expected, (symbol, freq, as_of)


def test_a_10q_counts_from_its_filing_day(md: MarketData) -> None:
    """AAPL's 10-Q for the quarter ended 2026-06-27 was filed 2026-07-31 (the SEC index)."""
    before = md.financials("AAPL", "income", "quarterly", 1, as_of=date(2026, 7, 30))
    on = md.financials("AAPL", "income", "quarterly", 1, as_of=date(2026, 7, 31))
    assert before.fact("revenue_q2_fy2026") is not None and before.fact("revenue_q3_fy2026") is None
    assert on.fact("revenue_q3_fy2026") is not None
    assert "Q3 FY2026 (public from 2026-07-31)" in before.details["not_yet_public"]


def test_errors_are_clear(md: MarketData) -> None:
    with pytest.raises(BadInputError, match="statement must be one of income, balance, cashflow or all"):
        md.financials("AAPL", "profit", as_of=TODAY)
    with pytest.raises(BadInputError, match="freq must be one of annual, quarterly"):
        md.financials("AAPL", freq="monthly", as_of=TODAY)
    with pytest.raises(BadInputError, match="periods must be between 1 and 8"):
        md.financials("AAPL", periods=0, as_of=TODAY)
    with pytest.raises(UnknownSymbolError, match="no financial statements for it"):
        md.financials("SPY", as_of=TODAY)
    with pytest.raises(NoDataError, match="no quarterly statements were public on 2020-01-02"):
        md.financials("AAPL", as_of=date(2020, 1, 2))


def test_without_the_filings_index_the_sec_deadline_dates_each_statement(snapshot_dir: Path) -> None:
    """The session snapshot imports prices/ and fundamentals/ but not the SEC index: Apple's
    quarter ended 2026-06-30 then counts from its 10-Q deadline (2026-08-09), not the real filing
    day (2026-07-31)."""
    market = MarketData(SnapshotProvider(snapshot_dir), today=lambda: TODAY)
    early = market.financials("AAPL", "income", "quarterly", 1, as_of=date(2026, 8, 8))
    assert early.fact("revenue_q3_fy2026") is None and early.fact("revenue_q2_fy2026") is not None
    assert "Q3 FY2026 (public from 2026-08-09)" in early.details["not_yet_public"]
    assert market.financials("AAPL", "income", "quarterly", 1, as_of=date(2026, 8, 9)).fact(
        "revenue_q3_fy2026"
    )


def test_no_statements_file_is_a_clear_no_data_error(tmp_path: Path) -> None:
    dest = tmp_path / "prices-only"
    import_snapshot([SHARED_DATA / "prices" / "us_large_caps_daily_2016_2026.csv.gz"], dest)
    market = MarketData(SnapshotProvider(dest), today=lambda: TODAY)
    with pytest.raises(NoDataError, match=r"has no financial statements \(statements.csv\); import them"):
        market.financials("AAPL", as_of=TODAY)

"""Fiscal calendars and the point-in-time rule on small, explicit cases (dates worked out by hand)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from copilot.errors import NoDataError
from tools.fundamentals.availability import build_calendar, deadline
from tools.fundamentals.fiscal import fiscal_label, fiscal_year_end_month
from tools.fundamentals.point_in_time import StatementsAsOf
from tools.providers.statements_base import Filing, FinancialStatements


@pytest.mark.parametrize(
    ("period_end", "fy_month", "freq", "label"),
    [
        (date(2026, 6, 27), 9, "quarterly", "Q3 FY2026"),  # Apple's real quarter end
        (date(2026, 6, 30), 9, "quarterly", "Q3 FY2026"),  # yfinance's month-end date of it
        (date(2025, 12, 27), 9, "quarterly", "Q1 FY2026"),
        (date(2025, 9, 27), 9, "annual", "FY2025"),
        (date(2026, 7, 3), 12, "quarterly", "Q2 FY2026"),  # 52/53-week quarter ending days into July
        (date(2026, 1, 25), 1, "annual", "FY2026"),  # NVIDIA's year ending in January
        (date(2026, 4, 26), 1, "quarterly", "Q1 FY2027"),
        (date(2026, 5, 31), 8, "quarterly", "Q3 FY2026"),  # Costco/Micron: year ends in August
    ],
)
def test_fiscal_labels(period_end: date, fy_month: int, freq: str, label: str) -> None:
    assert fiscal_label(period_end, fy_month, freq) == label


def test_fiscal_year_end_month_takes_the_most_common_then_the_latest() -> None:
    assert fiscal_year_end_month([date(2023, 9, 30), date(2024, 9, 28), date(2025, 9, 27)]) == 9
    # a change of fiscal year: tie between June and December goes to the latest
    assert fiscal_year_end_month([date(2023, 6, 30), date(2024, 12, 31)]) == 12
    with pytest.raises(NoDataError, match="no annual statements"):
        fiscal_year_end_month([], "X")


def test_sec_deadlines() -> None:
    assert deadline(date(2026, 3, 31), fiscal_year_end=False)[0] == date(2026, 5, 10)
    assert deadline(date(2025, 12, 31), fiscal_year_end=True)[0] == date(2026, 3, 1)
    assert deadline(date(2024, 12, 31), fiscal_year_end=True)[1] == (
        "SEC deadline: 60 days after the fiscal year end (10-K)"
    )


def _statements(filings: tuple[Filing, ...]) -> FinancialStatements:
    rows = [
        ("income", "annual", "2024-12-31", "diluted_eps", 4.0),
        ("income", "annual", "2025-12-31", "diluted_eps", 5.0),
        ("income", "quarterly", "2025-03-31", "diluted_eps", 1.0),
        ("income", "quarterly", "2025-06-30", "diluted_eps", 1.1),
        ("income", "quarterly", "2025-09-30", "diluted_eps", 1.2),
        ("income", "quarterly", "2025-12-31", "diluted_eps", 1.7),
        ("income", "quarterly", "2026-03-31", "diluted_eps", 1.3),
    ]
    lines = pd.DataFrame(rows, columns=["statement", "freq", "period_end", "item", "value"])
    lines["period_end"] = pd.to_datetime(lines["period_end"])
    return FinancialStatements(symbol="X", provider="test", lines=lines, filings=filings)


def test_filings_date_their_periods_and_deadlines_fill_the_rest() -> None:
    filings = (
        Filing("10-K", date(2026, 2, 12)),  # no period end: the latest fiscal year before it
        Filing("10-Q", date(2026, 4, 30), date(2026, 3, 28)),  # its own (52/53-week) period end
    )
    calendar = build_calendar(_statements(filings))
    public = {(p.freq, p.period_end.isoformat()): p.available_from for p in calendar.periods}
    assert public[("annual", "2025-12-31")] == date(2026, 2, 12)
    assert public[("quarterly", "2025-12-31")] == date(2026, 2, 12)  # Q4 comes with the 10-K
    assert public[("quarterly", "2026-03-31")] == date(2026, 4, 30)
    assert public[("quarterly", "2025-09-30")] == date(2025, 11, 9)  # 40 days
    assert public[("annual", "2024-12-31")] == date(2025, 3, 1)  # 60 days


def test_ttm_takes_four_quarters_else_the_fiscal_year_and_never_unpublished_ones() -> None:
    statements = _statements((Filing("10-K", date(2026, 2, 12)), Filing("10-Q", date(2026, 4, 30))))
    # only FY2024 public (its deadline 2025-03-01): the fiscal year is the trailing twelve months
    year = StatementsAsOf(statements, date(2025, 4, 1)).ttm("diluted_eps")
    assert year.method == "fiscal year" and year.value == 4.0 and year.label == "FY2024"
    # three 2025 quarters public, FY2024 older than them, no year-earlier quarters: no TTM
    with pytest.raises(NoDataError, match="no trailing-twelve-month diluted eps as of 2025-11-15"):
        StatementsAsOf(statements, date(2025, 11, 15)).ttm("diluted_eps")
    # the 10-K (2026-02-12) brings Q4: four consecutive quarters
    four = StatementsAsOf(statements, date(2026, 3, 1)).ttm("diluted_eps")
    assert four.method == "sum of 4 quarters" and four.value == pytest.approx(1.0 + 1.1 + 1.2 + 1.7)
    # the 10-Q of 2026-04-30 moves the window by one quarter that day, not before
    assert StatementsAsOf(statements, date(2026, 4, 29)).ttm("diluted_eps").label == "Q1 FY2025 to Q4 FY2025"
    moved = StatementsAsOf(statements, date(2026, 4, 30)).ttm("diluted_eps")
    assert moved.label == "Q2 FY2025 to Q1 FY2026" and moved.value == pytest.approx(1.1 + 1.2 + 1.7 + 1.3)


def test_a_foreign_filer_reporting_in_dollars_still_gets_no_price_multiple() -> None:
    """AstraZeneca reports in USD, but per ordinary share while its ADR is half a share."""
    from tools.metrics.pit_valuation import pit_valuation_metrics

    statements = _statements((Filing("20-F", date(2026, 2, 24)),))
    foreign = FinancialStatements(
        symbol="X",
        provider="test",
        lines=statements.lines,
        filings=statements.filings,
        currency="USD",
        foreign_filer=True,
    )
    result = pit_valuation_metrics(StatementsAsOf(foreign, date(2026, 6, 1)), 80.0, date(2026, 6, 1))
    assert "trailing_pe" not in {f.key for f in result.facts}
    assert any("foreign private issuer" in note for note in result.notes)

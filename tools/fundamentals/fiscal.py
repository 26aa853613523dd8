"""A company's fiscal calendar, derived from the period ends of its annual statements.

The fiscal year ends in the month most annual periods end in; a year is named by the calendar
year it ends in (Apple's year ended 2025-09-27 is FY2025, NVIDIA's ended 2026-01-25 is FY2026),
and its quarters count from the month after that end (Apple's quarter ended 2026-06-27 is Q3
FY2026). Period ends are read to the month they close: a 52/53-week period ending in the first
days of a month (2026-07-03) closes the month before (June).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from copilot.errors import NoDataError

# a period ending up to this many days into a month closes the previous month (52/53-week years)
MONTH_SLACK_DAYS = 10


def closing_month(period_end: date) -> tuple[int, int]:
    """(year, month) a period end closes: 2026-06-27 and 2026-07-03 both close June 2026."""
    shifted = period_end - timedelta(days=MONTH_SLACK_DAYS)
    return shifted.year, shifted.month


def fiscal_year_end_month(annual_period_ends: Iterable[date], symbol: str = "") -> int:
    """The month (1-12) the fiscal year ends in: the most common month of the annual period ends
    (a tie goes to the latest, after a change of fiscal year)."""
    ends = sorted(annual_period_ends)
    if not ends:
        raise NoDataError(f"{symbol}: no annual statements to derive its fiscal year from", symbol or None)
    counts = Counter(closing_month(end)[1] for end in ends)
    best = max(counts.values())
    return next(closing_month(end)[1] for end in reversed(ends) if counts[closing_month(end)[1]] == best)


def fiscal_year(period_end: date, fy_end_month: int) -> int:
    """The fiscal year a period belongs to, named by the calendar year it ends in."""
    year, month = closing_month(period_end)
    return year if month <= fy_end_month else year + 1


def fiscal_quarter(period_end: date, fy_end_month: int) -> int:
    """1-4: the quarter of the fiscal year a quarterly period closes (Q4 ends with the year)."""
    _, month = closing_month(period_end)
    return (month - fy_end_month - 1) % 12 // 3 + 1


def is_fiscal_year_end(period_end: date, fy_end_month: int) -> bool:
    return closing_month(period_end)[1] == fy_end_month


def fiscal_label(period_end: date, fy_end_month: int, freq: str) -> str:
    """'FY2025' for a fiscal year, 'Q3 FY2026' for a quarter."""
    year = fiscal_year(period_end, fy_end_month)
    if freq == "annual":
        return f"FY{year}"
    return f"Q{fiscal_quarter(period_end, fy_end_month)} FY{year}"


def fiscal_key(period_end: date, fy_end_month: int, freq: str) -> str:
    """The label as a key suffix: 'fy2025', 'q3_fy2026'."""
    return fiscal_label(period_end, fy_end_month, freq).lower().replace(" ", "_")

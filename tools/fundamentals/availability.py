"""When a statement became public: the point-in-time rule every fundamentals tool applies.

A statement counts from its filing date. Where only the period end is known, it counts from the
SEC deadline for large accelerated filers (Form 10-Q: 40 days after a quarter end; Form 10-K: 60
days after a fiscal year end). The fourth quarter has no 10-Q: its figures come with the annual
report, so they follow the 60-day rule. A real filing (``Filing``: form, filed, period end) is
matched to the periods it reports — an annual form to the fiscal year and its fourth quarter, a
10-Q to its quarter — by its period end (within ``MATCH_DAYS``: yfinance dates periods by month
end, Apple's quarter ended 2026-06-27 is its 2026-06-30), or, when the filing does not say it, the
latest matching period ending before the filing day. Nothing reaches an answer before its
availability date at the analysis date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from tools.fundamentals.fiscal import fiscal_label, fiscal_year_end_month, is_fiscal_year_end
from tools.providers.statements_base import ANNUAL_FORMS, QUARTERLY_FORMS, Filing, FinancialStatements

QUARTER_DEADLINE_DAYS = 40
ANNUAL_DEADLINE_DAYS = 60
MATCH_DAYS = 20  # a filing's own period end vs the provider's (month-end) date of the same period
LOOKBACK_DAYS = {"annual": 200, "quarterly": 120}  # a filing without a period end: how far back


@dataclass(frozen=True)
class Period:
    """One reported period of a company with its fiscal label and the day it became public."""

    freq: str  # "annual" | "quarterly"
    period_end: date
    label: str  # "FY2025", "Q3 FY2026"
    fiscal_year_end: bool  # an annual period or a fourth quarter
    available_from: date
    basis: str  # "filed 2026-07-31 (10-Q)" or "SEC deadline: 40 days after the quarter end"

    def short(self) -> str:
        return f"{self.label} (ended {self.period_end}, public {self.available_from})"

    def describe(self) -> str:
        kind = "fiscal year" if self.freq == "annual" else "quarter"
        return (
            f"{self.label} ({kind} ended {self.period_end}, public from {self.available_from}: {self.basis})"
        )


@dataclass(frozen=True)
class Calendar:
    """A company's periods with their availability dates, and its fiscal year-end month."""

    symbol: str
    fy_end_month: int
    periods: tuple[Period, ...]

    def available(self, as_of: date, freq: str | None = None) -> list[Period]:
        """Periods public on ``as_of`` (of one frequency when given), oldest first."""
        return [p for p in self.periods if p.available_from <= as_of and (freq is None or p.freq == freq)]


def build_calendar(statements: FinancialStatements) -> Calendar:
    """Every period of ``statements`` with its fiscal label and availability date."""
    lines = statements.lines
    ends = {
        freq: sorted({ts.date() for ts in pd.DatetimeIndex(lines.loc[lines["freq"] == freq, "period_end"])})
        for freq in ("annual", "quarterly")
    }
    fy_month = fiscal_year_end_month(ends["annual"], statements.symbol)
    periods = []
    for freq, period_ends in ends.items():
        for end in period_ends:
            year_end = freq == "annual" or is_fiscal_year_end(end, fy_month)
            same_kind = [
                e for e in period_ends if freq == "annual" or is_fiscal_year_end(e, fy_month) == year_end
            ]
            filing = _filing_for(statements.filings, end, year_end, same_kind)
            if filing is not None:
                available, basis = filing.filed, f"filed {filing.filed} ({filing.form})"
            else:
                available, basis = deadline(end, year_end)
            periods.append(Period(freq, end, fiscal_label(end, fy_month, freq), year_end, available, basis))
    periods.sort(key=lambda p: (p.period_end, p.freq))
    return Calendar(statements.symbol, fy_month, tuple(periods))


def deadline(period_end: date, fiscal_year_end: bool) -> tuple[date, str]:
    """The SEC filing deadline of a large accelerated filer for a period, and how it was set."""
    if fiscal_year_end:
        days, what = ANNUAL_DEADLINE_DAYS, "fiscal year end (10-K)"
    else:
        days, what = QUARTER_DEADLINE_DAYS, "quarter end (10-Q)"
    return period_end + timedelta(days=days), f"SEC deadline: {days} days after the {what}"


def _filing_for(
    filings: tuple[Filing, ...], end: date, year_end: bool, same_kind: list[date]
) -> Filing | None:
    """The real filing that reports the period ending ``end``, if one is known.

    ``same_kind``: the period ends a filing of the same form could report (fiscal-year ends for an
    annual report, the other quarter ends for a 10-Q).
    """
    forms = ANNUAL_FORMS if year_end else QUARTERLY_FORMS
    window = LOOKBACK_DAYS["annual" if year_end else "quarterly"]
    for filing in sorted(filings, key=lambda f: f.filed):
        if filing.form not in forms or filing.filed < end:
            continue
        if filing.period_end is not None:
            if abs((filing.period_end - end).days) <= MATCH_DAYS:
                return filing
            continue
        # no period end on the filing: it reports the latest such period before its filing day
        before = [e for e in same_kind if e <= filing.filed and (filing.filed - e).days <= window]
        if before and max(before) == end:
            return filing
    return None

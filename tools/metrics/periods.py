"""The periods a return is measured over, and the closes each starts and ends at.

Accepted forms (``parse_period``, case-insensitive; the normalised form in brackets):

- trailing: ``1d``, ``5d`` count trading days (bars) back from the last close; ``1m``, ``3m``,
  ``6m``, ``1y``, ``3y``, ``5y``, ``10y`` follow the calendar as Yahoo, Morningstar and Bloomberg
  count them: from the last close on or before the same calendar day that many months earlier
  than the last close (31 March - 1 month = 28/29 February);
- to date: ``mtd``, ``qtd``, ``ytd``: from the last close of the previous month, quarter or year
  (on or before its last day) to the last close on or before the analysis date;
- calendar: a month ``2024-02``, a quarter ``2025Q4`` (also ``2025-Q4``, ``Q4 2025``) or a year
  ``2025``: from the last close before the period to the period's last close, capped at the
  analysis date (a note says when the period is not over yet).

Anything else is a ``BadInputError`` listing these forms.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from copilot.errors import BadInputError
from tools.period_names import FORMS

SESSIONS = {"1d": 1, "5d": 5}
MONTHS = {"1m": 1, "3m": 3, "6m": 6, "1y": 12, "3y": 36, "5y": 60, "10y": 120}
TO_DATE = ("mtd", "qtd", "ytd")
TRAILING = (*SESSIONS, *MONTHS)
PERIODS = (*TRAILING, *TO_DATE)  # the named periods; calendar periods are written out
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(?:(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4}))$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Window:
    """Where a period's return starts and ends, as of one day."""

    period: str  # normalised
    end: date  # the return ends at the last close on or before this day
    anchor: date | None = None  # it starts at the last close on or before this day...
    sessions: int | None = None  # ...or this many closes before the last one
    open_period: bool = False  # a calendar period not over at the analysis date

    @property
    def first_needed(self) -> date:
        """The first day to fetch so that the starting close is included."""
        if self.anchor is not None:  # a month: the last close before it even across a short gap
            return date.fromordinal(self.anchor.toordinal() - 31)
        return date.fromordinal(self.end.toordinal() - lookback_days(self.period))


def parse_period(text: str | None) -> str:
    """The normalised period (``ytd``, ``1m``, ``2024-02``, ``2025Q4``, ``2025``); BadInputError if none."""
    raw = (text or "ytd").strip().lower()
    if raw in PERIODS:
        return raw
    if month := _MONTH.match(raw):
        if 1 <= int(month.group(2)) <= 12:
            return raw
    elif quarter := _QUARTER.match(raw):
        year = quarter.group(1) or quarter.group(4)
        return f"{year}Q{quarter.group(2) or quarter.group(3)}"
    elif _YEAR.match(raw) and 1900 <= int(raw) <= 2100:
        return raw
    raise BadInputError(f"unknown period {text!r}: use one of {FORMS}, or a start date")


def is_calendar(period: str) -> bool:
    """A named month, quarter or year (rather than a trailing or to-date period)."""
    return period not in PERIODS


def lookback_days(period: str) -> int:
    """Calendar days of bars a trailing period needs (holidays and short gaps included)."""
    if period in SESSIONS:
        return SESSIONS[period] * 2 + 30  # ~1.45 calendar days per trading day, doubled
    return MONTHS[period] * 31 + 15


def resolve(period: str, as_of: date, last_close: date | None = None) -> Window:
    """The window of ``period`` (normalised) as of ``as_of``; trailing periods count back from
    ``last_close`` (the day of the last close on or before ``as_of``; default ``as_of``)."""
    end = last_close or as_of
    if period in SESSIONS:
        return Window(period, as_of, sessions=SESSIONS[period])
    if period in MONTHS:
        back = (pd.Timestamp(end) - pd.DateOffset(months=MONTHS[period])).date()
        return Window(period, as_of, anchor=back)
    if period in TO_DATE:
        first = {"mtd": as_of.month, "qtd": 3 * ((as_of.month - 1) // 3) + 1, "ytd": 1}[period]
        return Window(period, as_of, anchor=_day_before(date(as_of.year, first, 1)))
    start, stop = calendar_bounds(period)
    if start > as_of:
        raise BadInputError(f"the period {period} starts after the analysis date {as_of}")
    return Window(period, min(stop, as_of), anchor=_day_before(start), open_period=stop > as_of)


def calendar_bounds(period: str) -> tuple[date, date]:
    """First and last calendar day of a named month, quarter or year."""
    if month := _MONTH.match(period):
        year, number = int(month.group(1)), int(month.group(2))
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    if "Q" in period:
        year, quarter = int(period[:4]), int(period[-1])
        last = 3 * quarter
        return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
    year = int(period)
    return date(year, 1, 1), date(year, 12, 31)


def span_label(period: str) -> str:
    """How a label names the period: "YTD", "1M", "MTD", "2025Q4", "February 2024", "2025"."""
    if period in PERIODS:
        return period.upper()
    if month := _MONTH.match(period):
        return f"{calendar.month_name[int(month.group(2))]} {month.group(1)}"
    return period


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)

"""A company's statements as they were public on one analysis date, and trailing-twelve-month sums.

``StatementsAsOf`` keeps only the periods whose availability date (tools/fundamentals/availability.py)
is on or before ``as_of``; everything computed from it — a statement table, a TTM figure, the
latest balance sheet — therefore never uses a statement before it was public.

Trailing twelve months of a flow item (revenue, net income, diluted EPS, EBITDA, free cash flow):
the sum of the four latest public quarters when they are consecutive (each about three months
after the previous) and the item is reported for all four; otherwise the latest public fiscal
year when it ends on or after the latest public quarter (the annual report is then the most
recent twelve months); otherwise the latest public fiscal year plus the public quarters after it
minus the same quarters a year earlier (year to date, the usual way when a quarter of the last four
is missing from the data); otherwise none (``NoDataError`` naming what is missing).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from copilot.errors import NoDataError
from tools.fundamentals.availability import Calendar, Period, build_calendar
from tools.providers.statements_base import FinancialStatements

QUARTER_GAP_DAYS = (75, 105)  # consecutive quarter ends are 3 months apart (52/53-week years vary)


@dataclass(frozen=True)
class Trailing:
    """A trailing-twelve-month figure and the periods it was computed from."""

    item: str
    value: float
    periods: tuple[Period, ...]
    method: str  # "sum of 4 quarters" | "fiscal year" | "fiscal year + year to date - prior year to date"

    @property
    def label(self) -> str:
        if self.method == "fiscal year":
            return self.periods[0].label
        if self.method.startswith("fiscal year +"):
            year = next(p for p in self.periods if p.freq == "annual")
            since = [p for p in self.periods if p.freq == "quarterly" and p.period_end > year.period_end]
            return f"{year.label} + {since[0].label} to {since[-1].label} - a year earlier"
        return f"{self.periods[0].label} to {self.periods[-1].label}"


class StatementsAsOf:
    """The statements of one company public on ``as_of``."""

    def __init__(
        self, statements: FinancialStatements, as_of: date, calendar: Calendar | None = None
    ) -> None:
        self.statements = statements
        self.symbol = statements.symbol
        self.as_of = as_of
        self.calendar = calendar or build_calendar(statements)
        public = {(p.freq, p.period_end) for p in self.calendar.available(as_of)}
        lines = statements.lines
        keys = zip(lines["freq"], (ts.date() for ts in pd.DatetimeIndex(lines["period_end"])), strict=True)
        self.lines = lines.loc[[key in public for key in keys]]
        # (freq, period_end) -> {item: value}
        self._values: dict[tuple[str, date], dict[str, float]] = {}
        ends = [ts.date() for ts in pd.DatetimeIndex(self.lines["period_end"])]
        rows = zip(self.lines["freq"], ends, self.lines["item"], self.lines["value"].to_numpy(), strict=True)
        for freq, end, item, value in rows:
            self._values.setdefault((str(freq), end), {})[str(item)] = float(value)

    def periods(self, freq: str) -> list[Period]:
        """Public periods of one frequency that carry figures, oldest first."""
        return [p for p in self.calendar.available(self.as_of, freq) if (freq, p.period_end) in self._values]

    def withheld(self) -> list[Period]:
        """Periods the data holds that were not yet public on ``as_of``."""
        return [p for p in self.calendar.periods if p.available_from > self.as_of]

    def value(self, period: Period, item: str) -> float | None:
        value = self._values.get((period.freq, period.period_end), {}).get(item)
        return None if value is None or not math.isfinite(value) else value

    def ttm(self, item: str) -> Trailing:
        """The trailing-twelve-month figure of a flow item (see the module docstring)."""
        quarters = self.periods("quarterly")
        annuals = self.periods("annual")
        last4 = quarters[-4:]
        if len(last4) == 4 and _consecutive(last4):
            values = [self.value(p, item) for p in last4]
            if all(v is not None for v in values):
                return Trailing(
                    item, float(sum(v for v in values if v is not None)), tuple(last4), "sum of 4 quarters"
                )
        if annuals and (not quarters or annuals[-1].period_end >= quarters[-1].period_end):
            value = self.value(annuals[-1], item)
            if value is not None:
                return Trailing(item, value, (annuals[-1],), "fiscal year")
        stitched = self._year_to_date(item, annuals, quarters)
        if stitched is not None:
            return stitched
        latest = quarters[-1].label if quarters else (annuals[-1].label if annuals else "none")
        raise NoDataError(
            f"{self.symbol}: no trailing-twelve-month {item.replace('_', ' ')} as of {self.as_of} "
            f"(latest public period {latest}; the four quarters up to it are not all in the data)",
            self.symbol,
        )

    def _year_to_date(self, item: str, annuals: list[Period], quarters: list[Period]) -> Trailing | None:
        """Fiscal year + quarters since - the same quarters a year earlier, when all are public."""
        if not annuals or not quarters:
            return None
        year = annuals[-1]
        since = [q for q in quarters if q.period_end > year.period_end]
        if not since:
            return None
        earlier = []
        for quarter in since:
            match = [q for q in quarters if 350 <= (quarter.period_end - q.period_end).days <= 380]
            if not match:
                return None
            earlier.append(match[-1])
        values = [self.value(p, item) for p in (year, *since, *earlier)]
        if any(v is None for v in values):
            return None
        numbers = [v for v in values if v is not None]
        total = numbers[0] + sum(numbers[1 : 1 + len(since)]) - sum(numbers[1 + len(since) :])
        return Trailing(
            item, total, (*earlier, year, *since), "fiscal year + year to date - prior year to date"
        )

    def latest_balance(self, item: str) -> tuple[float, Period]:
        """The item from the most recent public balance sheet that reports it."""
        candidates = sorted(
            (
                p
                for p in (*self.periods("annual"), *self.periods("quarterly"))
                if self.value(p, item) is not None
            ),
            key=lambda p: (p.period_end, p.freq == "quarterly"),
        )
        if not candidates:
            raise NoDataError(
                f"{self.symbol}: no public balance sheet with {item.replace('_', ' ')} as of {self.as_of}",
                self.symbol,
            )
        period = candidates[-1]
        value = self.value(period, item)
        assert value is not None
        return value, period


def _consecutive(periods: list[Period]) -> bool:
    lo, hi = QUARTER_GAP_DAYS
    return all(lo <= (b.period_end - a.period_end).days <= hi for a, b in itertools.pairwise(periods))

"""The fiscal period an SEC filing covers, read from the filing's own text, never from the calendar.

A 10-K or 20-F covers the fiscal year that ends on its cover page's "for the fiscal year ended"
date. A 10-Q's cover page gives the quarter's end ("for the quarterly period ended June 27, 2026");
which quarter of which fiscal year that is depends on the company's fiscal year end, which the 10-Q
states when it refers to its last annual report ("Form 10-K for the fiscal year ended September 27,
2025"): Apple's quarter ended 2026-06-27 is nine months after that, so the third quarter of fiscal
2026.

A fiscal year is named after the calendar year it ends in, except where the company names it after
the year it starts in: retailers whose year ends in late January or early February differ (Walmart's
fiscal 2026 ended 2026-01-31, Home Depot's fiscal 2025 ended 2026-02-01), so for those the filing's
own usage decides ("fiscal 2025" against "fiscal 2026").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from copilot.errors import BadInputError

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = rf"({_MONTH})\s+(\d{{1,2}})\s*,\s*(\d{{4}})"
_COVER = re.compile(
    rf"for\s+the\s+(fiscal\s+year|quarterly\s+period|year|transition\s+period)\s+ended\s*:?\s*{_DATE}",
    re.IGNORECASE,
)
_YEAR_ENDED = re.compile(rf"(?:fiscal\s+)?year\s+ended\s+{_DATE}", re.IGNORECASE)
_YEAR_ENDED_NO_YEAR = re.compile(rf"year\s+ended\s+({_MONTH})\s+(\d{{1,2}})\b(?!\s*,\s*\d)", re.IGNORECASE)
_ANY_DATE = re.compile(_DATE)
_FISCAL_NAME = re.compile(r"\bfiscal\s+(?:year\s+)?(\d{4})\b", re.IGNORECASE)
_ANNUAL_FORMS = {"10-K", "20-F", "40-F"}
_QUARTER_FORMS = {"10-Q"}
_DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class FiscalPeriod:
    """A filing's period: fiscal year, quarter (None for a whole year) and the day the period ended."""

    fiscal_year: int
    quarter: int | None
    period_end: date

    @property
    def label(self) -> str:
        """'Q3 FY2026' or 'FY2025'."""
        return f"Q{self.quarter} FY{self.fiscal_year}" if self.quarter else f"FY{self.fiscal_year}"


def _date(month: str, day: str, year: str) -> date | None:
    try:
        return datetime.strptime(f"{month} {day} {year}", "%B %d %Y").date()
    except ValueError:
        return None


def period_end(text: str) -> tuple[str, date] | None:
    """The cover page's period: ('annual' or 'quarter', the day it ended)."""
    match = _COVER.search(text[:20_000])
    if match is None:
        return None
    ended = _date(match.group(2), match.group(3), match.group(4))
    if ended is None:
        return None
    return ("quarter" if match.group(1).lower().startswith("quarter") else "annual"), ended


def previous_year_end(text: str, ended: date) -> date | None:
    """The fiscal year end before a quarter: the latest 'year ended ...' date 1.5-13 months earlier."""
    candidates: list[date] = []
    for match in _YEAR_ENDED.finditer(text):
        found = _date(match.group(1), match.group(2), match.group(3))
        if found is not None:
            candidates.append(found)
    for match in _YEAR_ENDED_NO_YEAR.finditer(text):  # "Year Ended December 31," in a table heading
        for year in (ended.year, ended.year - 1):
            found = _date(match.group(1), match.group(2), str(year))
            if found is not None:
                candidates.append(found)
    recent = [c for c in candidates if 1.5 <= _months(c, ended) <= 13]
    if recent:
        return max(recent)
    # no "year ended" date: the balance sheet's comparison column, the date a 10-Q repeats most
    # among those a quarter to three quarters earlier (a year earlier is last year's same quarter)
    counts: dict[date, int] = {}
    for match in _ANY_DATE.finditer(text):
        found = _date(match.group(1), match.group(2), match.group(3))
        if found is not None and 1.5 <= _months(found, ended) <= 10.5:
            counts[found] = counts.get(found, 0) + 1
    return max(counts, key=lambda d: (counts[d], d)) if counts else None


def _months(earlier: date, later: date) -> float:
    return (later - earlier).days / _DAYS_PER_MONTH


def fiscal_year_name(year_end: date, text: str) -> int:
    """The fiscal year's name: the calendar year it ends in, unless a Jan/Feb year end is named otherwise."""
    if year_end.month > 2:
        return year_end.year
    named = [int(m.group(1)) for m in _FISCAL_NAME.finditer(text)]
    ending, starting = named.count(year_end.year), named.count(year_end.year - 1)
    return year_end.year - 1 if starting > ending else year_end.year


def filing_period(text: str, form: str) -> FiscalPeriod | None:
    """The fiscal period of a 10-K, 10-Q or 20-F from its text; None when the text does not say."""
    form = form.upper()
    cover = period_end(text)
    if cover is None:
        return None
    kind, ended = cover
    if form in _ANNUAL_FORMS or (kind == "annual" and form not in _QUARTER_FORMS):
        return FiscalPeriod(fiscal_year_name(ended, text), None, ended)
    last_year_end = previous_year_end(text, ended)
    if last_year_end is None:
        return None
    quarter = round(_months(last_year_end, ended) / 3)
    if not 1 <= quarter <= 3:
        return None
    this_year_end = _date(last_year_end.strftime("%B"), str(last_year_end.day), str(last_year_end.year + 1))
    return FiscalPeriod(fiscal_year_name(this_year_end or ended, text), quarter, ended)


_PERIOD_ARGUMENT = re.compile(
    r"^(?:(?:Q([1-4])\s*)?(?:FY|fiscal\s*(?:year\s*)?)?\s*'?(\d{4})(?:\s*Q([1-4]))?)$", re.IGNORECASE
)


def parse_fiscal_period(value: str) -> tuple[int, int | None]:
    """A fiscal period as an argument: 'Q3 FY2026', 'FY2026Q3', '2026Q3', 'FY2025', 'fiscal 2025'."""
    match = _PERIOD_ARGUMENT.match(" ".join(value.split()))
    if match is None or (match.group(1) and match.group(3)):
        raise BadInputError(f"fiscal_period must look like 'Q3 FY2026' or 'FY2025', not {value!r}")
    quarter = match.group(1) or match.group(3)
    return int(match.group(2)), int(quarter) if quarter else None

"""Periods in questions: "this year" -> ytd, "last 3 months" -> 3m, "since March" -> a start date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

PERIOD_WORDS = {
    "1d": "today",
    "5d": "over the past week",
    "1m": "over the past month",
    "3m": "over the past three months",
    "6m": "over the past six months",
    "1y": "over the past year",
    "ytd": "year to date",
}
_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMBER_WORDS = {"one": 1, "a": 1, "two": 2, "three": 3, "six": 6, "twelve": 12, "five": 5}


@dataclass(frozen=True)
class Period:
    """A named period (``1d`` ... ``ytd``) or a custom start date (end = the analysis date, or ``end``)."""

    name: str = "ytd"
    start: date | None = None
    end: date | None = None

    def describe(self) -> str:
        """How the answer says it: "year to date", "since 2025-03-03"."""
        if self.start is not None and self.end is not None:
            return f"from {self.start.isoformat()} to {self.end.isoformat()}"
        if self.start is not None:
            return f"since {self.start.isoformat()}"
        return PERIOD_WORDS.get(self.name, self.name)


# "from March 3 to April 8, 2025", "between 2025-03-03 and 2025-04-08": a start AND an end
_DAY_TEXT = r"(\d{4}-\d{2}-\d{2}|[a-z]+\.?(?:\s+\d{1,2}(?!\d)(?:st|nd|rd|th)?)?(?:,?\s+\d{4})?)"
_RANGE = re.compile(
    rf"\b(?:from|between)\s+(?:the\s+(?:start|beginning)\s+of\s+)?{_DAY_TEXT}"
    rf"\s*(?:\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b|\band\b|-|\u2013)\s*(?:the\s+end\s+of\s+)?{_DAY_TEXT}",
    re.IGNORECASE,
)
_DAY_PARTS = re.compile(
    r"([a-z]+)\.?(?:\s+(\d{1,2})(?!\d)(?:st|nd|rd|th)?)?(?:,?\s+(\d{4}))?$", re.IGNORECASE
)
_ISO_SINCE = re.compile(r"\b(?:since|from)\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_MONTH_SINCE = re.compile(
    r"\b(?:since|from)\s+(?:the\s+(?:start|beginning)\s+of\s+)?([a-z]+)\.?(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?"
    r"(?:,?\s+(\d{4}))?\b",
    re.IGNORECASE,
)
_QUARTER = re.compile(
    r"\b(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)(?:\s+of)?(?:\s+calendar)?"
    r"(\s+fy|\s+fiscal)?\s*'?((?:19|20)?\d{2})?\b",
    re.IGNORECASE,
)
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_SINCE_YEAR = re.compile(r"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?((?:19|20)\d{2})\b", re.I)
_SINCE_YEAR_START = re.compile(r"\bsince\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year\b", re.I)
_YEARS = re.compile(
    r"\b(?:last|past|previous|over)\s+(?:the\s+)?(\d{1,2}|two|three|four|five|ten)\s+years\b", re.I
)
_YEAR_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_YEAR = re.compile(
    r"\b(?:in|during|for|over|throughout)\s+(?:calendar\s+)?(?:year\s+)?((?:19|20)\d{2})\b", re.I
)
_SPAN = re.compile(
    r"\b(?:last|past|previous|over|in)\s+(?:the\s+)?(?:(\d+|one|two|three|five|six|twelve|a)\s+)?"
    r"(day|week|month|quarter|year)s?\b",
    re.IGNORECASE,
)
_NAMED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:ytd|year[- ]to[- ]date|this year|so far (?:this|in the) year)\b", re.I), "ytd"),
    (re.compile(r"\bthis month\b|\bmonth[- ]to[- ]date\b|\bmtd\b", re.I), "1m"),
    (re.compile(r"\bthis week\b|\bweek[- ]to[- ]date\b", re.I), "5d"),
    (re.compile(r"\btoday\b|\bon the day\b|\bthis session\b|\bdaily\b", re.I), "1d"),
    (re.compile(r"\b(?:1|one)[- ]?y(?:ea)?r\b|\b12[- ]months?\b|\blast year\b", re.I), "1y"),
    (re.compile(r"\b6[- ]?m(?:onths?)?\b|\bhalf[- ]year\b", re.I), "6m"),
    (re.compile(r"\b3[- ]?m(?:onths?)?\b|\bquarter\b", re.I), "3m"),
    (re.compile(r"\b1[- ]?m(?:onth)?\b", re.I), "1m"),
    (re.compile(r"\b5[- ]?d(?:ays?)?\b", re.I), "5d"),
)


def read_period(text: str, as_of: date | None) -> Period | None:
    """The period ``text`` names, or None when it names none."""
    span = _range(text, as_of)
    if span is not None:
        return span
    iso = _ISO_SINCE.search(text)
    if iso:
        try:
            return Period(name="custom", start=date.fromisoformat(iso.group(1)))
        except ValueError:
            pass
    since_year = _SINCE_YEAR.search(text)
    if since_year:  # "since 2025": from the last close of 2024
        named_year = int(since_year.group(1))
        if as_of is not None and named_year == as_of.year:
            return Period(name="ytd")
        return Period(name="custom", start=date(named_year - 1, 12, 31))
    if _SINCE_YEAR_START.search(text):
        return Period(name="ytd")
    years = _YEARS.search(text)
    if years:  # "over the past 5 years": the same calendar day that many years back
        count = _YEAR_WORDS.get(years.group(1).lower()) or int(years.group(1))
        reference = as_of or date.today()
        back = reference.year - count
        day = min(reference.day, calendar.monthrange(back, reference.month)[1])  # 29 Feb -> 28 Feb
        return Period(name="custom", start=date(back, reference.month, day))
    quarter = _quarter(text, as_of)
    if quarter is not None:
        return quarter
    year = _YEAR.search(text)
    if year:
        named_year = int(year.group(1))
        if as_of is not None and named_year == as_of.year:
            return Period(name="ytd")
        # a calendar year: from the previous year's last close to the year's last close (a year after
        # the analysis date goes to the tool as asked, and the tool says there is no such data)
        return Period(name="custom", start=date(named_year - 1, 12, 31), end=date(named_year, 12, 31))
    since = _month_since(text, as_of)
    if since is not None:
        return Period(name="custom", start=since)
    words = _SPAN.search(text)
    if words:
        named = _span_name(words.group(1), words.group(2).lower())
        if named:
            return Period(name=named)
    for pattern, name in _NAMED:
        if pattern.search(text):
            return Period(name=name)
    return None


def _span_name(count_text: str | None, unit: str) -> str | None:
    count = 1 if not count_text else _NUMBER_WORDS.get(count_text.lower()) or int(count_text)
    by_unit = {
        ("day", 1): "1d",
        ("day", 5): "5d",
        ("week", 1): "5d",
        ("month", 1): "1m",
        ("month", 3): "3m",
        ("quarter", 1): "3m",
        ("month", 6): "6m",
        ("month", 12): "1y",
        ("year", 1): "1y",
    }
    return by_unit.get((unit, count))


def _month_since(text: str, as_of: date | None) -> date | None:
    """ "since March" -> the 1st of the last March on or before the analysis date."""
    for match in _MONTH_SINCE.finditer(text):
        month = _MONTHS.get(match.group(1).lower())
        if month is None:
            continue
        day = int(match.group(2)) if match.group(2) else 1
        reference = as_of or date.today()  # only live questions (no analysis date) read the clock
        year = int(match.group(3)) if match.group(3) else reference.year
        if not match.group(3) and (month, day) > (reference.month, reference.day):
            year -= 1
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def _range(text: str, as_of: date | None) -> Period | None:
    """ "from March 3 to April 8, 2025" -> custom start and end (a year named once serves both)."""
    for match in _RANGE.finditer(text):
        first, last = _day_parts(match.group(1)), _day_parts(match.group(2))
        if first is None or last is None:
            continue
        try:
            start, end = _range_dates(first, last, as_of or date.today())
        except ValueError:
            continue
        if start < end:
            return Period(name="custom", start=start, end=end)
    return None


_DayParts = tuple[int, int | None, int | None]  # month, day (None = the whole month), year


def _day_parts(text: str) -> _DayParts | date | None:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    parts = _DAY_PARTS.match(text)
    if parts is None or parts.group(1).lower() not in _MONTHS:
        return None
    day = int(parts.group(2)) if parts.group(2) else None
    year = int(parts.group(3)) if parts.group(3) else None
    return _MONTHS[parts.group(1).lower()], day, year


def _range_dates(first: _DayParts | date, last: _DayParts | date, reference: date) -> tuple[date, date]:
    """Both ends as dates: a month alone is its first day (start) or last day (end)."""
    if isinstance(last, date):
        end = last
    else:
        month, day, year = last
        if year is None:  # the last such day on or before the analysis date (or the start's year)
            start_year = first.year if isinstance(first, date) else first[2]
            year = start_year if start_year is not None else reference.year
            if start_year is None and (month, day or 1) > (reference.month, reference.day):
                year -= 1
        end = date(year, month, day) if day else _month_end(year, month)
    if isinstance(first, date):
        return first, end
    month, day, year = first
    start = date(year if year is not None else end.year, month, day or 1)
    if year is None and start >= end:
        start = start.replace(year=start.year - 1)
    if isinstance(last, tuple) and last[2] is None and first[2] is not None and end <= start:
        end = end.replace(year=end.year + 1) if last[1] else _month_end(end.year + 1, end.month)
    return start, end


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter(text: str, as_of: date | None) -> Period | None:
    """ "Q4 2025" -> the quarter's last close before it to its last close (calendar quarters)."""
    match = _QUARTER.search(text)
    if match is None or match.group(3):
        return None  # a fiscal quarter: its months depend on the company's fiscal year
    number = int(match.group(1)) if match.group(1) else _QUARTER_WORDS[match.group(2).lower()]
    reference = as_of or date.today()
    if match.group(4):
        year = int(match.group(4)) + (2000 if len(match.group(4)) == 2 else 0)
    else:  # "in Q3": the latest third quarter that has begun by the analysis date
        year = reference.year if 3 * number - 2 <= reference.month else reference.year - 1
    first_month = 3 * number - 2
    start = date.fromordinal(date(year, first_month, 1).toordinal() - 1)
    end = _month_end(year, first_month + 2)
    # a quarter still running ends at the analysis date; a later one goes to the tool as asked
    in_progress = start < reference < end
    return Period(name="custom", start=start, end=None if in_progress else end)

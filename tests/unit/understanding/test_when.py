"""Reading when a question is about: calendar periods, to-date and trailing periods, days, ranges."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.offline.plans import trailing_span_start
from copilot.understanding.when import When, read_when

REF = date(2026, 1, 9)  # a Friday


def kind_label(text: str, reference: date = REF) -> tuple[str, str] | None:
    found = read_when(text, reference)
    return (found.kind, found.label) if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "last year" is the previous calendar year; "the past year" is trailing
        ("how did apple do last year", ("year", "2025")),
        ("over the past year", ("trailing", "1y")),
        ("in the last 12 months", ("trailing", "1y")),
        ("1y return", ("trailing", "1y")),
        ("over the past 5 years", ("trailing", "5y")),
        ("last 3 months", ("trailing", "3m")),
        ("past week", ("trailing", "5d")),
        ("today", ("trailing", "1d")),
        # to date
        ("how has nvda done ytd?", ("to_date", "ytd")),
        ("this year", ("to_date", "ytd")),
        ("month to date", ("to_date", "mtd")),
        ("sectors this month", ("to_date", "mtd")),
        ("qtd performance", ("to_date", "qtd")),
        # named calendar periods
        ("nasdaq in february 2024", ("month", "2024-02")),
        ("Dec 2025", ("month", "2025-12")),
        ("S&P in Q4 2025", ("quarter", "2025Q4")),
        ("2025Q4", ("quarter", "2025Q4")),
        ("4Q25 eps", ("quarter", "2025Q4")),
        ("the fourth quarter of 2025", ("quarter", "2025Q4")),
        ("how did tsla do in 2025", ("year", "2025")),
        ("last month", ("month", "2025-12")),
        ("last quarter", ("quarter", "2025Q4")),
        # the current calendar year is year to date
        ("in 2026", ("to_date", "ytd")),
        # other languages
        ("rendimiento del Nasdaq en lo que va del año", ("to_date", "ytd")),
        ("rendimiento de tesla el año pasado", ("year", "2025")),
        ("苹果去年的表现", ("year", "2025")),
        ("2024年2月纳斯达克表现", ("month", "2024-02")),
        ("英伟达今年的表现", ("to_date", "ytd")),
        ("过去三个月", ("trailing", "3m")),
    ],
)
def test_periods(text: str, expected: tuple[str, str]) -> None:
    assert kind_label(text) == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("what did apple close at on march 3 2025", date(2025, 3, 3)),
        ("AAPL close on 2025-03-03", date(2025, 3, 3)),
        ("¿cuánto cerró Apple el 3 de marzo de 2025?", date(2025, 3, 3)),
        ("英伟达2025年3月3日的收盘价", date(2025, 3, 3)),
        ("the close on 3 March 2025", date(2025, 3, 3)),
        ("yesterday", date(2026, 1, 8)),
        ("last friday", date(2026, 1, 2)),
        ("and a month ago?", date(2025, 12, 9)),
        ("where was nvda trading a year ago", date(2025, 1, 9)),
        ("msft close 3 weeks ago", date(2025, 12, 19)),
        ("two days ago", date(2026, 1, 7)),
        ("hace un mes", date(2025, 12, 9)),
        ("一个月前", date(2025, 12, 9)),
        ("on December 31", date(2025, 12, 31)),  # the latest such day on or before the reference
    ],
)
def test_days(text: str, day: date) -> None:
    found = read_when(text, REF)
    assert found is not None and found.kind == "day"
    assert found.start == day


def test_ranges_and_since() -> None:
    span = read_when("How did the Nasdaq do from March 3 to April 8 2025?", date(2026, 8, 21))
    assert span == When("range", start=date(2025, 3, 3), end=date(2025, 4, 8), text=span.text if span else "")
    between = read_when("between 2025-01-01 and 2025-06-30", REF)
    assert between is not None and (between.start, between.end) == (date(2025, 1, 1), date(2025, 6, 30))
    months = read_when("from jan 2025 to jun 2025", REF)
    assert months is not None and (months.start, months.end) == (date(2025, 1, 1), date(2025, 6, 30))
    since = read_when("since march", REF)  # from the last close before March 1
    assert since is not None and (since.kind, since.start) == ("since", date(2025, 2, 28))
    day = read_when("since march 3", REF)  # from that day's close
    assert day is not None and day.start == date(2025, 3, 3)
    since_year = read_when("since 2025", REF)  # from the last close of 2024
    assert since_year is not None and since_year.start == date(2024, 12, 31)
    meeting = read_when("how have stocks done since the January meeting", date(2026, 8, 21))
    assert (
        meeting is not None and meeting.kind == "since" and meeting.event == "the January 2026 FOMC meeting"
    )


def test_words_that_are_not_times() -> None:
    assert read_when("may I ask about msft", REF) is None
    assert read_when("what is the rsi", REF) is None
    assert read_when("what is the 50-day moving average", REF) is None


def test_tool_arguments_and_descriptions() -> None:
    last_year = read_when("last year", REF)
    assert last_year is not None
    assert last_year.performance_args() == {"period": "2025"}
    assert last_year.describe() == "in 2025"
    span = read_when("from March 3 to April 8 2025", REF)
    assert span is not None and span.performance_args() == {"start": "2025-03-03", "end": "2025-04-08"}
    quarter = read_when("Q4 2025", REF)
    assert quarter is not None and quarter.describe() == "in Q4 2025"
    month = read_when("in february 2024", REF)
    assert month is not None and month.describe() == "in February 2024"


def test_a_month_ago_from_a_months_end_clamps() -> None:
    found = read_when("a month ago", date(2026, 3, 31))
    assert found is not None and found.start == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("label", "start"),
    [
        ("5d", date(2026, 1, 3)),
        ("1m", date(2025, 12, 10)),
        ("3m", date(2025, 10, 10)),
        ("1y", date(2025, 1, 10)),
    ],
)
def test_a_trailing_period_as_a_span_of_days(label: str, start: date) -> None:
    # the past week as a range is Saturday to Friday: five sessions; a month from the day after
    assert trailing_span_start(label, REF) == start

"""Reading companies, fiscal years and quarters from a question's own text."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.errors import BadInputError
from copilot.knowledge.companies import companies_in_title
from copilot.knowledge.meetings import MeetingSpec, parse_meeting
from copilot.knowledge.query import document_period, read_speakers, understand


def test_company_and_fiscal_year() -> None:
    intent = understand("What is the FY2018 capital expenditure amount (in USD millions) for 3M?")
    assert intent.tickers == ["MMM"] and intent.years == [2018] and intent.quarter is None


def test_aliases_short_years_and_quarters() -> None:
    assert understand("Did Pfizer grow its PPNE between FY20 and FY21?").years == [2020, 2021]
    assert understand("Are JnJ's FY2022 financials those of a growth company?").tickers == ["JNJ"]
    assert understand("Does AMEX have an improving margin?").tickers == ["AXP"]
    intent = understand("As of Q2'2023, is Pfizer spinning off any segment?")
    assert (intent.tickers, intent.years, intent.quarter) == (["PFE"], [2023], 2)
    assert understand("Best Buy sales in the second quarter of fiscal 2024").quarter == 2


def test_common_words_are_not_companies() -> None:
    assert understand("a block of shares, a target rate and some meta data in a circle").tickers == []
    assert understand("Block reported bitcoin revenue").tickers == ["SQ"]


def test_document_period_from_titles_and_filing_headers() -> None:
    assert document_period("AMCOR_2023Q2_10Q", "", None) == (2023, 2, "10q")
    assert document_period("3M_2018_10K", "", None) == (2018, None, "10k")
    header = "FORM 10-K For the fiscal year ended September 27, 2025 or"
    assert document_period("AAPL Form 10-K filed 2025-10-31", header, date(2025, 10, 31), "10-K") == (
        2025,
        None,
        "10k",
    )
    assert document_period("Speech", "no header", date(2024, 5, 1)).fiscal_year == 2024


def test_filing_names_map_to_companies() -> None:
    assert companies_in_title("JOHNSON_JOHNSON_2022_10K") == ["JNJ"]
    assert companies_in_title("PG_E_2022_10K") == ["PCG"]
    assert companies_in_title("Federal Reserve issues FOMC statement") == []


def test_month_and_year() -> None:
    assert understand("What did the FOMC decide in July 2025?").months == [(2025, 7)]
    assert understand("the statement of Dec. 18, 2024").months == [(2024, 12)]
    assert understand("Sept 2020 minutes").months == [(2020, 9)]


def test_fed_kinds_meetings_and_recency_in_a_question() -> None:
    intent = understand("What did the Fed say about rates in its latest statement?")
    assert (intent.kinds, intent.meeting, intent.latest) == (["statement"], None, True)
    intent = understand("What do the minutes of the January meeting say about tariffs?")
    assert (intent.kinds, intent.meeting) == (["minutes"], MeetingSpec(1))
    assert understand("the March 2025 FOMC meeting").meeting == MeetingSpec(3, 2025)
    assert understand("at the meeting in Sept. 2025").meeting == MeetingSpec(9, 2025)
    assert understand("Summary of Economic Projections: the dot plot").kinds == ["projections"]
    assert understand("Waller's speech on stablecoins").kinds == ["speech"]


def test_words_that_are_not_fed_documents() -> None:
    # a financial statement is not the Fed's; thirty minutes are not minutes; 'may' is not May
    assert understand("capex in the cash flow statement of 3M, per the Fed-style analysis").kinds == []
    assert understand("the FOMC reacted within 30 minutes").kinds == []
    assert understand("members may meeting-hop").meeting is None
    assert not understand("What is the FY2018 capital expenditure for 3M?").latest


def test_meeting_arguments() -> None:
    assert parse_meeting("2026-01-28") == MeetingSpec(1, 2026, 28)
    assert parse_meeting("2026-01") == MeetingSpec(1, 2026)
    assert parse_meeting("January 2026") == MeetingSpec(1, 2026)
    assert parse_meeting("jan") == MeetingSpec(1)
    for bad in ("2026-13", "2026-02-30", "soon"):
        with pytest.raises(BadInputError):
            parse_meeting(bad)


def test_speakers_are_matched_as_capitalised_names() -> None:
    assert read_speakers("What did Waller say?", ["Waller", "Cook"]) == ["Waller"]
    assert read_speakers("how to cook the books", ["Waller", "Cook"]) == []

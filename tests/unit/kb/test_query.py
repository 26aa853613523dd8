"""Reading companies, fiscal years and quarters from a question's own text."""

from __future__ import annotations

from datetime import date

from copilot.knowledge.companies import companies_in_title
from copilot.knowledge.query import document_period, understand


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

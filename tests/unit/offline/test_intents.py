"""Reading questions: intents, subjects (via the real SymbolResolver), periods, follow-ups, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.offline.intents import Reading, read_question
from copilot.offline.periods import Period, read_period
from copilot.offline.turn import plan_calls
from tools.symbols import SymbolResolver

AS_OF = date(2026, 1, 9)
TOOLS = (
    "get_quote",
    "compare_performance",
    "get_technicals",
    "get_valuation",
    "sector_performance",
    "lookup_symbol",
    "search_documents",
)
RESOLVER = SymbolResolver()


def read(question: str, previous: Reading | None = None) -> Reading:
    return read_question(question, RESOLVER, previous, AS_OF)


def calls(question: str, *history: str) -> list[tuple[str, dict[str, object]]]:
    previous = None
    for earlier in history:
        previous = read(earlier, previous)
    planned = plan_calls(read(question, previous), TOOLS, turn=1, as_of=AS_OF)
    return [(c["name"], c["args"]) for c in planned]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this year", Period("ytd")),
        ("YTD", Period("ytd")),
        ("year-to-date", Period("ytd")),
        ("over the last 3 months", Period("3m")),
        ("in the past three months", Period("3m")),
        ("last month", Period("1m")),
        ("this month", Period("1m")),
        ("past week", Period("5d")),
        ("today", Period("1d")),
        ("over the past six months", Period("6m")),
        ("over the last year", Period("1y")),
        ("past 12 months", Period("1y")),
        ("since March", Period("custom", date(2025, 3, 1))),  # the last March before 2026-01-09
        ("since January 5", Period("custom", date(2026, 1, 5))),
        ("since 2025-06-02", Period("custom", date(2025, 6, 2))),
        ("since March 2024", Period("custom", date(2024, 3, 1))),
        # a range keeps its end; a year named once serves both ends
        ("from March 3 to April 8 2025", Period("custom", date(2025, 3, 3), date(2025, 4, 8))),
        ("from March 3 to April 8, 2024", Period("custom", date(2024, 3, 3), date(2024, 4, 8))),
        ("between 2025-03-03 and 2025-04-08", Period("custom", date(2025, 3, 3), date(2025, 4, 8))),
        ("from Nov 2024 to March 2025", Period("custom", date(2024, 11, 1), date(2025, 3, 31))),
        ("from December 15 to January 5", Period("custom", date(2025, 12, 15), date(2026, 1, 5))),
        # a calendar quarter: from the previous quarter's last close to the quarter's last close
        ("in Q4 2025", Period("custom", date(2025, 9, 30), date(2025, 12, 31))),
        ("in the second quarter of 2024", Period("custom", date(2024, 3, 31), date(2024, 6, 30))),
        ("in Q3", Period("custom", date(2025, 6, 30), date(2025, 9, 30))),
        ("so far in Q1 2026", Period("custom", date(2025, 12, 31))),  # still running on 2026-01-09
        # these read as nothing, and the answer fell back to the year to date
        ("since the start of 2025", Period("custom", date(2024, 12, 31))),
        ("since 2024", Period("custom", date(2023, 12, 31))),
        ("since the beginning of the year", Period("ytd")),
        ("over the past 5 years", Period("custom", date(2021, 1, 9))),
        ("in the last two years", Period("custom", date(2024, 1, 9))),
    ],
)
def test_periods(text: str, expected: Period) -> None:
    assert read_period(text, AS_OF) == expected


def test_no_period_named() -> None:
    assert read_period("Is Apple expensive?", AS_OF) is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "small caps vs large caps this year",
            [("compare_performance", {"symbols": ["^RUT", "^GSPC"], "period": "ytd"})],
        ),
        (
            "How did the Russell 2000 do YTD vs the S&P 500 and the Nasdaq?",
            [("compare_performance", {"symbols": ["^RUT", "^GSPC", "^IXIC"], "period": "ytd"})],
        ),
        (
            "how has NVDA done over the last 3 months",
            [("compare_performance", {"symbols": ["NVDA"], "period": "3m"})],
        ),
        ("How is MSFT doing today?", [("get_quote", {"symbol": "MSFT"})]),
        ("Where is the Russell 2000 trading?", [("get_quote", {"symbol": "^RUT"})]),
        ("is Apple expensive?", [("get_valuation", {"symbol": "AAPL"})]),
        ("What's Alphabet's P/E?", [("get_valuation", {"symbol": "GOOG"})]),
        ("Is NVDA overbought?", [("get_technicals", {"symbol": "NVDA"})]),
        ("S&P 500 support and resistance levels", [("get_technicals", {"symbol": "^GSPC"})]),
        ("Which sectors led today?", [("sector_performance", {"period": "1d"})]),
        ("Which sectors led this month?", [("sector_performance", {"period": "1m"})]),
        ("what is the ticker for Nvidia", [("lookup_symbol", {"query": "Nvidia"})]),
        ("What's the price of ZZZZ?", [("get_quote", {"symbol": "ZZZZ"})]),
        (
            "Semiconductors versus the Nasdaq over the past month",
            [("compare_performance", {"symbols": ["^SOX", "^IXIC"], "period": "1m"})],
        ),
    ],
)
def test_single_intents(question: str, expected: list[tuple[str, dict[str, object]]]) -> None:
    assert calls(question) == expected


def test_combined_question_gives_each_clause_its_subject() -> None:
    assert calls("Where is IWM trading, and is Apple expensive?") == [
        ("get_quote", {"symbol": "IWM"}),
        ("get_valuation", {"symbol": "AAPL"}),
    ]
    assert calls("What's NVDA's RSI and MSFT's P/E?") == [
        ("get_valuation", {"symbol": "MSFT"}),
        ("get_technicals", {"symbol": "NVDA"}),
    ]


def test_combined_question_with_one_subject_asks_everything_of_it() -> None:
    assert calls("How has NVDA done this year and is it overbought?") == [
        ("compare_performance", {"symbols": ["NVDA"], "period": "ytd"}),
        ("get_technicals", {"symbol": "NVDA"}),
    ]
    assert calls("Compare AAPL and MSFT valuation") == [
        ("get_valuation", {"symbol": "AAPL"}),
        ("get_valuation", {"symbol": "MSFT"}),
    ]


def test_combined_market_and_sector_question_keeps_each_period() -> None:
    assert calls("How did the Russell 2000 do YTD vs the S&P 500? Which sectors led today?") == [
        ("compare_performance", {"symbols": ["^RUT", "^GSPC"], "period": "ytd"}),
        ("sector_performance", {"period": "1d"}),
    ]


def test_fed_question_searches_statements_near_the_analysis_date() -> None:
    assert calls("What did the Fed say about rates in its latest statement?") == [
        (
            "search_documents",
            {
                "query": "FOMC statement Committee decided federal funds rate target range policy rate "
                "interest rate",
                "k": 5,
                "since": "2025-10-26",
            },
        )
    ]


def test_document_clause_of_a_combined_question_is_the_search_query() -> None:
    planned = calls(
        "What did the Fed say about inflation in its latest statement, and how have small caps done?"
    )
    assert planned[0] == ("compare_performance", {"symbols": ["^RUT"], "period": "ytd"})
    assert planned[1][0] == "search_documents"
    assert "small" not in str(planned[1][1]["query"]) and "inflation" in str(planned[1][1]["query"])


@pytest.mark.parametrize(
    ("history", "question", "expected"),
    [
        (
            ["small caps vs large caps this year"],
            "and against the Nasdaq?",
            [("compare_performance", {"symbols": ["^RUT", "^IXIC"], "period": "ytd"})],
        ),
        (
            ["How has NVDA done over the last 3 months?"],
            "what about its RSI?",
            [("get_technicals", {"symbol": "NVDA"})],
        ),
        (
            ["How has NVDA done over the last 3 months?"],
            "what about Microsoft?",
            [("compare_performance", {"symbols": ["MSFT"], "period": "3m"})],
        ),
        (
            ["How has Apple performed this year?"],
            "and over the last 6 months?",
            [("compare_performance", {"symbols": ["AAPL"], "period": "6m"})],
        ),
        (["Which sectors led today?"], "and this month?", [("sector_performance", {"period": "1m"})]),
        (
            ["How has NVDA done over the last 3 months?", "what about its RSI?"],
            "is it expensive?",
            [("get_valuation", {"symbol": "NVDA"})],
        ),
    ],
)
def test_follow_ups_lean_on_the_previous_question(
    history: list[str], question: str, expected: list[tuple[str, dict[str, object]]]
) -> None:
    assert calls(question, *history) == expected


def test_a_new_full_question_does_not_inherit() -> None:
    assert calls("Is Apple expensive?", "small caps vs large caps this year") == [
        ("get_valuation", {"symbol": "AAPL"})
    ]


@pytest.mark.parametrize(
    ("question", "refusal"),
    [
        ("Should I buy NVDA?", "advice"),
        ("Is it a good time to buy Apple stock?", "advice"),
        ("What's the price of bitcoin?", "crypto"),
        ("How is ethereum doing this year?", "crypto"),
        ("   ", "empty"),
    ],
)
def test_refusals_plan_no_tool_calls(question: str, refusal: str) -> None:
    reading = read(question)
    assert reading.refusal == refusal
    assert plan_calls(reading, TOOLS, turn=1) == []


def test_nonsense_plans_nothing() -> None:
    reading = read("blorp zindle frobnicate")
    assert reading.intents == () and reading.symbols == () and plan_calls(reading, TOOLS, turn=1) == []


def test_tools_not_bound_are_not_called() -> None:
    reading = read("What did the Fed say about rates in its latest statement?")
    assert plan_calls(reading, ("get_quote",), turn=1) == []


def test_tool_call_ids_are_deterministic_and_distinct() -> None:
    reading = read("Where is IWM trading, and is Apple expensive?")
    first, second = plan_calls(reading, TOOLS, turn=3), plan_calls(reading, TOOLS, turn=3)
    assert [c["id"] for c in first] == [c["id"] for c in second]
    assert len({c["id"] for c in first}) == 2


def test_a_calendar_year_is_previous_close_to_year_end() -> None:
    assert calls("How did SOFI do in 2023?") == [
        ("compare_performance", {"symbols": ["SOFI"], "start": "2022-12-31", "end": "2023-12-31"})
    ]
    assert read_period("in 2026", AS_OF) == Period("ytd")  # the analysis year is year to date


def test_a_date_range_asks_for_its_end_too() -> None:
    # before: "from March 3 to April 8" dropped the end and answered March 3 -> the analysis date
    assert calls("How did the S&P 500 do from March 3 to April 8 2025?") == [
        ("compare_performance", {"symbols": ["^GSPC"], "start": "2025-03-03", "end": "2025-04-08"})
    ]


def test_the_market_means_the_s_and_p_500_when_nothing_else_is_named() -> None:
    assert calls("How's the market doing today?") == [("get_quote", {"symbol": "^GSPC"})]
    assert calls("Is the stock market overbought?") == [("get_technicals", {"symbol": "^GSPC"})]
    assert calls("Which sectors led today?") == [("sector_performance", {"period": "1d"})]


def test_compared_to_follow_up_keeps_the_previous_intent() -> None:
    assert calls("and compared to Microsoft?", "Is Apple expensive?") == [
        ("get_valuation", {"symbol": "AAPL"}),
        ("get_valuation", {"symbol": "MSFT"}),
    ]


def test_a_question_with_its_own_names_and_intent_is_not_a_follow_up() -> None:
    assert calls("Compare NVDA, AMD and INTC this year", "Is the S&P 500 expensive?") == [
        ("compare_performance", {"symbols": ["NVDA", "AMD", "INTC"], "period": "ytd"})
    ]
    assert calls("How's the market doing today?", "Is the S&P 500 expensive?") == [
        ("get_quote", {"symbol": "^GSPC"})
    ]


def test_an_unknown_company_name_is_passed_to_the_tools_to_resolve() -> None:
    assert calls("How has Carvana done this year?") == [
        ("compare_performance", {"symbols": ["Carvana"], "period": "ytd"})
    ]
    assert calls("Is Plug Power expensive?") == [("get_valuation", {"symbol": "Plug Power"})]
    assert calls("What did Powell say about rates?")[0][0] == "search_documents"


def test_follow_up_on_a_name_the_resolver_lacked() -> None:
    assert calls("what about its RSI?", "How has Carvana done this year?") == [
        ("get_technicals", {"symbol": "Carvana"})
    ]


def test_four_part_question_gives_each_part_its_subject_and_period() -> None:
    question = (
        "How have small caps done this year, is the Russell 2000 overbought, and which sectors led today? "
        "Where is Apple trading?"
    )
    assert calls(question) == [
        ("compare_performance", {"symbols": ["^RUT"], "period": "ytd"}),
        ("get_quote", {"symbol": "AAPL"}),
        ("get_technicals", {"symbol": "^RUT"}),
        ("sector_performance", {"period": "1d"}),
    ]


def test_a_year_after_the_analysis_date_is_asked_as_is_for_the_tool_to_refuse() -> None:
    assert read_period("in 2027", AS_OF) == Period("custom", date(2026, 12, 31), date(2027, 12, 31))


def test_a_list_continued_in_the_next_clause_stays_with_its_question() -> None:
    question = (
        "How have small caps done vs large caps and the Nasdaq this year, where is IWM trading versus its "
        "52-week high, is the Russell 2000 overbought, and what did the Fed say about rates in its latest "
        "statement?"
    )
    planned = calls(question)
    assert planned[:3] == [
        ("compare_performance", {"symbols": ["^RUT", "^GSPC", "^IXIC"], "period": "ytd"}),
        ("get_quote", {"symbol": "IWM"}),
        ("get_technicals", {"symbol": "^RUT"}),
    ]
    assert planned[3][0] == "search_documents" and len(planned) == 4
    assert calls("Apple and Microsoft: how have they done this year?") == [
        ("compare_performance", {"symbols": ["AAPL", "MSFT"], "period": "ytd"})
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How did tech do today?", [("get_quote", {"symbol": "XLK"})]),
        (
            "How are utilities doing this year?",
            [("compare_performance", {"symbols": ["XLU"], "period": "ytd"})],
        ),
        (
            "How has technology performed vs the S&P 500 this month?",
            [("compare_performance", {"symbols": ["XLK", "^GSPC"], "period": "1m"})],
        ),
    ],
)
def test_sector_words_name_their_etf(question: str, expected: list[tuple[str, dict[str, object]]]) -> None:
    assert calls(question) == expected


def test_sector_words_in_a_fed_question_stay_words() -> None:
    assert [name for name, _ in calls("What did the Fed say about energy prices?")] == ["search_documents"]


@pytest.mark.parametrize("question", ["hello", "Thanks!", "What can you do?"])
def test_small_talk_gets_a_greeting(question: str) -> None:
    assert read(question).refusal == "greeting"


def test_document_follow_up_on_a_new_topic() -> None:
    planned = calls("and about inflation?", "What did the Fed say about rates in its latest statement?")
    assert planned == [
        (
            "search_documents",
            {"query": "FOMC statement Committee decided inflation prices pce", "k": 5, "since": "2025-10-26"},
        )
    ]


def test_a_fed_clause_in_a_combined_question_asks_for_the_latest_word() -> None:
    combined = read("How have small caps done this year, and what did the Fed say about rates?")
    assert combined.latest
    dated = read("What did the Fed say about rates in 2021?")
    assert not dated.latest


def test_a_treasury_yield_is_the_index_level_not_a_dividend_yield() -> None:
    # "yield" is a valuation word for a stock, but the 10-year yield is what ^TNX quotes
    assert calls("What is the 10-year Treasury yield?") == [("get_quote", {"symbol": "^TNX"})]
    assert calls("What's Apple's dividend yield?") == [("get_valuation", {"symbol": "AAPL"})]


def test_a_calendar_quarter_is_asked_as_that_quarter() -> None:
    # before: "in Q4 2025" was not read and the answer gave the 2026 year-to-date return instead
    assert calls("How did Apple do in Q4 2025?") == [
        ("compare_performance", {"symbols": ["AAPL"], "start": "2025-09-30", "end": "2025-12-31"})
    ]
    assert read_period("Q2 FY2024", AS_OF) is None  # a fiscal quarter's months depend on the company

"""Reading whole questions: names as people type them, combined questions, follow-ups, rules."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.understanding.reader import read_question
from copilot.understanding.reading import QuestionReading
from copilot.understanding.rules import RULES
from tools.symbols import SymbolResolver

RESOLVER = SymbolResolver()
REF = date(2026, 1, 9)


def read(text: str, previous: QuestionReading | None = None, reference: date = REF) -> QuestionReading:
    return read_question(text, RESOLVER, reference, previous)


def shape(reading: QuestionReading) -> list[tuple[str, tuple[str, ...], str | None]]:
    return [(p.measure, p.subjects, p.when.label or p.when.kind if p.when else None) for p in reading.parts]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How have small caps done vs large caps this year?", [("return", ("^RUT", "^GSPC"), "ytd")]),
        ("how has nvda done ytd?", [("return", ("NVDA",), "ytd")]),
        ("tsla rsi", [("technicals", ("TSLA",), None)]),
        ("what did apple close at on march 3 2025", [("price", ("AAPL",), "day")]),
        ("How did the S&P 500 do last year?", [("return", ("^GSPC",), "2025")]),
        ("sectors this month", [("sectors", (), "mtd")]),
        ("S&P500vsNasdaq ytd", [("return", ("^GSPC", "^IXIC"), "ytd")]),
        ("spx/ndx this year", [("return", ("^GSPC", "^NDX"), "ytd")]),
        ("How did Apple do this year, and Microsoft?", [("return", ("AAPL", "MSFT"), "ytd")]),
        ("Apple and Microsoft: how have they done this year?", [("return", ("AAPL", "MSFT"), "ytd")]),
        ("Where is the 10-year Treasury yield?", [("price", ("^TNX",), None)]),
        ("whats the 10y yield", [("price", ("^TNX",), None)]),
        ("what was tesla's high in 2024", [("price", ("TSLA",), "2024")]),
        ("how low did meta go in 2022", [("price", ("META",), "2022")]),
        ("nvda 2025 return", [("return", ("NVDA",), "2025")]),
        ("how did gold do in 2025", [("return", ("GLD",), "2025")]),
        ("did coin go up in q2 2026", [("return", ("COIN",), "2026Q2")]),
        ("msft margins", [("financials", ("MSFT",), None)]),
        ("which did better last year, tesla or ford", [("return", ("TSLA", "Ford"), "2025")]),
        ("msft vs pltr", [("return", ("MSFT", "PLTR"), None)]),
        ("did nvda beat the market this year", [("return", ("NVDA", "^GSPC"), "ytd")]),
        ("apple vs the market", [("return", ("AAPL", "^GSPC"), None)]),
        ("tell me about palantir", [("price", ("Palantir",), None)]),
        (
            "How has the market done since the last fed meeting?",
            [("documents", (), "since"), ("return", ("^GSPC",), "since")],
        ),
        ("how much did spy pay in dividends", [("unsupported", ("SPY",), None)]),
        (
            "why did tesla drop on 2025-03-10",
            [("unsupported", ("TSLA",), "day"), ("return", ("TSLA",), "day")],
        ),
        ("emerging markets ytd", [("return", ("EEM",), "ytd")]),
        ("apple's p/e in march 2025", [("valuation", ("AAPL",), "2025-03")]),
        ("What is the S&P 500's P/E?", [("market_valuation", ("^GSPC",), None)]),
        ("Is the market overheated?", [("composite", ("^GSPC",), None)]),
        ("What do analysts expect for NVDA?", [("targets", ("NVDA",), None)]),
        ("Apple revenue last quarter", [("financials", ("AAPL",), "2025Q4")]),
        ("How did the energy sector do in Q4 2025?", [("return", ("XLE",), "2025Q4")]),
        ("¿Cómo le ha ido a Apple este año?", [("return", ("AAPL",), "ytd")]),
        ("英伟达今年的表现如何？", [("return", ("NVDA",), "ytd")]),
        ("纳斯达克和标普500今年的表现", [("return", ("^IXIC", "^GSPC"), "ytd")]),
    ],
)
def test_questions(question: str, expected: list[tuple[str, tuple[str, ...], str | None]]) -> None:
    assert shape(read(question)) == expected


def test_combined_questions_keep_every_part() -> None:
    reading = read("How did the Russell 2000 do YTD vs the S&P 500 and the Nasdaq, and which sectors led?")
    assert shape(reading) == [("return", ("^RUT", "^GSPC", "^IXIC"), "ytd"), ("sectors", (), "ytd")]
    mixed = read("what's the rsi of tsla and the p/e of aapl")
    assert [(p.measure, p.subjects, p.fields) for p in mixed.parts] == [
        ("technicals", ("TSLA",), ("rsi",)),
        ("valuation", ("AAPL",), ("pe",)),
    ]
    two = read("Where is IWM trading, and is Apple expensive?")
    assert shape(two) == [("price", ("IWM",), None), ("valuation", ("AAPL",), None)]
    both = read("How did Apple do in 2025 and what is its RSI?")
    assert shape(both) == [("return", ("AAPL",), "2025"), ("technicals", ("AAPL",), None)]


def test_misspellings_are_read_and_reported() -> None:
    reading = read("How is Microsfot doing?")
    assert reading.subjects == ("MSFT",)
    assert reading.corrections == (("Microsfot", "MSFT"),)
    assert read("amazn price").corrections == (("amazn", "AMZN"),)
    # real words are never read as misspelt companies
    assert read("how boring has the market been this year").corrections == ()
    assert read("apply the 50-day average to spy").subjects == ("SPY",)


def test_names_in_any_case_and_other_languages() -> None:
    assert read("how is nvidia doing").subjects == ("NVDA",)
    assert read("apple and microsoft ytd").subjects == ("AAPL", "MSFT")
    assert read("特斯拉去年的涨幅").subjects == ("TSLA",)
    assert read("¿cuál fue el precio de cierre de Microsoft el 3 de marzo de 2025?").language == "es"
    assert read("英伟达今年的表现").language == "zh"


def test_document_questions_get_their_filters() -> None:
    january = read("What did the Fed do at the January meeting?", reference=date(2026, 2, 27)).parts[0]
    assert january.measure == "documents" and january.docs is not None
    assert (january.docs.kind, january.docs.meeting_month, january.docs.latest) == ("statement", 1, False)
    waller = read("What has Waller said recently on cuts?").parts[0].docs
    assert waller is not None and (waller.kind, waller.speaker, waller.latest) == ("speech", "Waller", True)
    # no press conference is stored: what Powell said "at the last meeting" is the meeting's statement
    # (the answer says whose words it lacks), never an older speech of his
    at_meeting = read("what did powell say about inflation at the last meeting").parts[0].docs
    assert at_meeting is not None
    assert (at_meeting.kind, at_meeting.speaker, at_meeting.said_at_meeting) == ("statement", None, "Powell")
    assert at_meeting.latest
    latest = read("What does the latest statement say on inflation?").parts[0].docs
    assert latest is not None and (latest.kind, latest.latest, latest.topic) == (
        "statement",
        True,
        "inflation",
    )
    minutes = read("Show me the FOMC minutes from the September 2025 meeting").parts[0].docs
    assert minutes is not None and (minutes.kind, minutes.meeting) == ("minutes", "2025-09")
    filing = read("What did Apple's 10-Q say about risks?").parts[0].docs
    assert filing is not None and filing.kind == "10-Q"


def test_declines() -> None:
    assert [(p.measure, p.fields) for p in read("Should I buy Tesla?").parts] == [
        ("unsupported", ("advice",))
    ]
    assert [p.fields for p in read("what is nvda's implied volatility").parts] == [("options",)]
    assert [p.fields for p in read("what did apple say on its last earnings call").parts] == [
        ("transcripts",)
    ]
    assert [p.fields for p in read("What's the price of bitcoin?").parts] == [("crypto",)]


def test_since_then_within_one_question_starts_at_the_day_it_named() -> None:
    reading = read("price of amzn on 2025-04-08 and its return since then")
    assert [
        (p.measure, p.when.kind if p.when else None, p.when.start if p.when else None) for p in reading.parts
    ] == [
        ("price", "day", date(2025, 4, 8)),
        ("return", "since", date(2025, 4, 8)),
    ]


def test_rate_decisions_over_a_period_ask_for_every_statement_in_it() -> None:
    for question in ("how many rate cuts did the fed make in 2025", "what did the Fed decide in 2025"):
        docs = read(question).parts[0].docs
        assert docs is not None and docs.each and docs.kind == "statement", question
        assert (docs.since, docs.until) == (date(2025, 1, 1), date(2025, 12, 31))
    # a topic over a period, or one meeting, is not every decision
    inflation = read("what did the fed say about inflation in 2025").parts[0].docs
    january = read("what did the fed do at the january meeting").parts[0].docs
    assert inflation is not None and not inflation.each and january is not None and not january.each


def test_margins_name_every_margin_and_a_kind_only_that_one() -> None:
    assert read("msft margins").parts[0].fields == ("gross_margin", "operating_margin", "net_margin")
    assert read("msft gross margin").parts[0].fields == ("gross_margin",)


def test_follow_ups() -> None:
    first = read("How did Apple and Microsoft do this year?")
    amazon = read("and Amazon?", first)
    assert shape(amazon) == [("return", ("AMZN",), "ytd")] and amazon.follow_up
    rsi = read("what about its RSI?", amazon)
    assert shape(rsi) == [("technicals", ("AMZN",), None)]
    two = read("what are the RSIs of the two?", first)
    assert shape(two) == [("technicals", ("AAPL", "MSFT"), None)]
    longer = read("and over the last 6 months?", first)
    assert shape(longer) == [("return", ("AAPL", "MSFT"), "6m")]
    day = read("what did apple close at on march 3 2025")
    since = read("how has it done since then?", day)
    assert [(p.measure, p.subjects, p.when.start if p.when else None) for p in since.parts] == [
        ("return", ("AAPL",), date(2025, 3, 3))
    ]
    quote = read("apple price")
    month_ago = read("and a month ago?", quote)
    assert [(p.measure, p.subjects, p.when.start if p.when else None) for p in month_ago.parts] == [
        ("price", ("AAPL",), date(2025, 12, 9))
    ]
    week = read("and last week?", quote)  # a price over a period: how it moved
    assert shape(week) == [("return", ("AAPL",), "5d")]
    against = read("and against the Nasdaq?", read("how has nvda done this year?"))
    assert shape(against) == [("return", ("NVDA", "^IXIC"), "ytd")]
    topic = read("and about inflation?", read("What did the Fed say about jobs in its latest statement?"))
    assert topic.parts[0].docs is not None and topic.parts[0].docs.topic == "inflation"


def test_a_ticker_nobody_knows_is_passed_on_and_never_replaced_by_the_last_subject() -> None:
    alone = read("ibm price")
    assert shape(alone) == [("price", ("IBM",), None)] and alone.unknown == ("IBM",)
    after = read("ibm price", read("msft price"))
    assert shape(after) == [("price", ("IBM",), None)]
    # English words, question vocabulary and indicator names are never read as tickers
    assert read("pltr price").unknown == ("PLTR",)
    assert read("shop price").unknown == () and read("show me the price").unknown == ()
    assert read("rsi please").unknown == ()
    # a run of words no dictionary knows is a name; two apart are typos, not a name
    assert read("goldman sachs price").unknown == ("Goldman Sachs",)
    assert read("waht is teh price").unknown == ()
    gold = read("what did the Fed say about gold")  # in a document question, gold is a topic
    assert gold.subjects == () and gold.parts[0].docs is not None and gold.parts[0].docs.topic == "gold"


def test_more_names_than_one_answer_compares_are_listed() -> None:
    reading = read("compare apple, microsoft, nvidia, amazon, google, meta, tesla and broadcom this year")
    assert len(reading.subjects) == 6
    assert reading.beyond_limit == ("TSLA", "AVGO")


def test_every_rule_has_a_name_and_an_example() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.example for rule in RULES)


def test_greeting_and_empty() -> None:
    assert read("hello").refusal == "greeting"
    assert read("   ").refusal == "empty"


def test_target_in_a_list_or_a_comparison_is_the_company_and_a_price_target_is_not() -> None:
    listed = read("compare costco walmart and target ytd")
    assert shape(listed) == [("return", ("COST", "WMT", "TGT"), "ytd")]
    compared = read("costco vs target")
    assert compared.subjects == ("COST", "TGT")
    targets = read("apple and microsoft price targets")
    assert "TGT" not in targets.subjects and {p.measure for p in targets.parts} == {"targets"}


def test_a_market_screen_is_declined_with_the_sector_ranking_and_is_x_a_buy_is_advice() -> None:
    screen = read("which stocks are up the most this month")
    assert [(p.measure, p.fields) for p in screen.parts if p.measure == "unsupported"] == [
        ("unsupported", ("screener",))
    ]
    sectors = [p for p in screen.parts if p.measure == "sectors"]
    assert len(sectors) == 1 and sectors[0].when is not None and sectors[0].when.label == "mtd"
    for question in ("is tesla a buy", "is apple stock a good investment"):
        parts = read(question).parts
        assert [(p.measure, "advice" in p.fields) for p in parts] == [("unsupported", True)], question


def test_rate_cuts_are_the_feds_decisions_meeting_by_meeting_even_unnamed() -> None:
    year = read("how many rate cuts in 2025").parts[0].docs
    assert year is not None
    assert (year.each, year.kind, year.publisher) == (True, "statement", "Federal Reserve")
    assert (year.since, year.until) == (date(2025, 1, 1), date(2025, 12, 31))
    this_year = read("rate cuts this year", reference=date(2026, 8, 21)).parts[0].docs
    assert this_year is not None and this_year.each
    assert (this_year.since, this_year.until) == (date(2026, 1, 1), date(2026, 8, 21))


def test_a_valuation_follow_up_naming_a_day_asks_for_that_day() -> None:
    pe = read("nvda p/e", reference=date(2026, 8, 21))
    ago = read("and a year ago?", pe, reference=date(2026, 8, 21))
    assert [(p.measure, p.subjects, p.when.start if p.when else None) for p in ago.parts] == [
        ("valuation", ("NVDA",), date(2025, 8, 21))
    ]

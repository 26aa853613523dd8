"""Disambiguation rules: when the words of a clause name several measures (or none), which ones
it asks. Each rule has a name and the question it was written for; they run in order, and each
sees what the rules before it decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from copilot.lexicon import YIELD_INDEXES
from copilot.understanding.measures import Measure, fields_in
from copilot.understanding.when import When

MARKET_SYMBOLS = frozenset({"^GSPC", "SPY", "VOO", "IVV"})
_FED_SOURCE = re.compile(
    r"\b(?:fed|fomc|federal reserve|powell|waller|bowman|barr|jefferson|cook|kugler|miran|minutes|"
    r"speech|spoke|remarks|filing|10-?k|10-?q|20-?f|central bank|reserva federal|la fed|meeting)\b"
    r"|美联储|会议纪要|沃勒|鲍威尔|鲍曼|说了什么",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\b(?:vs\.?|versus|compared?(?: to| with)?|against|relative to|than|frente a)\b|对比|相比", re.I
)
_QUOTE_STRONG = re.compile(
    r"\b(?:price|quote|last (?:price|close)|volume|52[- ]week|trading at|clos(?:e|ed|ing) at)\b|股价|收盘",
    re.IGNORECASE,
)
_TRAILING_EPS = re.compile(r"\b(?:trailing|forward)\s+eps\b", re.IGNORECASE)
_ANALYST_EXPECT = re.compile(r"\banalysts?\b|\bwall street\b|\bconsensus\b|分析师|analistas", re.IGNORECASE)
_INCOME_STATEMENT = re.compile(r"\b(?:income|cash[- ]flow)\s+statements?\b|\bbalance sheet\b", re.IGNORECASE)
_RATE_WORDS = re.compile(r"\b(?:rates?|rate cuts?|cuts?|hikes?|target range|federal funds)\b", re.I)
_HIGH_LOW = re.compile(r"\b(?:highs?|lows?|highest|lowest|peak(?:ed)?|trough|bottomed)\b", re.I)
_OVERBOUGHT_MARKET = re.compile(r"\b(?:the\s+)?(?:stock\s+)?market\b.{0,30}\boverbought\b", re.I)


@dataclass
class Decision:
    """The measures a clause asks, as the rules shape them."""

    measures: list[Measure]
    subjects: tuple[str, ...]
    when: When | None
    text: str
    fields: dict[Measure, tuple[str, ...]]
    applied: list[str]

    def drop(self, measure: Measure) -> None:
        if measure in self.measures:
            self.measures.remove(measure)

    def add(self, measure: Measure) -> None:
        if measure not in self.measures:
            self.measures.append(measure)


@dataclass(frozen=True)
class Rule:
    """One named disambiguation rule and the question it decides.

    When ``applies``: keep ``only`` (if given), else swap ``swap[0]`` for ``swap[1]``, drop the
    ``drop`` measures and add ``add``.
    """

    name: str
    example: str
    applies: Callable[[Decision], bool]
    only: tuple[Measure, ...] = ()
    swap: tuple[Measure, Measure] | None = None
    drop: tuple[Measure, ...] = ()
    add: Measure | None = None

    def apply(self, d: Decision) -> None:
        if self.only:
            d.measures[:] = [m for m in d.measures if m in self.only] or [self.only[0]]
        if self.swap is not None:
            old, new = self.swap
            d.measures[:] = list(dict.fromkeys(new if m == old else m for m in d.measures))
        for measure in self.drop:
            d.drop(measure)
        if self.add is not None:
            d.add(self.add)


RULES: tuple[Rule, ...] = (
    Rule(
        "dividend_payments_are_declined_not_quoted",
        "How much did SPY pay in dividends?",
        lambda d: (
            "unsupported" in d.measures
            and "dividends" in fields_in("unsupported", d.text)
            and not re.search(r"\byield\b", d.text, re.I)
        ),
        only=("unsupported",),
    ),
    Rule(
        "advice_and_unknowable_are_declined",
        "Should I buy Tesla?",
        lambda d: (
            "unsupported" in d.measures
            and bool(set(fields_in("unsupported", d.text)) & {"advice", "forecast", "transcripts"})
        ),
        only=("unsupported",),
    ),
    Rule(
        "a_market_screen_is_declined_and_the_sectors_ranked",
        "Which stocks are up the most this month?",
        lambda d: (
            "unsupported" in d.measures
            and not d.subjects
            and "screener" in fields_in("unsupported", d.text)
            and not set(fields_in("unsupported", d.text)) & {"advice", "forecast"}
        ),
        only=("unsupported",),
        add="sectors",
    ),
    Rule(
        "crypto_alone_is_declined",
        "What's the price of bitcoin?",
        lambda d: (
            "unsupported" in d.measures and not d.subjects and "crypto" in fields_in("unsupported", d.text)
        ),
        only=("unsupported",),
    ),
    Rule(
        "crypto_is_declined_the_rest_answered",
        "BTC vs Nasdaq YTD?",
        lambda d: (
            d.measures == ["unsupported"]
            and bool(d.subjects)
            and fields_in("unsupported", d.text) == ("crypto",)
        ),
        add="return",
    ),
    Rule(
        "implied_volatility_is_not_realised",
        "What is NVDA's implied volatility?",
        lambda d: "unsupported" in d.measures and "options" in fields_in("unsupported", d.text),
        drop=("technicals", "price"),
    ),
    Rule(
        "a_ticker_question_is_a_lookup",
        "Which company is HOOD?",
        lambda d: "lookup" in d.measures,
        only=("lookup",),
    ),
    Rule(
        "a_price_target_is_not_a_price",
        "What is Apple's price target?",
        lambda d: (
            "targets" in d.measures and bool(re.search(r"\b(?:price target|target price)s?\b", d.text, re.I))
        ),
        drop=("price",),
    ),
    Rule(
        "income_statement_is_not_a_document",
        "Show me Apple's income statement",
        lambda d: bool(_INCOME_STATEMENT.search(d.text)),
        drop=("documents",),
        add="financials",
    ),
    Rule(
        "analysts_expect_means_targets",
        "What do analysts expect for NVDA?",
        lambda d: "targets" in d.measures and bool(_ANALYST_EXPECT.search(d.text)),
        drop=("financials", "return", "price"),
    ),
    Rule(
        "the_market_running_hot_is_a_composite",
        "Is the market overheated?",
        lambda d: "composite" in d.measures or (not d.subjects and bool(_OVERBOUGHT_MARKET.search(d.text))),
        only=("composite",),
    ),
    Rule(
        "index_valuation_is_market_valuation",
        "What is the S&P 500's P/E?",
        lambda d: (
            "valuation" in d.measures
            and bool(d.subjects)
            and set(d.subjects) <= MARKET_SYMBOLS
            and set(fields_in("valuation", d.text)) <= {"pe"}  # the market's P/E or CAPE, not SPY's yield
        ),
        swap=("valuation", "market_valuation"),
    ),
    Rule(
        "a_rate_yield_is_its_level",
        "Where is the 10-year Treasury yield?",
        lambda d: "valuation" in d.measures and bool(d.subjects) and set(d.subjects) <= YIELD_INDEXES,
        swap=("valuation", "price"),
    ),
    Rule(
        "trailing_eps_is_valuation",
        "What is Apple's trailing EPS?",
        lambda d: "financials" in d.measures and bool(_TRAILING_EPS.search(d.text)),
        swap=("financials", "valuation"),
    ),
    Rule(
        "statement_lines_are_not_valuation",
        "What was Apple's revenue last quarter?",
        lambda d: (
            "financials" in d.measures and "valuation" in d.measures and not fields_in("valuation", d.text)
        ),
        drop=("valuation",),
    ),
    Rule(
        "a_statement_word_needs_a_document_source",
        "Is the price above its 50-day average, per the latest statement? (no Fed word: not a document)",
        lambda d: (
            "documents" in d.measures
            and not _FED_SOURCE.search(d.text)
            and not re.search(r"\bsaid\b|\bsays\b|\bsay\b", d.text, re.I)
            and len(d.measures) > 1
        ),
        drop=("documents",),
    ),
    Rule(
        "fed_questions_are_documents",
        "What did the Fed do at the January meeting?",
        lambda d: (
            "documents" in d.measures
            and bool(_FED_SOURCE.search(d.text))
            and not d.subjects
            and not (d.when is not None and d.when.event == "meeting")  # "done since the last meeting"
        ),
        only=("documents", "sectors", "composite"),
    ),
    Rule(
        "rate_words_in_a_fed_question_are_not_returns",
        "What did the Fed say about rate cuts?",
        lambda d: "documents" in d.measures and bool(_RATE_WORDS.search(d.text)),
        drop=("return", "price"),
    ),
    Rule(
        "sector_words_without_a_fund_rank_the_sectors",
        "Which sectors led this month?",
        lambda d: "sectors" in d.measures and not d.subjects,
        drop=("return", "price", "technicals"),
    ),
    Rule(
        "a_named_sector_is_its_fund",
        "How did the energy sector do this year?",
        lambda d: (
            "sectors" in d.measures
            and bool(d.subjects)
            and not set(d.measures) - {"sectors", "price", "return"}
        ),
        drop=("sectors", "price"),
        add="return",
    ),
    Rule(
        "a_sector_fund_asked_something_else",
        "What is the tech sector's RSI?",
        lambda d: "sectors" in d.measures and bool(d.subjects),
        drop=("sectors",),
    ),
    Rule(
        "two_names_compared_make_a_return",
        "Small caps vs large caps?",
        lambda d: (
            len(d.subjects) >= 2
            and bool(_COMPARE.search(d.text))
            and not set(d.measures) - {"price", "return"}
        ),
        only=("return",),
    ),
    Rule(
        "a_day_move_is_a_quote",
        "How is MSFT doing today?",
        lambda d: (
            d.measures == ["return"]
            and len(d.subjects) <= 1
            and d.when is not None
            and d.when.label == "1d"
            and not _COMPARE.search(d.text)
        ),
        only=("price",),
    ),
    Rule(
        "how_is_it_doing_is_a_quote",
        "How is Microsoft doing?",
        lambda d: (
            d.measures == ["return"]
            and d.when is None
            and len(d.subjects) <= 1
            and bool(re.search(r"\bhow(?:'s| is| are)\b.{0,40}\bdoing\b", d.text, re.I))
        ),
        only=("price",),
    ),
    Rule(
        "a_move_since_is_a_return",
        "Where has it traded since March?",
        lambda d: "return" in d.measures and "price" in d.measures and not _QUOTE_STRONG.search(d.text),
        drop=("price",),
    ),
    Rule(
        "a_high_or_low_over_a_period_is_a_price_range",
        "What was Tesla's high in 2024?",
        lambda d: (
            bool(d.subjects)
            and d.when is not None
            and d.when.kind not in ("day", "latest")
            and d.when.label != "1d"
            and set(d.measures) <= {"return", "price"}
            and bool(_HIGH_LOW.search(d.text))
        ),
        only=("price",),
    ),
    Rule(
        "a_period_makes_a_return",
        "NVDA this year?",
        lambda d: (
            bool(d.subjects)
            and not d.measures
            and d.when is not None
            and d.when.kind not in ("day", "latest")
            and d.when.label != "1d"
        ),
        add="return",
    ),
    Rule(
        "a_bare_name_is_a_quote",
        "Apple?",
        lambda d: bool(d.subjects) and not d.measures,
        add="price",
    ),
)


def decide(decision: Decision) -> Decision:
    """Apply every rule in order; record the names of those that changed something."""
    for rule in RULES:
        if rule.applies(decision):
            before = list(decision.measures)
            rule.apply(decision)
            if decision.measures != before:
                decision.applied.append(rule.name)
    return decision

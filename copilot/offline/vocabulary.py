"""Words and patterns the offline analyst reads questions with: intents, comparisons, refusals."""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["quote", "performance", "valuation", "technicals", "sectors", "documents", "lookup"]


def words(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of ``patterns`` as whole words."""
    return re.compile(r"(?<![\w^])(?:" + "|".join(patterns) + r")(?![\w])", re.IGNORECASE)


KEYWORDS: dict[Intent, re.Pattern[str]] = {
    "valuation": words(
        r"expensive",
        r"cheap(?:er|est)?",
        r"valuations?",
        r"valued?",
        r"overvalued",
        r"undervalued",
        r"p\s*/\s*e",
        r"pe(?: ratio)?",
        r"price[- ]to[- ](?:earnings|book|sales)",
        r"multiples?",
        r"p\s*/\s*b",
        r"ev\s*/\s*ebitda",
        r"peg",
        r"dividend(?: yield)?",
        r"yield",
        r"market cap(?:italization)?",
        r"eps",
        r"earnings per share",
        r"fundamentals?",
    ),
    "technicals": words(
        r"rsi",
        r"relative strength",
        r"moving averages?",
        r"sma",
        r"ema",
        r"\d+[- ]day",
        r"macd",
        r"bollinger(?: bands?)?",
        r"support",
        r"resistance",
        r"overbought",
        r"oversold",
        r"technicals?",
        r"momentum",
        r"trend(?:ing)?",
        r"atr",
        r"volatil(?:e|ity)",
        r"drawdown",
        r"indicators?",
        r"chart",
        r"breakout",
    ),
    "sectors": words(r"sectors?", r"industr(?:y|ies) groups?"),
    "documents": words(
        r"fed",
        r"fomc",
        r"federal reserve",
        r"powell",
        r"statements?",
        r"minutes",
        r"speech(?:es)?",
        r"documents?",
        r"filings?",
        r"10-k",
        r"10-q",
        r"annual report",
        r"policy (?:statement|decision)",
        r"(?:did|does) .{1,40} say",
        r"said",
        r"according to",
        r"central bank",
        r"monetary policy",
    ),
    "performance": words(
        r"perform(?:ance|ed|ing)?",
        r"how (?:did|does|do|has|have|is|are)\b.{1,60}?\b(?:do|fared?|go|gone|going)",
        r"fared?",
        r"returns?",
        r"returned",
        r"done",
        r"doing",
        r"gain(?:ed|s)?",
        r"lost",
        r"rall(?:y|ied)",
        r"ytd",
        r"year[- ]to[- ]date",
        r"outperform(?:ed|ing)?",
        r"underperform(?:ed|ing)?",
        r"beat(?:en|ing)?",
        r"lagg?(?:ed|ing)?",
        r"up",
        r"down",
        r"move[sd]?",
        r"change[sd]?",
        r"since",
    ),
    "quote": words(
        r"price",
        r"what(?:'s| is)\s.{1,40}?\bat\s*\??$",
        r"quote",
        r"trading",
        r"trade(?:s|d)? at",
        r"clos(?:e|ed|ing)",
        r"last (?:price|close)",
        r"how much",
        r"worth",
        r"volume",
        r"52[- ]week",
        r"all[- ]time high",
        r"level",
    ),
    "lookup": words(r"tickers?(?: symbol)? (?:for|of)", r"symbol (?:for|of)", r"what(?:'s| is) the ticker"),
}
# Treasury yield indexes: their "yield" is the level they quote, not a dividend yield
RATE_SYMBOLS = frozenset({"^IRX", "^FVX", "^TNX", "^TYX"})
BARE_YIELD = words(r"yields?")
QUOTE_STRONG = words(r"price", r"quote", r"last (?:price|close)", r"volume", r"52[- ]week")
COMPARE = words(r"vs\.?", r"versus", r"compared?(?: to| with)?", r"against", r"relative to", r"than")
LATEST = words(r"latest", r"most recent", r"last", r"recent", r"newest", r"current")
ADVICE = re.compile(
    r"\bshould (?:i|we)\b"
    r"|\b(?:is|would) it (?:be )?(?:a )?(?:good|wise|smart|right)\b.{0,80}?\b(?:buy|sell|invest)"
    r"|\bwhat (?:should|do you recommend) (?:i|we)\b|\bbuy or sell\b|\brecommend(?:ation)?s?\b"
    r"|\b(?:good|best) (?:stock|investment|time) (?:to|for) (?:buy|invest)",
    re.IGNORECASE,
)
CRYPTO = words(
    r"bitcoin",
    r"btc",
    r"ethereum",
    r"ether",
    r"eth",
    r"crypto(?:currenc(?:y|ies))?",
    r"dogecoin",
    r"doge",
    r"solana",
    r"xrp",
    r"litecoin",
    r"stablecoins?",
)
# Upper-case words that look like tickers but are vocabulary.
NOT_TICKERS_WORDS = (
    "A I AI AM AN AND ARE AS AT ATR BE BY CEO CFO CPI DO EMA EPS ETF ETFS EV EBITDA FED FOMC FOR "
    "GDP HOW IF IN IPO IS IT ME MACD MY NO OF OK ON OR P PB PE PEG PS Q1 Q2 Q3 Q4 RSI SEC SMA SO "
    "THE TO UK UP US USA USD VS WE WHAT YTD YOY QOQ ALL TTM EOD NYSE NASDAQ AMEX OTC "
)
NOT_TICKERS = frozenset(NOT_TICKERS_WORDS.split())
TICKER_TOKEN = re.compile(r"(?<![\w^$.-])\$?(\^?[A-Z][A-Z0-9]{0,4}(?:[.-][A-Z]{1,2})?)(?![\w])")
# Capitalised words that start questions or name things other than companies.
NOT_NAMES_WORDS = (
    "what whats how hows is are was were did does do which where when why who should could can would "
    "will tell show give compare and or but the a an i me my in on of for over since this that these "
    "those its it fed fomc federal reserve powell rsi macd ytd p/e pe eps etf etfs s&p nasdaq dow "
    "russell year month week today please also vs versus about any"
)
NOT_NAMES = frozenset(NOT_NAMES_WORDS.split())
# A run of capitalised words ("Carvana", "Plug Power") that may be a company the resolver lacks.
CAPITALISED_RUN = re.compile(r"\b[A-Z][a-zA-Z&.\-']+(?:\s+[A-Z][a-zA-Z&.\-']+){0,3}")
LOOKUP_NAME = re.compile(
    r"(?:ticker(?: symbol)?|symbol) (?:for|of) (?P<name>[^?.!]+)|what(?:'s| is) (?P<name2>[^?]+?)'?s ticker",
    re.IGNORECASE,
)


# Generic phrases the resolver accepts as names but does not look for in running text.
GENERIC_NAMES = re.compile(
    r"(?<![\w-])(?:(?P<large>(?:large|big|mega)[\s-]?caps?(?:\s+stocks)?)|(?P<broad>the\s+broad\s+market)"
    r"|(?P<semis>semiconductors?(?:\s+stocks)?|semis|chip\s?(?:stocks|makers))"
    r"|(?P<biotech>biotech(?:nology)?(?:\s+stocks)?)"
    r"|(?P<sector>tech|technology|energy|financials|utilities|health\s?care|industrials|materials"
    r"|real\s+estate|consumer\s+staples|consumer\s+discretionary|communication\s+services))(?![\w-])",
    re.IGNORECASE,
)
# Small talk that deserves a friendly word before the list of what the analyst can do.
SMALL_TALK = re.compile(
    r"^\s*(?:hi|hello|hey|thanks|thank you|good (?:morning|afternoon|evening)|what can you do|help"
    r"|who are you|what are you)\b[\s!?.]*",
    re.IGNORECASE,
)
# A question that names a time ("in March", "in 2024", "since 2025-06-01", "back then").
TIME_WORDS = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\b|\b(?:since|before|after|until|during|ago|then|previous|earlier|first)\b",
    re.IGNORECASE,
)
# "the market" when a market question names nothing else: the S&P 500.
BROAD_MARKET = re.compile(
    r"\b(?:the\s+)?(?:stock\s+|us\s+|u\.s\.\s+)?(?:market|stocks|equities)\b", re.IGNORECASE
)
# The alias the resolver knows for each kind of generic phrase.
GENERIC_ALIASES = {"large": "large caps", "broad": "S&P 500", "semis": "semiconductors", "biotech": "biotech"}
# (a sector word is resolved as written: "tech" -> XLK, "energy" -> XLE)


def mentions_doc_source(text: str) -> bool:
    """Whether the text names a source of documents (the Fed, minutes, a filing ...)."""
    return bool(
        re.search(
            r"\b(?:fed|fomc|federal reserve|powell|minutes|speech|filing|10-k|10-q|central bank)\b",
            text,
            re.IGNORECASE,
        )
    )


# Where a question may change subject: "?", ";", ", and", ". ", " and ".
CLAUSE_BREAK = re.compile(r"[?;]|,\s*(?:and|but|plus|also)?\s*|\.\s+|\s+(?:and|but|while)\s+", re.IGNORECASE)

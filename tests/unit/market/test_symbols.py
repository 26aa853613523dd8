"""Symbol resolution (aliases, tickers, provider search, ambiguity) and mention finding."""

from __future__ import annotations

import time

import pytest

from copilot.errors import AmbiguousSymbolError, BadInputError, UnknownSymbolError
from copilot.lexicon import SECTOR_SYMBOLS
from tests.conftest import SHARED_DATA
from tools.providers.base import SymbolMatch
from tools.providers.memory import InMemoryProvider
from tools.symbols import SymbolResolver

NAMES = [
    SymbolMatch("AAPL", "Apple Inc.", "equity"),
    SymbolMatch("APLE", "Apple Hospitality REIT, Inc.", "equity"),
    SymbolMatch("CRM", "Salesforce, Inc.", "equity"),
    SymbolMatch("AMKR", "Amkor Technology, Inc.", "equity"),
    SymbolMatch("AMAT", "Applied Materials, Inc.", "equity"),
]


@pytest.fixture()
def resolver() -> SymbolResolver:
    return SymbolResolver(search=InMemoryProvider({}, names=NAMES).search)


@pytest.mark.parametrize(
    ("name", "symbol", "related"),
    [
        ("Russell 2000", "^RUT", ("IWM",)),
        ("russell 2000 index", "^RUT", ("IWM",)),
        ("small caps", "^RUT", ("IWM",)),
        ("small-cap stocks", "^RUT", ("IWM",)),
        ("S&P 500", "^GSPC", ("SPY", "VOO", "IVV")),
        ("the S&P", "^GSPC", ("SPY", "VOO", "IVV")),
        ("Nasdaq", "^IXIC", ("QQQ",)),
        ("Nasdaq-100", "^NDX", ("QQQ",)),
        ("Dow Jones", "^DJI", ("DIA",)),
        ("the Dow", "^DJI", ("DIA",)),
        ("VIX", "^VIX", ("VXX",)),
        ("^gspc", "^GSPC", ("SPY", "VOO", "IVV")),
        ("spy", "SPY", ("^GSPC",)),
        ("IWM", "IWM", ("^RUT",)),
    ],
)
def test_index_aliases_pick_the_index_and_keep_etfs_related(resolver, name, symbol, related) -> None:
    match = resolver.resolve(name)
    assert match.symbol == symbol
    assert resolver.related(match.symbol) == related


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("tech", "XLK"),
        ("Technology", "XLK"),
        ("information technology", "XLK"),
        ("financials", "XLF"),
        ("financial services", "XLF"),
        ("health care", "XLV"),
        ("healthcare", "XLV"),
        ("energy", "XLE"),
        ("industrials", "XLI"),
        ("consumer discretionary", "XLY"),
        ("consumer cyclical", "XLY"),
        ("consumer staples", "XLP"),
        ("consumer defensive", "XLP"),
        ("utilities", "XLU"),
        ("materials", "XLB"),
        ("basic materials", "XLB"),
        ("real estate", "XLRE"),
        ("communication services", "XLC"),
        ("Energy sector", "XLE"),
    ],
)
def test_every_gics_sector_and_synonym_resolves_to_its_spdr(resolver, name, symbol) -> None:
    assert resolver.resolve(name).symbol == symbol


def test_sector_names_are_yahoo_sector_names_too(resolver) -> None:
    """Yahoo's sector labels (recorded quoteSummary) all resolve to the sector ETFs."""
    import pandas as pd

    frame = pd.read_csv(SHARED_DATA / "fundamentals" / "yahoo_quotesummary_valuation_snapshot_2025.csv")
    sectors = sorted(set(frame["sector"].dropna()))
    assert "Consumer Defensive" in sectors and "Consumer Cyclical" in sectors
    resolved = {sector: resolver.resolve(sector).symbol for sector in sectors}
    assert set(resolved.values()) <= set(SECTOR_SYMBOLS)
    assert resolved["Healthcare"] == "XLV" and resolved["Consumer Defensive"] == "XLP"
    assert resolved["Consumer Cyclical"] == "XLY" and resolved["Basic Materials"] == "XLB"
    assert len(set(resolved.values())) == len(sectors)  # nine labels, nine different ETFs


def test_company_names_and_tickers(resolver) -> None:
    assert resolver.resolve("Apple").symbol == "AAPL"  # curated name, not the REIT
    assert resolver.resolve("aapl").symbol == "AAPL"
    assert resolver.resolve("$NVDA").symbol == "NVDA"
    assert resolver.resolve("BRK.B").symbol == "BRK-B"
    assert resolver.resolve("Salesforce").symbol == "CRM"  # via the provider's search
    assert resolver.resolve("salesforce inc").symbol == "CRM"
    assert resolver.resolve("ZZZZ").symbol == "ZZZZ"  # upper-case ticker: the provider decides


def test_ambiguous_names_are_refused_with_candidates(resolver) -> None:
    with pytest.raises(AmbiguousSymbolError) as caught:
        resolver.resolve("appl")  # a prefix of Apple Inc., Apple Hospitality REIT, Applied Materials
    assert set(caught.value.candidates) == {
        "AAPL (Apple Inc.)",
        "APLE (Apple Hospitality REIT, Inc.)",
        "AMAT (Applied Materials, Inc.)",
    }
    assert "ambiguous" in caught.value.message and "AAPL (Apple Inc.)" in caught.value.message
    assert resolver.resolve("am").symbol == "AMKR"  # a single search hit is not ambiguous


def test_unknown_and_empty_names(resolver) -> None:
    with pytest.raises(UnknownSymbolError) as caught:
        resolver.resolve("no such company anywhere")
    assert caught.value.symbol == "no such company anywhere"
    with pytest.raises(BadInputError):
        resolver.resolve("  ")


def test_find_mentions_in_a_question() -> None:
    text = (
        "How did the Russell 2000 do vs the S&P 500 and Nasdaq YTD? Compare IWM, $NVDA and Apple; "
        "also BRK.B and ^VIX, and the energy sector."
    )
    mentions = SymbolResolver().find_mentions(text)
    assert [m.symbol for m in mentions] == [
        "^RUT",
        "^GSPC",
        "^IXIC",
        "IWM",
        "NVDA",
        "AAPL",
        "BRK-B",
        "^VIX",
        "XLE",
    ]
    first = mentions[0]
    assert text[first.start : first.end] == "Russell 2000" and first.related == ("IWM",)


def test_find_mentions_ignores_common_words() -> None:
    text = (
        "A rally is ON. IT spending is ALL up and we ARE told AI, CEO pay and EPS rose; an apple a day; "
        "meta-analysis of energy use and health care costs; real estate taxes."
    )
    assert SymbolResolver().find_mentions(text) == []


def test_find_mentions_in_the_seed_note_is_fast() -> None:
    text = (SHARED_DATA.parent / "seeds" / "000_f16841b017a34717.txt").read_text()
    resolver = SymbolResolver()
    started = time.perf_counter()
    symbols = {m.symbol for m in resolver.find_mentions(text)}
    elapsed = time.perf_counter() - started
    assert {"^RUT", "^GSPC", "^IXIC", "IWM"} <= symbols
    assert elapsed < 1.0  # generous: ~3 ms measured for the 12 KB note; the bound catches blow-ups


def test_lenient_mentions_read_typed_questions() -> None:
    resolver = SymbolResolver()
    question = "how did apple and nvda do vs the s&p 500 ytd? and spy, qqq?"
    assert [m.symbol for m in resolver.find_mentions(question)] == ["^GSPC"]  # strict: prose rules
    lenient = [m.symbol for m in resolver.find_mentions(question, lenient=True)]
    assert lenient == ["AAPL", "NVDA", "^GSPC", "SPY", "QQQ"]
    chatter = "what does it cost? is it on? spot the hood, all in, a coin toss, it is now or never"
    assert resolver.find_mentions(chatter, lenient=True) == []


def test_fund_names_are_not_their_index() -> None:
    resolver = SymbolResolver()
    text = "The SPDR S&P 500 ETF trails the S&P 500 by its fee."
    assert [m.symbol for m in resolver.find_mentions(text)] == ["SPY", "^GSPC"]
    assert resolver.resolve("SPDR S&P 500 ETF").symbol == "SPY"

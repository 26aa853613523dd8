"""The curated names behind ``tools.symbols``: indexes, the 11 SPDR sector ETFs, broad ETFs, companies.

Three kinds of text per entry:
- ``aliases``: accepted by ``resolve`` only (bare generic words such as "energy" or "tech");
- ``phrases``: also found in running text, in any case ("small caps", "S&P 500");
- ``names``: proper names, found in running text only when capitalised ("Apple", not "apple").
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.providers.base import SymbolKind, SymbolMatch


@dataclass(frozen=True)
class Entry:
    symbol: str
    display_name: str
    kind: SymbolKind
    aliases: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    def match(self) -> SymbolMatch:
        return SymbolMatch(
            symbol=self.symbol,
            name=self.display_name,
            kind=self.kind,
            aliases=tuple(dict.fromkeys((*self.phrases, *self.names, *self.aliases))),
        )


def _sector(symbol: str, name: str, aliases: tuple[str, ...], phrases: tuple[str, ...] = ()) -> Entry:
    """A GICS sector and its SPDR ETF; in text only "<sector> sector/stocks" or distinctive phrases."""
    words = (name.lower(), *aliases)
    in_text = tuple(f"{w} {suffix}" for w in words for suffix in ("sector", "stocks"))
    fund = f"{name} Select Sector SPDR"
    return Entry(
        symbol,
        name,
        "etf",
        aliases=(name, *aliases),
        phrases=(*in_text, *phrases),
        names=(fund,),
    )


INDEXES = (
    Entry(
        "^GSPC",
        "S&P 500",
        "index",
        aliases=("s and p 500", "sp 500", "large caps", "large cap", "large cap stocks"),
        phrases=("S&P 500", "S&P500", "S&P", "SPX", "Standard & Poor's 500", "Standard and Poor's 500"),
        related=("SPY", "VOO", "IVV"),
    ),
    Entry(
        "^IXIC",
        "Nasdaq Composite",
        "index",
        aliases=("ixic", "composite"),
        phrases=("Nasdaq Composite", "Nasdaq Composite Index"),
        names=("Nasdaq",),
        related=("QQQ",),
    ),
    Entry(
        "^NDX",
        "Nasdaq-100",
        "index",
        aliases=("ndx",),
        phrases=("Nasdaq-100", "Nasdaq 100"),
        related=("QQQ",),
    ),
    Entry(
        "^DJI",
        "Dow Jones Industrial Average",
        "index",
        aliases=("dow", "dji", "dow 30"),
        phrases=("Dow Jones Industrial Average", "Dow Jones", "DJIA"),
        names=("Dow",),
        related=("DIA",),
    ),
    Entry(
        "^RUT",
        "Russell 2000",
        "index",
        aliases=("rut", "small cap", "small caps", "small cap stocks"),
        phrases=("Russell 2000", "Russell2000", "small caps", "small-caps", "small-cap", "small cap"),
        related=("IWM",),
    ),
    Entry(
        "^VIX",
        "CBOE Volatility Index",
        "index",
        aliases=("vix", "volatility index", "fear gauge", "fear index"),
        phrases=("Cboe Volatility Index", "VIX", "fear gauge"),
        related=("VXX",),
    ),
    Entry(
        "^TNX",
        "10-Year Treasury Yield",
        "index",
        aliases=("tnx", "10 year yield", "10y yield", "ten year yield", "10 year treasury"),
        phrases=("10-year Treasury yield", "10-year yield", "ten-year Treasury yield"),
        related=("IEF",),
    ),
    Entry(
        "^SOX",
        "PHLX Semiconductor Index",
        "index",
        aliases=("sox", "semiconductor", "semiconductors", "semis", "chip stocks"),
        phrases=("Philadelphia Semiconductor Index", "PHLX Semiconductor", "semiconductor index"),
        related=("SMH", "SOXX"),
    ),
)

SECTORS = (
    _sector("XLK", "Technology", ("tech", "information technology"), ("IT sector", "IT stocks")),
    _sector("XLF", "Financials", ("financial", "financial services", "finance"), ("financial stocks",)),
    _sector("XLV", "Health Care", ("healthcare", "health"), ("healthcare stocks", "health-care stocks")),
    _sector("XLE", "Energy", ("oil and gas",)),
    _sector("XLI", "Industrials", ("industrial",)),
    _sector(
        "XLY",
        "Consumer Discretionary",
        ("discretionary", "consumer cyclical", "consumer cyclicals"),
        ("consumer discretionary",),
    ),
    _sector(
        "XLP",
        "Consumer Staples",
        ("staples", "consumer defensive", "consumer defensives"),
        ("consumer staples", "consumer defensive"),
    ),
    _sector("XLU", "Utilities", ("utility",)),
    _sector("XLB", "Materials", ("basic materials", "material")),
    _sector("XLRE", "Real Estate", ("reit", "reits", "realestate"), ("REITs",)),
    _sector(
        "XLC",
        "Communication Services",
        ("communications", "communication", "telecom", "telecommunications"),
        ("communication services",),
    ),
)

SECTOR_SYMBOLS = tuple(entry.symbol for entry in SECTORS)

FUNDS = (
    Entry("SPY", "SPDR S&P 500 ETF Trust", "etf", names=("SPDR S&P 500 ETF",), related=("^GSPC",)),
    Entry("VOO", "Vanguard S&P 500 ETF", "etf", related=("^GSPC",)),
    Entry("IVV", "iShares Core S&P 500 ETF", "etf", related=("^GSPC",)),
    Entry("QQQ", "Invesco QQQ Trust", "etf", names=("Invesco QQQ",), related=("^NDX", "^IXIC")),
    Entry("IWM", "iShares Russell 2000 ETF", "etf", names=("iShares Russell 2000",), related=("^RUT",)),
    Entry("DIA", "SPDR Dow Jones Industrial Average ETF", "etf", related=("^DJI",)),
    Entry("SMH", "VanEck Semiconductor ETF", "etf", related=("^SOX",)),
    Entry("TLT", "iShares 20+ Year Treasury Bond ETF", "etf"),
    Entry("GLD", "SPDR Gold Shares", "etf", aliases=("gold",)),
    Entry("EEM", "iShares MSCI Emerging Markets ETF", "etf", aliases=("emerging markets",)),
    Entry("XBI", "SPDR S&P Biotech ETF", "etf", aliases=("biotech", "biotechnology")),
)


def _company(symbol: str, name: str, *names: str, related: tuple[str, ...] = ()) -> Entry:
    return Entry(symbol, name, "equity", names=(name, *names), related=related)


COMPANIES = (
    _company("AAPL", "Apple Inc.", "Apple"),
    _company("MSFT", "Microsoft Corporation", "Microsoft"),
    _company("NVDA", "NVIDIA Corporation", "Nvidia", "NVIDIA"),
    _company("AMZN", "Amazon.com, Inc.", "Amazon", "Amazon.com"),
    # Alphabet has two share classes; the class C shares (GOOG) are primary, GOOGL related
    _company("GOOG", "Alphabet Inc.", "Alphabet", "Google", related=("GOOGL",)),
    _company("META", "Meta Platforms, Inc.", "Meta Platforms", "Meta", "Facebook"),
    _company("TSLA", "Tesla, Inc.", "Tesla"),
    _company("AVGO", "Broadcom Inc.", "Broadcom"),
    _company("BRK-B", "Berkshire Hathaway Inc.", "Berkshire Hathaway", "Berkshire"),
    _company("COST", "Costco Wholesale Corporation", "Costco"),
    _company("HD", "The Home Depot, Inc.", "Home Depot"),
    _company("INTC", "Intel Corporation", "Intel"),
    _company("AMD", "Advanced Micro Devices, Inc.", "Advanced Micro Devices", "AMD"),
    _company("ISRG", "Intuitive Surgical, Inc.", "Intuitive Surgical"),
    _company("JNJ", "Johnson & Johnson", "J&J"),
    _company("KO", "The Coca-Cola Company", "Coca-Cola", "Coca Cola", "Coke"),
    _company("LLY", "Eli Lilly and Company", "Eli Lilly", "Lilly"),
    _company("MCD", "McDonald's Corporation", "McDonald's", "McDonalds"),
    _company("MU", "Micron Technology, Inc.", "Micron Technology", "Micron"),
    _company("PEP", "PepsiCo, Inc.", "PepsiCo", "Pepsi"),
    _company("PG", "The Procter & Gamble Company", "Procter & Gamble", "P&G"),
    _company("TSM", "Taiwan Semiconductor Manufacturing", "Taiwan Semiconductor", "TSMC"),
    _company("UNH", "UnitedHealth Group Incorporated", "UnitedHealth", "UnitedHealth Group"),
    _company("WMT", "Walmart Inc.", "Walmart", "Wal-Mart"),
    _company("ABBV", "AbbVie Inc.", "AbbVie"),
    _company("AZN", "AstraZeneca PLC", "AstraZeneca"),
    _company("COIN", "Coinbase Global, Inc.", "Coinbase"),
    _company("HOOD", "Robinhood Markets, Inc.", "Robinhood"),
    _company("CRCL", "Circle Internet Group, Inc.", "Circle Internet"),
    _company("SNDK", "Sandisk Corporation", "Sandisk", "SanDisk"),
    _company("JPM", "JPMorgan Chase & Co.", "JPMorgan Chase", "JPMorgan", "JP Morgan"),
    _company("NFLX", "Netflix, Inc.", "Netflix"),
    _company("ORCL", "Oracle Corporation", "Oracle"),
    _company("CRM", "Salesforce, Inc.", "Salesforce"),
    _company("BAC", "Bank of America Corporation", "Bank of America"),
    _company("XOM", "Exxon Mobil Corporation", "Exxon Mobil", "ExxonMobil", "Exxon"),
    _company("BABA", "Alibaba Group Holding Limited", "Alibaba"),
    _company("SPOT", "Spotify Technology S.A.", "Spotify"),
)

ENTRIES: tuple[Entry, ...] = (*INDEXES, *SECTORS, *FUNDS, *COMPANIES)

# Upper-case words of prose that are also tickers somewhere: never a mention without a $cashtag.
_STOP_TEXT = (
    "A I AI ALL AN AND ARE AS AT BE BIG BY CAN CEO CFO CPI DD EPS ETF EV FED FOMC FOR GDP GO HAS IT "
    "IPO NEW NOW ON ONE OR OUT PE Q SO TV US USA UK EU YOY YTD"
)
STOPWORDS = frozenset(_STOP_TEXT.split())

# Tickers that are everyday words in lower case: never read as tickers unless written in capitals.
WORDLIKE_TICKERS = frozenset({"cost", "hood", "coin", "spot", "pep", "meta", "dia", "gld", "low", "now"})

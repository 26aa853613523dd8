"""Which companies a text names: a small built-in alias table, used to tag documents and read queries.

The table covers the companies of the bundled corpus and of the FinanceBench eval (names, tickers,
the document-name prefixes those filings use, e.g. ``JOHNSON_JOHNSON_2022_10K``). When the market
data package's ``SymbolResolver.find_mentions`` is available its mentions are merged in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# ticker, canonical name, aliases; an alias starting with "=" is matched case-sensitively
# (because in lower case it is an ordinary word: "block", "meta", "circle", "target").
_COMPANIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("MMM", "3M", ("3M", "3M Company", "Minnesota Mining")),
    ("AES", "AES Corporation", ("=AES",)),
    ("AMD", "Advanced Micro Devices", ("=AMD", "Advanced Micro Devices")),
    ("ATVI", "Activision Blizzard", ("Activision", "Activision Blizzard", "ACTIVSIONBLIZZARD")),
    ("ADBE", "Adobe", ("Adobe",)),
    ("AMZN", "Amazon", ("Amazon", "Amazon.com")),
    ("AMCR", "Amcor", ("Amcor",)),
    ("AXP", "American Express", ("American Express", "Amex", "=AMEX")),
    ("AWK", "American Water Works", ("American Water Works", "American Water")),
    ("AAPL", "Apple", ("Apple", "Apple Inc")),
    ("BBY", "Best Buy", ("Best Buy",)),
    ("SQ", "Block", ("=Block", "Block Inc", "Square Inc", "=Square")),
    ("BA", "Boeing", ("Boeing",)),
    ("CVS", "CVS Health", ("CVS Health", "=CVS")),
    ("KO", "Coca-Cola", ("Coca-Cola", "Coca Cola", "CocaCola", "Coke")),
    ("GLW", "Corning", ("Corning",)),
    ("COST", "Costco", ("Costco",)),
    ("FDX", "FedEx", ("FedEx",)),
    ("FL", "Foot Locker", ("Foot Locker", "Footlocker")),
    ("GIS", "General Mills", ("General Mills",)),
    ("INTC", "Intel", ("Intel",)),
    ("JPM", "JPMorgan Chase", ("JPMorgan", "JP Morgan", "JPMorgan Chase", "J.P. Morgan", "=JPM")),
    (
        "JNJ",
        "Johnson & Johnson",
        ("Johnson & Johnson", "Johnson and Johnson", "JnJ", "J&J", "JOHNSON_JOHNSON"),
    ),
    ("KHC", "Kraft Heinz", ("Kraft Heinz", "Kraft")),
    ("LMT", "Lockheed Martin", ("Lockheed Martin", "Lockheed")),
    ("MGM", "MGM Resorts", ("MGM Resorts", "=MGM")),
    ("MCD", "McDonald's", ("McDonald's", "McDonalds", "McDonald’s")),
    ("MSFT", "Microsoft", ("Microsoft",)),
    ("NFLX", "Netflix", ("Netflix",)),
    ("NKE", "Nike", ("Nike",)),
    ("ORCL", "Oracle", ("=Oracle",)),
    ("PCG", "PG&E", ("PG&E", "PG_E", "Pacific Gas and Electric")),
    ("PYPL", "PayPal", ("PayPal",)),
    ("PEP", "PepsiCo", ("PepsiCo", "Pepsi")),
    ("PFE", "Pfizer", ("Pfizer",)),
    ("CRM", "Salesforce", ("Salesforce",)),
    ("ULTA", "Ulta Beauty", ("Ulta Beauty", "Ulta")),
    ("VZ", "Verizon", ("Verizon",)),
    ("WMT", "Walmart", ("Walmart", "Wal-Mart")),
    ("EBAY", "eBay", ("eBay",)),
    ("ABBV", "AbbVie", ("AbbVie",)),
    ("AVGO", "Broadcom", ("Broadcom",)),
    ("AZN", "AstraZeneca", ("AstraZeneca",)),
    ("BRK-B", "Berkshire Hathaway", ("Berkshire Hathaway", "Berkshire")),
    ("COIN", "Coinbase", ("Coinbase",)),
    ("CRCL", "Circle Internet Group", ("Circle Internet", "=Circle")),
    ("GOOG", "Alphabet", ("Alphabet", "Google", "=GOOGL")),
    ("HD", "Home Depot", ("Home Depot",)),
    ("HOOD", "Robinhood", ("Robinhood",)),
    ("ISRG", "Intuitive Surgical", ("Intuitive Surgical", "Intuitive")),
    ("LLY", "Eli Lilly", ("Eli Lilly", "Lilly")),
    ("META", "Meta Platforms", ("Meta Platforms", "=Meta", "Facebook")),
    ("MU", "Micron Technology", ("Micron",)),
    ("NVDA", "NVIDIA", ("NVIDIA", "Nvidia")),
    ("PG", "Procter & Gamble", ("Procter & Gamble", "Procter and Gamble", "P&G")),
    ("SNDK", "Sandisk", ("Sandisk", "SanDisk")),
    ("TSLA", "Tesla", ("Tesla",)),
    ("TSM", "Taiwan Semiconductor", ("Taiwan Semiconductor", "TSMC")),
    ("UNH", "UnitedHealth Group", ("UnitedHealth", "United Health")),
    ("V", "Visa", ("=Visa",)),
    ("MA", "Mastercard", ("Mastercard",)),
)
# tickers that read as ordinary upper-case words are only taken from the name table, not bare
_AMBIGUOUS_TICKERS = {"V", "MA", "FL", "HD", "PG", "KO", "BA", "MU", "GIS", "COST", "CRM", "AES", "MGM"}


@dataclass(frozen=True)
class CompanyMention:
    """A company named in a text."""

    ticker: str
    name: str
    start: int
    end: int


def normalise(text: str) -> str:
    """Letters and digits only, lower case: 'Johnson & Johnson' and 'JOHNSON_JOHNSON' agree."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    folded: dict[str, str] = {}
    exact: dict[str, str] = {}
    for ticker, _name, aliases in _COMPANIES:
        for alias in aliases:
            if alias.startswith("="):
                exact[alias[1:]] = ticker
            else:
                folded[alias.lower()] = ticker
        if ticker not in _AMBIGUOUS_TICKERS:
            exact[ticker] = ticker

    # longest first, so "American Water Works" wins over "American Water"
    def alternation(names: dict[str, str]) -> str:
        return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))

    boundary = r"(?<![\w&]){}(?![\w&])"
    lookup = {**{k.lower(): v for k, v in exact.items()}, **folded}
    return (
        # matched against lower-cased text: much faster than an IGNORECASE alternation
        re.compile(boundary.format(f"(?:{alternation(folded)})")),
        re.compile(boundary.format(f"(?:{alternation(exact)})")),
        lookup,
    )


@lru_cache(maxsize=1)
def names_by_ticker() -> dict[str, str]:
    """Canonical company name per ticker of the built-in table."""
    return {ticker: name for ticker, name, _ in _COMPANIES}


def find_companies(text: str) -> list[CompanyMention]:
    """Every company the text names (by name, alias or unambiguous ticker), in order."""
    folded, exact, lookup = _patterns()
    names = names_by_ticker()
    found: list[CompanyMention] = []
    taken: list[tuple[int, int]] = []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased: keep offsets right
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for pattern, subject in ((folded, lowered), (exact, text)):
        for match in pattern.finditer(subject):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            ticker = lookup[match.group(0).lower()]
            taken.append((match.start(), match.end()))
            found.append(CompanyMention(ticker, names[ticker], match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def companies_in_title(title: str) -> list[str]:
    """Tickers a document title names, including filing names like ``JOHNSON_JOHNSON_2022_10K``."""
    tickers = [m.ticker for m in find_companies(title.replace("_", " "))]
    prefix = re.split(r"[_\s-]?(?:19|20)\d{2}", title, maxsplit=1)[0]
    key = normalise(prefix)
    if key:
        for ticker, name, aliases in _COMPANIES:
            if key in {normalise(name), normalise(ticker), *(normalise(a.lstrip("=")) for a in aliases)}:
                tickers.insert(0, ticker)
                break
    return list(dict.fromkeys(tickers))

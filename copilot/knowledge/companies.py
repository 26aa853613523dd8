"""Which companies a text names, read through the one lexicon (``copilot.lexicon``) by the market
package's ``SymbolResolver``: used to read queries and to name and tag filings.

There is no company table here: the lexicon holds every name, alias, foreign name and the way filing
names spell a company (``JOHNSON_JOHNSON_2022_10K``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from copilot.lexicon import COMPANIES, Entry


@dataclass(frozen=True)
class CompanyMention:
    """A company named in a text."""

    ticker: str
    name: str
    start: int
    end: int


@cache
def _resolver() -> Any:
    """The lexicon's resolver, built once (the knowledge base's own tagging gets the services' one)."""
    from tools.symbols import SymbolResolver

    return SymbolResolver()


@cache
def _companies() -> dict[str, Entry]:
    return {entry.symbol: entry for entry in COMPANIES}


def short_name(entry: Entry) -> str:
    """ "Apple", "Johnson & Johnson": the name people use (the first one after the legal name)."""
    return entry.names[1] if len(entry.names) > 1 else entry.display_name


@cache
def names_by_ticker() -> dict[str, str]:
    """The short name of every company in the lexicon, by ticker."""
    return {symbol: short_name(entry) for symbol, entry in _companies().items()}


def normalise(text: str) -> str:
    """Letters and digits only, lower case: 'Johnson & Johnson' and 'JOHNSON_JOHNSON' agree."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def find_companies(text: str) -> list[CompanyMention]:
    """Every company the text names (capitalised names, upper-case tickers: "a block of shares" and
    "meta data" name nobody), in order."""
    companies = _companies()
    return [
        CompanyMention(m.symbol, short_name(companies[m.symbol]), m.start, m.end)
        for m in _resolver().find_mentions(text)
        if m.symbol in companies
    ]


@cache
def _by_normalised_name() -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in COMPANIES:
        for name in (entry.display_name, *entry.names, *entry.titles, entry.symbol):
            table.setdefault(normalise(name), entry.symbol)
    return table


def companies_in_title(title: str) -> list[str]:
    """Tickers a document title names, including filing names like ``JOHNSON_JOHNSON_2022_10K``."""
    prefix = re.split(r"[_\s-]?(?:19|20)\d{2}", title, maxsplit=1)[0]
    ticker = _by_normalised_name().get(normalise(prefix)) if normalise(prefix) else None
    # a filing name's prefix names its company; names read inside it ("PG" of "PG_E") are not others
    skip = len(prefix) if ticker is not None else 0
    tickers = [m.ticker for m in find_companies(title.replace("_", " ")) if m.start >= skip]
    return list(dict.fromkeys([ticker, *tickers] if ticker else tickers))

"""Prices a document states for a company's stock, so the search can check them against market data.

"Apple's stock price is $1", "AAPL closed at $187.44", "shares of Nvidia traded at $120": a dollar
figure tied to the company named just before it by a price word. A price target, earnings or a
dividend per share, or an amount with a scale ("$3 trillion") is not the price of the stock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from copilot.knowledge.facts import parse_number

# (ticker, start, end) of every company or ticker the text names
Spans = Callable[[str], list[tuple[str, int, int]]]
MAX_GAP = 60  # characters between the company's name and the figure

_AFTER_NAME = re.compile(
    rf"(?:'s|’s)?(?P<gap>[^.;!?$\n]{{0,{MAX_GAP}}}?)\$\s?(?P<number>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<after>\s*(?:[a-z]+)?)",
    re.IGNORECASE,
)
_PRICE_WORDS = re.compile(
    r"\b(?:stock|shares?|share price|price[sd]?|trad(?:es|ed|ing)|clos(?:ed|es|ing)|opened|ended|finished"
    r"|hit|reached|rose|fell|jumped|dropped|climbed|sank|slid|rallied|sits|stands|stood|is at|was at)\b",
    re.IGNORECASE,
)
_NOT_A_PRICE = re.compile(
    r"\b(?:targets?|forecasts?|estimates?|fair value|consensus|revenues?|sales|income|earnings|eps|dividends?"
    r"|buybacks?|repurchases?|market cap\w*|valuation|cash|debt|capex|spending|invest\w*|guidance|profit"
    r"|loss|per share|a share|fine|settlement|contract|deal|acquisition|bought|paid|pay)\b",
    re.IGNORECASE,
)
_SHARES_OF = re.compile(r"\b(?:shares|stock)\s+of\s+(?:the\s+)?$", re.IGNORECASE)  # "shares of Apple ..."
_SCALE = re.compile(r"^\s*(?:thousand|million|billion|trillion|bn|mn|k|m|b)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PriceClaim:
    """A stock price a text states: the symbol, the price and the words that state it."""

    symbol: str
    value: float
    quoted: str


def price_claims(text: str, spans: Spans) -> list[PriceClaim]:
    """Every stock price the text states for a company it names (the nearest name before the figure)."""
    mentions = sorted(spans(text), key=lambda m: m[1])
    claims: list[PriceClaim] = []
    for index, (symbol, start, end) in enumerate(mentions):
        match = _AFTER_NAME.match(text, end)
        if match is None:
            continue
        figure_at = match.start("number")
        if any(start < other_start < figure_at for _, other_start, _ in mentions[index + 1 :]):
            continue  # another company is named closer to the figure
        gap = match.group("gap")
        before = text[max(0, start - 30) : start]
        if not (_PRICE_WORDS.search(gap) or _SHARES_OF.search(before)) or _NOT_A_PRICE.search(gap):
            continue
        if _SCALE.match(match.group("after")):
            continue
        quoted = " ".join(text[start : match.end("number")].split())
        claims.append(PriceClaim(symbol, parse_number(match.group("number")), quoted))
    return claims

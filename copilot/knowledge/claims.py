"""Prices a document states for a company's stock, so the search can check them against market data.

Only plain statements of where the stock is or was count: "Apple's stock price is $1", "AAPL closed
at $187.44", "shares of Nvidia traded at $120", "Tesla stock rose to $300". A filing's exercise and
acquisition prices, earnings or dividends per share, par values or amounts with a scale ("$3
trillion") are not the price of the stock, and a figure with other words between it and the
company name is left alone: a missed claim costs less than a false alarm on a true document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from copilot.knowledge.facts import parse_number

# (ticker, start, end) of every company or ticker the text names
Spans = Callable[[str], list[tuple[str, int, int]]]

_ABOUT = r"(?:\s+(?:about|around|near|roughly|approximately|nearly|almost|just\s+(?:over|under)))?"
_WHEN = r"(?:\s+(?:on\s+\w+(?:\s+\d{1,2})?|today|yesterday|this\s+week|last\s+week|this\s+morning))?"
_MOVE = (
    r"(?:closed|closes|closing|ended|finished|opened|trades|traded|is\s+trading|was\s+trading|trading"
    r"|rose|fell|jumped|dropped|climbed|sank|slid|rallied|surged|plunged|hit|reached|stood|stands|sits)"
)
# what may stand between the company's name and the "$": a price noun with a verb, or a move
_PRICE_NOUN = (
    rf"(?:'s|’s)?\s+(?:(?:current|closing|latest|last)\s+)?(?:stock|share)\s+price"
    rf"(?:\s+(?:is|was|of|at|stood\s+at|stands\s+at|closed\s+at|reached|hit))?{_ABOUT}\s*"
)
_PRICE_MOVE = (
    rf"(?:'s|’s)?(?:\s+(?:stock|shares|share\s+price|common\s+stock))?(?:\s+\w+ly)?\s+{_MOVE}{_WHEN}"
    rf"(?:\s+(?:at|to|near|around|above|below))?{_ABOUT}\s*"
)
# the whole number (no partial match of "$94.9") and no scale after it ("$3 trillion" is not a price)
_NUMBER = (
    r"\$\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\.?\d|,\d)"
    r"(?!\s*(?:thousand|million|billion|trillion|bn|mn|[kmb])\b)"
)
_AFTER_NAME = re.compile(rf"(?:{_PRICE_NOUN}|{_PRICE_MOVE}){_NUMBER}", re.IGNORECASE)
_SHARES_OF = re.compile(r"\b(?:shares|stock)\s+of\s+(?:the\s+)?$", re.IGNORECASE)  # "shares of Apple ..."
_AFTER_SHARES_OF = re.compile(
    rf"\s+{_MOVE}{_WHEN}(?:\s+(?:at|to|near|around))?{_ABOUT}\s*{_NUMBER}", re.IGNORECASE
)
_NOT_AFTER = re.compile(r"\s*(?:per\s+share|a\s+share\b.*dividend|target)", re.IGNORECASE)


@dataclass(frozen=True)
class PriceClaim:
    """A stock price a text states: the symbol, the price and the words that state it."""

    symbol: str
    value: float
    quoted: str


def price_claims(text: str, spans: Spans) -> list[PriceClaim]:
    """Every stock price the text states for a company it names just before the figure."""
    claims: list[PriceClaim] = []
    for symbol, start, end in sorted(spans(text), key=lambda m: m[1]):
        if symbol.startswith("^") or text[start : start + 1] == "$":
            continue  # an index is quoted in points; a cashtag ("$m") is not a company's name
        shares_of = _SHARES_OF.search(text[max(0, start - 30) : start])
        match = (_AFTER_SHARES_OF if shares_of else _AFTER_NAME).match(text, end)
        if match is None or _NOT_AFTER.match(text, match.end()):
            continue
        quoted = " ".join(text[start : match.end()].split())
        claims.append(PriceClaim(symbol, parse_number(match.group(1)), quoted))
    return claims

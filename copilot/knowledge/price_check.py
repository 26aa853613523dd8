"""Checking the stock prices a document states against the market data of the document's day.

A dated document's price stands when it lies within that day's traded range (or the previous close)
widened by ``DAY_TOLERANCE``: a note may quote an intraday or after-hours price. An undated
document could be from any time, so its price is only contradicted when it lies outside the
52-week range at the analysis date widened by ``YEAR_TOLERANCE``. A price that is a whole multiple
of the close (or the close of it) is reported as a likely stock split rather than a contradiction:
market data is split-adjusted, a document quotes the price of its day.

The search tool calls this with the market-data quote it already has; the result says which
passages are contradicted by which market source, and the tool shows both side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from copilot.errors import VerityError
from copilot.formatting import format_value
from copilot.knowledge.claims import PriceClaim
from copilot.schemas import Source

DAY_TOLERANCE = 0.03
YEAR_TOLERANCE = 0.10
SPLIT_RATIOS = (2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 30, 40, 50)
Quote = Callable[[str, date | None], Source]  # (symbol, as of) -> a quote Source (last_price, ranges)


@dataclass(frozen=True)
class PriceCheck:
    """The verdict on one stated price: consistent, contradicted, or a likely split; with its evidence."""

    claim: PriceClaim
    verdict: str  # "consistent", "contradicted", "split", "unchecked"
    market: Source | None  # the quote the verdict rests on
    message: str  # what the model reads (the market source's [n] is added when shown)

    def as_detail(self) -> dict[str, object]:
        """The verdict as a Source detail: structured, so the verifier can use it without parsing text."""
        return {
            "symbol": self.claim.symbol,
            "claimed": self.claim.value,
            "quoted": self.claim.quoted,
            "verdict": self.verdict,
            "market_source": self.market.id if self.market is not None else None,
            "message": self.message,
        }


def _usd(value: float) -> str:
    return format_value(value, "USD", 2)


def _fact(source: Source, key: str) -> float | None:
    fact = source.fact(key)
    return fact.value if fact is not None else None


def _split_ratio(claimed: float, close: float) -> int | None:
    for ratio in SPLIT_RATIOS:
        for expected in (close * ratio, close / ratio):
            if abs(claimed / expected - 1) <= DAY_TOLERANCE:
                return ratio
    return None


def check_price(claim: PriceClaim, document_day: date | None, as_of: date | None, quote: Quote) -> PriceCheck:
    """Compare a stated price with the market data of the document's day (or the analysis date)."""
    day = min(document_day, as_of) if document_day and as_of else (document_day or as_of)
    try:
        market = quote(claim.symbol, day)
    except VerityError as exc:
        return PriceCheck(claim, "unchecked", None, f"{claim.symbol} price not checked: {exc.message}")
    close = _fact(market, "last_price")
    if close is None:
        return PriceCheck(claim, "unchecked", market, f"{claim.symbol}: the market data has no close")
    bar = market.fact("last_price")
    on = bar.as_of.isoformat() if bar is not None and bar.as_of else (day.isoformat() if day else "today")
    if document_day is None:
        low, high = _fact(market, "low_52w") or close, _fact(market, "high_52w") or close
        inside = low * (1 - YEAR_TOLERANCE) <= claim.value <= high * (1 + YEAR_TOLERANCE)
        span = f"52-week range {_usd(low)}-{_usd(high)}; the document is undated"
    else:
        prices = [close, *(v for v in (_fact(market, k) for k in ("day_low", "day_high", "prev_close")) if v)]
        low, high = min(prices), max(prices)
        inside = low * (1 - DAY_TOLERANCE) <= claim.value <= high * (1 + DAY_TOLERANCE)
        span = f"day range {_usd(low)}-{_usd(high)}"
    evidence = f"{claim.symbol} closed at {_usd(close)} on {on} ({span})"
    if inside:
        return PriceCheck(claim, "consistent", market, f"consistent with market data: {evidence}")
    ratio = _split_ratio(claim.value, close) if document_day is not None else None
    if ratio is not None:
        message = f"differs from split-adjusted market data by {ratio}:1 (a stock split since?): {evidence}"
        return PriceCheck(claim, "split", market, message)
    return PriceCheck(
        claim,
        "contradicted",
        market,
        f"contradicted by market data: the document says {_usd(claim.value)}; {evidence}",
    )


def checked_prices(passages: Sequence[Any], quote: Quote, as_of: date | None) -> list[Any]:
    """The passages, each stating a stock price followed by the market quote it was checked against.

    A passage's Source gains ``details["price_check"]`` (one verdict per stated price, naming the
    market source by id); the market Source notes which document price it was compared with.
    """
    from copilot.knowledge.passages import Passage

    out: list[Any] = []
    for passage in passages:
        stated = passage.source.details.get("price_claims") or []
        claims = list(dict.fromkeys(PriceClaim(**c) for c in stated))
        if not claims:
            out.append(passage)
            continue
        checks = [check_price(claim, passage.source.published, as_of, quote) for claim in claims]
        details = {**passage.source.details, "price_check": [c.as_detail() for c in checks]}
        source = passage.source.model_copy(update={"details": details})
        out.append(Passage(passage.content, source, float(getattr(passage, "score", 0.0))))
        for check in checks:
            if check.market is not None:
                note = f"compared with a price a document states: “{check.claim.quoted}” ({check.verdict})"
                out.append(check.market.model_copy(update={"notes": [*check.market.notes, note]}))
    return out

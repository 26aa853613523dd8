"""Market-data prose: performance, quotes, valuation and sector rankings.

Figures are rendered from the facts themselves (``Fact.display()`` or the same precision with an
explicit sign), so the verifier matches each one to the fact it came from. Comparisons in words
("above its 200-day average") compare two cited facts; no new number is ever computed here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from copilot.offline.intents import Reading
from copilot.offline.prose_common import (
    Citer,
    cap,
    fact_like,
    facts_of,
    join,
    name_of,
    period_words,
    show,
)
from copilot.schemas import Fact, Source

_ADJUSTMENT_NOTE = re.compile(r"adjusted|price return|total return", re.IGNORECASE)
# A valuation snapshot this much older than the market data is called stale in the answer.
STALE_AFTER = timedelta(days=7)


def returns_of(source: Source) -> list[Fact]:
    """One return per symbol, in the source's order: its price return, else its total return
    (the record holds no traded closes for the period: tools/metrics/performance.py)."""
    chosen: dict[str | None, Fact] = {}
    for fact in source.facts:
        if fact.key.startswith("price_return_") or (
            fact.key.startswith("total_return_") and fact.symbol not in chosen
        ):
            chosen[fact.symbol] = fact
    return list(chosen.values())


def _kind(fact: Fact) -> str:
    return " (total return)" if fact.key.startswith("total_return_") else ""


def performance(source: Source, cite: Citer, names: dict[str, str], reading: Reading) -> str:
    """Returns of the subject and how it compares with each other symbol."""
    c = cite(source)
    returns = returns_of(source)
    if not returns:
        return f"The performance source {c} holds no returns for that period."
    when = period_words(source, reading)
    through = f" through {source.as_of.isoformat()}" if source.as_of and not reading.period.end else ""
    subject = returns[0]
    lead = f"{cap(when)}{through}, {name_of(subject.symbol, names)} returned {show(subject, True)}"
    lead += f"{_kind(subject)} {c}"
    if len(returns) == 1:
        own = facts_of(source, subject.symbol)
        adjusted = "_adj" if subject.key.startswith("total_return_") else ""
        start, end = own.get(f"start{adjusted}_close"), own.get(f"end{adjusted}_close")
        if start and end:
            lead += f", from {show(start)} {c} to {show(end)} {c}"
        return lead + "."
    others = [f"{show(f, True)}{_kind(f)} {c} for {name_of(f.symbol, names)}" for f in returns[1:]]
    sentences = [lead + ", against " + join(others) + "."]
    comparisons = []
    for other in returns[1:]:
        spread = fact_like(source, f"spread_vs_{other.symbol}")
        if spread is None:
            continue
        verb = "outperformed" if spread.value >= 0 else "underperformed"
        text = f"{verb} {name_of(other.symbol, names)} by {abs(spread.value):.{spread.precision}f} "
        text += f"percentage points {c}"
        ratio = fact_like(source, f"relative_to_{other.symbol}")  # "3.2x" only says something well above 1
        if ratio is not None and subject.value > 0 and other.value > 0 and ratio.value >= 1.5:
            text += f", about {show(ratio)} the gain of {name_of(other.symbol, names)} {c}"
        comparisons.append(text)
    if comparisons:
        sentences.append(f"{name_of(subject.symbol, names)} " + join(comparisons) + ".")
    return " ".join(sentences)


def quote(source: Source, cite: Citer, names: dict[str, str]) -> str:
    """Last price, day move, distance from the 52-week high and volume vs its average."""
    c = cite(source)
    symbol = next((f.symbol for f in source.facts if f.symbol), None) or str(
        source.arguments.get("symbol", "")
    )
    f = facts_of(source)
    who = name_of(symbol, names)
    parts: list[str] = []
    if "last_price" in f:
        when = f" on {source.as_of.isoformat()}" if source.as_of else ""
        day = f", {show(f['change_pct'], True)} {c} on the day" if "change_pct" in f else ""
        parts.append(f"{who} closed at {show(f['last_price'])} {c}{when}{day}.")
    if "high_52w" in f and "pct_from_high_52w" in f:
        low = f"; the 52-week low is {show(f['low_52w'])} {c}" if "low_52w" in f else ""
        distance = f["pct_from_high_52w"]
        if round(distance.value, distance.precision) == 0:
            where = "It closed at its 52-week high of"
        else:
            gap = distance.model_copy(update={"value": abs(distance.value)})
            where = f"It sits {show(gap)} {c} below its 52-week high of"
        parts.append(f"{where} {show(f['high_52w'])} {c}{low}.")
    average = f.get("avg_volume_3m") or f.get("avg_volume_50d")
    if "volume" in f and f["volume"].value > 0 and average is not None and average.value > 0:
        span = "3-month" if average.key == "avg_volume_3m" else "50-day"
        relation = "below" if f["volume"].value < average.value else "above"
        parts.append(
            f"Volume of {show(f['volume'])} {c} was {relation} the {span} average of {show(average)} {c}."
        )
    # say plainly what the quote lacks (no volume for most indexes, a short 52-week window)
    parts.extend(note for note in source.notes if not _ADJUSTMENT_NOTE.search(note))
    return " ".join(parts) or f"The quote source {c} holds no prices for {who}."


_VALUATION = (
    ("trailing_pe", "trailing earnings"),
    ("forward_pe", "forward earnings"),
    ("price_to_book", "book value"),
    ("price_to_sales", "sales"),
    ("ev_to_ebitda", "EBITDA (enterprise value)"),
)


_FIELD_NAMES = {
    "trailing_pe": "trailing P/E",
    "forward_pe": "forward P/E",
    "price_to_book": "price-to-book ratio",
    "price_to_sales": "price-to-sales ratio",
    "ev_to_ebitda": "EV/EBITDA",
    "peg_ratio": "PEG ratio",
    "dividend_yield": "dividend yield",
    "market_cap": "market capitalisation",
    "trailing_eps": "trailing EPS",
    "forward_eps": "forward EPS",
}


def valuation(source: Source, cite: Citer, names: dict[str, str], as_of: date | None) -> str:
    """The multiples the provider reports, what is missing, and whether the snapshot is stale."""
    c = cite(source)
    f = facts_of(source)
    symbol = next((x.symbol for x in source.facts if x.symbol), None) or str(
        source.arguments.get("symbol", "")
    )
    who = name_of(symbol, names)
    multiples = [f"{show(f[key])} {words} {c}" for key, words in _VALUATION if key in f]
    parts = []
    old = source.stale or (as_of and source.as_of and as_of - source.as_of > STALE_AFTER)
    if multiples:  # a snapshot older than the analysis date is told in the past, with its date
        lead = (
            f"On {source.as_of.isoformat()}, {who} traded at "
            if old and source.as_of
            else f"{who} trades at "
        )
        parts.append(lead + join(multiples) + ".")
    extras = []
    if "peg_ratio" in f:
        extras.append(f"a PEG ratio of {show(f['peg_ratio'])} {c}")
    if "dividend_yield" in f:
        extras.append(f"a dividend yield of {show(f['dividend_yield'])} {c}")
    if "market_cap" in f:
        extras.append(f"a market capitalisation of {show(f['market_cap'])} {c}")
    if "trailing_eps" in f:
        extras.append(f"trailing EPS of {show(f['trailing_eps'])} {c}")
    if extras:
        verb = "had" if old else "has"
        parts.append((f"It {verb} " if multiples else f"{who} {verb} ") + join(extras) + ".")
    if "trailing_pe" in f and "forward_pe" in f:
        cheaper = f["forward_pe"].value < f["trailing_pe"].value
        parts.append(
            "The forward multiple is "
            + (
                "below the trailing one, so analysts expect earnings to grow"
                if cheaper
                else "not below the trailing one, so analysts do not expect earnings growth to lower it"
            )
            + "; whether that is expensive depends on growth and on peers, not on one number."
        )
    missing = source.details.get("missing")
    if missing:
        names_missing = [_FIELD_NAMES.get(str(m), str(m).replace("_", " ")) for m in missing]
        shown = join(names_missing).replace(" and ", " or ") if len(names_missing) > 1 else names_missing[0]
        parts.append(f"The provider reports no {shown} for {who}.")
    if old:
        dated = source.as_of.isoformat() if source.as_of else "an earlier date"
        parts.append(f"Note: these valuation figures are as of {dated}, so treat them as stale.")
    elif source.as_of:
        parts.append(f"Valuation figures as reported on {source.as_of.isoformat()}.")
    return " ".join(parts) or f"No valuation figures are available for {who} {c}."


def sectors(source: Source, cite: Citer, reading: Reading) -> str:
    """Leaders and laggards of the sector ETFs over the period."""
    c = cite(source)
    returns = sorted(returns_of(source), key=lambda f: (-f.value, f.symbol or ""))
    if not returns:
        return f"The sector source {c} holds no returns for that period."
    when = cap(period_words(source, reading))
    through = f" (through {source.as_of.isoformat()})" if source.as_of else ""
    count = 3 if len(returns) >= 6 else max(1, len(returns) // 2)
    leaders = [f"{f.label} at {show(f, True)} {c}" for f in returns[:count]]
    laggards = [f"{f.label} at {show(f, True)} {c}" for f in reversed(returns[-count:])]
    text = f"{when}{through}, the sector leaders were " + join(leaders) + "."
    asked = reading.sector_period or (reading.period if reading.period_given else None)
    if asked is not None and asked.start is not None:
        # the ranking has named periods only: say the asked span was not ranked, never relabel it
        text = (
            "Sector rankings cover a day, a week, one, three or six months, a year or year to date, "
            f"not {asked.describe()}, so this is the latest day's ranking instead. " + text
        )
    text += " The laggards were " + join(laggards) + "."
    breadth = source.details.get("breadth")
    text += f" Breadth: {breadth}." if breadth else ""
    # what the ranking lacks or how old it is (a sector not yet launched, data ending long ago)
    notes = [note.rstrip(".") + "." for note in source.notes if not _ADJUSTMENT_NOTE.search(note)]
    return " ".join([text, *notes])

"""Price prose: quotes, the close on a day, a span of closes, returns and sector rankings.

Figures are rendered from the facts themselves (``show``), so the verifier matches each one to the
fact it came from; comparisons in words ("above its 52-week low") compare two cited facts; no new
number is ever computed here. Where a figure rests on dividend-adjusted prices (the record holds
no traded price), the sentence says so.
"""

from __future__ import annotations

import re
from datetime import date

from copilot.lexicon import YIELD_INDEXES
from copilot.offline.prose_common import Citer, Context, cap, facts_of, join, show, subject_of
from copilot.schemas import Fact, Source
from copilot.understanding.reading import Part

_BASIS_NOTE = re.compile(r"as traded|adjusted|price return|total return", re.IGNORECASE)


def quote(source: Source, cite: Citer, ctx: Context, part: Part | None = None) -> str:
    """Last price, day move, distance from the 52-week high (and low, when asked), volume vs average."""
    c = cite(source)
    f = facts_of(source)
    who = ctx.who(subject_of(source))
    adjusted = "last_price" not in f and "last_price_adjusted" in f
    last = f.get("last_price") or f.get("last_price_adjusted")
    parts: list[str] = []
    if last is not None:
        when = f" on {source.as_of.isoformat()}" if source.as_of else ""
        change = f.get("change_pct") or f.get("change_pct_adjusted")
        relative = "a relative change of " if subject_of(source) in YIELD_INDEXES else ""
        day = f", {relative}{show(change, True)} {c} on the day" if change else ""
        basis = " (a dividend-adjusted close: the record holds no traded price that day)" if adjusted else ""
        parts.append(f"{who} closed at {show(last)} {c}{when}{day}{basis}.")
    high, distance = f.get("high_52w"), f.get("pct_from_high_52w")
    if high is not None and distance is not None:
        low = f"; the 52-week low is {show(f['low_52w'])} {c}" if "low_52w" in f else ""
        if round(distance.value, distance.precision) == 0:
            where = "It closed at its 52-week high of"
        else:
            gap = distance.model_copy(update={"value": abs(distance.value)})
            where = f"It sits {show(gap)} {c} below its 52-week high of"
        parts.append(f"{where} {show(high)} {c}{low}.")
    from_low = f.get("pct_from_low_52w")
    if part is not None and "low_52w" in part.fields and from_low is not None and "low_52w" in f:
        parts.append(f"It is {show(from_low)} {c} above its 52-week low of {show(f['low_52w'])} {c}.")
    average = f.get("avg_volume_3m") or f.get("avg_volume_50d")
    if "volume" in f and f["volume"].value > 0 and average is not None and average.value > 0:
        span = "3-month" if average.key == "avg_volume_3m" else "50-day"
        relation = "below" if f["volume"].value < average.value else "above"
        parts.append(
            f"Volume of {show(f['volume'])} {c} was {relation} the {span} average of {show(average)} {c}."
        )
    parts.extend(note for note in source.notes if not _BASIS_NOTE.search(note))
    return " ".join(parts) or f"The quote source {c} holds no prices for {who}."


def price_on_day(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """The session of a day: close, move, range and volume (the session used for a closed day)."""
    c = cite(source)
    f = facts_of(source)
    who = ctx.who(subject_of(source))
    session = str(source.details.get("session") or (source.as_of.isoformat() if source.as_of else ""))
    asked = str(source.arguments.get("date") or "")
    close = f.get("close") or f.get("close_adjusted")
    if close is None:
        return f"The price source {c} holds no close for {who} on {asked or session}."
    lead = ""
    if asked and session and asked != session:
        lead = f"{asked} was not a trading day, so this is the session of {session}: "
    basis = (
        " (dividend-adjusted: the record holds no traded price that day)"
        if close.key.endswith("_adjusted")
        else ""
    )
    text = f"{lead}{who} closed at {show(close)} {c} on {session}{basis}"
    change = f.get("change_pct") or f.get("change_pct_adjusted")
    if change is not None:
        verb = "down" if change.value < 0 else "up"
        text += f", {verb} {show(change.model_copy(update={'value': abs(change.value)}))} {c} on the day"
    text += "."
    high, low = f.get("high") or f.get("high_adjusted"), f.get("low") or f.get("low_adjusted")
    extra = []
    if high is not None and low is not None:
        extra.append(f"it traded between {show(low)} {c} and {show(high)} {c}")
    volume = f.get("volume")
    if volume is not None and volume.value > 0:
        extra.append(f"volume was {show(volume)} {c}")
    if extra:
        text += " " + cap(join(extra)) + "."
    return text


def price_range(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """A span of closes: first and last close, the change, the high and low with their dates."""
    c = cite(source)
    f = facts_of(source)
    who = ctx.who(subject_of(source))
    start, end = source.arguments.get("start"), source.arguments.get("end")
    first, last = f.get("first_close"), f.get("last_close")
    if first is None or last is None:
        return f"The price source {c} holds no closes for {who} from {start} to {end}."
    if "all_time_high" in part.fields:
        return _record_high(source, c, who, f)
    change = f.get("change_pct")
    moved = f", a change of {show(change, True)} {c}" if change is not None else ""
    first_day, last_day = first.as_of or start, last.as_of or end
    text = (
        f"From {start} to {end}, {who} went from a first close of {show(first)} {c} on {first_day} to "
        f"{show(last)} {c} on {last_day}{moved}."
    )
    high, low = f.get("high"), f.get("low")
    if high is not None and low is not None:
        on_high, on_low = source.details.get("high_date"), source.details.get("low_date")
        high_when = f" on {on_high}" if on_high else ""
        low_when = f" on {on_low}" if on_low else ""
        text += (
            f" Its highest high was {show(high)} {c}{high_when} and its lowest low {show(low)} {c}{low_when}."
        )
    top, bottom = f.get("high_close"), f.get("low_close")
    if top is not None and bottom is not None and "closes" in part.fields:
        text += (
            f" Its highest close was {show(top)} {c} on {source.details.get('high_close_date')} and its "
            f"lowest close {show(bottom)} {c} on {source.details.get('low_close_date')}."
        )
    average = f.get("avg_volume")
    if average is not None and average.value > 0:
        text += f" Average daily volume was {show(average)} {c}."
    return text


def _record_high(source: Source, c: str, who: str, f: dict[str, Fact]) -> str:
    """The all-time high as far as the record goes: the day the record begins is said."""
    first, last, top, high = f.get("first_close"), f.get("last_close"), f.get("high_close"), f.get("high")
    if first is None or last is None or top is None:
        return f"The price source {c} holds no closes for {who}."
    text = (
        f"In the record of {who}'s traded prices, which begins on {first.as_of}, its highest close was "
        f"{show(top)} {c} on {top.as_of}"
    )
    if high is not None:
        text += f" and its highest intraday high {show(high)} {c} on {high.as_of}"
    text += f". It closed at {show(last)} {c} on {last.as_of}"
    below = f.get("pct_from_high_close")
    if below is not None and round(below.value, below.precision) < 0:
        gap = below.model_copy(update={"value": abs(below.value)})
        text += f", {show(gap)} {c} below that highest close"
    elif below is not None:
        text += ", its highest close on record"
    return text + "."


def _return_kind(fact: Fact) -> str:
    return "total return" if fact.key.startswith("total_return") else "price return"


def performance(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """Returns of each symbol (price returns; total returns where no traded prices exist), and how the
    first compares with the others."""
    c = cite(source)
    returns = _returns(source)
    if not returns:
        return f"The performance source {c} holds no returns for that period."
    subject = returns[0]
    when = _period_words(source, part, subject.as_of)
    kinds = {_return_kind(f) for f in returns}
    kind = kinds.pop() if len(kinds) == 1 else "return"
    lead = f"{cap(when)}, {ctx.who(subject.symbol)} had a {kind} of {show(subject, True)} {c}"
    own = facts_of(source, subject.symbol)
    adjusted = "_adj" if subject.key.startswith("total_return") else ""
    start, end = own.get(f"start{adjusted}_close"), own.get(f"end{adjusted}_close")
    if subject.symbol in YIELD_INDEXES and start is not None and end is not None and len(returns) == 1:
        # a yield has no return: it moves from one level to another (the change is relative)
        return (
            f"{cap(when)}, {ctx.who(subject.symbol)} went from {show(start)} {c} on {start.as_of} to "
            f"{show(end)} {c} on {end.as_of}, a relative change of {show(subject, True)} {c}."
        )
    if start is not None and end is not None and len(returns) == 1:
        lead += f", from {show(start)} {c} on {start.as_of} to {show(end)} {c} on {end.as_of}"
    if len(returns) == 1:
        return " ".join([lead + ".", *_left_out(source)])
    others = [f"{show(f, True)} {c} for {ctx.who(f.symbol)}" for f in returns[1:]]
    sentences = [lead + ", against " + join(others) + "."]
    comparisons = []
    for other in returns[1:]:
        spread = _fact(source, f"spread_vs_{other.symbol}")
        if spread is None:
            continue
        verb = "outperformed" if spread.value >= 0 else "underperformed"
        points = f"{abs(spread.value):.{spread.precision}f}"
        text = f"{verb} {ctx.who(other.symbol)} by {points} percentage points {c}"
        ratio = _fact(source, f"relative_to_{other.symbol}")
        if ratio is not None and subject.value > 0 and other.value > 0 and ratio.value >= 1.5:
            text += f", about {show(ratio)} its gain {c}"
        comparisons.append(text)
    if comparisons:
        sentences.append(f"{ctx.who(subject.symbol)} " + join(comparisons) + ".")
    if len(kinds) > 0 or kind == "return":
        mixed = sorted({f"{ctx.who(f.symbol)}: {_return_kind(f)}" for f in returns})
        if kind == "return":
            sentences.append("Kinds of return: " + "; ".join(mixed) + ".")
    open_notes = [n for n in source.notes if "not over" in n or "so far" in n or "latest bar" in n]
    sentences.extend(note.rstrip(".") + "." for note in open_notes)
    sentences.extend(_left_out(source))
    return " ".join(sentences)


def _left_out(source: Source) -> list[str]:
    """ "F is left out: no price history in the market-data snapshot." for each name the data lacks."""
    out = []
    for note in source.notes:
        if not note.startswith("Not available: "):
            continue
        unknown = re.match(r"Not available: Unknown symbol '([^']+)': (.*)", note)
        reason = note.removeprefix("Not available: ")
        out.append(
            f"{unknown.group(1)} is left out: {unknown.group(2)}" if unknown else f"Left out: {reason}"
        )
    return [s.rstrip(".") + "." for s in out]


def _returns(source: Source) -> list[Fact]:
    """One return per symbol: the price return, else the total return."""
    by_symbol: dict[str, Fact] = {}
    for fact in source.facts:
        if fact.key.startswith("price_return_") and fact.symbol:
            by_symbol[fact.symbol] = fact
    for fact in source.facts:
        if fact.key.startswith("total_return_") and fact.symbol and fact.symbol not in by_symbol:
            by_symbol[fact.symbol] = fact
    order = [str(s) for s in source.arguments.get("symbols", []) or []]
    ordered = [by_symbol[s] for s in order if s in by_symbol]
    return ordered + [f for s, f in by_symbol.items() if s not in order]


def _fact(source: Source, key: str) -> Fact | None:
    return next((f for f in source.facts if f.key == key), None)


def _period_words(source: Source, part: Part, last: date | None = None) -> str:
    """ "in 2025", "year to date through 2026-08-21", "from 2025-03-03 to 2025-04-08" (through the
    last close ``last`` when the record ends before the period asked)."""
    period = str(source.arguments.get("period") or "")
    start, end = source.arguments.get("start"), source.arguments.get("end")
    if last is not None and end and last.isoformat() < str(end):
        end = last.isoformat()
    when = part.when
    if when is not None and when.kind in ("range", "since") and start:
        if when.kind == "since":
            return f"since {when.event or start} (from the close of {start} to {end})"
        return f"from {start} to {end}"
    if when is not None and when.label == period:
        words = when.describe()
    elif period:
        words = {"ytd": "year to date", "mtd": "month to date", "qtd": "quarter to date"}.get(period, period)
    else:
        words = f"from {start} to {end}"
    through = f" (through {end})" if end and (when is None or when.kind in ("to_date", "trailing")) else ""
    return words + through


def sectors(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """Leaders and laggards of the sector funds over the period."""
    c = cite(source)
    returns = sorted(
        (f for f in source.facts if "return_" in f.key), key=lambda f: (-f.value, f.symbol or "")
    )
    if not returns:
        return f"The sector source {c} holds no returns for that period."
    period = str(source.arguments.get("period") or "")
    words = {"ytd": "year to date", "mtd": "month to date", "qtd": "quarter to date", "1d": "on the day"}
    when = words.get(period, part.when.describe() if part.when and part.when.label == period else period)
    lead = ""
    asked = part.when
    if asked is not None and asked.kind in ("range", "since", "day"):
        lead = (
            f"Sector rankings cover named periods, not {asked.describe()}, so this ranking is "
            f"{when} instead. "
        )
    end = source.arguments.get("end") or (source.as_of.isoformat() if source.as_of else "")
    through = f" (through {end})" if end else ""
    count = 3 if len(returns) >= 6 else max(1, len(returns) // 2)
    leaders = [f"{f.label} at {show(f, True)} {c}" for f in returns[:count]]
    laggards = [f"{f.label} at {show(f, True)} {c}" for f in reversed(returns[-count:])]
    kind = "total returns" if returns[0].key.startswith("total_return") else "price returns"
    text = f"{lead}{cap(when)}{through}, by {kind}, the sector leaders were " + join(leaders) + "."
    text += " The laggards were " + join(laggards) + "."
    breadth = source.details.get("breadth")
    text += f" Breadth: {breadth}." if breadth else ""
    notes = [note.rstrip(".") + "." for note in source.notes if not _BASIS_NOTE.search(note)]
    return " ".join([text, *notes])

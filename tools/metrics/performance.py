"""Period returns, price and total, and the comparison across symbols (relative performance).

A return runs close to close over a window (tools/metrics/periods.py: trailing, to-date and
calendar periods) or a custom range (from the last close on or before ``start`` to the last close
on or before ``end``, so start=2025-12-31 equals YTD for 2026). Two returns per symbol, each with
its own facts (tools/metrics/basis.py says which prices are which):

- the price return (``price_return_<period>``) on closes as traded, when the record holds a
  traded close on both days;
- the total return (``total_return_<period>``) on dividend-adjusted closes, when it holds an
  adjusted close on both days (never for index levels: they are price returns only).

A missing day is skipped, never filled: a date anchor uses the last close on or before it (a note
says when that is over a week earlier), a trading-day count counts the bars present (a note says
when it spans unusually many calendar days). Relative performance compares returns of one kind:
``relative_to_X`` = ratio of the two returns (e.g. 3.9x the S&P 500's gain; only when both have
the same sign), ``spread_vs_X`` = difference in points; price returns when every symbol has one,
else total returns when every symbol has one, else none (a note says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from copilot.errors import BadInputError, NoDataError
from copilot.schemas import Fact, Unit
from tools.metrics import FactList, MetricResult, make_fact, price_unit
from tools.metrics.periods import Window, span_label

Kind = Literal["price", "total"]
GAP_NOTE_DAYS = 7


@dataclass(frozen=True)
class Leg:
    """One return: from one close to another of the same kind."""

    return_pct: float
    start_date: date
    start_close: float
    end_date: date
    end_close: float


@dataclass(frozen=True)
class PeriodReturn:
    symbol: str
    price: Leg | None  # on closes as traded
    total: Leg | None  # on dividend-adjusted closes
    notes: tuple[str, ...] = ()

    def leg(self, kind: Kind) -> Leg | None:
        return self.price if kind == "price" else self.total

    @property
    def headline(self) -> Leg:
        """The price return where known, else the total return."""
        leg = self.price or self.total
        assert leg is not None
        return leg


def check_range(start: date | None, end: date | None) -> None:
    """A custom range needs a start, and an end after it."""
    if start is None and end is not None:
        raise BadInputError("an end date needs a start date")
    if start is not None and end is not None and end <= start:
        raise BadInputError(f"empty range: end {end} is not after start {start}")


def period_return(
    symbol: str, bars: pd.DataFrame, window: Window, adjusted_through: date | None = None
) -> PeriodReturn:
    """Price and total return of one symbol over ``window`` (bars already cut at the analysis date)."""
    # numpy positions, not pandas masks: a 15-symbol comparison stays in the low milliseconds
    days = bars.index.to_numpy().astype("datetime64[D]")
    last = int(np.searchsorted(days, np.datetime64(window.end, "D"), side="right"))
    if last == 0:
        raise NoDataError(f"{symbol}: no close on or before {window.end}", symbol=symbol)
    notes: list[str] = []
    if window.sessions is not None:
        count = window.sessions
        if last <= count:
            raise NoDataError(
                f"{symbol}: {window.period} needs {count + 1} closes, there are {last} from "
                f"{days[0]} to {days[last - 1]} (the series starts later or has gaps)",
                symbol=symbol,
            )
        base = last - 1 - count
        span = int((days[last - 1] - days[base]) / np.timedelta64(1, "D"))
        if span > count * 1.6 + 10:
            notes.append(
                f"{symbol}: the {window.period} window spans {span} calendar days (gaps in the series)"
            )
    else:
        assert window.anchor is not None
        base = int(np.searchsorted(days[:last], np.datetime64(window.anchor, "D"), side="right")) - 1
        if base < 0:
            raise NoDataError(
                f"{symbol}: no close on or before {window.anchor} (series starts {days[0]})", symbol=symbol
            )
        if (np.datetime64(window.anchor, "D") - days[base]) > np.timedelta64(GAP_NOTE_DAYS, "D"):
            notes.append(
                f"{symbol}: last close before {window.anchor} is from {days[base]} (gap in the series)"
            )
    end = last - 1  # the same close as the base on a day before the first session of a period: 0%
    traded = bars["traded"].to_numpy()
    close = bars["close"].to_numpy(dtype=np.float64)
    adjusted = bars["adj_close"].to_numpy(dtype=np.float64)
    start_day, end_day = days[base].item(), days[end].item()
    price = _leg(symbol, close, base, end, start_day, end_day) if traded[base] and traded[end] else None
    total = _leg(symbol, adjusted, base, end, start_day, end_day)
    if price is None and total is None:
        raise NoDataError(f"{symbol}: no closes of one kind on {start_day} and {end_day}", symbol=symbol)
    notes.extend(
        _missing_legs(
            symbol, price, total, traded, adjusted, base, end, (start_day, end_day), adjusted_through
        )
    )
    return PeriodReturn(symbol, price, total, tuple(notes))


def _leg(symbol: str, values: np.ndarray, base: int, end: int, start_day: date, end_day: date) -> Leg | None:
    start_close, end_close = float(values[base]), float(values[end])
    if not (np.isfinite(start_close) and np.isfinite(end_close)):
        return None
    if not start_close > 0:  # a zero or negative base (bad data) has no meaningful return
        raise NoDataError(f"{symbol}: the close on {start_day} is {start_close}: no return", symbol=symbol)
    return Leg((end_close / start_close - 1.0) * 100.0, start_day, start_close, end_day, end_close)


def _missing_legs(
    symbol: str,
    price: Leg | None,
    total: Leg | None,
    traded: np.ndarray,
    adjusted: np.ndarray,
    base: int,
    end: int,
    days: tuple[date, date],
    adjusted_through: date | None,
) -> list[str]:
    """Why a price or total return is missing, in one note each."""
    start_day, end_day = days
    notes = []
    if price is None:
        day = start_day if not traded[base] else end_day
        notes.append(f"{symbol}: no price return: the record holds no traded close on {day}.")
    if total is None and not symbol.startswith("^"):
        after = adjusted_through is not None and end_day > adjusted_through
        reason = f"after {adjusted_through}" if after else f"for {start_day}" if price is not None else "then"
        notes.append(f"{symbol}: no total return: the record holds no dividend-adjusted close {reason}.")
    return notes


def performance_metrics(
    returns: list[PeriodReturn], period: str, currency: str = "USD", label: str | None = None
) -> MetricResult:
    """Facts for each symbol's price and total return, then the first symbol against the others."""
    result = MetricResult()
    span = label or span_label(period)
    table: list[str] = []
    for r in returns:
        unit = price_unit(r.symbol, currency)
        parts = []
        legs: tuple[tuple[Kind, Leg | None], ...] = (("price", r.price), ("total", r.total))
        for kind, leg in legs:
            if leg is None:
                continue
            result.facts.extend(_leg_facts(r.symbol, kind, leg, period, span, unit))
            parts.append(
                f"{kind} {leg.return_pct:+.2f}% ({leg.start_date} {leg.start_close:,.2f} -> "
                f"{leg.end_date} {leg.end_close:,.2f})"
            )
        table.append(f"{r.symbol}: " + "; ".join(parts))
        result.notes.extend(r.notes)
    result.details["returns"] = table
    if len(returns) > 1:
        _relative(returns, result)
        leader = max(returns, key=lambda r: r.headline.return_pct)
        result.details["leader"] = leader.symbol
    return result


def _leg_facts(symbol: str, kind: Kind, leg: Leg, period: str, span: str, unit: Unit) -> list[Fact]:
    """Start close, end close and the return, each dated (adjusted closes keyed and labelled so)."""
    if kind == "price":
        keys, closes = ("start_close", "end_close"), "Close"
        label = f"Price return {span}"
    else:
        keys, closes = ("start_adj_close", "end_adj_close"), "Dividend-adjusted close"
        label = f"Total return {span} (dividends reinvested)"
    inputs = {keys[0]: leg.start_close, keys[1]: leg.end_close}
    return [
        make_fact(keys[0], f"{closes} on {leg.start_date}", leg.start_close, unit, leg.start_date, symbol),
        make_fact(keys[1], f"{closes} on {leg.end_date}", leg.end_close, unit, leg.end_date, symbol),
        make_fact(
            f"{kind}_return_{period}",
            label,
            leg.return_pct,
            "%",
            leg.end_date,
            symbol,
            formula=f"({keys[1]} / {keys[0]} - 1) * 100",
            inputs=inputs,
        ),
    ]


def _relative(returns: list[PeriodReturn], result: MetricResult) -> None:
    kinds: tuple[Kind, ...] = ("price", "total")
    kind = next((k for k in kinds if all(r.leg(k) for r in returns)), None)
    if kind is None:
        result.notes.append(
            "No relative figures: the returns are not all of one kind (price returns where the record "
            "holds traded closes, total returns where it holds only dividend-adjusted ones)."
        )
        return
    subject = returns[0]
    mine = subject.leg(kind)
    assert mine is not None
    facts = FactList(subject.symbol, mine.end_date, "%")
    comparisons: list[str] = []
    for other in returns[1:]:
        theirs = other.leg(kind)
        assert theirs is not None
        a, b = mine.return_pct, theirs.return_pct
        inputs = {subject.symbol: a, other.symbol: b}
        facts.add(
            f"spread_vs_{other.symbol}",
            f"{subject.symbol} {kind} return minus {other.symbol} {kind} return (percentage points)",
            a - b,
            "%",
            formula=f"{kind}_return({subject.symbol}) - {kind}_return({other.symbol})",
            inputs=inputs,
        )
        text = f"{subject.symbol} vs {other.symbol} ({kind} returns): {a - b:+.2f} points"
        if a * b > 0:
            move = "gain" if b > 0 else "loss"
            facts.add(
                f"relative_to_{other.symbol}",
                f"{subject.symbol} {kind} return as a multiple of {other.symbol}'s {move}",
                a / b,
                "x",
                precision=1,
                formula=f"{kind}_return({subject.symbol}) / {kind}_return({other.symbol})",
                inputs=inputs,
            )
            text += f", {a / b:.1f}x {other.symbol}'s {move}"
        else:
            text += " (returns of opposite sign or zero: no ratio)"
        comparisons.append(text)
    result.facts.extend(facts)
    if facts.skipped:
        result.details["missing"] = facts.skipped
    result.details["relative"] = comparisons

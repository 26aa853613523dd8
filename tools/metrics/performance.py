"""Period returns and the comparison across symbols (relative performance).

Periods, all close to close and ending on the last bar on or before ``as_of``:

- ``1d``/``5d``/``1m``/``3m``/``6m``/``1y`` = 1/5/21/63/126/252 *trading days* (bars) back —
  bars, not calendar months, so a holiday never shifts the base onto a stale close;
- ``ytd`` = from the previous year's last close (the last bar on or before 31 December);
- custom ``start``/``end`` = from the last close on or before ``start`` to the last close on or
  before ``end`` (so start=2025-12-31 equals YTD for 2026).

A missing day is skipped, never filled: a trading-day window counts the bars present (a note
says when a window spans unusually many calendar days), and a date anchor uses the last close on
or before it. Relative performance: ``relative_to_X`` = ratio of the two returns (e.g. 3.9x the
S&P 500's gain; only when both returns have the same sign), ``spread_vs_X`` = difference in points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from copilot.errors import BadInputError, NoDataError
from tools.metrics import FactList, MetricResult, price_unit

TRADING_DAYS = {"1d": 1, "5d": 5, "1m": 21, "3m": 63, "6m": 126, "1y": 252}
PERIODS = (*TRADING_DAYS, "ytd")
# calendar days to fetch for each period: ~1.45 calendar days per trading day, doubled so that
# holidays and gaps of a few weeks still leave enough bars
LOOKBACK_DAYS = {period: days * 2 + 30 for period, days in TRADING_DAYS.items()}


@dataclass(frozen=True)
class PeriodReturn:
    symbol: str
    return_pct: float
    start_date: date
    start_close: float
    end_date: date
    end_close: float
    note: str | None = None


def check_period(period: str | None, start: date | None, end: date | None) -> str:
    """The period key used in fact names ("ytd", "1m", ... or "custom"); BadInputError if invalid."""
    if start is not None:
        if end is not None and end <= start:
            raise BadInputError(f"empty range: end {end} is not after start {start}")
        return "custom"
    if end is not None:
        raise BadInputError("an end date needs a start date")
    key = (period or "ytd").lower()
    if key not in PERIODS:
        raise BadInputError(f"unknown period {period!r}: use one of {', '.join(PERIODS)} or a start date")
    return key


def fetch_start(period: str, as_of: date, start: date | None) -> date:
    """The first date to ask the provider for, so the base close of the period is included."""
    if period == "custom" and start is not None:
        return date.fromordinal(start.toordinal() - 15)
    if period == "ytd":
        return date(as_of.year - 1, 12, 1)
    return date.fromordinal(as_of.toordinal() - LOOKBACK_DAYS[period])


def period_return(
    symbol: str,
    bars: pd.DataFrame,
    period: str,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
) -> PeriodReturn:
    """Close-to-close return of one symbol over ``period`` (bars already cut at ``as_of``).

    YTD is for the year of ``end`` or ``as_of`` (on 2 January before the open it is 0%).
    """
    # numpy positions, not pandas masks: a 15-symbol comparison stays in the low milliseconds
    values = bars["close"].to_numpy(dtype=np.float64)
    days = bars.index.to_numpy().astype("datetime64[D]")
    last = len(days) if end is None else int(np.searchsorted(days, np.datetime64(end, "D"), side="right"))
    if last == 0:
        raise NoDataError(f"{symbol}: no close on or before {end}", symbol=symbol)
    note = None
    if period in TRADING_DAYS:
        count = TRADING_DAYS[period]
        if last <= count:
            raise NoDataError(
                f"{symbol}: {period} needs {count + 1} closes, there are {last} from "
                f"{days[0]} to {days[last - 1]} (the series starts later or has gaps)",
                symbol=symbol,
            )
        base = last - 1 - count
        span = int((days[last - 1] - days[base]) / np.timedelta64(1, "D"))
        if span > count * 1.6 + 10:
            note = f"{symbol}: the {period} window spans {span} calendar days (gaps in the series)"
    else:
        year = (end or as_of or days[last - 1].item()).year
        anchor = date(year - 1, 12, 31) if period == "ytd" else start
        assert anchor is not None
        base = int(np.searchsorted(days[:last], np.datetime64(anchor, "D"), side="right")) - 1
        if base < 0:
            raise NoDataError(
                f"{symbol}: no close on or before {anchor} (series starts {days[0]})", symbol=symbol
            )
        if (np.datetime64(anchor, "D") - days[base]) > np.timedelta64(7, "D"):
            note = f"{symbol}: last close before {anchor} is from {days[base]} (gap in the series)"
    start_close, end_close = float(values[base]), float(values[last - 1])
    if not start_close > 0:  # a zero or negative base (bad data) has no meaningful return
        raise NoDataError(f"{symbol}: the close on {days[base]} is {start_close}: no return", symbol=symbol)
    return PeriodReturn(
        symbol,
        (end_close / start_close - 1.0) * 100.0,
        days[base].item(),
        start_close,
        days[last - 1].item(),
        end_close,
        note,
    )


def performance_metrics(returns: list[PeriodReturn], period: str, currency: str = "USD") -> MetricResult:
    """Facts for each symbol's return, then the first symbol relative to each of the others."""
    result = MetricResult()
    key = f"return_{period}"
    label = "Return YTD" if period == "ytd" else f"Return {period.upper()}"
    if period == "custom":
        label = f"Return {returns[0].start_date} to {returns[0].end_date}"
    table: list[str] = []
    for r in returns:
        facts = FactList(r.symbol, r.end_date, price_unit(r.symbol, currency))
        facts.add("start_close", f"Close on {r.start_date}", r.start_close)
        facts.add("end_close", f"Close on {r.end_date}", r.end_close)
        facts.add(
            key,
            label,
            r.return_pct,
            "%",
            formula="(end_close / start_close - 1) * 100",
            inputs={"start_close": r.start_close, "end_close": r.end_close},
        )
        result.facts.extend(facts)
        result.details.setdefault("missing", []).extend(f"{r.symbol} {skipped}" for skipped in facts.skipped)
        table.append(
            f"{r.symbol}: {r.return_pct:+.2f}% ({r.start_date} {r.start_close:,.2f} -> "
            f"{r.end_date} {r.end_close:,.2f})"
        )
        if r.note:
            result.notes.append(r.note)
    result.details["returns"] = table
    if len(returns) > 1:
        _relative(returns, result)
        leader = max(returns, key=lambda r: r.return_pct)
        result.details["leader"] = leader.symbol
    if not result.details.get("missing"):
        result.details.pop("missing", None)
    return result


def _relative(returns: list[PeriodReturn], result: MetricResult) -> None:
    subject = returns[0]
    facts = FactList(subject.symbol, subject.end_date, "%")
    comparisons: list[str] = []
    for other in returns[1:]:
        inputs = {subject.symbol: subject.return_pct, other.symbol: other.return_pct}
        spread = subject.return_pct - other.return_pct
        facts.add(
            f"spread_vs_{other.symbol}",
            f"{subject.symbol} return minus {other.symbol} return (percentage points)",
            spread,
            "%",
            formula=f"return({subject.symbol}) - return({other.symbol})",
            inputs=inputs,
        )
        text = f"{subject.symbol} vs {other.symbol}: {spread:+.2f} points"
        same_sign = subject.return_pct * other.return_pct > 0
        if same_sign:
            ratio = subject.return_pct / other.return_pct
            move = "gain" if other.return_pct > 0 else "loss"
            facts.add(
                f"relative_to_{other.symbol}",
                f"{subject.symbol} return as a multiple of {other.symbol}'s {move}",
                ratio,
                "x",
                precision=1,
                formula=f"return({subject.symbol}) / return({other.symbol})",
                inputs=inputs,
            )
            text += f", {ratio:.1f}x {other.symbol}'s {move}"
        else:
            text += " (returns of opposite sign or zero: no ratio)"
        comparisons.append(text)
    result.facts.extend(facts)
    result.details.setdefault("missing", []).extend(facts.skipped)
    result.details["relative"] = comparisons

"""A symbol's prices on one day, or summed up over a range of days.

- Day: the close, open, high, low and volume of the session on that day, or of the last session
  before it when the market was closed (the source says which session it used); the previous
  close and the change; the dividend-adjusted close beside them where known.
- Range: the first and last close of the sessions in the range, the change between them, the
  highest high and lowest low with their dates, the average and total volume, the number of
  sessions.

Prices are prices as traded. A day the record holds no traded price for is given at its
dividend-adjusted prices, keyed ``<key>_adjusted`` and labelled so (tools/metrics/basis.py); a
range is on one basis: traded when every session is, else adjusted when every session has an
adjusted close, else the traded sessions only (a note says from when).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from copilot.errors import NoDataError
from tools.metrics import FactList, MetricResult, day, make_fact, price_unit
from tools.metrics.basis import adjusted_bars, adjusted_note, mark_adjusted, traded_note, traded_run

CLOSED_NOTE_DAYS = 4  # a session further back than this from the date asked is a gap, not a weekend


def day_metrics(
    symbol: str, bars: pd.DataFrame, asked: date, currency: str = "USD", adjusted_through: date | None = None
) -> MetricResult:
    """The session on ``asked`` (or the last one before it): bars end on or before ``asked``."""
    result = MetricResult()
    row = bars.iloc[-1]
    session = bars.index[-1].date()
    traded = bool(row["traded"])
    facts = FactList(symbol, session, price_unit(symbol, currency))
    facts.add("close", "Close", float(row["close"]))
    facts.add("open", "Open", float(row["open"]))
    facts.add("high", "Day high", float(row["high"]))
    facts.add("low", "Day low", float(row["low"]))
    if len(bars) > 1 and bool(bars["traded"].iloc[-2]) == traded:  # a previous close of the same kind
        prev = float(bars["close"].iloc[-2])
        inputs = {"close": float(row["close"]), "prev_close": prev}
        facts.add("prev_close", f"Previous close ({day(bars.index[-2])})", prev)
        facts.add("change_pct", "Change on the day (%)", (row["close"] / prev - 1) * 100, "%", inputs=inputs)
    volume = float(row["volume"])
    if volume > 0:
        facts.add("volume", "Volume", volume, "shares")
    else:
        result.details["missing"] = ["volume"]
    result.facts = list(facts)
    if traded:
        result.notes.append(traded_note(symbol))
        adjusted = float(row["adj_close"])
        if np.isfinite(adjusted):
            through = (
                f"dividends through {adjusted_through} deducted" if adjusted_through else "dividends deducted"
            )
            result.facts.append(
                make_fact(
                    "adj_close",
                    f"Dividend-adjusted close ({through})",
                    adjusted,
                    price_unit(symbol, currency),
                    session,
                    symbol,
                )
            )
    else:
        result.facts = mark_adjusted(result.facts, untraded=True)
        result.notes.append(adjusted_note(symbol, session, adjusted_through, None))
    result.details["session"] = session.isoformat()
    result.details["price_basis"] = "as traded" if traded else "dividend-adjusted (no traded price on record)"
    if session != asked:
        gap = (asked - session).days
        why = "was not a trading day" if gap <= CLOSED_NOTE_DAYS else "has no bar in the record"
        result.notes.append(f"{asked} {why}: these are the figures of the last session before it, {session}.")
    return result


def range_metrics(
    symbol: str,
    bars: pd.DataFrame,
    start: date,
    end: date,
    currency: str = "USD",
    adjusted_through: date | None = None,
) -> MetricResult:
    """First/last close, change, high/low with dates, volume and sessions of bars in [start, end]."""
    sessions = bars.loc[(bars.index >= pd.Timestamp(start)) & (bars.index <= pd.Timestamp(end))]
    if sessions.empty:
        raise NoDataError(f"{symbol}: no trading session between {start} and {end}", symbol=symbol)
    result = MetricResult()
    traded = sessions["traded"].to_numpy() == 1
    if traded.all():
        view, basis = sessions, "traded"
    elif np.isfinite(sessions["adj_close"].to_numpy()).all():
        view, basis = adjusted_bars(sessions), "adjusted"
    elif run := traded_run(sessions):  # neither kind covers the range: the traded sessions, said so
        view, basis = sessions.iloc[len(sessions) - run :], "traded"
        result.notes.append(
            f"{symbol}: the record holds traded prices in this range only from {day(view.index[0])} "
            "(earlier sessions have dividend-adjusted closes only); the figures cover those sessions."
        )
    else:
        raise NoDataError(f"{symbol}: no closes of one kind between {start} and {end}", symbol=symbol)
    unit = price_unit(symbol, currency)
    first_day, last_day = view.index[0].date(), view.index[-1].date()
    first_close, last_close = float(view["close"].iloc[0]), float(view["close"].iloc[-1])
    high_at = pd.Timestamp(view.index[int(np.argmax(view["high"].to_numpy()))])
    low_at = pd.Timestamp(view.index[int(np.argmin(view["low"].to_numpy()))])
    top_at = pd.Timestamp(view.index[int(np.argmax(view["close"].to_numpy()))])
    bottom_at = pd.Timestamp(view.index[int(np.argmin(view["close"].to_numpy()))])
    inputs = {"first_close": first_close, "last_close": last_close}
    facts = [
        make_fact(
            "first_close", f"First close of the range ({first_day})", first_close, unit, first_day, symbol
        ),
        make_fact("last_close", f"Last close of the range ({last_day})", last_close, unit, last_day, symbol),
        make_fact(
            "change",
            "Change, first to last close",
            last_close - first_close,
            unit,
            last_day,
            symbol,
            formula="last_close - first_close",
            inputs=inputs,
        ),
        make_fact(
            "change_pct",
            "Change, first to last close (%)",
            (last_close / first_close - 1) * 100,
            "%",
            last_day,
            symbol,
            formula="(last_close / first_close - 1) * 100",
            inputs=inputs,
        ),
        make_fact(
            "high", f"Highest high ({day(high_at)})", float(view["high"].max()), unit, high_at.date(), symbol
        ),
        make_fact(
            "low", f"Lowest low ({day(low_at)})", float(view["low"].min()), unit, low_at.date(), symbol
        ),
        make_fact(
            "high_close",
            f"Highest close ({day(top_at)})",
            float(view["close"].max()),
            unit,
            top_at.date(),
            symbol,
        ),
        make_fact(
            "low_close",
            f"Lowest close ({day(bottom_at)})",
            float(view["close"].min()),
            unit,
            bottom_at.date(),
            symbol,
        ),
        make_fact(
            "pct_from_high_close",
            "Last close against the highest close (%)",
            (last_close / float(view["close"].max()) - 1) * 100,
            "%",
            last_day,
            symbol,
            formula="(last_close / high_close - 1) * 100",
            inputs={"last_close": last_close, "high_close": float(view["close"].max())},
        ),
        make_fact("sessions", "Trading sessions", float(len(view)), "count", last_day, symbol, precision=0),
    ]
    volume = view["volume"].to_numpy(dtype=np.float64)
    if (volume > 0).all():
        facts.append(
            make_fact(
                "avg_volume",
                "Average daily volume",
                float(volume.mean()),
                "shares",
                last_day,
                symbol,
                precision=0,
            )
        )
        facts.append(
            make_fact(
                "total_volume", "Total volume", float(volume.sum()), "shares", last_day, symbol, precision=0
            )
        )
    else:
        result.details["missing"] = ["avg_volume", "total_volume"]
    if basis == "adjusted":
        result.facts = mark_adjusted(facts)
        result.notes.append(adjusted_note(symbol, first_day, adjusted_through, None))
    else:
        result.facts = facts
        result.notes.append(traded_note(symbol))
    result.details["high_date"], result.details["low_date"] = day(high_at), day(low_at)
    result.details["high_close_date"], result.details["low_close_date"] = day(top_at), day(bottom_at)
    result.details["price_basis"] = "as traded" if basis == "traded" else "dividend-adjusted"
    return result

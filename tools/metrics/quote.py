"""Quote: last price and change, day range, volume against its averages, 52-week range.

Conventions: the previous close is the bar before the last one; average volumes are the means
over the last 50 and 63 (Yahoo's "3-month") trading days *including* the as-of day; the 52-week
high/low are the highest high and lowest low over the 365 calendar days ending on the as-of bar
(dates after as-of bar − 365 days). Index series without volume (all zero) report no volume facts.

Prices are prices as traded (tools/metrics/basis.py): a day without a traded price is quoted at
its dividend-adjusted close, keyed ``last_price_adjusted`` and labelled so, and a 52-week range
reaching before the first traded day covers the traded days only (the source says from when).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from copilot.errors import NoDataError
from tools.metrics import FactList, MetricResult, day, pct_change, price_unit
from tools.metrics.basis import adjusted_key, adjusted_note, mark_adjusted, price_view, traded_note

AVG_VOLUME_DAYS = 50
AVG_VOLUME_3M_DAYS = 63
RANGE_52W_DAYS = 365


def quote_metrics(
    symbol: str, series: pd.DataFrame, currency: str = "USD", adjusted_through: date | None = None
) -> MetricResult:
    """Quote facts from bars already cut at as-of (the last row is the as-of bar)."""
    if len(series) < 2:
        raise NoDataError(f"{symbol}: a quote needs two closes, the series has {len(series)}", symbol=symbol)
    view = price_view(series)
    bars = view.bars
    if len(bars) < 2:  # one traded day and no adjusted close to compare it with
        raise NoDataError(
            f"{symbol}: a quote needs two closes of one kind; {day(bars.index[-1])} is the first traded "
            "day on record and has no dividend-adjusted close",
            symbol=symbol,
        )
    last = bars.iloc[-1]
    facts = FactList(symbol, bars.index[-1].date(), price_unit(symbol, currency))
    result = MetricResult()
    price, prev_close = float(last["close"]), float(bars["close"].iloc[-2])
    facts.add("last_price", "Last price", price, formula="close on the as-of day")
    facts.add("prev_close", "Previous close", prev_close, formula=f"close on {day(bars.index[-2])}")
    inputs = {"last_price": price, "prev_close": prev_close}
    facts.add("change", "Change", price - prev_close, formula="last_price - prev_close", inputs=inputs)
    facts.add(
        "change_pct",
        "Change (%)",
        pct_change(price, prev_close),
        "%",
        formula="(last_price / prev_close - 1) * 100",
        inputs=inputs,
    )
    facts.add("open", "Open", float(last["open"]))
    facts.add("day_high", "Day high", float(last["high"]))
    facts.add("day_low", "Day low", float(last["low"]))
    result.details["day_range"] = f"{last['low']:,.2f} - {last['high']:,.2f}"
    missing = _volume(series, facts, result)
    _range_52w(bars, price, facts, result, view.traded_from)
    missing += facts.skipped
    if missing:
        result.details["missing"] = missing
    result.details["as_of_bar"] = day(bars.index[-1])
    if view.basis == "adjusted":
        result.facts = mark_adjusted(list(facts), untraded=not series["traded"].iloc[-1])
        if missing:
            result.details["missing"] = [adjusted_key(key) for key in missing]
        result.details["price_basis"] = "dividend-adjusted (no traded price on record)"
        result.notes.append(adjusted_note(symbol, bars.index[-1].date(), adjusted_through, None))
    else:
        result.facts = list(facts)
        result.details["price_basis"] = "index levels" if symbol.startswith("^") else "as traded"
        result.notes.append(traded_note(symbol))
    return result


def _volume(bars: pd.DataFrame, facts: FactList, result: MetricResult) -> list[str]:
    """Volume facts; returns the keys that cannot be computed (no volume, too short a series)."""
    volume = bars["volume"].fillna(0.0)
    today = float(volume.iloc[-1])
    if today <= 0:
        result.notes.append("The provider reports no volume for this series (common for indexes).")
        return ["volume", "avg_volume_50d", "avg_volume_3m", "volume_ratio_50d"]
    facts.add("volume", "Volume", today, "shares")
    missing: list[str] = []
    for key, days, label in (
        ("avg_volume_50d", AVG_VOLUME_DAYS, "50-day average volume"),
        ("avg_volume_3m", AVG_VOLUME_3M_DAYS, "3-month (63-day) average volume"),
    ):
        window = volume.iloc[-days:]
        if len(window) < days or (window <= 0).any():
            missing.append(key)
            continue
        formula = f"mean volume of the last {days} trading days, as-of day included"
        facts.add(key, label, float(window.mean()), "shares", formula=formula)
    average = facts.value("avg_volume_50d")
    if not average:
        return [*missing, "volume_ratio_50d"]
    facts.add(
        "volume_ratio_50d",
        "Volume vs 50-day average",
        today / average,
        "x",
        formula="volume / avg_volume_50d",
        inputs={"volume": today, "avg_volume_50d": average},
    )
    result.details["volume_vs_50d_average"] = "above" if today > average else "below"
    return missing


def _range_52w(
    bars: pd.DataFrame, price: float, facts: FactList, result: MetricResult, traded_from: date | None
) -> None:
    start = bars.index[-1] - timedelta(days=RANGE_52W_DAYS)
    window = bars.loc[bars.index > start]
    high, low = float(window["high"].max()), float(window["low"].min())
    rule = "over the 365 calendar days ending on the as-of day"
    facts.add("high_52w", "52-week high", high, formula=f"highest daily high {rule}")
    facts.add("low_52w", "52-week low", low, formula=f"lowest daily low {rule}")
    facts.add(
        "pct_from_high_52w",
        "Distance from 52-week high",
        pct_change(price, high),
        "%",
        formula="(last_price / high_52w - 1) * 100",
        inputs={"last_price": price, "high_52w": high},
    )
    facts.add(
        "pct_from_low_52w",
        "Distance from 52-week low",
        pct_change(price, low),
        "%",
        formula="(last_price / low_52w - 1) * 100",
        inputs={"last_price": price, "low_52w": low},
    )
    result.details["high_52w_date"] = day(window["high"].idxmax())
    result.details["low_52w_date"] = day(window["low"].idxmin())
    if (window.index[0] - start).days > 10:
        why = "the series starts later"
        if traded_from is not None and traded_from == window.index[0].date():
            why = "the record holds no traded prices before it"
        result.notes.append(f"The 52-week range starts on {day(window.index[0])}: {why}.")

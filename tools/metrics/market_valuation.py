"""The S&P 500's P/E and CAPE from Shiller's monthly series, as of an analysis date.

A month's row counts from the first day of the next month (its price is the month's average of
daily closes, complete only then). P/E = the month's price / trailing 12-month earnings; CAPE
(PE10) = price / 10-year average inflation-adjusted earnings, as Shiller publishes it. The series
stops publishing earnings before prices: each figure is taken from the latest month that has it,
and the source says how old that month is relative to the analysis date.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from copilot.errors import NoDataError
from copilot.schemas import Fact
from tools.metrics import FactList, MetricResult
from tools.providers.statements_base import MarketValuationSeries

STALE_DAYS = 62  # a month's figure is expected within about two months; older ones are flagged


def month_public(month: pd.Timestamp) -> date:
    """The day a monthly row becomes usable: the first day of the following month."""
    return (month + pd.offsets.MonthBegin(1)).date()


def market_valuation_metrics(series: MarketValuationSeries, as_of: date) -> MetricResult:
    """P/E, CAPE and the index level from the latest months public on ``as_of``."""
    rows = series.rows
    public = rows.loc[[month_public(m) <= as_of for m in rows.index]]
    if public.empty:
        first = rows.index[0].date() if len(rows) else None
        raise NoDataError(
            f"{series.name}: no monthly valuation data public by {as_of} (the series starts {first})"
        )
    result = MetricResult()
    facts: list[Fact] = []
    ages: list[str] = []
    oldest = 0  # days between the oldest month used and the analysis date
    for key, label, column in (
        ("pe", f"{series.name} P/E (Shiller, trailing 12-month earnings)", "earnings"),
        ("cape", f"{series.name} CAPE (Shiller PE10)", "cape"),
        ("level", f"{series.name} level (Shiller, monthly average)", "price"),
    ):
        have = public.loc[public[column].notna() & public["price"].notna()]
        if have.empty:
            result.details.setdefault("missing", []).append(key)
            continue
        month = have.index[-1]
        row = have.iloc[-1]
        label_month = month.strftime("%Y-%m")
        one = FactList(series.symbol, month.date(), "x")
        if key == "pe":
            one.add(
                "pe",
                f"{label} for {label_month}",
                float(row["price"] / row["earnings"]),
                formula="monthly average price / trailing 12-month earnings",
                inputs={"price": float(row["price"]), "earnings": float(row["earnings"])},
            )
        elif key == "cape":
            one.add("cape", f"{label} for {label_month}", float(row["cape"]))
        else:
            one.add("level", f"{label} for {label_month}", float(row["price"]), "points")
        facts.extend(one)
        age = (as_of - month_public(month)).days
        oldest = max(oldest, age)
        ages.append(f"{key.upper() if key != 'level' else 'level'} {label_month} ({age} days before {as_of})")
        result.details[f"{key}_month"] = label_month
    result.facts = facts
    result.notes.append(
        "Latest month with each figure, counted from the month after it (its average is complete then): "
        + "; ".join(ages)
        + "."
    )
    if oldest > STALE_DAYS:
        result.notes.append(
            "Shiller's series publishes earnings with a lag and has none after its last month; these "
            "figures are older than the analysis date and say nothing about valuations since."
        )
    return result

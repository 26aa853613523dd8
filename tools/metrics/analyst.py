"""Analysts' price targets as facts: mean, high, low (and median), number of analysts, implied
upside, each dated by the day the provider recorded them.

Implied upside = mean target / price - 1, on the price recorded with the targets (the same day);
when the provider records none, on the traded close of the analysis date, and the fact says so.
"""

from __future__ import annotations

from datetime import date

from tools.metrics import FactList, MetricResult
from tools.providers.statements_base import AnalystTargets


def analyst_metrics(
    targets: AnalystTargets, close: float | None = None, close_day: date | None = None
) -> MetricResult:
    """Facts of one analyst-target record (see the module docstring)."""
    result = MetricResult()
    facts = FactList(targets.symbol, targets.as_of, "USD")
    day = targets.as_of
    facts.add("target_mean", f"Mean analyst price target ({day})", targets.target_mean)
    if targets.target_median is not None:
        facts.add("target_median", f"Median analyst price target ({day})", targets.target_median)
    if targets.target_high is not None:
        facts.add("target_high", f"Highest analyst price target ({day})", targets.target_high)
    if targets.target_low is not None:
        facts.add("target_low", f"Lowest analyst price target ({day})", targets.target_low)
    if targets.analysts is not None:
        facts.add("analysts", f"Number of analysts ({day})", float(targets.analysts), "count", precision=0)
    price, price_day, basis = targets.price, day, "price recorded with the targets"
    if price is None and close is not None and close_day is not None:
        price, price_day, basis = close, close_day, "traded close"
    if price is not None and price > 0:
        facts.add("price_at_targets", f"Price on {price_day} ({basis})", price)
        facts.add(
            "implied_upside",
            f"Implied upside to the mean target ({day}, vs the {price_day} price)",
            (targets.target_mean / price - 1.0) * 100.0,
            "%",
            formula="mean target / price - 1",
            inputs={"target_mean": targets.target_mean, "price": price},
        )
    result.facts = list(facts)
    if targets.rating:
        result.details["rating"] = targets.rating.replace("_", " ")
    if targets.company:
        result.details["company"] = targets.company
    result.notes.append(f"Analyst targets as recorded by {targets.provider} on {day}.")
    return result

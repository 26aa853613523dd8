"""Valuation multiples as the provider reports them (Yahoo quoteSummary conventions).

Trailing P/E = price / trailing-twelve-month EPS; forward P/E on the next fiscal year's consensus
EPS; both as reported, dated by the provider's snapshot. Nothing is estimated here: a field the
provider does not report is listed in ``details["missing"]`` (typical for ETFs and indexes).
Every label names who reported it and when ("Trailing P/E (Yahoo, 2025-02-24)"), so a figure
quoted at a later analysis date carries its own date; the multiples computed at the analysis date
itself are ``tools/metrics/pit_valuation.py``.
"""

from __future__ import annotations

from typing import Literal

from copilot.schemas import Unit
from tools.metrics import FactList, MetricResult, price_unit
from tools.providers.base import Fundamentals

# (fact key, Fundamentals field, label, unit; "money" = the quote currency)
# who reported the fields: a snapshot's valuation records come only from Yahoo's quoteSummary
# (the importer's valuation reader and `verity data snapshot` over yfinance)
REPORTED_BY = {"yfinance": "Yahoo", "snapshot": "Yahoo"}

FIELDS: tuple[tuple[str, str, str, Unit | Literal["money"]], ...] = (
    ("trailing_pe", "trailing_pe", "Trailing P/E", "x"),
    ("forward_pe", "forward_pe", "Forward P/E", "x"),
    ("price_to_book", "price_to_book", "Price/book", "x"),
    ("price_to_sales", "price_to_sales", "Price/sales (TTM)", "x"),
    ("ev_to_ebitda", "enterprise_to_ebitda", "EV/EBITDA", "x"),
    ("peg_ratio", "peg_ratio", "PEG ratio", "x"),
    ("dividend_yield", "dividend_yield", "Dividend yield", "%"),
    ("market_cap", "market_cap", "Market capitalisation", "money"),
    ("trailing_eps", "trailing_eps", "Trailing EPS (TTM)", "money"),
    ("forward_eps", "forward_eps", "Forward EPS", "money"),
)


def valuation_metrics(fundamentals: Fundamentals) -> MetricResult:
    """One fact per reported field; the unreported ones listed as missing."""
    currency = fundamentals.currency or "USD"
    money = price_unit(fundamentals.symbol.lstrip("^"), currency)
    facts = FactList(fundamentals.symbol, fundamentals.as_of, "x")
    reporter = reported_by(fundamentals)
    result = MetricResult()
    missing: list[str] = []
    for key, name, label, unit in FIELDS:
        value = getattr(fundamentals, name)
        if value is None:
            missing.append(key)
            continue
        formula, inputs = _derivation(key, fundamentals)
        fact_unit: Unit = money if unit == "money" else unit
        dated = f"{label} ({reporter}, {fundamentals.as_of})"
        facts.add(key, dated, value, fact_unit, formula=formula, inputs=inputs)
    result.facts = list(facts)
    missing += facts.skipped
    if missing:
        result.details["missing"] = missing
    for field in ("name", "quote_type", "sector", "industry", "exchange", "currency"):
        value = getattr(fundamentals, field)
        if value:
            result.details[field] = value
    result.notes.append(
        f"Valuation fields as reported by {reporter} on {fundamentals.as_of}"
        + (f"; market cap and EPS in {currency}" if currency != "USD" else "")
        + "."
    )
    return result


def reported_by(fundamentals: Fundamentals) -> str:
    """Who reported a provider snapshot's fields ("Yahoo"), for labels and titles."""
    return REPORTED_BY.get(fundamentals.provider, fundamentals.provider)


def _derivation(key: str, f: Fundamentals) -> tuple[str | None, dict[str, float] | None]:
    """The formula (and inputs when the provider reports them) of the multiples we can explain."""
    if key == "trailing_pe":
        inputs = {"price": f.price, "trailing_eps": f.trailing_eps}
        return "price / trailing-twelve-month EPS (as reported)", _present(inputs)
    if key == "forward_pe":
        inputs = {"price": f.price, "forward_eps": f.forward_eps}
        return "price / next fiscal year's consensus EPS (as reported)", _present(inputs)
    if key == "ev_to_ebitda":
        return "enterprise value / EBITDA (TTM, as reported)", _present(
            {"enterprise_value": f.enterprise_value}
        )
    if key == "dividend_yield":
        return "trailing annual dividend / price * 100 (as reported)", None
    return None, None


def _present(values: dict[str, float | None]) -> dict[str, float] | None:
    kept = {k: v for k, v in values.items() if v is not None}
    return kept or None

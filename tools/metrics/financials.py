"""Statement figures as facts: income statement, balance sheet and cash-flow lines per period,
margins, and growth year over year and quarter over quarter.

Every fact carries its period end (``as_of``) and fiscal label ("Revenue, Q3 FY2026"); keys are
``<item>_<fiscal key>`` (``revenue_q3_fy2026``, ``diluted_eps_fy2025``). Only statements public on
the analysis date are used (``StatementsAsOf``). Growth: a fiscal year against the previous one; a
quarter against the previous quarter (QoQ) and against the same quarter a year earlier (YoY);
none from a zero or negative base (the percentage would mislead).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from copilot.schemas import Fact, Unit
from tools.fundamentals.availability import Period
from tools.fundamentals.point_in_time import StatementsAsOf
from tools.metrics import MetricResult, make_fact
from tools.providers.statement_mapping import LINE_ITEMS, items_of
from tools.providers.statements_base import Statement

MARGINS: tuple[tuple[str, str, str], ...] = (  # key, numerator item, label
    ("gross_margin", "gross_profit", "Gross margin"),
    ("operating_margin", "operating_income", "Operating margin"),
    ("net_margin", "net_income", "Net margin"),
    ("fcf_margin", "free_cash_flow", "Free-cash-flow margin"),
)
GROWTH_ITEMS = ("revenue", "gross_profit", "operating_income", "net_income", "diluted_eps", "free_cash_flow")
YEAR_DAYS = (350, 380)  # the same fiscal quarter a year earlier


def money_unit(view: StatementsAsOf) -> Unit:
    """USD for US filers' statements; 'currency' when they are (or may be) in another currency."""
    currency = view.statements.currency
    if currency is not None:
        return "USD" if currency.upper() == "USD" else "currency"
    return "currency" if view.statements.foreign_filer else "USD"


def financial_metrics(
    view: StatementsAsOf, statements: Sequence[Statement], freq: str, count: int
) -> MetricResult:
    """Facts of the latest ``count`` public periods of ``freq`` for the chosen statements."""
    result = MetricResult()
    periods = view.periods(freq)
    shown = periods[-count:]
    items = items_of(statements)
    money = money_unit(view)
    for period in reversed(shown):  # newest first: what a reader looks for
        for item in items:
            value = view.value(period, item)
            if value is None:
                continue
            _, _, label, kind = LINE_ITEMS[item]
            unit: Unit = "shares" if kind == "shares" else money
            precision = 2 if kind == "per_share" else 0
            result.facts.append(
                _fact(
                    view, f"{item}_{_key(period)}", f"{label}, {period.label}", value, unit, period, precision
                )
            )
        if "income" in statements or "cashflow" in statements:
            _margins(view, period, statements, result)
        _growth(view, period, periods, items, result)
    result.details["periods"] = [p.describe() for p in reversed(shown)]
    result.details["fiscal_year_end_month"] = _month_name(view.calendar.fy_end_month)
    withheld = [p for p in view.withheld() if p.freq == freq]
    if withheld:
        result.details["not_yet_public"] = [f"{p.label} (public from {p.available_from})" for p in withheld]
    result.notes.append(availability_note())
    if money == "currency":
        result.notes.append(
            f"{view.symbol} files as a foreign private issuer: its statements may be in another currency "
            "and per ordinary share rather than per listed ADR."
        )
    return result


def availability_note() -> str:
    return (
        "Point in time: a statement counts from its filing date, or where that is unknown from the SEC "
        "deadline (40 days after a quarter end, 60 after a fiscal year end)."
    )


def _margins(
    view: StatementsAsOf, period: Period, statements: Sequence[Statement], result: MetricResult
) -> None:
    revenue = view.value(period, "revenue")
    if revenue is None or revenue <= 0:
        return
    for key, item, label in MARGINS:
        if item == "free_cash_flow" and "cashflow" not in statements:
            continue
        if item != "free_cash_flow" and "income" not in statements:
            continue
        numerator = view.value(period, item)
        if numerator is None:
            continue
        result.facts.append(
            _fact(
                view,
                f"{key}_{_key(period)}",
                f"{label}, {period.label}",
                numerator / revenue * 100.0,
                "%",
                period,
                2,
                formula=f"{item.replace('_', ' ')} / revenue * 100",
                inputs={item: numerator, "revenue": revenue},
            )
        )


def _growth(
    view: StatementsAsOf, period: Period, periods: list[Period], items: list[str], result: MetricResult
) -> None:
    index = periods.index(period)
    earlier = periods[:index]
    comparisons: list[tuple[str, str, Period]] = []
    if period.freq == "annual" and earlier:
        comparisons.append(("yoy", "year over year", earlier[-1]))
    elif period.freq == "quarterly":
        if earlier and 75 <= (period.period_end - earlier[-1].period_end).days <= 105:
            comparisons.append(("qoq", "quarter over quarter", earlier[-1]))
        year_ago = [
            p for p in earlier if YEAR_DAYS[0] <= (period.period_end - p.period_end).days <= YEAR_DAYS[1]
        ]
        if year_ago:
            comparisons.append(("yoy", "year over year", year_ago[-1]))
    for item in (i for i in GROWTH_ITEMS if i in items):
        now = view.value(period, item)
        for key, words, base_period in comparisons:
            base = view.value(base_period, item)
            if now is None or base is None or base <= 0:
                continue
            _, _, label, _ = LINE_ITEMS[item]
            result.facts.append(
                _fact(
                    view,
                    f"{item}_growth_{key}_{_key(period)}",
                    f"{label} growth {words}, {period.label} vs {base_period.label}",
                    (now / base - 1.0) * 100.0,
                    "%",
                    period,
                    2,
                    formula=f"{words}: {_words(item)} {period.label} / {base_period.label} - 1",
                    inputs={f"{item}_{_key(period)}": now, f"{item}_{_key(base_period)}": base},
                )
            )


def _fact(
    view: StatementsAsOf,
    key: str,
    label: str,
    value: float,
    unit: Unit,
    period: Period,
    precision: int,
    formula: str | None = None,
    inputs: dict[str, float] | None = None,
) -> Fact:
    return make_fact(key, label, value, unit, period.period_end, view.symbol, precision, formula, inputs)


def _words(item: str) -> str:
    return item.replace("_", " ")


def _key(period: Period) -> str:
    return period.label.lower().replace(" ", "_")


def _month_name(month: int) -> str:
    return date(2000, month, 1).strftime("%B")

"""Chart data of a report, as plain series: price with its 50/200-day averages, performance rebased
to 100, sector bars.

The lines come from the gathered price series (the same provider and closes as the cited figures:
the averages are TA-Lib's SMA, as the technicals tool computes them, so the last points equal the
cited 50- and 200-day averages); the relative chart starts at the base close of the cited one-year
returns, so each line ends at 100 x (1 + that return); the bars are the cited sector returns.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import talib

from copilot.research.evidence import Evidence
from copilot.research.plan import ResearchPlan
from copilot.research.report import Chart, ChartPoint, ChartSeries
from copilot.research.subjects import main_index
from copilot.research.tools import PriceSeries

CHART_DAYS = 366
AVERAGES = (50, 200)


def build_charts(plan: ResearchPlan, evidence: Evidence, as_of: date, numbers: dict[int, int]) -> list[Chart]:
    """The report's charts; ``numbers`` maps ledger numbers to the report's (cited sources only)."""
    charts = [
        _price(plan, evidence, as_of, numbers),
        _relative(plan, evidence, as_of, numbers),
        _sectors(plan, evidence, numbers),
    ]
    return [c for c in charts if c is not None]


def _cited(evidence: Evidence, step_id: str | None, numbers: dict[int, int]) -> list[int]:
    if step_id is None:
        return []
    return sorted({numbers[n] for n, _ in evidence.sources(step_id) if n in numbers})


def _step(plan: ResearchPlan, tool: str, **arguments: object) -> str | None:
    for step in plan.steps:
        if step.tool == tool and all(step.arguments.get(k) == v for k, v in arguments.items()):
            return step.id
    return None


def _points(dates: list[date], values: np.ndarray) -> list[ChartPoint]:
    # built from typed values here, so without validation: a year's chart is ~1,500 points, and
    # validating each costs more than the rest of the report's assembly
    return [
        ChartPoint.model_construct(x=d.isoformat(), y=round(float(v), 4))
        for d, v in zip(dates, values, strict=True)
        if np.isfinite(v)
    ]


def _price(plan: ResearchPlan, evidence: Evidence, as_of: date, numbers: dict[int, int]) -> Chart | None:
    main = main_index(plan.subjects)
    series = evidence.series(f"series_{main.symbol}")
    if series is None:
        return None
    closes = np.array(series.closes, dtype=float)
    first = as_of - timedelta(days=CHART_DAYS)
    keep = [i for i, d in enumerate(series.dates) if d >= first]
    dates = [series.dates[i] for i in keep]
    lines = [ChartSeries(name=f"{main.name} close", symbol=main.symbol, points=_points(dates, closes[keep]))]
    for window in AVERAGES:
        average = talib.SMA(closes, window)[keep]
        lines.append(
            ChartSeries(name=f"{window}-day average", symbol=main.symbol, points=_points(dates, average))
        )
    return Chart(
        key="price",
        kind="line",
        title=f"{main.name} with its 50- and 200-day averages",
        unit="points" if main.kind == "index" else "USD",
        series=lines,
        sources=_cited(evidence, _step(plan, "technicals", symbol=main.symbol), numbers),
        note=f"Daily closes ({series.basis}), {series.provider}; simple moving averages of closes.",
    )


def _relative(plan: ResearchPlan, evidence: Evidence, as_of: date, numbers: dict[int, int]) -> Chart | None:
    step = _step(plan, "performance", period="1y")
    source = evidence.source(step) if step else None
    start = (
        date.fromisoformat(source[1].arguments["start"])
        if source and "start" in source[1].arguments
        else as_of.replace(year=as_of.year - 1)
    )
    lines: list[ChartSeries] = []
    for subject in plan.subjects:
        series = evidence.series(f"series_{subject.symbol}")
        if series is None:
            continue
        rebased = _rebased(series, start)
        if rebased is not None:
            lines.append(ChartSeries(name=subject.name, symbol=subject.symbol, points=rebased))
    if len(lines) < 2:
        return None
    return Chart(
        key="relative",
        kind="line",
        title=f"Performance since {start.isoformat()}, rebased to 100",
        unit="index (start = 100)",
        series=lines,
        sources=_cited(evidence, step, numbers),
        note="Each line divides the closes by the last close on or before the start date (price returns).",
    )


def _rebased(series: PriceSeries, start: date) -> list[ChartPoint] | None:
    """Closes from the last close on or before ``start`` on, as 100 x close / that close."""
    before = [i for i, d in enumerate(series.dates) if d <= start]
    if not before:
        return None
    base = before[-1]
    closes = np.array(series.closes[base:], dtype=float)
    return _points(series.dates[base:], 100.0 * closes / closes[0])


def _sectors(plan: ResearchPlan, evidence: Evidence, numbers: dict[int, int]) -> Chart | None:
    step = _step(plan, "sectors", period="ytd") or _step(plan, "sectors")
    found = evidence.source(step) if step else None
    if found is None:
        return None
    _, source = found
    facts = [f for f in source.facts if f.key.startswith(("price_return_", "total_return_"))]
    if not facts:
        return None
    period = str(source.arguments.get("period", "")).upper()
    return Chart(
        key="sectors",
        kind="bar",
        title=f"Sector returns, {period}",
        unit="%",
        series=[
            ChartSeries(name=f"{period} return", points=[ChartPoint(x=f.label, y=f.value) for f in facts])
        ],
        sources=_cited(evidence, step, numbers),
        note=str(source.details.get("return_kind", "")),
    )

"""The tools a research plan may call, their validated arguments, and one call of each.

Every gather step names one of ``STEP_TOOLS`` with arguments its model validates (a plan from a
model is checked against them before anything runs). ``call_step`` runs one step synchronously
(the pipeline runs it off the event loop) and returns what it produced: sources with facts,
document passages with their text, or a plain price series for a chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from copilot.errors import BadInputError, NoDataError
from copilot.schemas import Source
from tools.agent_tools import KnowledgeGetter, MarketTools, PassageLike
from tools.metrics.periods import parse_period
from tools.providers.base import PriceHistory


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SymbolArgs(_Args):
    symbol: str = Field(min_length=1)


class PerformanceArgs(_Args):
    symbols: list[str] = Field(min_length=1, max_length=6)
    period: str = "ytd"


class SectorsArgs(_Args):
    period: str = "1d"


class NoArgs(_Args):
    pass


class FinancialsArgs(_Args):
    symbol: str = Field(min_length=1)
    statement: Literal["income", "balance", "cashflow", "all"] = "income"
    freq: Literal["quarterly", "annual"] = "quarterly"
    periods: int = Field(default=4, ge=1, le=8)


class SearchArgs(_Args):
    query: str = Field(min_length=1, max_length=300)
    kind: str | None = None
    since: date | None = None
    until: date | None = None
    latest: bool = False
    ticker: str | None = None
    k: int = Field(default=6, ge=1, le=10)


class SeriesArgs(_Args):
    symbol: str = Field(min_length=1)
    start: date


STEP_TOOLS: dict[str, type[_Args]] = {
    "quote": SymbolArgs,
    "performance": PerformanceArgs,
    "technicals": SymbolArgs,
    "sectors": SectorsArgs,
    "valuations": SymbolArgs,
    "market_valuation": NoArgs,
    "analyst_targets": SymbolArgs,
    "financials": FinancialsArgs,
    "search_documents": SearchArgs,
    "price_series": SeriesArgs,
}


class ResearchMarket(MarketTools, Protocol):
    """The market data a research run reads: the agent's tools plus plain bars for charts."""

    def bars(
        self, symbol: str, start: date | None = None, end: date | None = None, as_of: date | None = None
    ) -> PriceHistory: ...


def validate_arguments(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments checked against the tool's model (BadInputError names the problem)."""
    model = STEP_TOOLS.get(tool)
    if model is None:
        raise BadInputError(f"unknown research tool {tool!r}; known: {', '.join(STEP_TOOLS)}")
    from pydantic import ValidationError

    try:
        checked = model.model_validate(arguments)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or tool}: {e['msg']}" for e in exc.errors())
        raise BadInputError(f"{tool}: {problems}") from None
    if isinstance(checked, PerformanceArgs | SectorsArgs):
        parse_period(checked.period)  # BadInputError on a period the tools do not know
    return checked.model_dump(mode="json", exclude_defaults=False)


@dataclass(frozen=True)
class PriceSeries:
    """Daily closes of one symbol for a chart, on one basis (as traded, or dividend-adjusted)."""

    symbol: str
    dates: list[date]
    closes: list[float]
    basis: str  # "as traded", "index levels", "dividend-adjusted"
    provider: str


@dataclass
class StepOutput:
    """What a step produced: sources (numbered in the report's ledger), passages' text, a series."""

    sources: list[Source] = field(default_factory=list)
    passages: list[PassageLike] = field(default_factory=list)
    series: PriceSeries | None = None


def call_step(
    tool: str,
    arguments: dict[str, Any],
    market: ResearchMarket,
    knowledge: KnowledgeGetter | None,
    as_of: date,
) -> StepOutput:
    """Run one step (sync). Typed errors propagate: the pipeline retries or reports them."""
    a = validate_arguments(tool, arguments)
    if tool == "quote":
        return StepOutput([market.quote(a["symbol"], as_of=as_of)])
    if tool == "performance":
        return StepOutput([market.performance(a["symbols"], period=a["period"], as_of=as_of)])
    if tool == "technicals":
        return StepOutput([market.technicals(a["symbol"], as_of=as_of)])
    if tool == "sectors":
        return StepOutput([market.sectors(period=parse_period(a["period"]), as_of=as_of)])
    if tool == "valuations":
        return StepOutput(list(market.valuations(a["symbol"], as_of=as_of)))
    if tool == "market_valuation":
        return StepOutput([market.market_valuation(as_of=as_of)])
    if tool == "analyst_targets":
        return StepOutput([market.analyst_targets(a["symbol"], as_of=as_of)])
    if tool == "financials":
        source = market.financials(a["symbol"], a["statement"], a["freq"], a["periods"], as_of=as_of)
        return StepOutput([source])
    if tool == "search_documents":
        return _search(a, knowledge, as_of)
    return StepOutput(
        series=_series(market.bars(a["symbol"], start=date.fromisoformat(a["start"]), as_of=as_of))
    )


def _search(a: dict[str, Any], knowledge: KnowledgeGetter | None, as_of: date) -> StepOutput:
    if knowledge is None:
        raise NoDataError("no knowledge base is configured: add documents with `verity kb add`")
    found: Sequence[PassageLike] = knowledge().search(
        a["query"],
        k=a["k"],
        ticker=a["ticker"],
        since=date.fromisoformat(a["since"]) if a["since"] else None,
        until=date.fromisoformat(a["until"]) if a["until"] else None,
        as_of=as_of,
        kind=a["kind"],
        latest=a["latest"],
    )
    if not found:
        raise NoDataError(f"no stored document matches {a['query']!r}")
    return StepOutput(sources=[p.source for p in found], passages=list(found))


def _series(history: PriceHistory) -> PriceSeries:
    """Traded closes when every bar has one; otherwise the dividend-adjusted closes, said so."""
    bars = history.bars
    if bars.empty:
        raise NoDataError(f"{history.symbol}: no prices in the chart's window", symbol=history.symbol)
    closes = bars["close"]
    basis = "index levels" if history.symbol.startswith("^") else "as traded"
    if "traded" in bars.columns and not bool((bars["traded"] == 1).all()):
        if bars["adj_close"].notna().all():
            closes, basis = bars["adj_close"], "dividend-adjusted"
        else:
            basis = "as traded where known, dividend-adjusted before"
    return PriceSeries(
        symbol=history.symbol,
        dates=[d.date() for d in bars.index],
        closes=[float(v) for v in closes],
        basis=basis,
        provider=history.provider,
    )

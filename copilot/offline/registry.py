"""The intent registry: one entry per measure a question can ask — what it answers, the tool calls
that answer it, and how its prose is written. ``plan_calls`` and ``write_answer`` are loops over
these entries; a new intent is one entry (a planner and a writer) plus its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from copilot.offline import plans
from copilot.offline.prose_common import Citer, Context, ToolResult
from copilot.offline.prose_composite import composite
from copilot.offline.prose_declines import decline, tool_failed
from copilot.offline.prose_documents import documents_result
from copilot.offline.prose_fundamentals import financials, market_valuation, targets, valuation
from copilot.offline.prose_prices import performance, price_on_day, price_range, quote, sectors
from copilot.offline.prose_technicals import technicals
from copilot.schemas import Source
from copilot.understanding.measures import Measure
from copilot.understanding.reading import Part, document_label

Planner = Callable[[Part, date], list[plans.Call]]
Writer = Callable[[Part, list[ToolResult], Context], str]
SourceWriter = Callable[[Source, Citer, Context, Part], str]


@dataclass(frozen=True)
class Intent:
    """One kind of question: what it answers, how it is planned and how it is written."""

    measure: Measure
    answers: str
    example: str
    plan: Planner
    write: Writer


def per_source(writer: SourceWriter, by_tool: dict[str, SourceWriter] | None = None) -> Writer:
    """A writer of one paragraph per source of the part's results (failed calls say why)."""

    def write(part: Part, results: list[ToolResult], ctx: Context) -> str:
        paragraphs: list[str] = []
        for result in results:
            if result.error is not None or result.artifact is None:
                paragraphs.append(tool_failed(result, ctx))
                continue
            cite = Citer(result.artifact)
            for source in result.artifact.sources:
                chosen = (by_tool or {}).get(source.tool or "", writer)
                text = chosen(source, cite, ctx, part)
                if text:
                    paragraphs.append(text)
        return " ".join(paragraphs)

    return write


def _price_source(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    if source.tool == "quote":
        return quote(source, cite, ctx, part)
    if "date" in source.arguments:
        return price_on_day(source, cite, ctx, part)
    return price_range(source, cite, ctx, part)


def _documents(part: Part, results: list[ToolResult], ctx: Context) -> str:
    paragraphs = [
        documents_result(r, ctx, part)
        if r.error is None and r.artifact is not None
        else _no_document(part, r, ctx)
        for r in results
    ]
    return " ".join(paragraphs)


def _no_document(part: Part, result: ToolResult, ctx: Context) -> str:
    """What is missing, in the question's terms: minutes not yet released, no such statement."""
    docs = part.docs
    if docs is None:
        return tool_failed(result, ctx)
    when = f" by {ctx.as_of.isoformat()}" if ctx.as_of else ""
    label = document_label(replace(docs, topic=""))
    text = f"I could not find {label}{when} in the stored documents."
    if docs.kind == "minutes" and (docs.meeting or docs.meeting_month):
        text += " The Fed releases minutes three weeks after a meeting, so they may not be out yet."
    return text


def _lookup(part: Part, results: list[ToolResult], ctx: Context) -> str:
    texts = [
        f"Symbol lookup: {r.content.strip().rstrip('.')}." if r.error is None else tool_failed(r, ctx)
        for r in results
    ]
    return " ".join(texts)


def _unsupported(part: Part, results: list[ToolResult], ctx: Context) -> str:
    return decline(part, ctx)


INTENTS: dict[Measure, Intent] = {
    intent.measure: intent
    for intent in (
        Intent(
            "price",
            answers="quotes and closes on a day or over a span",
            example="What did Apple close at on March 3, 2025?",
            plan=plans.plan_price,
            write=per_source(_price_source),
        ),
        Intent(
            "return",
            answers="returns over any period and comparisons",
            example="How did small caps do vs large caps last year?",
            plan=plans.plan_return,
            write=per_source(performance, {"price_history": price_on_day}),
        ),
        Intent(
            "technicals",
            answers="RSI, moving averages, MACD, Bollinger bands, support and resistance",
            example="tsla rsi",
            plan=plans.plan_per_symbol("get_technicals"),
            write=per_source(technicals),
        ),
        Intent(
            "valuation",
            answers="valuation at the analysis date (and a provider's dated snapshot)",
            example="Is Apple expensive?",
            plan=plans.plan_valuation,
            write=per_source(valuation),
        ),
        Intent(
            "financials",
            answers="statement lines and their growth",
            example="Apple revenue last quarter",
            plan=plans.plan_financials,
            write=per_source(financials),
        ),
        Intent(
            "targets",
            answers="analyst price targets and rating",
            example="What do analysts expect for NVDA?",
            plan=plans.plan_per_symbol("get_analyst_targets"),
            write=per_source(targets),
        ),
        Intent(
            "market_valuation",
            answers="the S&P 500's P/E and CAPE",
            example="What is the S&P 500's P/E?",
            plan=plans.plan_market_valuation,
            write=per_source(market_valuation),
        ),
        Intent(
            "sectors",
            answers="sector rankings over named periods",
            example="Which sectors led this month?",
            plan=plans.plan_sectors,
            write=per_source(sectors),
        ),
        Intent(
            "documents",
            answers="what FOMC statements, minutes, speeches and filings say",
            example="What did the Fed do at the January meeting?",
            plan=plans.plan_documents,
            write=_documents,
        ),
        Intent(
            "composite",
            answers="market gauges: RSI, 52-week high, VIX, breadth, valuation",
            example="Is the market overheated?",
            plan=plans.plan_composite,
            write=composite,
        ),
        Intent(
            "lookup",
            answers="tickers of companies, funds and indices",
            example="What's the ticker for Nvidia?",
            plan=plans.plan_lookup,
            write=_lookup,
        ),
        Intent(
            "unsupported",
            answers="what Verity has no data for, said plainly",
            example="What's NVDA's implied volatility?",
            plan=plans.plan_nothing,
            write=_unsupported,
        ),
    )
}

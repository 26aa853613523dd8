"""The answer from the turn's tool results: one paragraph per result, then the as-of date.

Figures come only from artifacts (see ``prose_market`` and ``prose_documents``); a tool that
returned an error gets one plain sentence saying what is missing and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from copilot.offline.intents import MAX_SYMBOLS, Reading
from copilot.offline.prose_common import Citer, ToolResult, name_of
from copilot.offline.prose_documents import documents, excerpts
from copilot.offline.prose_market import performance, quote, sectors, valuation
from copilot.offline.prose_technicals import technicals
from copilot.schemas import Source

CAPABILITIES = (
    "I can look up quotes; compare the performance of indices, ETFs and stocks over a period "
    '("small caps vs large caps this year", "how has NVDA done over the last 3 months"); show valuation '
    'multiples ("is Apple expensive?"); technical indicators (RSI, moving averages, support and '
    "resistance, overbought or oversold); which sectors led or lagged today or this month; and quote "
    'what stored documents say ("what did the Fed say about rates in its latest statement?"). '
    "Every figure I give comes from a tool and carries its citation."
)
_WHAT = {
    "get_quote": "a quote",
    "compare_performance": "performance figures",
    "get_technicals": "technical indicators",
    "get_valuation": "valuation figures",
    "sector_performance": "sector returns",
    "search_documents": "documents",
    "lookup_symbol": "a symbol",
}
_MARKET_TOOLS = ("compare_performance", "get_quote", "get_technicals", "sector_performance")


def write_answer(
    reading: Reading, results: Sequence[ToolResult], names: dict[str, str], as_of: date | None
) -> str:
    """Analyst prose over every tool result of the turn, with [n] on each figure."""
    market_dates = sorted(
        {
            source.as_of
            for result in results
            if result.error is None and result.artifact is not None and result.tool in _MARKET_TOOLS
            for source in result.artifact.sources
            if source.as_of
        }
    )
    reference = as_of or (market_dates[-1] if market_dates else None)
    names = {**_names_in_sources(results), **names}
    paragraphs: list[str] = []
    for result in results:
        if result.error is not None or result.artifact is None:
            paragraphs.append(_error_sentence(result, names))
        elif result.tool == "search_documents":
            cite = Citer(result.artifact)
            texts = excerpts(result.content)
            paragraphs.append(
                documents(result.artifact.sources, cite, reading.question, reading.latest, texts)
            )
        elif result.tool == "lookup_symbol":
            paragraphs.append(f"Symbol lookup: {result.content.strip().rstrip('.')}.")
        else:
            cite = Citer(result.artifact)
            for source in result.artifact.sources:
                paragraphs.append(_market(result.tool, source, cite, names, reading, reference))
    if not paragraphs:
        return "None of the tools returned anything for this question. " + CAPABILITIES
    if reading.beyond_limit:
        paragraphs.append(
            f"I answer about at most {MAX_SYMBOLS} names at a time, so I left out "
            f"{', '.join(name_of(s, names) for s in reading.beyond_limit)}: ask about them separately."
        )
    paragraphs.append(_as_of_sentence(market_dates))
    return "\n\n".join(p for p in paragraphs if p)


_TITLED = re.compile(r"^[^:]+:\s+(\S+)\s+\((.+)\)$")  # "Quote: AAPL (Apple Inc.)"


def _names_in_sources(results: Sequence[ToolResult]) -> dict[str, str]:
    """Names of symbols the tools resolved (a company the analyst only knew by the user's words)."""
    found: dict[str, str] = {}
    for result in results:
        for source in result.artifact.sources if result.artifact else []:
            titled = _TITLED.match(source.title)
            if titled:
                found.setdefault(titled.group(1), titled.group(2))
            symbols, asked = source.arguments.get("symbols"), source.arguments.get("names")
            if isinstance(symbols, list) and isinstance(asked, list) and len(symbols) == len(asked):
                for symbol, name in zip(symbols, asked, strict=True):
                    if str(name).upper() != str(symbol).upper():
                        found.setdefault(str(symbol), str(name))
    return found


def _market(
    tool: str, source: Source, cite: Citer, names: dict[str, str], reading: Reading, as_of: date | None
) -> str:
    if tool == "compare_performance":
        text = performance(source, cite, names, reading)
        if source.notes:  # what the returns include (price vs total return), gaps in a series
            text += " Basis: " + " ".join(note.rstrip(".") + "." for note in source.notes)
    elif tool == "get_quote":
        text = quote(source, cite, names)
    elif tool == "get_technicals":
        text = technicals(source, cite, names, reading.question)
    elif tool == "get_valuation":
        text = valuation(source, cite, names, as_of)
    elif tool == "sector_performance":
        text = sectors(source, cite, reading)
    else:
        return ""
    if source.stale and tool != "get_valuation":
        text += (
            " Note: the data provider was unavailable, so these figures come from the cache and may be stale."
        )
    return text


def _error_sentence(result: ToolResult, names: dict[str, str]) -> str:
    what = _WHAT.get(result.tool, f"a result from {result.tool}")
    subject = result.args.get("symbol") or result.args.get("symbols") or result.args.get("query")
    if isinstance(subject, list):
        subject = ", ".join(name_of(str(s), names) for s in subject)
    elif isinstance(subject, str) and result.tool != "search_documents":
        subject = name_of(subject, names)
    about = f" for {subject}" if subject else ""
    reason = (result.error or "").rstrip(".")
    return f"I could not get {what}{about}: {reason}. I won't guess the missing figures."


def _as_of_sentence(dates: Sequence[date]) -> str:
    distinct = sorted(set(dates))
    if not distinct:
        return ""
    if len(distinct) == 1:
        return f"Market data as of the close of {distinct[0].isoformat()}."
    shown = ", ".join(d.isoformat() for d in distinct)
    return f"Market data as of the closes of {shown} (each source states its date)."


def refusal(reading: Reading, tool_names: Sequence[str]) -> str:
    """The honest answer when no tool can answer the question."""
    if reading.refusal == "advice":
        return (
            "I can't tell you whether to buy, sell or hold anything: that would be personalised "
            "investment advice, and it depends on your goals, horizon and risk tolerance. What I can do is "
            "lay out the data: " + CAPABILITIES
        )
    if reading.refusal == "crypto":
        return (
            "I can't price cryptocurrencies: Verity's market data covers stocks, ETFs and indices. "
            + CAPABILITIES
        )
    if reading.refusal == "greeting":
        return "Hello! I'm Verity's offline analyst. " + CAPABILITIES
    if reading.refusal == "empty":
        return "I didn't receive a question. " + CAPABILITIES
    if not tool_names:
        return "No data tools are available in this session, so I can't look anything up. " + CAPABILITIES
    if "documents" in reading.intents and "search_documents" not in tool_names:
        return (
            "Document search is not available in this session (no knowledge base is configured), so I "
            "can't quote stored documents. " + CAPABILITIES
        )
    if reading.intents and not reading.symbols:
        return (
            "I couldn't tell which stock, ETF or index you mean; name it or give its ticker. " + CAPABILITIES
        )
    return "I'm not sure what you're asking. " + CAPABILITIES

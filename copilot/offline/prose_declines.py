"""What the analyst says when it cannot answer: data Verity does not have, advice it does not give,
a tool that failed, a question it could not read — always plainly, and with what it can do instead."""

from __future__ import annotations

from copilot.offline.prose_common import Context, ToolResult, join
from copilot.understanding.reading import Part, QuestionReading

CAPABILITIES = (
    "I can give quotes and closes on any past day; returns over any period (year to date, a named "
    "month, quarter or year, since a date) and comparisons; technical indicators (RSI, moving "
    "averages, MACD, support and resistance); valuation at the analysis date; financial statements; "
    "analyst price targets; the S&P 500's P/E and CAPE; sector rankings; and what stored documents "
    "(FOMC statements, minutes, Fed speeches, SEC filings) say. Every figure comes from a tool and carries "
    "its citation."
)

_DECLINES = {
    "options": (
        "Verity has no options data, so I can't give {who}implied volatility, option prices or open "
        "interest; "
        "I can give realised (historical) volatility and the other technical indicators instead."
    ),
    "transcripts": (
        "Verity has no earnings-call transcripts, so I can't say what was said on {who}call; I can quote "
        "its 10-K and 10-Q filings and give its reported financial statements."
    ),
    "crypto": "I can't price cryptocurrencies: Verity's market data covers stocks, ETFs and indices.",
    "advice": (
        "I can't tell you whether to buy, sell or hold anything: that would be personalised investment "
        "advice, "
        "and it depends on your goals, horizon and risk tolerance. I can lay out the data: quotes, returns, "
        "valuation, analyst targets and technicals."
    ),
    "causes": (
        "The market data shows what {who}price did, not why: Verity holds no news, and its stored "
        "documents (Fed statements, minutes and speeches, SEC filings) are searched only for what they say."
    ),
    "dividends": (
        "Verity has no record of dividend payments, so I can't list {who}dividends or their dates; I can "
        "give its total return (dividends reinvested) beside its price return where the record holds "
        "dividend-adjusted prices, and a provider's dividend yield where one is reported."
    ),
    "screener": (
        "Verity has no screener: it can't rank every stock in the market. It ranks the 11 sector funds "
        "over any period and compares the stocks you name."
    ),
    "forecast": (
        "I don't predict prices: no one's data holds the future. I can show analysts' price targets, "
        "valuation and the record so far."
    ),
}


def decline(part: Part, ctx: Context) -> str:
    """The plain sentence for something Verity has no data for or does not do."""
    reasons = part.fields or ("advice",)
    who = ""
    if part.subjects:
        who = f"{join([ctx.who(s) for s in part.subjects])}'s "
    return " ".join(_DECLINES.get(r, _DECLINES["advice"]).format(who=who) for r in dict.fromkeys(reasons))


_WHAT = {
    "get_quote": "a quote",
    "get_price_history": "prices",
    "compare_performance": "performance figures",
    "get_technicals": "technical indicators",
    "get_valuation": "valuation figures",
    "get_financials": "financial statements",
    "get_analyst_targets": "analyst price targets",
    "get_market_valuation": "the market's valuation",
    "sector_performance": "sector returns",
    "search_documents": "documents",
    "lookup_symbol": "a symbol",
}


def tool_failed(result: ToolResult, ctx: Context) -> str:
    """One plain sentence: what is missing and why, and no guessing."""
    what = _WHAT.get(result.tool, f"a result from {result.tool}")
    subject = result.args.get("symbol") or result.args.get("symbols") or result.args.get("query")
    if isinstance(subject, list):
        subject = ", ".join(ctx.who(str(s)) for s in subject)
    elif isinstance(subject, str) and result.tool != "search_documents":
        subject = ctx.who(subject)
    about = f" for {subject}" if subject else ""
    reason = (result.error or "").rstrip(".")
    return f"I could not get {what}{about}: {reason}. I won't guess the missing figures."


def refusal(reading: QuestionReading, tool_names: tuple[str, ...]) -> str:
    """The honest answer when no tool can answer the question."""
    if reading.refusal == "greeting":
        return "Hello! I'm Verity's offline analyst. " + CAPABILITIES
    if reading.refusal == "empty":
        return "I didn't receive a question. " + CAPABILITIES
    if not tool_names:
        return "No data tools are available in this session, so I can't look anything up. " + CAPABILITIES
    if any(p.measure == "documents" for p in reading.parts) and "search_documents" not in tool_names:
        return (
            "Document search is not available in this session (no knowledge base is configured), so I "
            "can't quote stored documents. " + CAPABILITIES
        )
    if reading.parts and not reading.subjects:
        return (
            "I couldn't tell which stock, ETF or index you mean; name it or give its ticker. " + CAPABILITIES
        )
    return "I'm not sure what you're asking. " + CAPABILITIES

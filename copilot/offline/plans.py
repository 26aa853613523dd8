"""The tool calls that answer one part of a question (one function per measure).

Each planner returns ``(tool name, arguments)`` pairs; the registry pairs it with its writer. The
arguments carry everything the coverage check later compares (symbol, period, day, meeting), so
an answer written from these calls covers the part it was planned for.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from copilot.lexicon import MONTH_NAMES
from copilot.understanding.documents import expanded_query
from copilot.understanding.reading import RECORD_START, Part
from copilot.understanding.when import When, point_in_time, with_reference
from tools.metrics import periods

Call = tuple[str, dict[str, Any]]
DOCUMENT_PASSAGES = 5
EVERY_DOCUMENT = 10  # the search's most: the FOMC meets eight times a year


def plan_price(part: Part, reference: date) -> list[Call]:
    """A quote for now; the close on a day; the closes over a span."""
    when = part.when
    if "all_time_high" in part.fields:
        return [
            ("get_price_history", {"symbol": s, "start": RECORD_START.isoformat()}) for s in part.subjects
        ]
    if when is None or when.kind == "latest" or when.label == "1d":
        return [("get_quote", {"symbol": s}) for s in part.subjects]
    if when.kind == "trailing" and "avg_volume" in part.fields:
        return [("get_quote", {"symbol": s}) for s in part.subjects]  # its 3-month average volume
    if when.kind == "day" and when.start:
        return [("get_price_history", {"symbol": s, "date": when.start.isoformat()}) for s in part.subjects]
    start, end = _span(when, reference)
    if start is None:
        return [("get_quote", {"symbol": s}) for s in part.subjects]
    args: dict[str, Any] = {"start": start.isoformat()}
    if end is not None and end < reference:
        args["end"] = end.isoformat()
    return [("get_price_history", {"symbol": s, **args}) for s in part.subjects]


def plan_return(part: Part, reference: date) -> list[Call]:
    """One comparison of every subject over the period (the first is the subject); a day's move
    is that day's history."""
    if not part.subjects:
        return []
    when = part.when
    if when is not None and when.kind == "day" and when.start:
        return [("get_price_history", {"symbol": s, "date": when.start.isoformat()}) for s in part.subjects]
    if when is not None and when.kind == "since" and when.start is None:
        return []  # since an event whose date a document gives: planned once the search is back
    period = when.performance_args() if when is not None else {"period": "ytd"}
    return [("compare_performance", {"symbols": list(part.subjects), **period})]


def plan_valuation(part: Part, reference: date) -> list[Call]:
    """The valuation of each subject, at the day or period end the question names."""
    day = point_in_time(part.when, reference)
    extra = {"date": day.isoformat()} if day is not None else {}
    return [("get_valuation", {"symbol": s, **extra}) for s in part.subjects]


def plan_per_symbol(tool: str) -> Any:
    """A planner calling ``tool`` once per subject."""

    def plan(part: Part, reference: date) -> list[Call]:
        return [(tool, {"symbol": s}) for s in part.subjects]

    return plan


_STATEMENT_OF = {
    "revenue": "income",
    "net_income": "income",
    "eps": "income",
    "gross_margin": "income",
    "operating_income": "income",
    "operating_margin": "income",
    "net_margin": "income",
    "free_cash_flow": "cashflow",
    "debt": "balance",
    "cash": "balance",
}


def plan_financials(part: Part, reference: date) -> list[Call]:
    """The statement that holds the lines asked for; quarterly unless the question names a year."""
    when = part.when
    freq = "annual" if when is not None and when.kind == "year" else "quarterly"
    statements = {_STATEMENT_OF.get(f, "income") for f in part.fields} or {"income"}
    statement = statements.pop() if len(statements) == 1 else "all"
    return [("get_financials", {"symbol": s, "statement": statement, "freq": freq}) for s in part.subjects]


def plan_market_valuation(part: Part, reference: date) -> list[Call]:
    return [("get_market_valuation", {})]


def plan_sectors(part: Part, reference: date) -> list[Call]:
    """The ranking over the asked period (named periods only: a custom span is ranked today)."""
    when = part.when
    period = when.label if when is not None and when.label else "1d"
    return [("sector_performance", {"period": period})]


def plan_documents(part: Part, reference: date) -> list[Call]:
    """One search with the question's filters (kind, speaker, meeting, dates, recency)."""
    docs = part.docs
    if docs is None:
        return []
    args: dict[str, Any] = {"query": expanded_query(docs.topic or part.text), "k": DOCUMENT_PASSAGES}
    if docs.kind and docs.kind not in ("note",):
        args["kind"] = docs.kind
    if docs.speaker:
        args["speaker"] = docs.speaker
    if docs.meeting:
        args["meeting"] = docs.meeting
    elif docs.meeting_month:
        args["meeting"] = MONTH_NAMES[docs.meeting_month - 1]  # the newest such meeting available
    if docs.since:
        args["since"] = docs.since.isoformat()
    if docs.until:
        args["until"] = docs.until.isoformat()
    if docs.latest:
        args["latest"] = True
    if docs.ticker:
        args["ticker"] = docs.ticker
    if docs.each:  # the best passage of every statement of the period: its decision
        args |= {"k": EVERY_DOCUMENT, "per_document": True}
    return [("search_documents", args)]


def plan_composite(part: Part, reference: date) -> list[Call]:
    """The gauges of a hot or cold market: index RSI and averages, distance from the 52-week high,
    the VIX, sector breadth and the market's valuation."""
    index = part.subjects[0] if part.subjects else "^GSPC"
    return [
        ("get_technicals", {"symbol": index}),
        ("get_quote", {"symbol": index}),
        ("get_quote", {"symbol": "^VIX"}),
        ("sector_performance", {"period": "1m"}),
        ("get_market_valuation", {}),
    ]


def plan_lookup(part: Part, reference: date) -> list[Call]:
    return [("lookup_symbol", {"query": s}) for s in part.subjects]


def plan_nothing(part: Part, reference: date) -> list[Call]:
    return []


def _span(when: When, reference: date) -> tuple[date | None, date | None]:
    fixed = with_reference(when, reference)
    if fixed.start is not None:
        return fixed.start, fixed.end
    if when.kind == "trailing":
        return trailing_span_start(when.label, reference), None
    return None, None


def trailing_span_start(label: str, reference: date) -> date | None:
    """The first day of a trailing period read as a span of days ("apple high last week"): the day
    after where the period's return would start (``tools.metrics.periods``: the same day a month
    or a year earlier); "5d" is the calendar week ending on ``reference``."""
    if label in periods.SESSIONS:
        return None if label == "1d" else reference - timedelta(days=7 * periods.SESSIONS[label] // 5 - 1)
    if label not in periods.MONTHS:
        return None
    anchor = periods.resolve(label, reference).anchor
    return anchor + timedelta(days=1) if anchor is not None else None

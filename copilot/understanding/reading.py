"""The structured reading of a question: its parts, each a subject × measure × time (and, for
documents, the filters), plus what the reader corrected or could not read.

One component every part of Verity uses: the offline analyst plans its tool calls from it, the
coverage check compares an answer's citations with it, the knowledge base reads document filters
with it. It never calls a tool and never reads the clock (the caller passes the reference date).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from copilot.lexicon import MONTH_NAMES
from copilot.understanding.measures import Measure
from copilot.understanding.when import When

DocKind = Literal["statement", "minutes", "projections", "speech", "10-K", "10-Q", "20-F", "filing", "note"]
Language = Literal["en", "es", "zh", "fr", "de"]
Refusal = Literal["empty", "greeting"]

# Measures whose answer depends on a period (they take the question's time when a clause has none).
PERIODIC: frozenset[Measure] = frozenset({"return", "sectors"})
# Measures that are about named securities.
PER_SUBJECT: frozenset[Measure] = frozenset(
    {"price", "return", "technicals", "valuation", "financials", "targets", "lookup"}
)
MAX_SUBJECTS = 6


@dataclass(frozen=True)
class DocFilter:
    """Which documents a question asks about."""

    topic: str
    kind: DocKind | None = None
    speaker: str | None = None
    publisher: str | None = None  # "Federal Reserve" for the Fed's documents
    meeting: str | None = None  # "2026-01": the FOMC meeting of that month
    meeting_month: int | None = None  # "the January meeting" with no year: the newest one available
    latest: bool = False
    since: date | None = None
    until: date | None = None
    ticker: str | None = None
    each: bool = False  # every document of the period ("how many cuts in 2025": each statement's decision)
    # "what did Powell say at the last meeting": the store holds no press-conference transcripts, so
    # the meeting's statement answers, and the answer says whose words it does not have
    said_at_meeting: str | None = None


@dataclass(frozen=True)
class Part:
    """One thing the question asks: a measure of some subjects at some time."""

    measure: Measure
    subjects: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    when: When | None = None
    docs: DocFilter | None = None
    text: str = ""  # the clause it was read from
    rule: str = ""  # the disambiguation rule that decided the measure, when one did

    def with_subjects(self, subjects: tuple[str, ...]) -> Part:
        return replace(self, subjects=subjects)


@dataclass(frozen=True)
class QuestionReading:
    """Everything a question asks, after follow-up context is applied."""

    question: str
    parts: tuple[Part, ...] = ()
    language: Language = "en"
    names: dict[str, str] = field(default_factory=dict)  # symbol -> display name
    corrections: tuple[tuple[str, str], ...] = ()  # (as typed, read as) e.g. ("Amazn", "AMZN")
    unknown: tuple[str, ...] = ()  # tickers or names the lexicon lacks (the tools resolve or refuse them)
    beyond_limit: tuple[str, ...] = ()  # names past MAX_SUBJECTS: not asked, and the answer says so
    refusal: Refusal | None = None
    follow_up: bool = False  # context came from the conversation
    recent: tuple[str, ...] = ()  # subjects of the conversation so far, most recent last

    @property
    def subjects(self) -> tuple[str, ...]:
        """Every subject of every part, in order."""
        seen: dict[str, None] = {}
        for part in self.parts:
            for subject in part.subjects:
                seen.setdefault(subject)
        return tuple(seen)

    def measures(self) -> tuple[Measure, ...]:
        return tuple(dict.fromkeys(p.measure for p in self.parts))

    def name_of(self, symbol: str) -> str:
        """ "Russell 2000 (^RUT)" when the name is known, else the symbol."""
        name = self.names.get(symbol)
        return f"{name} ({symbol})" if name and name.upper() != symbol.upper() else symbol


# "all-time": the range from the start of the record (a tool says the day its record begins)
RECORD_START = date(1900, 1, 1)

# how a label names a field of a part ("pe" -> "P/E"); others read with spaces for underscores
FIELD_LABELS = {
    "pe": "P/E",
    "forward_pe": "forward P/E",
    "pb": "price/book",
    "ps": "price/sales",
    "ev_ebitda": "EV/EBITDA",
    "fcf_yield": "free-cash-flow yield",
    "rsi": "RSI",
    "macd": "MACD",
    "averages": "moving averages",
    "levels": "support and resistance",
    "bollinger": "Bollinger bands",
    "eps": "EPS",
}


def describe_part(part: Part, reading: QuestionReading, subject: str | None = None) -> str:
    """A short label of one part (for one subject): "the Nasdaq Composite (^IXIC) YTD return"."""
    who = reading.name_of(subject) if subject else ""
    when = part.when.describe() if part.when else ""
    if part.measure == "documents" and part.docs is not None:
        return document_label(part.docs)
    fields = ", ".join(FIELD_LABELS.get(f, f.replace("_", " ")) for f in part.fields)
    what = {
        "price": (
            "all-time high"
            if "all_time_high" in part.fields
            else "highest and lowest close"
            if "closes" in part.fields
            else "price"
        ),
        "return": "return",
        "technicals": fields or "technical indicators",
        "valuation": fields or "valuation",
        "financials": fields or "financial statements",
        "targets": "analyst price targets",
        "market_valuation": "S&P 500 P/E and CAPE",
        "sectors": "sector ranking",
        "composite": "market gauges",
        "lookup": "ticker",
        "unsupported": ", ".join(part.fields) or "unsupported data",
    }.get(part.measure, part.measure)
    return " ".join(x for x in (who, what, when) if x)


# what "what did the Fed do" searches for when the question names no topic: the decision
DECISION_TOPIC = "decided target range federal funds rate"


def document_label(docs: DocFilter) -> str:
    """ "the FOMC statement of the January 2026 meeting", "Waller's latest speech"."""
    kind = docs.kind or "document"
    if docs.speaker:
        lead = f"{docs.speaker}'s {'latest ' if docs.latest else ''}{'speech' if kind == 'speech' else kind}"
    else:
        publisher = (
            "FOMC " if docs.publisher == "Federal Reserve" and kind in ("statement", "minutes") else ""
        )
        lead = f"the {'latest ' if docs.latest and not docs.meeting else ''}{publisher}{kind}"
    if docs.meeting:
        year, month = docs.meeting[:4], int(docs.meeting[5:7])
        lead += f" of the {MONTH_NAMES[month - 1]} {year} meeting"
    elif docs.meeting_month:
        lead += f" of the {MONTH_NAMES[docs.meeting_month - 1]} meeting"
    if docs.since and docs.until:
        lead += f" from {docs.since.isoformat()} to {docs.until.isoformat()}"
    elif docs.since:
        lead += f" since {docs.since.isoformat()}"
    if docs.ticker:
        lead += f" ({docs.ticker})"
    return lead + (f" on {docs.topic}" if docs.topic and docs.topic != DECISION_TOPIC else "")


def calendar_reference(as_of: date | None, today: date) -> date:
    """The date relative words count from: the analysis date, else today on the exchange's clock."""
    return as_of or today

"""Read a topic: which index, ETF, sector or company it is about, and what to compare it with.

The names are read as the chat reads a question's (``copilot.understanding.names.find_names``:
the curated symbol table, generic names such as "semiconductor stocks", tickers it lacks):
"Small-cap rally: is the Russell 2000's outperformance sustainable?" is about
^RUT; its ETF comes from ``resolver.related`` (IWM); the benchmarks are the other broad indexes
(S&P 500, Nasdaq Composite, Russell 2000). A topic that names nothing known is read as one about
the broad US market (the S&P 500), and the plan says so; a topic naming something the data lacks
("bitcoin", "palantir") is refused rather than answered about the market.
"""

from __future__ import annotations

from copilot.errors import BadInputError, UnknownSymbolError, VerityError
from copilot.lexicon import SECTOR_SYMBOLS
from copilot.research.plan import Role, Subject
from copilot.understanding.measures import fields_in
from copilot.understanding.names import NameMention, find_names, normalise_question, unknown_ticker_word
from tools.agent_tools import MarketTools
from tools.symbols import SymbolResolver

BROAD_INDEXES = ("^GSPC", "^IXIC", "^RUT")  # the benchmarks a market topic is compared with
DEFAULT_SUBJECT = "^GSPC"
MAX_PEERS = 3


def read_subjects(
    topic: str, market: MarketTools, resolver: SymbolResolver
) -> tuple[list[Subject], list[str]]:
    """The report's subjects (primary first) and notes on how the topic was read."""
    notes: list[str] = []
    names = find_names(normalise_question(topic), resolver)
    mentioned = list(dict.fromkeys(m.symbol for m in names if m.known))
    unknown = list(dict.fromkeys(m.symbol for m in names if not m.known))
    if not mentioned:
        mentioned = _named_elsewhere(topic, names, unknown, market)
    if not mentioned:
        notes.append(
            "The topic names no index, sector, fund or company Verity knows: the report covers the "
            "broad US market (the S&P 500)."
        )
        mentioned = [DEFAULT_SUBJECT]
    subjects: list[Subject] = []

    def add(symbol: str, role: Role) -> None:
        if any(s.symbol == symbol for s in subjects):
            return
        try:
            match = market.resolve(symbol)
        except VerityError as exc:
            notes.append(f"{symbol} is left out: {exc.message}")
            return
        subjects.append(
            Subject(symbol=match.symbol, name=match.name or match.symbol, role=role, kind=match.kind)
        )

    primary, others = mentioned[0], mentioned[1:]
    add(primary, "primary")
    if not subjects:
        add(DEFAULT_SUBJECT, "primary")
    head = subjects[0]
    tracked = resolver.related(head.symbol)
    if head.kind == "index" and tracked:
        add(tracked[0], "etf")  # the fund people buy to own the index
    elif head.kind == "etf" and tracked and tracked[0].startswith("^"):
        add(tracked[0], "index")  # the index the fund tracks: long history of levels
    for symbol in others[:MAX_PEERS]:
        add(symbol, "sector" if symbol in SECTOR_SYMBOLS else "peer")
    for name in unknown:  # compared with a name the symbol table lacks: in if the data has it
        found = _with_data(name, market)
        if found is None:
            notes.append(f"{name} is left out: Verity has no data on it.")
        elif len(subjects) <= MAX_PEERS:
            add(found, "peer")
    for symbol in BROAD_INDEXES:
        if symbol not in (head.symbol, *tracked) and len([s for s in subjects if s.role == "benchmark"]) < 2:
            add(symbol, "benchmark")
    return subjects, notes


def _named_elsewhere(
    topic: str, names: list[NameMention], unknown: list[str], market: MarketTools
) -> list[str]:
    """A topic naming nothing the symbol table knows may still name something: a ticker or company
    the market data finds ("carvana", "$CVNA"), or something it has no data on ("bitcoin",
    "palantir"). A report about the broad market under such a title would answer another question, so
    a name the data lacks ends the run with an error that says so; a topic that names nothing at all
    ("Is the Fed going to cut rates again?") is read as one about the broad market."""
    if "crypto" in fields_in("unsupported", topic):
        raise BadInputError(
            "Verity has no data on cryptocurrencies; a report can cover an index, a sector, a fund or a "
            "US-listed company"
        )
    word = unknown_ticker_word(topic, names)
    candidates = [*unknown, *([word] if word else [])]
    for candidate in candidates:
        symbol = _with_data(candidate, market)
        if symbol is not None:
            return [symbol]
    if candidates:
        raise UnknownSymbolError(
            candidates[0],
            "Verity has no data on it; a report can cover an index, a sector, a fund or a company "
            "in its data",
        )
    return []


def _with_data(name: str, market: MarketTools) -> str | None:
    """The symbol of ``name`` if the market data holds prices for it (a name the symbol table lacks
    resolves to itself, data or not: its quote says)."""
    try:
        symbol = market.resolve(name).symbol
        market.quote(symbol)
    except VerityError:
        return None
    return symbol


def main_index(subjects: list[Subject]) -> Subject:
    """The series the report charts and reads technicals from: an index when the report has one."""
    for role in ("primary", "index"):
        found = next((s for s in subjects if s.role == role and s.kind == "index"), None)
        if found is not None:
            return found
    return subjects[0]


def fund(subjects: list[Subject]) -> Subject | None:
    """The tradable subject whose quote the report discusses: the ETF, or the primary fund/stock."""
    etf = next((s for s in subjects if s.role == "etf"), None)
    if etf is not None:
        return etf
    primary = subjects[0]
    return primary if primary.kind != "index" else None

"""Reading a question: what it asks (intents), about what (symbols) and over which period.

Keyword tables and regexes, no model: the same question always reads the same way. Entities come
from ``SymbolResolver.find_mentions`` (names, aliases like "small caps", tickers); follow-ups that
name no subject or no intent borrow them from the previous question of the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from copilot.errors import VerityError
from copilot.offline import vocabulary as vocab
from copilot.offline.asking import clause_targets, intents_of, lookup_name, sector_period
from copilot.offline.followups import with_context
from copilot.offline.mentions import find_subjects, unknown_name, unknown_tickers
from copilot.offline.periods import Period, read_period
from copilot.offline.reading import (
    INTENT_ORDER,
    MAX_READ_CHARS,
    MAX_SYMBOLS,
    MentionFinder,
    Reading,
    Refusal,
)
from copilot.offline.vocabulary import Intent

__all__ = [
    "INTENT_ORDER",
    "MAX_READ_CHARS",
    "MAX_SYMBOLS",
    "Intent",
    "MentionFinder",
    "Reading",
    "Refusal",
    "read_question",
]


def read_question(
    question: str, finder: MentionFinder | None, previous: Reading | None, as_of: date | None
) -> Reading:
    """What ``question`` asks, using ``previous`` (the last question read) for follow-ups."""
    text = " ".join(question[: MAX_READ_CHARS * 2].split())[:MAX_READ_CHARS]
    if not text:
        return Reading(question=question, refusal="empty")
    named, spans = find_subjects(text, finder, limit=None)
    # more names than one answer compares: the rest are listed in the answer, never dropped silently
    symbols, beyond = named[:MAX_SYMBOLS], named[MAX_SYMBOLS:]
    unknown = unknown_tickers(text, spans, symbols)
    if not symbols and not unknown:
        # a company the resolver lacks: the tools resolve names through the provider's search
        name = unknown_name(text, spans)
        unknown = (name,) if name else ()
    period = read_period(text, as_of)
    intents = intents_of(text, symbols, period)
    lookup_query = None
    if "lookup" in intents:
        lookup_query = lookup_name(text)
        if lookup_query is None:
            intents = tuple(i for i in intents if i != "lookup")
    reading = Reading(
        question=question,
        intents=intents,
        symbols=symbols,
        period=period or Period(),
        period_given=period is not None,
        latest=bool(vocab.LATEST.search(text)) or _latest_by_default(text, intents),
        lookup_query=lookup_query,
        unknown_tokens=unknown,
        beyond_limit=beyond,
    )
    if "sectors" in intents:
        reading = replace(reading, sector_period=sector_period(text, as_of))
    if len(symbols) >= 2 and len(intents) >= 1:
        targets = clause_targets(text, finder, intents, symbols, as_of)
        if targets:
            # clause by clause, each name gets what its clause asks; the question keeps the rest
            asked = {i for i, _ in targets} | set(intents)
            merged = tuple(i for i in INTENT_ORDER if i in asked)
            reading = replace(reading, intents=merged, targets=targets)
    if vocab.ADVICE.search(text):
        return replace(reading, refusal="advice")
    if vocab.SMALL_TALK.fullmatch(text):
        return replace(reading, refusal="greeting")
    if vocab.CRYPTO.search(text) and not symbols and not unknown:
        return replace(reading, refusal="crypto")
    reading = with_context(reading, text, previous)
    return _broad_market(reading, text, finder)


def _latest_by_default(text: str, intents: Sequence[Intent]) -> bool:
    """ "What did the Fed say about jobs?" means its latest word unless the question names a time."""
    if "documents" not in intents:
        return False
    # in a combined question only the clause about the documents counts ("... this year, and what
    # did the Fed say about rates?" still asks for the Fed's latest word)
    clauses = [c for c in vocab.CLAUSE_BREAK.split(text) if c and c.strip()]
    about_documents = [c for c in clauses if vocab.mentions_doc_source(c)]
    return any(not vocab.TIME_WORDS.search(c) for c in about_documents)


def _broad_market(reading: Reading, text: str, finder: MentionFinder | None) -> Reading:
    """ "How's the market doing today?" is about the S&P 500 when nothing else is named."""
    market_intents = set(reading.intents) & {"quote", "performance", "technicals"}
    resolve = getattr(finder, "resolve", None)
    if reading.symbols or reading.unknown_tokens or not market_intents or resolve is None:
        return reading
    if not vocab.BROAD_MARKET.search(text):
        return reading
    try:
        symbol = str(resolve("S&P 500").symbol)
    except VerityError:
        return reading
    return replace(reading, symbols=(symbol,))

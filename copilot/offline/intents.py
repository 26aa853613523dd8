"""Reading a question: what it asks (intents), about what (symbols) and over which period.

Keyword tables and regexes, no model: the same question always reads the same way. Entities come
from ``SymbolResolver.find_mentions`` (names, aliases like "small caps", tickers); follow-ups that
name no subject or no intent borrow them from the previous question of the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal, Protocol

from copilot.errors import VerityError
from copilot.offline import vocabulary as vocab
from copilot.offline.periods import Period, read_period
from copilot.offline.vocabulary import Intent

Refusal = Literal["advice", "crypto", "empty", "greeting"]
# The order the answer discusses them in, and the order the tool calls are emitted in.
INTENT_ORDER: tuple[Intent, ...] = (
    "performance",
    "quote",
    "valuation",
    "technicals",
    "sectors",
    "documents",
    "lookup",
)
MAX_SYMBOLS = 6
# Longer questions are read from their start: a question is a few sentences, and this bounds the
# work the patterns do on a pasted wall of text.
MAX_READ_CHARS = 4000


class MentionLike(Protocol):
    text: str
    start: int
    end: int
    symbol: str


class MentionFinder(Protocol):
    def find_mentions(self, text: str) -> Sequence[Any]: ...


@dataclass(frozen=True)
class Reading:
    """What one question asks, after follow-up context is applied."""

    question: str
    intents: tuple[Intent, ...] = ()
    symbols: tuple[str, ...] = ()
    period: Period = field(default_factory=Period)
    period_given: bool = False
    latest: bool = False  # "latest statement", "most recent minutes"
    refusal: Refusal | None = None
    lookup_query: str | None = None
    unknown_tokens: tuple[str, ...] = ()
    # per-intent subjects when clauses ask different things of different names
    # ("where is IWM trading, and is Apple expensive?"); empty = every intent for every symbol
    targets: tuple[tuple[Intent, tuple[str, ...]], ...] = ()
    sector_period: Period | None = None  # the period of the clause that asks about sectors

    def symbols_for(self, intent: Intent) -> tuple[str, ...]:
        """The symbols ``intent`` is asked about."""
        return dict(self.targets).get(intent, self.symbols)


def read_question(
    question: str, finder: MentionFinder | None, previous: Reading | None, as_of: date | None
) -> Reading:
    """What ``question`` asks, using ``previous`` (the last question read) for follow-ups."""
    text = " ".join(question[: MAX_READ_CHARS * 2].split())[:MAX_READ_CHARS]
    if not text:
        return Reading(question=question, refusal="empty")
    symbols, spans = _mentions(text, finder)
    unknown = _unknown_tickers(text, spans, symbols)
    if not symbols and not unknown:
        # a company the resolver lacks: the tools resolve names through the provider's search
        name = _unknown_name(text, spans)
        unknown = (name,) if name else ()
    period = read_period(text, as_of)
    intents = _intents(text, symbols, period)
    lookup_query = None
    if "lookup" in intents:
        lookup_query = _lookup_name(text)
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
    )
    if "sectors" in intents:
        reading = replace(reading, sector_period=_sector_period(text, as_of))
    if len(symbols) >= 2 and len(intents) >= 1:
        targets = _clause_targets(text, finder, intents, symbols, as_of)
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
    reading = _with_context(reading, text, previous)
    return _broad_market(reading, text, finder)


def _latest_by_default(text: str, intents: Sequence[Intent]) -> bool:
    """ "What did the Fed say about jobs?" means its latest word unless the question names a time."""
    return "documents" in intents and vocab.mentions_doc_source(text) and not vocab.TIME_WORDS.search(text)


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


def _mentions(text: str, finder: MentionFinder | None) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    if finder is None:
        return (), []
    found: list[tuple[int, int, str]] = [(m.start, m.end, m.symbol) for m in finder.find_mentions(text)]
    resolve = getattr(finder, "resolve", None)
    for match in vocab.GENERIC_NAMES.finditer(text):
        if resolve is None or any(s <= match.start() < e for s, e, _ in found):
            continue
        if match.lastgroup == "sector" and vocab.mentions_doc_source(text):
            continue  # "what did the Fed say about energy prices" is not about the sector ETF
        group = match.lastgroup or "broad"
        phrase = vocab.GENERIC_ALIASES.get(group) or " ".join(match.group(0).lower().split())
        try:
            found.append((match.start(), match.end(), str(resolve(phrase).symbol)))
        except VerityError:
            continue  # a resolver without that alias: the phrase stays unread
    symbols: list[str] = []
    for _, _, symbol in sorted(found):
        if symbol not in symbols:
            symbols.append(symbol)
    return tuple(symbols[:MAX_SYMBOLS]), [(s, e) for s, e, _ in found]


def _clause_targets(
    text: str,
    finder: MentionFinder | None,
    intents: tuple[Intent, ...],
    symbols: tuple[str, ...],
    as_of: date | None,
) -> tuple[tuple[Intent, tuple[str, ...]], ...]:
    """Per-intent subjects read clause by clause, or () when the clauses do not split cleanly.

    A clause that names symbols but asks nothing ("..., and the Nasdaq") continues the list of the
    clause before it (or opens the list of the clause after it: "Apple and Microsoft: how have ...").
    """
    targets: dict[Intent, list[str]] = {}
    carried: tuple[str, ...] = ()
    asked_before: tuple[Intent, ...] = ()
    pending: list[str] = []
    for piece in (p for p in vocab.CLAUSE_BREAK.split(text) if p and p.strip()):
        own, _ = _mentions(piece, finder)
        explicit = any(p.search(piece) for p in vocab.KEYWORDS.values())
        if own and not explicit:
            if not asked_before:
                pending.extend(s for s in own if s not in pending)
                continue
            for intent in asked_before:
                targets[intent].extend(s for s in own if s not in targets[intent])
            carried = (*carried, *own)
            continue
        subjects = tuple(dict.fromkeys((*pending, *own))) or carried
        pending = []
        if not explicit or not subjects:
            continue
        asked_before = _intents(piece, subjects, read_period(piece, as_of))
        for intent in asked_before:
            listed = targets.setdefault(intent, [])
            listed.extend(s for s in subjects if s not in listed)
        carried = subjects
    covered = {symbol for listed in targets.values() for symbol in listed}
    if covered != set(symbols) or all(len(v) == len(symbols) for v in targets.values()):
        return ()  # a name no clause asks about, or every clause asks about every name
    order = [i for i in INTENT_ORDER if i in targets or i in intents]
    return tuple((intent, tuple(targets[intent])) for intent in order if intent in targets)


def _sector_period(text: str, as_of: date | None) -> Period | None:
    """The period named in the clause about sectors ("which sectors led today?")."""
    for piece in vocab.CLAUSE_BREAK.split(text):
        if piece and vocab.KEYWORDS["sectors"].search(piece):
            return read_period(piece, as_of)
    return None


def _unknown_tickers(text: str, spans: list[tuple[int, int]], known: Sequence[str]) -> tuple[str, ...]:
    """Ticker-looking words no mention covers: asked about anyway, so the tool can say it is unknown."""
    found: list[str] = []
    for match in vocab.TICKER_TOKEN.finditer(text):
        token = match.group(1)
        covered = any(start <= match.start(1) < end for start, end in spans)
        explicit = match.group(0).startswith("$")
        if covered or token in known or token in found:
            continue
        if (len(token) >= 2 and token.upper() not in vocab.NOT_TICKERS) or explicit:
            found.append(token)
    return tuple(found)


def _unknown_name(text: str, spans: list[tuple[int, int]]) -> str | None:
    """The first capitalised name no mention covers ("How has Carvana done?" -> "Carvana")."""
    for match in vocab.CAPITALISED_RUN.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        words = [w.strip(".'?!,") for w in match.group(0).split()]
        while words and words[0].lower().rstrip("'s") in vocab.NOT_NAMES:
            words.pop(0)
        while words and words[-1].lower().rstrip("'s") in vocab.NOT_NAMES:
            words.pop()
        name = " ".join(words).removesuffix("'s").strip()
        if len(name) >= 3 and not name.isupper():
            return name
    return None


def _intents(text: str, symbols: Sequence[str], period: Period | None) -> tuple[Intent, ...]:
    """What the question asks; a bare name with no intent word reads as a quote."""
    found = _asked(text, symbols, period)
    if not found and symbols:
        found.add("quote")
    return tuple(intent for intent in INTENT_ORDER if intent in found)


def _asked(text: str, symbols: Sequence[str], period: Period | None) -> set[Intent]:
    """The intents the words of the question name (empty when it names none)."""
    found = {intent for intent, pattern in vocab.KEYWORDS.items() if pattern.search(text)}
    if "lookup" in found:
        return {"lookup"}
    if "sectors" in found and not symbols:
        found &= {"sectors", "documents"}  # "which sectors led" is a ranking, not a return
    if "documents" in found:
        strong = "said" in text.lower() or vocab.mentions_doc_source(text)
        if not strong and found - {"documents"}:
            found.discard("documents")  # "statement" alone in a market question is not a document search
        elif not symbols:
            found &= {"documents", "sectors"}
    compare = bool(vocab.COMPARE.search(text))
    others = found - {"quote", "performance"}
    if len(symbols) >= 2 and compare and not others:
        found.add("performance")  # "small caps vs large caps"
    if symbols and period is not None and period.name != "1d" and not others:
        found.add("performance")  # "NVDA this year?"
    one_day = period is not None and period.name == "1d"
    if "performance" in found and not compare and len(symbols) <= 1 and one_day:
        # "how is MSFT doing today": the quote holds the day's move and more
        found.discard("performance")
        found.add("quote")
    if "performance" in found and "quote" in found and not vocab.QUOTE_STRONG.search(text):
        found.discard("quote")  # "where has it traded since March" is about the move
    return found


def _lookup_name(text: str) -> str | None:
    match = vocab.LOOKUP_NAME.search(text)
    if not match:
        return None
    name = (match.group("name") or match.group("name2") or "").strip(" '\"")
    return name or None


_FOLLOW_UP_TOPIC = re.compile(
    r"^\s*(?:and\s+)?(?:what\s+about|how\s+about|about|on|regarding)\s+(?:the\s+)?([^?.!]{2,80})[?.!]*\s*$",
    re.IGNORECASE,
)


def _with_topic(question: str, topic: str) -> str:
    """The earlier document question, now about ``topic`` ("... about rates ..." -> "... about jobs ...")."""
    changed, count = re.subn(
        r"\babout\s+.+?(?=\s+in\s+(?:its|the|their)\b|[?.!]|$)", f"about {topic.strip()}", question, count=1
    )
    return changed if count else f"{question.rstrip('?.! ')} about {topic.strip()}?"


def _with_context(reading: Reading, text: str, previous: Reading | None) -> Reading:
    """Fill what a follow-up leaves out ("and against the Nasdaq?", "what about its RSI?")."""
    if previous is None or previous.refusal or not (previous.intents or previous.symbols):
        return reading
    intents, symbols, period = reading.intents, reading.symbols, reading.period
    # names the resolver lacked were asked about too ("Carvana"): they are the subject as well
    before = previous.symbols + tuple(t for t in previous.unknown_tokens if t not in previous.symbols)
    explicit = bool(_asked(text, symbols, reading.period if reading.period_given else None))
    compare = bool(vocab.COMPARE.search(text))
    needs_subject = bool(set(intents) - {"sectors", "documents", "lookup"})
    if compare and len(symbols) == 1 and before and symbols[0] != before[0]:
        # "and against the Nasdaq?": the previous subject, now beside the new name
        symbols = (before[0], symbols[0])
        if not set(intents) - {"performance", "quote"}:
            intents = ("performance",) if "performance" in previous.intents else previous.intents
    elif not explicit:
        topic = _FOLLOW_UP_TOPIC.match(text)
        if "documents" in previous.intents and not symbols and topic:
            # "and about inflation?" after a question about what a document says
            return replace(
                reading,
                question=_with_topic(previous.question, topic.group(1)),
                intents=("documents",),
                latest=previous.latest,
            )
        if not symbols and not reading.period_given and not reading.unknown_tokens:
            return reading  # nothing to lean on: not a follow-up
        intents = previous.intents  # "what about Microsoft?", "and over the last 6 months?"
        symbols = symbols or before
    elif needs_subject and not symbols and not reading.unknown_tokens:
        # "what about its RSI?": the previous subject (or all the previous names for "them")
        plural = re.search(r"\b(?:they|them|their|both|each)\b", text, re.IGNORECASE)
        symbols = before if plural else before[:1]
    else:
        return reading  # a question of its own
    if not reading.period_given and previous.period_given:
        period = previous.period
    return replace(
        reading,
        intents=intents,
        symbols=symbols,
        period=period,
        period_given=reading.period_given or previous.period_given,
        latest=reading.latest or (intents == previous.intents and previous.latest),
    )

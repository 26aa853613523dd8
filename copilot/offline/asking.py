"""What a question asks: intents from keyword tables, clause by clause when the subjects differ."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from copilot.offline import vocabulary as vocab
from copilot.offline.mentions import find_subjects
from copilot.offline.periods import Period, read_period
from copilot.offline.reading import INTENT_ORDER, MentionFinder
from copilot.offline.vocabulary import Intent


def intents_of(text: str, symbols: Sequence[str], period: Period | None) -> tuple[Intent, ...]:
    """What the question asks; a bare name with no intent word reads as a quote."""
    found = asked_for(text, symbols, period)
    if not found and symbols:
        found.add("quote")
    return tuple(intent for intent in INTENT_ORDER if intent in found)


def asked_for(text: str, symbols: Sequence[str], period: Period | None) -> set[Intent]:
    """The intents the words of the question name (empty when it names none)."""
    found = {intent for intent, pattern in vocab.KEYWORDS.items() if pattern.search(text)}
    rates_only = bool(symbols) and set(symbols) <= vocab.RATE_SYMBOLS
    if (
        "valuation" in found
        and rates_only
        and not vocab.KEYWORDS["valuation"].search(vocab.BARE_YIELD.sub(" ", text))
    ):
        found.discard("valuation")  # "the 10-year Treasury yield" asks for the index's level (a quote)
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


def lookup_name(text: str) -> str | None:
    """The name in "what is the ticker for Nvidia" (None when the question names none)."""
    match = vocab.LOOKUP_NAME.search(text)
    if not match:
        return None
    name = (match.group("name") or match.group("name2") or "").strip(" '\"")
    return name or None


def clause_targets(
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
        own, _ = find_subjects(piece, finder)
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
        asked_before = intents_of(piece, subjects, read_period(piece, as_of))
        for intent in asked_before:
            listed = targets.setdefault(intent, [])
            listed.extend(s for s in subjects if s not in listed)
        carried = subjects
    covered = {symbol for listed in targets.values() for symbol in listed}
    if covered != set(symbols) or all(len(v) == len(symbols) for v in targets.values()):
        return ()  # a name no clause asks about, or every clause asks about every name
    order = [i for i in INTENT_ORDER if i in targets or i in intents]
    return tuple((intent, tuple(targets[intent])) for intent in order if intent in targets)


def sector_period(text: str, as_of: date | None) -> Period | None:
    """The period named in the clause about sectors ("which sectors led today?")."""
    for piece in vocab.CLAUSE_BREAK.split(text):
        if piece and vocab.KEYWORDS["sectors"].search(piece):
            return read_period(piece, as_of)
    return None

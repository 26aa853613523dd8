"""Follow-ups: what a question leaves out ("and against the Nasdaq?", "what about its RSI?")."""

from __future__ import annotations

import re
from dataclasses import replace

from copilot.offline import vocabulary as vocab
from copilot.offline.asking import asked_for
from copilot.offline.reading import Reading

_FOLLOW_UP_TOPIC = re.compile(
    r"^\s*(?:and\s+)?(?:what\s+about|how\s+about|about|on|regarding)\s+(?:the\s+)?([^?.!]{2,80})[?.!]*\s*$",
    re.IGNORECASE,
)


def with_topic(question: str, topic: str) -> str:
    """The earlier document question, now about ``topic`` ("... about rates ..." -> "... about jobs ...")."""
    changed, count = re.subn(
        r"\babout\s+.+?(?=\s+in\s+(?:its|the|their)\b|[?.!]|$)", f"about {topic.strip()}", question, count=1
    )
    return changed if count else f"{question.rstrip('?.! ')} about {topic.strip()}?"


def with_context(reading: Reading, text: str, previous: Reading | None) -> Reading:
    """Fill what a follow-up leaves out ("and against the Nasdaq?", "what about its RSI?")."""
    if previous is None or previous.refusal or not (previous.intents or previous.symbols):
        return reading
    intents, symbols, period = reading.intents, reading.symbols, reading.period
    # names the resolver lacked were asked about too ("Carvana"): they are the subject as well
    before = previous.symbols + tuple(t for t in previous.unknown_tokens if t not in previous.symbols)
    explicit = bool(asked_for(text, symbols, reading.period if reading.period_given else None))
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
                question=with_topic(previous.question, topic.group(1)),
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

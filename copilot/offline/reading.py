"""What the offline analyst makes of a question: the ``Reading``, and the types it is built from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from copilot.offline.periods import Period
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


class MentionFinder(Protocol):
    """What the analyst needs of ``tools.symbols.SymbolResolver`` (``resolve``/``name_of`` optional)."""

    def find_mentions(self, text: str) -> Sequence[Any]:
        """Mentions with ``text``, ``start``, ``end``, ``symbol`` and ``name``."""
        ...


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
    beyond_limit: tuple[str, ...] = ()  # names past MAX_SYMBOLS: not asked, and the answer says so

    def symbols_for(self, intent: Intent) -> tuple[str, ...]:
        """The symbols ``intent`` is asked about."""
        return dict(self.targets).get(intent, self.symbols)

"""What every prose writer shares: the tool result, figure rendering and citation labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from copilot.formatting import format_compact, format_value
from copilot.offline.intents import Reading
from copilot.offline.periods import PERIOD_WORDS
from copilot.schemas import Fact, Source, ToolArtifact


@dataclass(frozen=True)
class ToolResult:
    """One finished tool call as the writer sees it."""

    tool: str
    args: dict[str, object]
    content: str
    artifact: ToolArtifact | None

    @property
    def error(self) -> str | None:
        """Why the tool failed (its Error text), or None when it produced its artifact."""
        if self.artifact is not None and self.artifact.error:
            return self.artifact.error
        if self.content.startswith("Error"):
            return self.content.removeprefix("Error:").strip()
        if self.artifact is None:
            return self.content.strip() or "the tool returned nothing"
        return None


def show(fact: Fact, signed: bool = False) -> str:
    """The figure as the answer writes it (``-$1.23`` rather than ``$-1.23``)."""
    if fact.unit == "USD" and fact.value < 0:
        return "-" + format_value(-fact.value, "USD", fact.precision)
    if fact.key == "market_cap" and abs(fact.value) >= 1e9:
        return "$" + format_compact(fact.value, 2)
    if signed and fact.unit == "%":
        return format_value(fact.value, "%", fact.precision, signed=True)
    return fact.display()


class Citer:
    """The [n] of each source, from the artifact labels the ledger gave."""

    def __init__(self, artifact: ToolArtifact) -> None:
        self.labels = artifact.labels

    def __call__(self, source: Source) -> str:
        n = self.labels.get(source.id)
        return f"[{n}]" if n is not None else ""


def name_of(symbol: str | None, names: dict[str, str]) -> str:
    """ "Russell 2000 (^RUT)" when the name is known, else the symbol."""
    if not symbol:
        return "it"
    name = names.get(symbol)
    return f"{name} ({symbol})" if name and name.upper() != symbol.upper() else symbol


def subject_of(source: Source) -> str:
    """The symbol a single-symbol source is about."""
    first = next((f.symbol for f in source.facts if f.symbol), None)
    return first or str(source.arguments.get("symbol", ""))


def facts_of(source: Source, symbol: str | None = None) -> dict[str, Fact]:
    """The source's facts by key (for one symbol when given)."""
    return {f.key: f for f in source.facts if symbol is None or f.symbol in (symbol, None)}


def period_words(source: Source, reading: Reading) -> str:
    """ "Year to date", "Over the past three months", "Since 2025-03-03"."""
    start, end = source.arguments.get("start"), source.arguments.get("end")
    if start and reading.period.end:
        return f"from {start} to {end}"
    if start:
        return f"since {start}"
    period = str(source.arguments.get("period") or reading.period.name)
    return PERIOD_WORDS.get(period, reading.period.describe())


def fact_like(source: Source, key: str) -> Fact | None:
    """The fact of ``source`` with this key, if any."""
    return next((f for f in source.facts if f.key == key), None)


def join(items: Sequence[str]) -> str:
    """ "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def cap(text: str) -> str:
    """The text with its first letter upper-cased."""
    return text[:1].upper() + text[1:]

"""What every prose writer shares: the tool result, the turn's context, figures and citation labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from copilot.formatting import format_compact, format_value
from copilot.schemas import Fact, Source, ToolArtifact
from copilot.understanding.reading import QuestionReading


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

    @property
    def sources(self) -> list[Source]:
        return list(self.artifact.sources) if self.artifact is not None and self.error is None else []


@dataclass(frozen=True)
class Context:
    """What a writer knows besides its results: the reading, the analysis date, the names."""

    reading: QuestionReading
    as_of: date | None
    names: dict[str, str]

    def who(self, symbol: str | None) -> str:
        """ "Russell 2000 (^RUT)" when the name is known, else the symbol."""
        return name_of(symbol, self.names)


def show(fact: Fact, signed: bool = False) -> str:
    """The figure as the answer writes it: ``-$1.23``, ``+5.73%``, ``$109.42B`` for large amounts."""
    if fact.unit == "USD" and abs(fact.value) >= 1e9:
        sign = "-" if fact.value < 0 else ""
        return f"{sign}${format_compact(abs(fact.value), 2)}"
    if fact.unit == "USD" and fact.value < 0:
        return "-" + format_value(-fact.value, "USD", fact.precision)
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
    """The source's facts by key (for one symbol when given; the first of a repeated key wins)."""
    found: dict[str, Fact] = {}
    for fact in source.facts:
        if symbol is None or fact.symbol in (symbol, None):
            found.setdefault(fact.key, fact)
    return found


def join(items: Sequence[str]) -> str:
    """ "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def cap(text: str) -> str:
    """The text with its first letter upper-cased."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """One sentence ending in a full stop."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."

"""What the gather steps produced, numbered in the report's one ``SourceLedger``.

Writers read facts through ``Evidence`` by step and key, so every figure they render carries the
[n] of the source it came from; a step that failed is there too, with its reason, so a section can
say what it goes without.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copilot.citations import SourceLedger
from copilot.formatting import format_value
from copilot.research.plan import PlannedStep
from copilot.research.tools import PriceSeries, StepOutput
from copilot.schemas import Fact, Source


@dataclass(frozen=True)
class CitedFact:
    """A fact and the number of the source it belongs to."""

    fact: Fact
    n: int

    @property
    def cite(self) -> str:
        return f"[{self.n}]"

    def show(self, signed: bool = False) -> str:
        """The figure as displayed (``+5.73%`` when signed), so it verifies against its fact."""
        f = self.fact
        if f.unit == "%" and signed:
            return format_value(f.value, "%", f.precision, signed=True)
        if f.unit == "shares":
            return f"{f.display()} shares"
        return f.display()


@dataclass
class StepResult:
    """One gather step's outcome: its output, or the error it ended with, and what it took."""

    step: PlannedStep
    output: StepOutput | None = None
    error: str | None = None
    code: str | None = None
    attempts: int = 1
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.output is not None


@dataclass
class Evidence:
    """The results of the gather steps (by id) and the ledger that numbers their sources."""

    ledger: SourceLedger
    results: dict[str, StepResult] = field(default_factory=dict)

    def add(self, result: StepResult) -> None:
        if result.output is not None:
            self.ledger.add_all(result.output.sources)
        self.results[result.step.id] = result

    def sources(self, step_id: str) -> list[tuple[int, Source]]:
        result = self.results.get(step_id)
        if result is None or result.output is None:
            return []
        return [(self._number(s), s) for s in result.output.sources]

    def source(self, step_id: str) -> tuple[int, Source] | None:
        found = self.sources(step_id)
        return found[0] if found else None

    def fact(self, step_id: str, key: str, symbol: str | None = None) -> CitedFact | None:
        """The first fact with ``key`` (of ``symbol``, when given) among the step's sources."""
        for n, source in self.sources(step_id):
            for fact in source.facts:
                if fact.key == key and (symbol is None or fact.symbol == symbol):
                    return CitedFact(fact, n)
        return None

    def facts(self, step_id: str, key_prefix: str) -> list[CitedFact]:
        """Every fact whose key starts with ``key_prefix``, in the source's order."""
        return [
            CitedFact(f, n) for n, s in self.sources(step_id) for f in s.facts if f.key.startswith(key_prefix)
        ]

    def passages(self, step_id: str) -> list[tuple[int, Source, str]]:
        """Document passages of a search step: number, source and full text."""
        result = self.results.get(step_id)
        if result is None or result.output is None:
            return []
        return [(self._number(p.source), p.source, p.content) for p in result.output.passages]

    def series(self, step_id: str) -> PriceSeries | None:
        result = self.results.get(step_id)
        return result.output.series if result is not None and result.output is not None else None

    def failure(self, step_id: str) -> str | None:
        """Why a step has no result: its error, or None when it succeeded (or never ran)."""
        result = self.results.get(step_id)
        return result.error if result is not None and not result.ok else None

    def _number(self, source: Source) -> int:
        n = self.ledger.number_of(source)
        return n if n is not None else self.ledger.add(source)

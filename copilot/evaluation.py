"""The evaluation runner: questions with expected figures through any chat runner, scored.

A case file is JSONL, one case a line::

    {"id": "rut-ytd", "question": "How did small caps do this year?", "as_of": "2026-01-09",
     "expected": [{"symbol": "^RUT", "key": "return_ytd", "value": 5.7339, "tolerance": 0.01, "unit": "%"}],
     "conversation": ["an earlier question, asked first in the same conversation"]}

The runner is any ``run(question, conversation_id, as_of) -> AsyncIterator[event]`` (``ChatService.run_turn``
fits); events are objects with a ``type``: ``sources``, ``verification``, ``done`` (``answer``,
``conversation_id``, ``sources``) or ``error`` (``message``).

Scores per case and overall:
- figure accuracy: expected figures found among the answer's *verified* figures. The answer is
  re-verified here against the sources the events carry; an expected figure is found when a verified
  figure matches its ``key``/``symbol``/``unit`` (those given) and either the fact it was checked
  against or the figure as displayed equals ``value`` within ``tolerance`` (default: the displayed
  precision of the figure, e.g. 0.005 for ``5.73%``).
- citation validity: every [n] in the answer names a source the events carry (over answered cases;
  a case that ended in an error fails on its own).
- verification rate: verified / total figures of the final answer, re-verified here (the summary the
  service reported is kept beside it as ``reported_verification``).
- latency: seconds from the question to the ``done`` event.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field

from copilot.citations import SourceLedger, cited_numbers
from copilot.errors import BadInputError, VerityError
from copilot.schemas import Source
from copilot.verify import FigureCheck, verify_figures

Runner = Callable[[str, str | None, date | None], AsyncIterator[Any]]


class ExpectedFigure(BaseModel):
    """A figure the answer must contain (verified), computed independently of Verity."""

    # a misspelt key must fail loudly: ignored, it would silently loosen or empty the check
    model_config = ConfigDict(extra="forbid")

    value: float
    symbol: str | None = None
    key: str | None = None
    tolerance: float | None = None
    unit: str | None = None


class EvalCase(BaseModel):
    """One question, its analysis date and the figures expected in its answer."""

    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    as_of: date | None = None
    expected: list[ExpectedFigure] = Field(default_factory=list)
    conversation: list[str] = Field(default_factory=list)


class CaseResult(BaseModel):
    """How one case scored."""

    id: str
    question: str
    answer: str = ""
    expected: int = 0
    found: int = 0
    missing: list[ExpectedFigure] = Field(default_factory=list)
    invalid_citations: list[int] = Field(default_factory=list)
    figures_total: int = 0
    figures_verified: int = 0
    reported_verification: str | None = None
    latency_s: float = 0.0
    error: str | None = None
    sources: list[tuple[int, Source]] = Field(default_factory=list, exclude=True)  # what the answer cites
    coverage: dict[str, Any] | None = None  # the coverage the service reported (done event)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def figure_accuracy(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verification_rate(self) -> float:
        return self.figures_verified / self.figures_total if self.figures_total else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def citations_valid(self) -> bool:
        return not self.invalid_citations

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return (
            self.error is None and self.found == self.expected and self.citations_valid and bool(self.answer)
        )


class EvalReport(BaseModel):
    """Every case and the overall scores."""

    cases: list[CaseResult]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def figure_accuracy(self) -> float:
        expected = sum(c.expected for c in self.cases)
        return sum(c.found for c in self.cases) / expected if expected else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def citation_validity(self) -> float:
        answered = [c for c in self.cases if c.error is None]
        return sum(c.citations_valid for c in answered) / len(answered) if answered else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verification_rate(self) -> float:
        total = sum(c.figures_total for c in self.cases)
        return sum(c.figures_verified for c in self.cases) / total if total else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def latency_p50_s(self) -> float:
        return _percentile([c.latency_s for c in self.cases], 0.5)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def latency_p95_s(self) -> float:
        return _percentile([c.latency_s for c in self.cases], 0.95)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)

    def failures(
        self, min_accuracy: float = 0.0, min_verification: float = 0.0, min_citations: float = 0.0
    ) -> list[str]:
        """The thresholds this report fails, as readable lines (empty when it passes)."""
        checks = [
            ("figure accuracy", self.figure_accuracy, min_accuracy),
            ("verification rate", self.verification_rate, min_verification),
            ("citation validity", self.citation_validity, min_citations),
        ]
        return [f"{name} {value:.1%} < {minimum:.1%}" for name, value, minimum in checks if value < minimum]


def load_cases(path: Path) -> list[EvalCase]:
    """Read a JSONL case file; a malformed line raises BadInputError naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadInputError(f"cannot read eval file {path}: {exc.strerror}") from None
    cases: list[EvalCase] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            cases.append(EvalCase.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0] if isinstance(exc, json.JSONDecodeError) else _first_error(exc)
            raise BadInputError(f"{path}:{number}: not a valid eval case ({first})") from None
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BadInputError(f"{path}: duplicate case ids {', '.join(duplicates)}")
    return cases


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


async def run_eval(cases: Sequence[EvalCase], run: Runner, as_of: date | None = None) -> EvalReport:
    """Run every case in order (one at a time, so latencies are not shared) and score it."""
    return EvalReport(cases=[await run_case(case, run, as_of) for case in cases])


async def run_case(case: EvalCase, run: Runner, as_of: date | None = None) -> CaseResult:
    """Ask the case's earlier questions, then its question, in one conversation; score the answer."""
    day = as_of or case.as_of
    result = CaseResult(id=case.id, question=case.question, expected=len(case.expected))
    conversation_id: str | None = None
    for earlier in case.conversation:
        turn = await _collect(run, earlier, conversation_id, day)
        if turn.error:
            result.error = f"earlier question failed: {turn.error}"
            return result
        conversation_id = turn.conversation_id or conversation_id
    turn = await _collect(run, case.question, conversation_id, day)
    result.latency_s = turn.latency_s
    if turn.error is not None or turn.answer is None:
        result.error = turn.error or "the turn ended without a done event"
        return result
    result.answer = turn.answer
    result.sources = turn.sources
    result.coverage = turn.coverage
    known = {n for n, _ in turn.sources}
    result.invalid_citations = sorted({n for n in cited_numbers(turn.answer) if n not in known})
    ledger = SourceLedger.from_items(turn.sources)
    report = verify_figures(turn.answer, ledger, question=case.question)
    result.figures_total, result.figures_verified = report.total, len(report.verified)
    result.reported_verification = turn.verification
    result.missing = [e for e in case.expected if not any(_satisfies(c, e, ledger) for c in report.verified)]
    result.found = result.expected - len(result.missing)
    return result


class _Turn(BaseModel):
    answer: str | None = None
    conversation_id: str | None = None
    sources: list[tuple[int, Source]] = Field(default_factory=list)
    verification: str | None = None  # the summary the service reported
    coverage: dict[str, Any] | None = None
    error: str | None = None
    latency_s: float = 0.0


async def _collect(run: Runner, question: str, conversation_id: str | None, as_of: date | None) -> _Turn:
    turn = _Turn()
    sources: dict[int, Source] = {}
    started = time.perf_counter()
    try:
        async for event in run(question, conversation_id, as_of):
            _record(turn, sources, event, started)
    except VerityError as exc:  # a runner that raises instead of yielding an error event
        turn.error = f"{exc.code}: {exc.message}"
    if turn.answer is None:
        turn.latency_s = time.perf_counter() - started
    turn.sources = sorted(sources.items())
    return turn


def _record(turn: _Turn, sources: dict[int, Source], event: Any, started: float) -> None:
    kind = getattr(event, "type", None)
    if kind in ("sources", "done"):
        sources.update(_numbered(getattr(event, "sources", None) or []))
    if kind == "verification":
        turn.verification = getattr(event, "summary", None)
    elif kind == "error":
        turn.error = f"{getattr(event, 'code', 'error')}: {getattr(event, 'message', '')}"
    elif kind == "done":
        turn.answer = event.answer
        turn.conversation_id = getattr(event, "conversation_id", None)
        coverage = getattr(event, "coverage", None)
        turn.coverage = coverage.model_dump() if isinstance(coverage, BaseModel) else coverage
        turn.latency_s = time.perf_counter() - started


def _numbered(items: Sequence[Any]) -> dict[int, Source]:
    """``CitedSource(n, source)`` objects or ``(n, source)`` pairs as ``{n: source}``."""
    out: dict[int, Source] = {}
    for item in items:
        n, source = item if isinstance(item, tuple) else (item.n, item.source)
        out[int(n)] = source
    return out


def _satisfies(check: FigureCheck, expected: ExpectedFigure, ledger: SourceLedger | None = None) -> bool:
    keyed = expected.key is None or expected.key in _keys(check)
    symboled = expected.symbol is None or expected.symbol in _symbols(check)
    if not (keyed and symboled) and not _tied(check, expected, ledger):
        return False
    if expected.unit is not None and expected.unit not in (check.unit, check.fact_unit):
        return False
    tolerance = expected.tolerance if expected.tolerance is not None else check.tolerance
    candidates = [check.value] + ([check.fact_value] if check.fact_value is not None else [])
    return any(abs(v - expected.value) <= tolerance for v in candidates)


def _tied(check: FigureCheck, expected: ExpectedFigure, ledger: SourceLedger | None) -> bool:
    """The verifier named one fact, but a cited fact of the expected key and symbol has the same value.

    On a new-high day ``day_high`` equals ``high_52w``: the figure verifies against the first one,
    and an expectation about the other must still count as met.
    """
    if ledger is None or check.fact_value is None:
        return False
    for n in check.citations:
        source = ledger.get(n)
        for fact in source.facts if source else ():
            if expected.key is not None and fact.key != expected.key:
                continue
            if expected.symbol is not None and fact.symbol != expected.symbol:
                continue
            if math.isclose(fact.value, check.fact_value, rel_tol=1e-9, abs_tol=1e-12):
                return True
    return False


def _keys(check: FigureCheck) -> set[str | None]:
    return {check.fact_key} | {ref.split(":")[-1].split(" ")[-1] for ref in check.derived_from}


def _symbols(check: FigureCheck) -> set[str | None]:
    derived = {ref.split(" ", 1)[1].split(":")[0] for ref in check.derived_from if ":" in ref}
    return {check.fact_symbol} | derived


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

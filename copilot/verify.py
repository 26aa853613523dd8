"""Check every figure of an answer against the facts of the sources it cites.

A figure (see ``copilot.figures``) is *verified* when a fact of a source its sentence cites equals it
within the figure's displayed precision, after unit conversion (``5.73%`` vs a ``ratio`` fact 0.0573,
``25 bps`` vs 0.25 %, ``24.97 million`` vs 24970000 shares), or when it is *derived* from two facts of
those sources with the same unit: a ratio (``3.9x``, ``four-fold``), a difference (``4.27 percentage
points``), a percent difference (``an 18% discount`` = 18.11/22 - 1) or a sum.

Derivations are limited so that a wrong figure rarely matches some pair by chance: the two facts
must share their key (the same measure of two symbols: ``return_ytd`` of ^RUT and ^GSPC) or their
subject (two measures of one symbol, or two symbol-less figures of one source, e.g. one passage).
A multiple (``x``, ``-fold``, ``times``) may be a ratio and a ``percentage points``/``bps`` figure a
difference; a ``%`` figure is a percent difference or a difference, and an amount a difference, only
when its sentence compares (``discount``, ``premium``, ``above``, ``below``, ``outperformed``,
``gap`` ...); a sum only when the sentence says so (``combined``, ``total``).

Signs: an explicit sign (``+1.46%``, ``-2.02%``) or a direction word (``fell 2.02%``, ``an 18% discount``)
must agree with the fact's sign; an unsigned figure (``Real Estate lost ground, 2.02%``) is compared
with the fact's magnitude. Document facts count like market-data facts.

Not verified: a figure that cites nothing, cites an unknown number, or whose cited sources hold no
matching fact. Figures restated from the question (same value and unit, no citation) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, Field, computed_field

from copilot.citations import SourceLedger
from copilot.figures import Figure, extract_figures
from copilot.schemas import Fact

UNVERIFIED_MARK = " (⚠ unverified)"

# fact units a figure unit can be compared with, and the factor that converts the fact's value
_CONVERSIONS: dict[str, dict[str, float]] = {
    "%": {"%": 1.0, "ratio": 100.0, "bps": 0.01},
    "pp": {"%": 1.0, "ratio": 100.0, "bps": 0.01},
    "bps": {"bps": 1.0, "%": 100.0},
    "x": {"x": 1.0, "ratio": 1.0},
    "USD": {"USD": 1.0, "currency": 1.0},
    "currency": {"currency": 1.0, "USD": 1.0},
    "shares": {"shares": 1.0, "count": 1.0},
    "points": {"points": 1.0, "count": 1.0},
    "count": {"count": 1.0},
}
# which derivations can produce a figure of a unit: (operation, factor applied to the result)
_DERIVATIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "x": (("ratio", 1.0),),
    "%": (("pct_diff", 1.0), ("diff", 1.0)),
    "pp": (("diff", 1.0),),
    "bps": (("diff", 100.0),),
    "USD": (("diff", 1.0), ("sum", 1.0)),
    "currency": (("diff", 1.0), ("sum", 1.0)),
    "shares": (("diff", 1.0), ("sum", 1.0)),
    "points": (("diff", 1.0), ("sum", 1.0)),
    "": (("diff", 1.0), ("sum", 1.0)),
}
_DIFF_UNITS = {"%": ("%",), "pp": ("%",), "bps": ("%", "bps")}  # differences of percentages
_UNIT_IMPLIES = {"x": {"ratio"}, "pp": {"diff"}, "bps": {"diff"}}  # no cue word needed
_COMPARISON_CUE = re.compile(
    r"\b(?:discount|premium|above|below|higher|lower|more|less|outperform\w*|underperform\w*|spread|"
    r"gap|lead|ahead|behind|beat\w*|lag\w*|trail\w*|exceed\w*|upside|downside|difference|distance|"
    r"wider|narrower|cheaper|richer|from\s+(?:its|the))\b",
    re.IGNORECASE,
)
_SUM_CUE = re.compile(r"\b(?:combined|together|total|sum|altogether|in\s+all)\b", re.IGNORECASE)


class FigureCheck(BaseModel):
    """The verdict on one figure of the answer."""

    text: str
    value: float
    unit: str
    sentence: str
    citations: list[int]
    matched_fact: str | None = None  # "[1] ^RUT:return_ytd"
    derived_from: list[str] = Field(default_factory=list)
    formula: str | None = None  # "5.73 / 1.46 = 3.92" for a derived figure
    reason: str = ""
    start: int = 0
    end: int = 0
    tolerance: float = 0.0  # from the figure's displayed precision, in its unit
    fact_key: str | None = None
    fact_symbol: str | None = None
    fact_unit: str | None = None
    fact_value: float | None = None  # the matched fact's value, or the derived value

    @property
    def verified(self) -> bool:
        return self.matched_fact is not None or bool(self.derived_from)


class VerificationReport(BaseModel):
    """Verified and unverified figures of one answer."""

    total: int
    verified: list[FigureCheck] = Field(default_factory=list)
    unverified: list[FigureCheck] = Field(default_factory=list)
    skipped: list[FigureCheck] = Field(default_factory=list)  # restated from the question

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        return f"{len(self.verified)}/{self.total} verified"

    @property
    def ok(self) -> bool:
        return not self.unverified

    @property
    def rate(self) -> float:
        return len(self.verified) / self.total if self.total else 1.0


class _Pool:
    """The facts of one set of cited sources, with their derived values precomputed per unit."""

    def __init__(self, facts: list[tuple[int, Fact]]) -> None:
        self.facts = facts
        self.refs = [_ref(n, f) for n, f in facts]
        self.values = np.array([f.value for _, f in facts], dtype=float)
        # pairs worth deriving from: the same measure of two symbols (same key, both with a symbol) or
        # two measures of one subject (a symbol, or one source's symbol-less figures such as a passage's)
        measures = [f.key if f.symbol else f"#{i}" for i, (_, f) in enumerate(facts)]
        keys = {k: i for i, k in enumerate(dict.fromkeys(measures))}
        subjects = {s: i for i, s in enumerate(dict.fromkeys(f.symbol or f"#{n}" for n, f in facts))}
        self.key_ids = np.array([keys[m] for m in measures], dtype=int)
        self.subject_ids = np.array([subjects[f.symbol or f"#{n}"] for n, f in facts], dtype=int)
        self._direct: dict[str, np.ndarray] = {}
        self._derived: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def direct(self, unit: str) -> np.ndarray:
        """Every fact's value converted to ``unit`` (NaN where the units cannot be compared)."""
        if unit not in self._direct:
            conversions = _CONVERSIONS.get(unit)
            factors = [1.0 if conversions is None else conversions.get(f.unit, np.nan) for _, f in self.facts]
            self._direct[unit] = self.values * np.array(factors, dtype=float)
        return self._direct[unit]

    def derived(self, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(values, index a, index b, op) of every derivation that yields a figure of ``unit``."""
        if unit not in self._derived:
            self._derived[unit] = self._build(unit)
        return self._derived[unit]

    def _build(self, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        values: list[np.ndarray] = []
        index_a: list[np.ndarray] = []
        index_b: list[np.ndarray] = []
        ops: list[str] = []
        for op, factor in _DERIVATIONS.get(unit, ()):
            for fact_unit in _operand_units(unit, op, self.facts):
                idx = np.array([i for i, (_, f) in enumerate(self.facts) if f.unit == fact_unit], dtype=int)
                if len(idx) < 2:
                    continue
                v = np.array([self.facts[i][1].value for i in idx])
                a, b = np.meshgrid(np.arange(len(idx)), np.arange(len(idx)), indexing="ij")
                same_key = self.key_ids[idx][a] == self.key_ids[idx][b]
                same_subject = self.subject_ids[idx][a] == self.subject_ids[idx][b]
                keep = (a != b) & (same_key | same_subject)
                va, vb = v[a[keep]], v[b[keep]]
                with np.errstate(divide="ignore", invalid="ignore"):
                    if op == "ratio":
                        result = va / vb
                    elif op == "pct_diff":
                        result = (va / vb - 1.0) * 100.0
                    elif op == "diff":
                        result = va - vb
                    else:
                        result = va + vb
                values.append(result * factor)
                index_a.append(idx[a[keep]])
                index_b.append(idx[b[keep]])
                ops.extend([op] * len(result))
        if not values:
            empty = np.array([], dtype=float)
            return empty, empty.astype(int), empty.astype(int), np.array([], dtype=str)
        return np.concatenate(values), np.concatenate(index_a), np.concatenate(index_b), np.array(ops)


def _operand_units(unit: str, op: str, facts: list[tuple[int, Fact]]) -> Iterable[str]:
    if op == "diff" and unit in _DIFF_UNITS:
        return _DIFF_UNITS[unit]
    if op == "diff" or op == "sum":
        return tuple(_CONVERSIONS.get(unit, {}).keys()) or sorted({f.unit for _, f in facts})
    return sorted({f.unit for _, f in facts})  # ratios and percent differences of any like pair


def verify_figures(answer: str, ledger: SourceLedger, question: str | None = None) -> VerificationReport:
    """Match every figure of ``answer`` to a fact (or two) of the sources its sentence cites."""
    restated = {(round(f.value, 6), f.unit) for f in extract_figures(question)} if question else set()
    pools: dict[tuple[int, ...], _Pool] = {}
    report = VerificationReport(total=0)
    for figure in extract_figures(answer):
        if not figure.citations and (round(figure.value, 6), figure.unit) in restated:
            report.skipped.append(_check(figure, reason="restated from the question"))
            continue
        check = _verify_one(figure, ledger, pools)
        (report.verified if check.verified else report.unverified).append(check)
    report.total = len(report.verified) + len(report.unverified)
    return report


def _verify_one(figure: Figure, ledger: SourceLedger, pools: dict[tuple[int, ...], _Pool]) -> FigureCheck:
    if not figure.citations:
        return _check(figure, reason="cites no source")
    unknown = [n for n in figure.citations if ledger.get(n) is None]
    known = tuple(n for n in figure.citations if n not in unknown)
    if not known:
        return _check(figure, reason=f"cites unknown source {_labels(unknown)}")
    pool = pools.get(known)
    if pool is None:
        pool = pools[known] = _Pool([(n, f) for n in known for f in ledger.get(n).facts])  # type: ignore[union-attr]
    direct = _direct_match(figure, pool)
    if direct is not None:
        n, fact = pool.facts[direct]
        contradiction = _contradicted(ledger.get(n), fact)
        if contradiction is not None:  # a passage's price that the market data of its day refutes
            return _check(figure, reason=contradiction)
        return _check(
            figure,
            matched_fact=pool.refs[direct],
            reason=f"matches {pool.refs[direct]} = {fact.value:g}",
            fact_key=fact.key,
            fact_symbol=fact.symbol,
            fact_unit=fact.unit,
            fact_value=fact.value,
        )
    derived = _derived_match(figure, pool)
    if derived is not None:
        return derived
    return _check(figure, reason=_mismatch_reason(figure, pool, known))


def _contradicted(source: object, fact: Fact) -> str | None:
    """The market-data verdict on a stock price a passage states, when it refutes this fact."""
    details = getattr(source, "details", None) or {}
    for check in details.get("price_check", []) or []:
        claimed = check.get("claimed")
        refuted = check.get("verdict") == "contradicted" and isinstance(claimed, int | float)
        if refuted and abs(float(claimed) - abs(fact.value)) <= 1e-6 * max(1.0, abs(fact.value)):
            return str(check.get("message") or "contradicted by market data")
    return None


def _mismatch_reason(figure: Figure, pool: _Pool, known: tuple[int, ...]) -> str:
    """Say why nothing matched: a sign that disagrees is worth naming."""
    for ref, (_, fact) in zip(pool.refs, pool.facts, strict=True):
        factor = _CONVERSIONS.get(figure.unit, {}).get(fact.unit, 1.0)
        if abs(abs(fact.value * factor) - abs(figure.value)) <= figure.tolerance:
            return f"sign disagrees with {ref} = {fact.value:g}"
    return f"no fact of {_labels(list(known))} matches {figure.text}"


def _direct_match(figure: Figure, pool: _Pool) -> int | None:
    if not pool.facts:
        return None
    errors = _errors(figure, pool.direct(figure.unit))
    best = int(np.argmin(errors))
    return best if errors[best] <= figure.tolerance else None


def _derived_match(figure: Figure, pool: _Pool) -> FigureCheck | None:
    values, index_a, index_b, ops = pool.derived(figure.unit)
    allowed = _allowed_operations(figure)
    if not len(values) or not allowed:
        return None
    errors = np.where(np.isin(ops, list(allowed)), _errors(figure, values), np.inf)
    best = int(np.argmin(errors))
    if not errors[best] <= figure.tolerance:
        return None
    a, b = pool.facts[index_a[best]][1], pool.facts[index_b[best]][1]
    ref_a, ref_b = pool.refs[index_a[best]], pool.refs[index_b[best]]
    symbol = {"ratio": "/", "pct_diff": "/", "diff": "-", "sum": "+"}[ops[best]]
    formula = f"{a.value:g} {symbol} {b.value:g}" + (" - 1" if ops[best] == "pct_diff" else "")
    formula += f" = {values[best]:.4g}"
    return _check(
        figure,
        derived_from=[ref_a, ref_b],
        formula=formula,
        reason=f"derived ({ops[best]}): {formula}",
        fact_value=float(values[best]),
    )


def _allowed_operations(figure: Figure) -> set[str]:
    """The derivations the figure's unit and sentence make plausible (see the module docstring)."""
    allowed = set(_UNIT_IMPLIES.get(figure.unit, ()))
    if figure.unit not in _UNIT_IMPLIES and _COMPARISON_CUE.search(figure.sentence):
        allowed |= {"pct_diff", "diff"} if figure.unit == "%" else {"diff"}
    if figure.unit not in ("%", *_UNIT_IMPLIES) and _SUM_CUE.search(figure.sentence):
        allowed.add("sum")
    return allowed


def _target(figure: Figure) -> tuple[float, bool]:
    """The value to compare and whether its sign matters."""
    if figure.sign is not None:
        return figure.value, True
    if figure.direction is not None:
        return figure.direction * abs(figure.value), True
    return abs(figure.value), False


def _error(figure: Figure, candidate: float) -> float:
    target, signed = _target(figure)
    return abs((candidate if signed else abs(candidate)) - target)


def _errors(figure: Figure, candidates: np.ndarray) -> np.ndarray:
    target, signed = _target(figure)
    errors = np.abs((candidates if signed else np.abs(candidates)) - target)
    return np.where(np.isfinite(errors), errors, np.inf)


def _check(figure: Figure, **fields: object) -> FigureCheck:
    return FigureCheck(
        text=figure.text,
        value=figure.value,
        unit=figure.unit,
        sentence=figure.sentence,
        citations=list(figure.citations),
        start=figure.start,
        end=figure.end,
        tolerance=figure.tolerance,
        **fields,
    )


def _ref(n: int, fact: Fact) -> str:
    return f"[{n}] {fact.symbol}:{fact.key}" if fact.symbol else f"[{n}] {fact.key}"


def _labels(numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def annotate_unverified(answer: str, report: VerificationReport) -> str:
    """The answer with ``UNVERIFIED_MARK`` right after each unverified figure (idempotent)."""
    pieces: list[str] = []
    cursor = 0
    for check in sorted(report.unverified, key=lambda c: c.start):
        end = check.end
        while end > check.start and answer[end - 1].isspace():
            end -= 1  # the figure's span may include a trailing space before a unit word
        if answer[end : end + len(UNVERIFIED_MARK)] == UNVERIFIED_MARK or end < cursor:
            continue
        pieces.append(answer[cursor:end] + UNVERIFIED_MARK)
        cursor = end
    pieces.append(answer[cursor:])
    return "".join(pieces)


def repair_prompt(report: VerificationReport, ledger: SourceLedger | None = None) -> str:
    """The message for the one repair round: each unverified figure, why, and the facts available."""
    lines = [
        "Some figures in your answer could not be verified against the sources they cite.",
        "Rewrite the answer. For each figure below, either replace it with the exact value of a fact",
        "from a cited source (keep or fix its [n] citation) or remove the claim. Do not add new figures,",
        "do not compute new numbers yourself; keep everything else unchanged.",
        "",
    ]
    for check in report.unverified:
        lines.append(f'- "{check.text}" in: "{check.sentence}" ({check.reason})')
    if ledger is not None and len(ledger):
        lines += ["", "Facts available, by source:"]
        for n, source in ledger.items():
            shown = "; ".join(f"{f.label} {f.display()}" for f in source.facts[:30])
            lines.append(f"[{n}] {source.title}: {shown or 'no figures'}")
    return "\n".join(lines)

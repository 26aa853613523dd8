"""The research report and its parts, as plain JSON-serialisable models.

A ``ResearchReport`` is complete in itself: its sections (Markdown with [n] citations), the cited
sources numbered by first appearance (with every fact), each figure's verification, the related
stocks' quotes, the chart series, the steps with their time, tokens and cost, and the plan.
``ResearchReport.from_json`` rebuilds it from ``to_json`` (the job store and the JSON export).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from copilot.citations import SourceLedger
from copilot.events import CitedSource
from copilot.research.plan import ResearchPlan
from copilot.verify import FigureCheck

REPORT_FORMAT = "verity-research"
REPORT_VERSION = 1


class FigureVerdict(BaseModel):
    """One figure of a section and its check against the cited sources (report numbering)."""

    text: str
    value: float
    unit: str
    sentence: str
    citations: list[int] = Field(default_factory=list)
    verified: bool
    matched_fact: str | None = None  # "[1] ^RUT:price_return_ytd"
    derived_from: list[str] = Field(default_factory=list)
    formula: str | None = None
    reason: str = ""

    @classmethod
    def from_check(cls, check: FigureCheck) -> FigureVerdict:
        return cls(
            text=check.text,
            value=check.value,
            unit=check.unit,
            sentence=check.sentence,
            citations=check.citations,
            verified=check.verified,
            matched_fact=check.matched_fact,
            derived_from=check.derived_from,
            formula=check.formula,
            reason=check.reason,
        )


class SectionVerification(BaseModel):
    """Every figure of one section with its verdict; ``summary`` reads "claims verified X/Y"."""

    figures: list[FigureVerdict] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return len(self.figures)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> int:
        return sum(1 for f in self.figures if f.verified)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        return f"claims verified {self.verified}/{self.total}"


class ReportSection(BaseModel):
    """A finished section: its Markdown body, the verification of its figures and what it lacks."""

    key: str
    title: str
    body: str
    verification: SectionVerification = Field(default_factory=SectionVerification)
    notes: list[str] = Field(default_factory=list)  # steps it had to go without, and why
    repaired: bool = False  # the model rewrote it once after a failed check
    dropped: list[str] = Field(default_factory=list)  # sentences removed: a figure did not verify
    writer: str = "deterministic"  # "deterministic" or the model's name


class RelatedQuote(BaseModel):
    """A symbol the report is about, with its quote as of the report's date."""

    symbol: str
    name: str
    unit: str  # USD for a price, points for an index level
    last: float
    change: float | None = None
    change_pct: float | None = None
    as_of: date | None = None
    provider: str = ""


class ChartPoint(BaseModel):
    x: str  # a date (YYYY-MM-DD) or a category label
    y: float


class ChartSeries(BaseModel):
    name: str
    points: list[ChartPoint]
    symbol: str | None = None


class Chart(BaseModel):
    """Chart data as plain series: lines over dates or bars over categories."""

    key: str  # price, relative, sectors
    kind: Literal["line", "bar"]
    title: str
    unit: str
    series: list[ChartSeries]
    sources: list[int] = Field(default_factory=list)  # the cited sources whose figures it shows
    note: str = ""


class StepRecord(BaseModel):
    """What one step of the run took: time, attempts, tokens and cost, and how it ended."""

    name: str
    kind: Literal["plan", "gather", "write", "assemble"]
    status: Literal["done", "failed", "skipped"]
    seconds: float = 0.0
    attempts: int = 1
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    error: str | None = None


class Usage(BaseModel):
    """Tokens and cost of the model calls of a report; ``note`` says when a price is unknown."""

    model: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    currency: str = "USD"
    priced: bool = True
    note: str = ""


class ReportTotals(BaseModel):
    total: int
    verified: int
    summary: str


class ResearchReport(BaseModel):
    """A finished (or partial) research note; see the module docstring."""

    format: Literal["verity-research"] = "verity-research"
    version: int = REPORT_VERSION
    id: str
    topic: str
    title: str
    as_of: date
    created_at: datetime
    owner: str | None = None
    model: str
    mode: str  # "offline research" or the model's name
    status: Literal["complete", "partial"] = "complete"
    sections: list[ReportSection] = Field(default_factory=list)
    sources: list[CitedSource] = Field(default_factory=list)
    related: list[RelatedQuote] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    disclaimer: str = ""
    steps: list[StepRecord] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    plan: ResearchPlan | None = None
    notes: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verification(self) -> ReportTotals:
        total = sum(s.verification.total for s in self.sections)
        verified = sum(s.verification.verified for s in self.sections)
        return ReportTotals(total=total, verified=verified, summary=f"claims verified {verified}/{total}")

    def section(self, key: str) -> ReportSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def ledger(self) -> SourceLedger:
        """The report's sources under their numbers (to verify text that cites the report)."""
        return SourceLedger.from_items([(c.n, c.source) for c in self.sources])

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, payload: str | bytes) -> ResearchReport:
        """The report a ``to_json`` (or the JSON export's ``report``) wrote."""
        return cls.model_validate_json(payload)

"""The typed events of one research run: the one stream the CLI, a job store and the web consume.

A run yields ``started``, then ``step`` events (plan, each gather step, each section, assembly:
``started``/``done``, a ``retried`` before a second attempt, ``failed`` when a step is given up),
a ``section`` event as each section is finished and verified, and ends with ``done`` (the full
report) or ``failed`` (the error and the partial report). Every event is JSON-serialisable and
``parse_research_event`` reads one back, so a job store can persist and replay the stream.

Citation numbers in ``section`` events are the run's ledger numbers; the ``done`` report numbers
its sources by first appearance, so its sections are authoritative (``section`` events are a
preview, as chat tokens are).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from copilot.research.report import ReportSection, ResearchReport

StepKind = Literal["plan", "gather", "write", "assemble"]
StepStatus = Literal["started", "done", "failed", "retried"]


class ResearchStartedEvent(BaseModel):
    type: Literal["started"] = "started"
    report_id: str
    topic: str
    as_of: date
    model: str
    mode: str


class ResearchStepEvent(BaseModel):
    """Progress of one step; ``percent`` is the share of the run's steps finished (0-100)."""

    type: Literal["step"] = "step"
    name: str  # "plan", "gather:perf_ytd", "write:technicals", "assemble"
    kind: StepKind
    status: StepStatus
    percent: int = Field(ge=0, le=100)
    seconds: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    attempt: int = 1
    error: str | None = None
    detail: str = ""  # what the step does, for progress displays


class ResearchSectionEvent(BaseModel):
    type: Literal["section"] = "section"
    section: ReportSection
    percent: int = Field(ge=0, le=100)


class ResearchDoneEvent(BaseModel):
    type: Literal["done"] = "done"
    report: ResearchReport


class ResearchFailedEvent(BaseModel):
    """The run stopped: the typed error's code and message, and whatever was finished."""

    type: Literal["failed"] = "failed"
    code: str
    message: str
    report: ResearchReport | None = None


ResearchEvent = Annotated[
    ResearchStartedEvent | ResearchStepEvent | ResearchSectionEvent | ResearchDoneEvent | ResearchFailedEvent,
    Field(discriminator="type"),
]

research_event_adapter: TypeAdapter[ResearchEvent] = TypeAdapter(ResearchEvent)


def parse_research_event(payload: dict[str, Any] | str | bytes) -> ResearchEvent:
    """An event from its JSON form (a dict, or a string as ``event.model_dump_json()`` wrote it)."""
    if isinstance(payload, str | bytes):
        return research_event_adapter.validate_json(payload)
    return research_event_adapter.validate_python(payload)

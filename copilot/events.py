"""The typed events of one chat turn: the one stream the CLI, SSE and OpenAI-style chunks consume.

A turn yields, in order: ``status`` (phases; ``started`` names the conversation and, on the web,
the run), ``tool_call``/``tool_result`` (per tool), ``token`` (answer text as it streams), then
``sources`` (only the cited ones), ``verification`` and ``done``; or an ``error`` that ends the turn.
``done.answer`` is authoritative: streamed tokens are a preview (a repair round restarts them with
``attempt=2``; citations are cleaned and unverified figures annotated after streaming).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from copilot.coverage import Coverage
from copilot.schemas import Source

Phase = Literal["started", "verifying", "repairing"]  # turn began; checking figures; one repair round


class CitedSource(BaseModel):
    """A source with the [n] number the answer cites it by."""

    n: int
    source: Source


class StatusEvent(BaseModel):
    type: Literal["status"] = "status"
    phase: Phase
    message: str
    conversation_id: str | None = None
    run_id: str | None = None  # on ``started`` of a web run: where to reconnect


class ToolCallEvent(BaseModel):
    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultEvent(BaseModel):
    type: Literal["tool_result"] = "tool_result"
    id: str
    name: str
    ok: bool
    content: str  # what the model read
    sources: list[CitedSource] = Field(default_factory=list)
    error: str | None = None


class TokenEvent(BaseModel):
    type: Literal["token"] = "token"
    text: str
    attempt: int = 1  # 2 = the repair round: clients restart the preview


class SourcesEvent(BaseModel):
    type: Literal["sources"] = "sources"
    sources: list[CitedSource]


class FigureResult(BaseModel):
    """One figure the verifier checked, as clients show it."""

    text: str
    sentence: str
    citations: list[int] = Field(default_factory=list)
    matched_fact: str | None = None  # "[1] ^RUT:price_return_ytd"
    derived_from: list[str] = Field(default_factory=list)  # the cited facts a derived figure comes from
    formula: str | None = None  # how a derived figure follows from them, e.g. "5.73 / 1.76 = 3.26"
    reason: str = ""  # why it could not be verified


class VerificationEvent(BaseModel):
    type: Literal["verification"] = "verification"
    summary: str  # e.g. "12/12 verified"
    total: int
    verified: int
    unverified: list[FigureResult] = Field(default_factory=list)
    verified_figures: list[FigureResult] = Field(default_factory=list)  # what each verified one matched
    removed_citations: list[int] = Field(default_factory=list)
    repaired: bool = False  # a repair round ran
    coverage: Coverage | None = None  # which parts of the question the answer covers


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    code: str
    message: str
    conversation_id: str | None = None


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    answer: str
    conversation_id: str
    mode: str  # "offline" or the model's name
    as_of: date | None = None
    verification: str  # the summary, e.g. "12/12 verified"
    sources: list[CitedSource] = Field(default_factory=list)
    turn_id: int | None = None  # the stored turn (feedback goes to it)
    model: str | None = None  # the model name the request picked (verity, verity-offline)
    coverage: Coverage | None = None  # e.g. "covers 2 of 3: no figure for the Nasdaq YTD return"


ChatEvent = Annotated[
    StatusEvent
    | ToolCallEvent
    | ToolResultEvent
    | TokenEvent
    | SourcesEvent
    | VerificationEvent
    | ErrorEvent
    | DoneEvent,
    Field(discriminator="type"),
]

chat_event_adapter: TypeAdapter[ChatEvent] = TypeAdapter(ChatEvent)


def parse_event(payload: dict[str, Any] | str) -> ChatEvent:
    """An event from its JSON form (a dict or a string), e.g. read back from SSE."""
    if isinstance(payload, str):
        return chat_event_adapter.validate_json(payload)
    return chat_event_adapter.validate_python(payload)

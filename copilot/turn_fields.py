"""What one part of a turn tells another, as fields on the messages rather than text to re-parse.

The agent's system message carries the analysis date, and the verifier's repair request carries
its figures and uncovered parts, both as ``additional_kwargs`` (which OpenAI-compatible clients do
not send: the model reads the text, the offline analyst reads the fields). Writer and reader of
each field live here, side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

AS_OF_FIELD = "verity_as_of"
REPAIR_FIELD = "verity_repair"


def dated_system_message(base: str, as_of: date | None) -> SystemMessage:
    """The system prompt with the turn's analysis date, in words for a model and as a field."""
    if as_of is None:
        dated = "Analysis date: the latest available data (each source states its as-of date)."
    else:
        day = as_of.isoformat()
        dated = f"Analysis date: {day}. Data after {day} does not exist for this answer."
    field = as_of.isoformat() if as_of else None
    return SystemMessage(content=f"{base}\n\n{dated}", additional_kwargs={AS_OF_FIELD: field})


def analysis_date_of(messages: Sequence[BaseMessage]) -> date | None:
    """The analysis date the system message carries (None: the latest data)."""
    for message in messages:
        if isinstance(message, SystemMessage) and AS_OF_FIELD in message.additional_kwargs:
            value = message.additional_kwargs[AS_OF_FIELD]
            return date.fromisoformat(value) if value else None
    return None


class FlaggedFigure(BaseModel):
    """A figure the verifier could not match, in the sentence that holds it."""

    figure: str
    sentence: str
    reason: str


class RepairRequest(BaseModel):
    """What the one repair round must fix: unverified figures and parts of the question not covered."""

    figures: list[FlaggedFigure] = Field(default_factory=list)
    uncovered: list[str] = Field(default_factory=list)


def repair_message(text: str, request: RepairRequest) -> HumanMessage:
    """The repair request as a message: ``text`` for a model, the request itself as a field."""
    return HumanMessage(content=text, additional_kwargs={REPAIR_FIELD: request.model_dump()})


def repair_of(message: BaseMessage) -> RepairRequest | None:
    """The repair request a human-role message carries, or None for a question."""
    payload: Any = message.additional_kwargs.get(REPAIR_FIELD)
    return RepairRequest.model_validate(payload) if payload is not None else None

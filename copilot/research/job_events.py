"""The event stream of a research job: the pipeline's events plus ``job`` events for its lifecycle.

A job's stream is numbered from 1 across all its runs (the SSE ``id``): ``job`` (queued, running,
or queued again after its worker stopped: the report is written again from the start), then the
pipeline's ``started``, ``step``, ``section`` events, and it ends with ``done`` (the report) or
``failed`` (the error and the partial report; code ``cancelled`` for a cancelled job). The terminal
state is stored in the same transaction as the last event, so a reader that sees it has everything.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from copilot.storage.runs import StoredEvent

JobStatus = Literal["queued", "running"]
TERMINAL_TYPES = ("done", "failed")


class JobEvent(BaseModel):
    """A change in the job's life: ``queued`` (ordered, or resumed after an interruption), ``running``."""

    type: Literal["job"] = "job"
    status: JobStatus
    attempt: int = 0  # the run this starts (1 for the first), 0 while queued
    message: str = ""


def stored(seq: int, event: BaseModel) -> StoredEvent:
    """An event (a pipeline event or a ``JobEvent``) as the store keeps it."""
    kind = getattr(event, "type", None)
    if not isinstance(kind, str):
        raise TypeError(f"{type(event).__name__} has no event type")
    return StoredEvent(seq, kind, event.model_dump_json())

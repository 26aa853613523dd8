"""Native chat: ``POST /api/chat`` streams a run's typed events as SSE; runs can be replayed and cancelled.

The first event (``status``/``started``) names the conversation and the run. The run goes on when
the client drops; ``GET /api/chat/runs/{id}/events`` with ``Last-Event-ID`` (or ``?after=``)
replays what was missed and continues live; ``POST /api/chat/runs/{id}/cancel`` stops it.
An anonymous visitor without a session gets one (cookie) on their first chat. With ``note_id`` (a
published research note, or the caller's own report) the note's sections are sources the answer may
cite (``copilot.open_documents``): the chat under a note page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from copilot.errors import BadInputError, NotFoundError
from copilot.open_documents import OpenDocument
from copilot.services import Services
from copilot.storage.runs import StoredEvent
from web.deps import (
    AccountsDep,
    AnyCaller,
    LimiterDep,
    OptionalCaller,
    RunsDep,
    ServicesDep,
    SettingsDep,
    charge_turn,
    set_session_cookies,
)
from web.streaming import sse_frame

router = APIRouter(prefix="/api", tags=["chat"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(description="the question", max_length=100_000)
    conversation_id: str | None = Field(default=None, max_length=64)
    as_of: date | None = Field(default=None, description="analysis date YYYY-MM-DD")
    model: str | None = Field(default=None, max_length=100, description="verity (default) or verity-offline")
    note_id: str | None = Field(
        default=None,
        max_length=64,
        description="a research note open beside the chat: its sections are citable",
    )


class RunOut(BaseModel):
    id: str
    conversation_id: str
    status: str
    model: str
    last_seq: int


class ModelOut(BaseModel):
    id: str
    description: str
    offline: bool


async def _frames(batches: AsyncIterator[list[StoredEvent]]) -> AsyncIterator[bytes]:
    async for batch in batches:
        yield b"".join(sse_frame(e.seq, e.type, e.data) for e in batch)


@router.post(
    "/chat",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the run's events as SSE"}},
)
async def chat(
    body: ChatRequest,
    request: Request,
    caller: OptionalCaller,
    accounts: AccountsDep,
    runs: RunsDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    services: ServicesDep,
) -> StreamingResponse:
    """Start a chat turn and stream its events (``event:`` type, ``id:`` sequence number); with a
    ``note_id``, the answer may cite that research note's sections."""
    session = None
    if caller is None:  # an anonymous visitor's first chat opens their session
        session = await accounts.open_session(None)
        caller = session.caller
    await charge_turn(request, limiter, settings, caller)
    context = await _note(services, body.note_id, caller.owner) if body.note_id else []
    info = await runs.start(
        caller.owner, body.message, body.conversation_id, body.as_of, body.model, context=context
    )
    response = StreamingResponse(
        _frames(runs.batches(info.id, caller.owner)),
        media_type="text/event-stream",
        headers={**SSE_HEADERS, "X-Run-Id": info.id, "X-Conversation-Id": info.conversation_id},
    )
    if session is not None:
        set_session_cookies(request, response, session, settings)
    return response


async def _note(services: Services, note_id: str, viewer: str) -> list[OpenDocument]:
    """The sections of a note the caller may read (published, or their own) as citable documents."""
    from copilot.research.note_context import note_documents

    if services.research is None:
        raise NotFoundError(f"no research note {note_id!r}")
    report, status = await services.research.report(note_id, viewer)
    if status != "complete":
        raise NotFoundError(f"no finished research note {note_id!r}")
    return note_documents(report)


def _cursor(last_event_id: str | None, after: int | None) -> int:
    if after is not None:
        return after
    if not last_event_id:
        return 0
    try:
        value = int(last_event_id)
    except ValueError:
        raise BadInputError(f"Last-Event-ID must be an event number, not {last_event_id!r}") from None
    if value < 0:
        raise BadInputError("Last-Event-ID must not be negative")
    return value


@router.get(
    "/chat/runs/{run_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "replayed, then live events"}},
)
async def run_events(
    run_id: str,
    caller: AnyCaller,
    runs: RunsDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(ge=0, description="replay events numbered above this")] = None,
) -> StreamingResponse:
    """Replay the run's events after the cursor, then follow it live until it ends."""
    cursor = _cursor(last_event_id, after)
    await runs.get(run_id, caller.owner)  # 404 before the stream starts
    return StreamingResponse(
        _frames(runs.batches(run_id, caller.owner, after=cursor)),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@router.get("/chat/runs/{run_id}")
async def run_status(run_id: str, caller: AnyCaller, runs: RunsDep) -> RunOut:
    """Where a run stands: running, done, failed or cancelled, and its last event number."""
    return _run_out(await runs.get(run_id, caller.owner))


@router.post("/chat/runs/{run_id}/cancel")
async def cancel_run(run_id: str, caller: AnyCaller, runs: RunsDep) -> RunOut:
    """Stop a running turn (nothing is stored for it unless its answer was already stored)."""
    return _run_out(await runs.cancel(run_id, caller.owner))


@router.get("/models")
async def models(services: ServicesDep) -> list[ModelOut]:
    """The models a request may pick."""
    return [
        ModelOut(id=m.id, description=m.description, offline=m.offline) for m in services.models.describe()
    ]


def _run_out(info: object) -> RunOut:
    return RunOut.model_validate(info, from_attributes=True)

"""``/api/conversations``: the caller's conversations — list (paginated, text search), read, rename,
delete, share as a revocable read-only link, and feedback on a turn. ``/api/shared/{token}`` reads a
shared conversation without logging in. Someone else's conversation is a 404, like an unknown one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from copilot.conversations import Conversation, ConversationSummary, Turn
from web.deps import AnyCaller, StoreDep

router = APIRouter(prefix="/api", tags=["conversations"])


class Rename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=1000)


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(description="1 thumbs up, -1 thumbs down")
    comment: str = Field(default="", max_length=10_000)


class ShareOut(BaseModel):
    token: str
    url: str
    created_at: datetime


class ConversationOut(BaseModel):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    turns: list[Turn]


def _out(conversation: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conversation.id,
        title=conversation.title,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        turns=conversation.turns,
    )


@router.get("/conversations")
async def list_conversations(
    caller: AnyCaller,
    store: StoreDep,
    q: Annotated[
        str | None, Query(max_length=200, description="words in titles, questions or answers")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ConversationSummary]:
    """The caller's conversations, most recently updated first."""
    return await store.list(caller.owner, q, limit, offset)


@router.get("/conversations/{conversation_id}")
async def read_conversation(conversation_id: str, caller: AnyCaller, store: StoreDep) -> ConversationOut:
    """One of the caller's conversations with every turn (answer, sources, verification)."""
    return _out(await store.get(conversation_id, caller.owner))


@router.patch("/conversations/{conversation_id}")
async def rename_conversation(
    conversation_id: str, body: Rename, caller: AnyCaller, store: StoreDep
) -> ConversationSummary:
    """Give a conversation a new title."""
    return await store.rename(conversation_id, caller.owner, body.title)


@router.delete("/conversations/{conversation_id}", status_code=204)
async def delete_conversation(conversation_id: str, caller: AnyCaller, store: StoreDep) -> Response:
    """Delete a conversation with its turns, feedback and share links."""
    await store.delete(conversation_id, caller.owner)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/share", status_code=201)
async def share_conversation(conversation_id: str, caller: AnyCaller, store: StoreDep) -> ShareOut:
    """A read-only link to the conversation (revocable)."""
    token, created = await store.share(conversation_id, caller.owner)
    return ShareOut(token=token, url=f"/api/shared/{token}", created_at=created)


@router.delete("/shares/{token}", status_code=204)
async def revoke_share(token: str, caller: AnyCaller, store: StoreDep) -> Response:
    """Revoke a share link: it stops working at once."""
    await store.revoke_share(token, caller.owner)
    return Response(status_code=204)


@router.get("/shared/{token}")
async def read_shared(token: str, store: StoreDep) -> ConversationOut:
    """A shared conversation, read-only, for anyone with the link."""
    return _out(await store.shared(token))


@router.post("/conversations/{conversation_id}/turns/{turn_id}/feedback", status_code=204)
async def turn_feedback(
    conversation_id: str, turn_id: int, body: Feedback, caller: AnyCaller, store: StoreDep
) -> Response:
    """Thumbs up or down on an answer, with an optional comment (the last one counts)."""
    await store.feedback(conversation_id, turn_id, caller.owner, body.rating, body.comment)
    return Response(status_code=204)

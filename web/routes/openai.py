"""The OpenAI-compatible API: ``POST /v1/chat/completions`` (streaming and not) and ``GET /v1/models``.

Works with the official ``openai`` client unchanged (``base_url=.../v1``, the API key as its key).
``messages`` are the history, as OpenAI clients expect: the last user message is the question, the
earlier user/assistant messages the context (system messages are ignored: Verity's own prompt
rules). ``as_of`` and ``conversation_id`` may come as extra fields; with a ``conversation_id`` the
stored conversation is the context and the turn is appended to it. Text is released once verified.
The model ``verity-research`` answers with a finished research report (``openai_research``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ConfigDict, Field

from copilot.chat import ChatService, PreparedTurn
from copilot.errors import BadInputError
from copilot.events import DoneEvent, ErrorEvent, VerificationEvent
from web.deps import LimiterDep, ServicesDep, SettingsDep, UserCaller, charge_turn, get_research
from web.errors import OPENAI_TYPES, status_of
from web.routes.openai_research import DESCRIPTION, RESEARCH_MODEL, research_completion
from web.streaming import answer_pieces, chunk, completion, data_line, final_chunk, usage

router = APIRouter(prefix="/v1", tags=["openai"])


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens... are accepted and ignored

    model: str = Field(max_length=100)
    messages: list[Message] = Field(min_length=1, max_length=200)
    stream: bool = False
    as_of: date | None = None
    conversation_id: str | None = Field(default=None, max_length=64)


def _question_and_history(messages: list[Message]) -> tuple[str, list[BaseMessage]]:
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise BadInputError("the last message must be the user's question")
    history: list[BaseMessage] = [
        HumanMessage(content=m.text()) if m.role == "user" else AIMessage(content=m.text())
        for m in turns[:-1]
    ]
    return turns[-1].text(), history


def _error_body(event: ErrorEvent) -> dict[str, Any]:
    status = status_of(event.code)
    kind = OPENAI_TYPES.get(status, "server_error")
    return {"error": {"message": event.message, "type": kind, "param": None, "code": event.code}}


@router.get("/models")
async def list_models(services: ServicesDep, caller: UserCaller) -> dict[str, Any]:
    """The models a request may name."""
    models = [(m.id, m.description) for m in services.models.describe()]
    if services.research is not None:
        models.append((RESEARCH_MODEL, DESCRIPTION))
    return {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "verity", "description": description}
            for name, description in models
        ],
    }


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: CompletionRequest,
    request: Request,
    caller: UserCaller,
    services: ServicesDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> JSONResponse | StreamingResponse:
    """Answer the last user message with cited, verified figures (OpenAI's response shape)."""
    question, history = _question_and_history(body.messages)
    await charge_turn(request, limiter, settings, caller)
    if body.model == RESEARCH_MODEL:
        research = await get_research(services)
        texts = [m.text() for m in body.messages]
        return await research_completion(research, caller.owner, question, body.as_of, body.stream, texts)
    chat: ChatService = services.chat
    prepared = await chat.prepare(
        question,
        body.conversation_id,
        body.as_of,
        caller.owner,
        body.model,
        history=None if body.conversation_id else history,
    )
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    prompt_texts = [m.text() for m in body.messages]
    if body.stream:
        stream = _stream(chat, prepared, completion_id, body.model, prompt_texts)
        return StreamingResponse(
            stream, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    verification: VerificationEvent | None = None
    async for event in chat.run(prepared):
        if isinstance(event, VerificationEvent):
            verification = event
        elif isinstance(event, ErrorEvent):
            return JSONResponse(status_code=status_of(event.code), content=_error_body(event))
        elif isinstance(event, DoneEvent):
            use = await asyncio.to_thread(usage, prompt_texts, event.answer)  # the first loads the vocabulary
            return JSONResponse(completion(completion_id, body.model, event, verification, use))
    raise BadInputError("the turn ended without an answer")  # unreachable: a turn ends with done or error


async def _stream(
    chat: ChatService, prepared: PreparedTurn, completion_id: str, model: str, prompt_texts: list[str]
) -> AsyncIterator[bytes]:
    yield data_line(chunk(completion_id, model, {"role": "assistant", "content": ""}))
    verification: VerificationEvent | None = None
    async for event in chat.run(prepared):
        if isinstance(event, VerificationEvent):
            verification = event
        elif isinstance(event, ErrorEvent):
            yield data_line(_error_body(event))
            break
        elif isinstance(event, DoneEvent):
            for piece in answer_pieces(event.answer):
                yield data_line(chunk(completion_id, model, {"content": piece}))
            use = await asyncio.to_thread(usage, prompt_texts, event.answer)
            yield data_line(final_chunk(completion_id, model, event, verification, use))
    yield data_line("[DONE]")

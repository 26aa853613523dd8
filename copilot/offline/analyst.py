"""``OfflineAnalyst``: the deterministic analyst written as a LangChain chat model.

It runs in the same agent loop as a real model: on a new question it emits tool calls (several
in one message, so the agent runs them in parallel); once the tool results are back it writes
short analyst prose from the tool artifacts, with a [n] citation on every figure. Same input,
same output: nothing here is random or reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import ConfigDict, Field

from copilot.offline.turn import respond

OFFLINE_MODEL_TYPE = "verity-offline-analyst"

# Word-sized pieces keep the streamed answer looking like a model's tokens.
_TOKEN_RE = re.compile(r"\S+\s*|\s+")


class OfflineAnalyst(BaseChatModel):
    """Reads the conversation, calls Verity's tools and writes cited prose from their artifacts."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tool_names: tuple[str, ...] = ()
    parallel_tool_calls: bool = True
    # Finds tickers, names and aliases in a question; None = the default SymbolResolver.
    resolver: Any = Field(default=None, exclude=True)

    @property
    def _llm_type(self) -> str:
        return OFFLINE_MODEL_TYPE

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": OFFLINE_MODEL_TYPE, "tools": list(self.tool_names)}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool | str],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """A copy of this analyst that may call the given tools (by name)."""
        names = tuple(_tool_name(tool) for tool in tools)
        parallel = bool(kwargs.get("parallel_tool_calls", True))
        return self.model_copy(update={"tool_names": names, "parallel_tool_calls": parallel})

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        return respond(messages, self.tool_names, self.resolver, parallel=self.parallel_tool_calls)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in _chunks(self._reply(messages)):
            if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        # Answering is pure CPU work of a millisecond: no executor hop needed.
        for chunk in _chunks(self._reply(messages)):
            if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                await run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            yield chunk


def _chunks(message: AIMessage) -> Iterator[ChatGenerationChunk]:
    """The reply as stream chunks: all tool calls in one chunk, prose in word-sized pieces."""
    if message.tool_calls:
        tool_chunk = AIMessageChunk(
            content="",
            tool_calls=message.tool_calls,
            id=message.id,
            chunk_position="last",
        )
        yield ChatGenerationChunk(message=tool_chunk)
        return
    text = message.content if isinstance(message.content, str) else str(message.content)
    pieces = _TOKEN_RE.findall(text) or [""]
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        chunk = AIMessageChunk(content=piece, id=message.id, chunk_position="last" if last else None)
        yield ChatGenerationChunk(message=chunk)


def _tool_name(tool: dict[str, Any] | type | Callable[..., Any] | BaseTool | str) -> str:
    if isinstance(tool, str):
        return tool
    if isinstance(tool, BaseTool):
        return tool.name
    if isinstance(tool, dict):
        function = tool.get("function")
        if isinstance(function, dict) and "name" in function:
            return str(function["name"])
        return str(tool.get("name", ""))
    return str(getattr(tool, "__name__", ""))

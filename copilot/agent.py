"""The agent: LangChain ``create_agent`` over Verity's tools, built once per service.

Per-turn state (the ``SourceLedger`` and the analysis date) travels in the runtime context
(``TurnContext``), so a turn only starts a run of the compiled graph; building the graph per turn
would cost more than the whole latency budget of a scripted turn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.graph.state import CompiledStateGraph

from copilot.config import Settings
from copilot.events import ChatEvent, CitedSource, TokenEvent, ToolCallEvent, ToolResultEvent
from copilot.schemas import ToolArtifact
from copilot.turn_fields import dated_system_message
from tools.agent_tools import TurnContext

Agent = CompiledStateGraph[Any, TurnContext, Any, Any]


def system_message(base: str, as_of: date | None) -> SystemMessage:
    """The system prompt with the turn's analysis date (in words and as a field), sent first."""
    return dated_system_message(base, as_of)


def build_agent(model: BaseChatModel, tools: list[BaseTool]) -> Agent:
    """The compiled agent graph: model <-> tools (parallel tool calls), context schema ``TurnContext``."""
    # The dated system prompt travels as the first message of each run rather than through a
    # dynamic-prompt middleware, which would cost about 10% of a scripted turn.
    return create_agent(model, tools, context_schema=TurnContext, name="verity")


def run_config(settings: Settings) -> RunnableConfig:
    """Per-run config: the step limit (one model call plus one tool round per step)."""
    # each step is a model node and a tools node; +1 lets the final answer land on the last step
    return {"recursion_limit": 2 * settings.agent_max_steps + 1}


async def stream_agent(
    agent: Agent,
    messages: list[BaseMessage],
    context: TurnContext,
    config: RunnableConfig,
    transcript: list[BaseMessage],
    attempt: int = 1,
) -> AsyncIterator[ChatEvent]:
    """Run the agent once, yielding token/tool events; every message of the run lands in ``transcript``."""
    transcript.extend(messages)
    stream: AsyncIterator[Any] = agent.astream(
        {"messages": messages}, config, context=context, stream_mode=["messages", "updates"]
    )
    async for mode, payload in stream:
        if mode == "messages":
            chunk, meta = payload
            # whole AIMessages arrive here too when a model does not stream; tool output never does
            if isinstance(chunk, AIMessage) and meta.get("langgraph_node") == "model" and chunk.text:
                yield TokenEvent(text=chunk.text, attempt=attempt)
            continue
        for update in payload.values():
            for message in update.get("messages", []) if isinstance(update, dict) else []:
                transcript.append(message)
                if isinstance(message, AIMessage):
                    for call in message.tool_calls:
                        yield ToolCallEvent(id=call["id"] or "", name=call["name"], arguments=call["args"])
                elif isinstance(message, ToolMessage):
                    yield tool_result_event(message)


def tool_result_event(message: ToolMessage) -> ToolResultEvent:
    """The event for one finished tool call, with the [n] of each source it produced."""
    artifact = message.artifact if isinstance(message.artifact, ToolArtifact) else None
    content = message.text
    if artifact is None:  # argument validation failed before the tool ran
        return ToolResultEvent(
            id=message.tool_call_id, name=message.name or "", ok=False, content=content, error=content
        )
    cited = [
        CitedSource(n=artifact.labels[s.id], source=s) for s in artifact.sources if s.id in artifact.labels
    ]
    return ToolResultEvent(
        id=message.tool_call_id,
        name=artifact.tool,
        ok=artifact.error is None,
        content=content,
        sources=cited,
        error=artifact.error,
    )

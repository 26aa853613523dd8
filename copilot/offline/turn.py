"""One step of the offline analyst: plan tool calls for a new question, or answer from results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

CAPABILITIES = (
    "I'm Verity's offline analyst. I can look up quotes, compare the performance of indices, ETFs "
    "and stocks over a period, show valuation multiples, technical indicators (RSI, moving averages, "
    "support and resistance), today's or this month's sector leaders and laggards, and quote what "
    "stored documents such as Fed statements say. Every figure I give comes from a tool and is cited."
)


def respond(
    messages: Sequence[BaseMessage], tool_names: Sequence[str], resolver: Any, parallel: bool = True
) -> AIMessage:
    """The analyst's next message for this conversation."""
    question = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
    if question is None:
        return AIMessage(content=CAPABILITIES)
    return AIMessage(content=CAPABILITIES)

"""Conversations: the questions and cited answers of one chat, and where they are kept.

``ConversationStore`` is the seam: the CLI keeps conversations in memory; the web app persists
them behind the same protocol. A turn that failed is not appended, so a conversation only holds
answers that passed through citation cleaning and verification.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime
from typing import Protocol

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, Field

from copilot.events import CitedSource
from copilot.schemas import utc_now


class Turn(BaseModel):
    """One answered question."""

    question: str
    answer: str
    sources: list[CitedSource] = Field(default_factory=list)
    verification: str = ""
    mode: str = ""
    as_of: date | None = None
    created_at: datetime = Field(default_factory=utc_now)


class Conversation(BaseModel):
    id: str
    turns: list[Turn] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utc_now)

    def messages(self, max_turns: int = 10) -> list[BaseMessage]:
        """The last turns as chat history for the model (question, answer)."""
        history: list[BaseMessage] = []
        for turn in self.turns[-max_turns:]:
            history.append(HumanMessage(content=turn.question))
            history.append(AIMessage(content=turn.answer))
        return history


class ConversationStore(Protocol):
    """Where conversations live; implementations must be safe to call from several tasks."""

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation, or None when unknown."""
        ...

    def create(self, conversation_id: str | None = None) -> Conversation:
        """A new empty conversation (with the given id, or a fresh one)."""
        ...

    def append(self, conversation_id: str, turn: Turn) -> None:
        """Add an answered turn to an existing conversation."""
        ...


def new_conversation_id() -> str:
    return uuid.uuid4().hex


class InMemoryConversationStore:
    """Conversations in a dict: the CLI's store, and the default in tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[str, Conversation] = {}

    def get(self, conversation_id: str) -> Conversation | None:
        with self._lock:
            found = self._conversations.get(conversation_id)
            return found.model_copy(deep=True) if found else None

    def create(self, conversation_id: str | None = None) -> Conversation:
        conversation = Conversation(id=conversation_id or new_conversation_id())
        with self._lock:
            self._conversations[conversation.id] = conversation
        return conversation.model_copy(deep=True)

    def append(self, conversation_id: str, turn: Turn) -> None:
        with self._lock:
            conversation = self._conversations.setdefault(conversation_id, Conversation(id=conversation_id))
            conversation.turns.append(turn)

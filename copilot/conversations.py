"""Conversations: the questions and cited answers of one chat, owned by one caller, and where they live.

``ConversationStore`` is the seam (async, owner-scoped): the CLI keeps conversations in memory
(``InMemoryConversationStore``); the web app keeps them in the database
(``copilot.storage.conversations.SqlConversationStore``). Every read and write names its owner: a
conversation that does not exist and one that belongs to someone else are the same
``NotFoundError``, so an id that leaks lets nobody read or write into it. A turn that failed is not
appended, so a conversation only holds answers that passed citation cleaning and verification.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Protocol

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, Field

from copilot.coverage import Coverage
from copilot.errors import BadInputError, NotFoundError
from copilot.events import CitedSource, FigureResult
from copilot.schemas import utc_now

LOCAL_OWNER = "local"  # the owner of the command line's conversations
TITLE_CHARS = 80
MAX_TITLE_CHARS = 200


class TurnVerification(BaseModel):
    """What the verifier found in a stored answer."""

    summary: str = ""  # e.g. "12/12 verified"
    total: int = 0
    verified: int = 0
    unverified: list[FigureResult] = Field(default_factory=list)
    verified_figures: list[FigureResult] = Field(default_factory=list)
    coverage: Coverage | None = None


class Turn(BaseModel):
    """One answered question, as stored."""

    id: int | None = None  # given by the store
    question: str
    answer: str
    sources: list[CitedSource] = Field(default_factory=list)
    verification: TurnVerification = Field(default_factory=TurnVerification)
    mode: str = ""  # "offline" or the model's name
    model: str = ""  # the model name the request picked (verity, verity-offline)
    as_of: date | None = None
    run_id: str | None = None  # the web run that produced it (unique: persisted once)
    timings: dict[str, float] = Field(default_factory=dict)  # seconds per phase
    created_at: datetime = Field(default_factory=utc_now)


class ConversationSummary(BaseModel):
    """A conversation in a list: no turns."""

    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    turn_count: int = 0


class Conversation(BaseModel):
    id: str
    owner: str = LOCAL_OWNER
    title: str = ""
    turns: list[Turn] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    def messages(self, max_turns: int = 10) -> list[BaseMessage]:
        """The last turns as chat history for the model (question, answer)."""
        history: list[BaseMessage] = []
        for turn in self.turns[-max_turns:]:
            history.append(HumanMessage(content=turn.question))
            history.append(AIMessage(content=turn.answer))
        return history

    def summary(self) -> ConversationSummary:
        return ConversationSummary(
            id=self.id,
            title=self.title,
            created_at=self.created_at,
            updated_at=self.updated_at,
            turn_count=len(self.turns),
        )


class ConversationStore(Protocol):
    """Where conversations live; every call is scoped to ``owner`` and safe from several tasks."""

    async def create(self, owner: str, title: str = "") -> Conversation:
        """A new empty conversation of ``owner`` with a fresh id."""
        ...

    async def get(self, conversation_id: str, owner: str) -> Conversation:
        """The conversation with its turns; NotFoundError when unknown or not the owner's."""
        ...

    async def append(self, conversation_id: str, owner: str, turn: Turn) -> Turn:
        """Store an answered turn (with its id); NotFoundError as ``get``."""
        ...

    async def list(
        self, owner: str, query: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[ConversationSummary]:
        """The owner's conversations, newest first; ``query`` matches titles, questions and answers."""
        ...

    async def rename(self, conversation_id: str, owner: str, title: str) -> ConversationSummary:
        """Give the conversation a new title; NotFoundError as ``get``."""
        ...

    async def delete(self, conversation_id: str, owner: str) -> None:
        """Delete the conversation and everything hanging from it; NotFoundError as ``get``."""
        ...


def new_conversation_id() -> str:
    return uuid.uuid4().hex


def title_from(question: str) -> str:
    """A conversation's default title: its first question, shortened on a word boundary."""
    text = " ".join(question.split())
    if len(text) <= TITLE_CHARS:
        return text
    return text[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def clean_title(title: str) -> str:
    """A title a user typed, or BadInputError when empty or too long."""
    text = " ".join((title or "").split())
    if not text:
        raise BadInputError("the title is empty")
    if len(text) > MAX_TITLE_CHARS:
        raise BadInputError(f"the title is {len(text)} characters long; the limit is {MAX_TITLE_CHARS}")
    return text


def not_found(conversation_id: str) -> NotFoundError:
    return NotFoundError(f"no conversation {conversation_id!r}")


def matches(conversation: Conversation, query: str) -> bool:
    """True when every word of ``query`` occurs in the title or a question or answer (case-insensitive)."""
    text = " ".join([conversation.title, *(f"{t.question} {t.answer}" for t in conversation.turns)]).lower()
    return all(word in text for word in query.lower().split())


class InMemoryConversationStore:
    """Conversations in a dict: the command line's store, and the default in tests."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._conversations: dict[str, Conversation] = {}
        self._turn_ids = 0

    def _owned(self, conversation_id: str, owner: str) -> Conversation:
        found = self._conversations.get(conversation_id)
        if found is None or found.owner != owner:
            raise not_found(conversation_id)
        return found

    async def create(self, owner: str, title: str = "") -> Conversation:
        conversation = Conversation(id=new_conversation_id(), owner=owner, title=title)
        async with self._lock:
            self._conversations[conversation.id] = conversation
        return conversation.model_copy(deep=True)

    async def get(self, conversation_id: str, owner: str) -> Conversation:
        async with self._lock:
            return self._owned(conversation_id, owner).model_copy(deep=True)

    async def append(self, conversation_id: str, owner: str, turn: Turn) -> Turn:
        async with self._lock:
            conversation = self._owned(conversation_id, owner)
            self._turn_ids += 1
            stored = turn.model_copy(update={"id": self._turn_ids})
            conversation.turns.append(stored)
            conversation.title = conversation.title or title_from(turn.question)
            conversation.updated_at = stored.created_at
            return stored.model_copy(deep=True)

    async def list(
        self, owner: str, query: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[ConversationSummary]:
        async with self._lock:
            mine = [c for c in self._conversations.values() if c.owner == owner]
            if query and query.strip():
                mine = [c for c in mine if matches(c, query)]
            mine.sort(key=lambda c: (c.updated_at, c.id), reverse=True)
            return [c.summary() for c in mine[offset : offset + limit]]

    async def rename(self, conversation_id: str, owner: str, title: str) -> ConversationSummary:
        text = clean_title(title)
        async with self._lock:
            conversation = self._owned(conversation_id, owner)
            conversation.title = text
            return conversation.summary()

    async def delete(self, conversation_id: str, owner: str) -> None:
        async with self._lock:
            self._owned(conversation_id, owner)
            del self._conversations[conversation_id]

"""``SqlConversationStore``: conversations, turns, shares and feedback in the database, owner-scoped.

Every query filters on the owner, so a foreign id and an unknown id are the same ``NotFoundError``.
A turn carries the id of the run that produced it under a unique constraint: a run's answer is
stored once, whatever retries or reconnects happen around it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import Select, case, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.conversations import (
    Conversation,
    ConversationSummary,
    Turn,
    TurnVerification,
    clean_title,
    new_conversation_id,
    not_found,
    title_from,
)
from copilot.errors import BadInputError, NotFoundError
from copilot.events import CitedSource
from copilot.schemas import utc_now
from copilot.storage.db import Database
from copilot.storage.models import ConversationRow, FeedbackRow, ShareRow, TurnRow

MAX_COMMENT_CHARS = 2000
_sources: TypeAdapter[list[CitedSource]] = TypeAdapter(list[CitedSource])


def _turn(row: TurnRow) -> Turn:
    return Turn(
        id=row.id,
        question=row.question,
        answer=row.answer,
        sources=_sources.validate_json(row.sources),
        verification=TurnVerification.model_validate_json(row.verification),
        mode=row.mode,
        model=row.model,
        as_of=row.as_of,
        run_id=row.run_id,
        timings=row.timings,
        created_at=row.created_at,
    )


def _summary(row: ConversationRow, turns: int) -> ConversationSummary:
    return ConversationSummary(
        id=row.id, title=row.title, created_at=row.created_at, updated_at=row.updated_at, turn_count=turns
    )


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def insert_turn(connection: Connection, conversation_id: str, owner: str, turn: Turn) -> int:
    """Store a turn in the owner's conversation (NotFoundError otherwise); its id. Synchronous Core,
    for ``Database.transact``: two statements, the owner check is the UPDATE's WHERE clause."""
    touched = (
        update(ConversationRow)
        .where(ConversationRow.id == conversation_id, ConversationRow.owner == owner)
        .values(
            updated_at=turn.created_at,
            title=case((ConversationRow.title == "", title_from(turn.question)), else_=ConversationRow.title),
        )
    )
    if connection.execute(touched).rowcount != 1:
        raise not_found(conversation_id)
    row = {
        "conversation_id": conversation_id,
        "run_id": turn.run_id,
        "question": turn.question,
        "answer": turn.answer,
        "sources": _sources.dump_json(turn.sources).decode(),
        "verification": turn.verification.model_dump_json(),
        "mode": turn.mode,
        "model": turn.model,
        "as_of": turn.as_of,
        "timings": turn.timings,
        "created_at": turn.created_at,
    }
    turn_id = connection.scalar(insert(TurnRow).values(**row).returning(TurnRow.id))
    return int(turn_id or 0)


class SqlConversationStore:
    """The ``ConversationStore`` of the web app, plus shares and feedback."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def _owned(self, session: AsyncSession, conversation_id: str, owner: str) -> ConversationRow:
        row = await session.get(ConversationRow, conversation_id)
        if row is None or row.owner != owner:
            raise not_found(conversation_id)
        return row

    async def create(self, owner: str, title: str = "") -> Conversation:
        now = utc_now()
        row = ConversationRow(
            id=new_conversation_id(), owner=owner, title=title, created_at=now, updated_at=now
        )
        async with self.db.session() as session:
            session.add(row)
        return Conversation(id=row.id, owner=owner, title=title, created_at=now, updated_at=now)

    async def get(self, conversation_id: str, owner: str) -> Conversation:
        async with self.db.session() as session:
            row = await self._owned(session, conversation_id, owner)
            return await self._load(session, row)

    async def _load(self, session: AsyncSession, row: ConversationRow) -> Conversation:
        turns = await session.scalars(
            select(TurnRow).where(TurnRow.conversation_id == row.id).order_by(TurnRow.id)
        )
        return Conversation(
            id=row.id,
            owner=row.owner,
            title=row.title,
            turns=[_turn(t) for t in turns],
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def append(self, conversation_id: str, owner: str, turn: Turn) -> Turn:
        turn_id = await self.db.transact(lambda c: insert_turn(c, conversation_id, owner, turn))
        return turn.model_copy(update={"id": turn_id})

    def _search(self, owner: str, query: str | None) -> Select[ConversationRow]:
        statement = select(ConversationRow).where(ConversationRow.owner == owner)
        for word in (query or "").lower().split():
            pattern = f"%{_escape_like(word)}%"
            in_turns = (
                select(TurnRow.id)
                .where(TurnRow.conversation_id == ConversationRow.id)
                .where(
                    or_(
                        func.lower(TurnRow.question).like(pattern, escape="\\"),
                        func.lower(TurnRow.answer).like(pattern, escape="\\"),
                    )
                )
                .exists()
            )
            statement = statement.where(
                or_(func.lower(ConversationRow.title).like(pattern, escape="\\"), in_turns)
            )
        return statement

    async def list(
        self, owner: str, query: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[ConversationSummary]:
        counts = (
            select(TurnRow.conversation_id, func.count(TurnRow.id).label("n"))
            .group_by(TurnRow.conversation_id)
            .subquery()
        )
        found = self._search(owner, query).subquery()
        statement = (
            select(ConversationRow, func.coalesce(counts.c.n, 0))
            .join(found, found.c.id == ConversationRow.id)
            .outerjoin(counts, counts.c.conversation_id == ConversationRow.id)
            .order_by(ConversationRow.updated_at.desc(), ConversationRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self.db.session() as session:
            rows = (await session.execute(statement)).all()
            return [_summary(row, int(n)) for row, n in rows]

    async def rename(self, conversation_id: str, owner: str, title: str) -> ConversationSummary:
        text = clean_title(title)
        async with self.db.session() as session:
            row = await self._owned(session, conversation_id, owner)
            row.title = text
            turns = await session.scalar(
                select(func.count(TurnRow.id)).where(TurnRow.conversation_id == conversation_id)
            )
            return _summary(row, int(turns or 0))

    async def delete(self, conversation_id: str, owner: str) -> None:
        async with self.db.session() as session:
            row = await self._owned(session, conversation_id, owner)
            # ON DELETE CASCADE removes turns, feedback, shares and runs with it
            await session.delete(row)

    # --- shares ---------------------------------------------------------------------------
    async def share(self, conversation_id: str, owner: str) -> tuple[str, datetime]:
        """A new read-only link token for the owner's conversation."""
        async with self.db.session() as session:
            await self._owned(session, conversation_id, owner)
            row = ShareRow(
                id=secrets.token_urlsafe(24),
                conversation_id=conversation_id,
                owner=owner,
                created_at=utc_now(),
            )
            session.add(row)
            return row.id, row.created_at

    async def revoke_share(self, token: str, owner: str) -> None:
        """Revoke the owner's share; NotFoundError when unknown, foreign or already revoked."""
        async with self.db.session() as session:
            row = await session.get(ShareRow, token)
            if row is None or row.owner != owner or row.revoked_at is not None:
                raise NotFoundError("no such share link")
            row.revoked_at = utc_now()

    async def shared(self, token: str) -> Conversation:
        """The conversation behind a live share link (read-only, owner hidden by the caller)."""
        async with self.db.session() as session:
            share = await session.get(ShareRow, token)
            if share is None or share.revoked_at is not None:
                raise NotFoundError("this share link does not exist or was revoked")
            row = await session.get(ConversationRow, share.conversation_id)
            if row is None:
                raise NotFoundError("this share link does not exist or was revoked")
            return await self._load(session, row)

    # --- feedback -------------------------------------------------------------------------
    async def feedback(
        self, conversation_id: str, turn_id: int, owner: str, rating: int, comment: str = ""
    ) -> None:
        """Thumbs up (+1) or down (-1) on a turn of the owner's conversation; the last word counts."""
        if rating not in (1, -1):
            raise BadInputError("rating must be 1 (thumbs up) or -1 (thumbs down)")
        if len(comment) > MAX_COMMENT_CHARS:
            raise BadInputError(f"the comment is over {MAX_COMMENT_CHARS} characters")
        async with self.db.session() as session:
            await self._owned(session, conversation_id, owner)
            turn = await session.get(TurnRow, turn_id)
            if turn is None or turn.conversation_id != conversation_id:
                raise NotFoundError(f"no turn {turn_id} in conversation {conversation_id!r}")
            await session.execute(
                delete(FeedbackRow).where(FeedbackRow.turn_id == turn_id, FeedbackRow.owner == owner)
            )
            session.add(
                FeedbackRow(
                    turn_id=turn_id, owner=owner, rating=rating, comment=comment, created_at=utc_now()
                )
            )

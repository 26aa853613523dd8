"""``RunStore``: web chat runs and their numbered events in the database, so any worker can replay them.

A run's events are written in batches by the worker running it; the terminal state (``done``,
``failed`` or ``cancelled``) is written in the same transaction as the last events and the answer,
before that last event reaches any client. A cancel asked on another worker is a flag the running
worker reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from copilot.conversations import Conversation, Turn
from copilot.errors import NotFoundError
from copilot.schemas import utc_now
from copilot.storage.conversations import insert_turn
from copilot.storage.db import Database
from copilot.storage.models import ConversationRow, RunEventRow, RunRow

TERMINAL = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class StoredEvent:
    """One event of a run: its sequence number (the SSE id), type and JSON."""

    seq: int
    type: str
    data: str


@dataclass(frozen=True)
class Record:
    """What recording a run needs: the run, its conversation, and whether that is new."""

    info: RunInfo
    conversation: Conversation
    new_conversation: bool


@dataclass(frozen=True)
class RunInfo:
    id: str
    owner: str
    conversation_id: str
    status: str
    model: str
    last_seq: int
    cancel_requested: bool
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


def _info(row: RunRow) -> RunInfo:
    return RunInfo(
        id=row.id,
        owner=row.owner,
        conversation_id=row.conversation_id,
        status=row.status,
        model=row.model,
        last_seq=row.last_seq,
        cancel_requested=row.cancel_requested,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _record(connection: Connection, record: Record) -> None:
    """Insert a run's row (after its conversation's, when that is new)."""
    info = record.info
    if record.new_conversation:
        connection.execute(
            insert(ConversationRow).values(
                id=info.conversation_id,
                owner=info.owner,
                title=record.conversation.title,
                created_at=info.created_at,
                updated_at=info.created_at,
            )
        )
    connection.execute(
        insert(RunRow).values(
            id=info.id,
            owner=info.owner,
            conversation_id=info.conversation_id,
            status=info.status,
            model=info.model,
            cancel_requested=False,
            last_seq=0,
            created_at=info.created_at,
        )
    )


def _insert(
    connection: Connection, run_id: str, events: list[StoredEvent], status: str | None = None
) -> None:
    """Insert events (one executemany) and move the run's last number and status."""
    if events:
        rows = [{"run_id": run_id, "seq": e.seq, "type": e.type, "data": e.data} for e in events]
        connection.execute(insert(RunEventRow), rows)
    values: dict[str, object] = {"last_seq": events[-1].seq} if events else {}
    if status is not None:
        values.update(status=status, finished_at=utc_now())
    if values:
        connection.execute(update(RunRow).where(RunRow.id == run_id).values(**values))


class RunStore:
    def __init__(self, database: Database) -> None:
        self.db = database

    @staticmethod
    def new_run(run_id: str, owner: str, conversation_id: str, model: str) -> RunInfo:
        """A run about to start (not stored yet: ``create`` stores it)."""
        return RunInfo(run_id, owner, conversation_id, "running", model, 0, False, utc_now(), None)

    async def create(self, info: RunInfo, conversation: Conversation, new_conversation: bool = False) -> None:
        """Record a run (and its new conversation, in the same transaction)."""
        await self.db.transact(lambda c: _record(c, Record(info, conversation, new_conversation)))

    async def _owned(self, session: AsyncSession, run_id: str, owner: str) -> RunRow:
        row = await session.get(RunRow, run_id)
        if row is None or row.owner != owner:
            raise NotFoundError(f"no run {run_id!r}")
        return row

    async def get(self, run_id: str, owner: str) -> RunInfo:
        """The owner's run; NotFoundError when unknown or foreign."""
        async with self.db.session() as session:
            return _info(await self._owned(session, run_id, owner))

    async def append(self, run_id: str, events: list[StoredEvent], record: Record | None = None) -> bool:
        """Store events (and the run's record first, when given) in one transaction; True when a
        cancel was asked (from any worker)."""

        def work(connection: Connection) -> bool:
            if record is not None:
                _record(connection, record)
            _insert(connection, run_id, events)
            return bool(connection.scalar(select(RunRow.cancel_requested).where(RunRow.id == run_id)))

        return await self.db.transact(work)

    async def finish(
        self,
        run_id: str,
        events: list[StoredEvent],
        status: str,
        last: Callable[[int | None], StoredEvent],
        turn: tuple[str, str, Turn] | None = None,
        record: Record | None = None,
    ) -> StoredEvent:
        """End a run in one transaction: its record (when not stored yet), its answer (when it has
        one), the events not yet stored, the last event (built by ``last`` from the stored turn's
        id) and the terminal status."""

        def work(connection: Connection) -> StoredEvent:
            if record is not None:
                _record(connection, record)
            turn_id = insert_turn(connection, *turn) if turn is not None else None
            final = last(turn_id)
            _insert(connection, run_id, [*events, final], status)
            return final

        return await self.db.transact(work)

    async def events_after(self, run_id: str, after: int) -> tuple[list[StoredEvent], str]:
        """The events numbered above ``after``, and the run's status read in the same transaction."""
        async with self.db.session() as session:
            status = await session.scalar(select(RunRow.status).where(RunRow.id == run_id))
            rows = await session.scalars(
                select(RunEventRow)
                .where(RunEventRow.run_id == run_id, RunEventRow.seq > after)
                .order_by(RunEventRow.seq)
            )
            return [StoredEvent(r.seq, r.type, r.data) for r in rows], status or "failed"

    async def request_cancel(self, run_id: str, owner: str) -> RunInfo:
        """Flag the owner's run for cancelling (the worker running it stops it)."""
        async with self.db.session() as session:
            row = await self._owned(session, run_id, owner)
            if row.status not in TERMINAL:
                row.cancel_requested = True
            return _info(row)

"""The research job rows as the stores read and write them: ``JobInfo``, an order (``NewJob``), how a
run ends (``Ending``), and the statements every write shares (events numbered after the job's last)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row

from copilot.schemas import utc_now
from copilot.storage.models import ResearchEventRow, ResearchJobRow, ResearchReportRow
from copilot.storage.runs import StoredEvent

J = ResearchJobRow
ACTIVE = ("queued", "running")
TERMINAL = ("done", "failed", "cancelled")
# every column of the job's row (all small: the report and events are in their own tables)
COLUMNS = tuple(J.__table__.c)


@dataclass(frozen=True)
class JobInfo:
    """A research job as its row holds it."""

    id: str
    owner: str
    topic: str
    as_of: date | None
    model: str
    status: str
    percent: int
    stage: str
    title: str
    report_as_of: date | None
    idempotency_key: str | None
    request_hash: str
    cancel_requested: bool
    attempts: int
    worker: str | None
    heartbeat_at: datetime | None
    last_seq: int
    error_code: str | None
    error_message: str | None
    claims_total: int | None
    claims_verified: int | None
    published_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class NewJob:
    id: str
    owner: str
    topic: str
    as_of: date | None
    model: str
    request_hash: str
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Ending:
    """How a run ends: the job's terminal status, its last events, the report and the error."""

    status: str  # done | failed | cancelled, or queued (interrupted: to be run again)
    events: list[StoredEvent]
    report: str | None = None  # the report's JSON
    report_status: str = "complete"  # complete | partial
    error_code: str | None = None
    error_message: str | None = None
    claims: tuple[int, int] | None = None  # (total, verified)
    title: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # progress not stored yet (percent, stage...)


def job_info(row: Row[Any] | ResearchJobRow) -> JobInfo:
    return JobInfo(**{c.name: getattr(row, c.name) for c in COLUMNS})


def select_job(job_id: str) -> Any:
    return select(*COLUMNS).where(J.id == job_id)


def add_events(connection: Connection, job_id: str, events: Sequence[StoredEvent]) -> None:
    """Insert events (one executemany) and move the job's last number with them."""
    if not events:
        return
    rows = [{"job_id": job_id, "seq": e.seq, "type": e.type, "data": e.data} for e in events]
    connection.execute(insert(ResearchEventRow), rows)
    connection.execute(update(J).where(J.id == job_id).values(last_seq=events[-1].seq))


def next_event(connection: Connection, job_id: str, make: Callable[[int], StoredEvent]) -> None:
    """Append one event numbered after the job's last (the row is locked by the caller's update)."""
    last = connection.scalar(select(J.last_seq).where(J.id == job_id)) or 0
    add_events(connection, job_id, [make(last + 1)])


def put_report(connection: Connection, job_id: str, status: str, data: str) -> None:
    connection.execute(delete(ResearchReportRow).where(ResearchReportRow.job_id == job_id))
    connection.execute(
        insert(ResearchReportRow).values(job_id=job_id, status=status, data=data, created_at=utc_now())
    )

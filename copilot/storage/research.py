"""``ResearchJobStore``: research jobs, their numbered events and their reports in the database.

Every change of a job's state is one transaction with the events it produces, so the stream and the
state never disagree: ordering (with the idempotency key and the per-user quota checked inside it),
claiming a queued job for one worker, appending events with a heartbeat, finishing with the report
and the last event, cancelling, requeueing an interrupted job. A worker writes only while it holds
the job (its name and run number match the row): a worker presumed gone that wakes up finds the job
taken and stops. Reads are owner-scoped; a published job is readable by anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from copilot.errors import BadInputError, NotFoundError, RateLimitedError
from copilot.schemas import utc_now
from copilot.storage.db import Database
from copilot.storage.models import ResearchEventRow, ResearchJobRow, ResearchReportRow
from copilot.storage.runs import StoredEvent

J = ResearchJobRow
ACTIVE = ("queued", "running")
TERMINAL = ("done", "failed", "cancelled")
# the job's row without nothing heavy: every column is small
_COLUMNS = tuple(J.__table__.c)


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


def _info(row: Row[Any] | ResearchJobRow) -> JobInfo:
    return JobInfo(**{c.name: getattr(row, c.name) for c in _COLUMNS})


def _select_job(job_id: str) -> Any:
    return select(*_COLUMNS).where(J.id == job_id)


def _add_events(connection: Connection, job_id: str, events: Sequence[StoredEvent]) -> None:
    """Insert events (one executemany) and move the job's last number with them."""
    if not events:
        return
    rows = [{"job_id": job_id, "seq": e.seq, "type": e.type, "data": e.data} for e in events]
    connection.execute(insert(ResearchEventRow), rows)
    connection.execute(update(J).where(J.id == job_id).values(last_seq=events[-1].seq))


def _next_event(connection: Connection, job_id: str, make: Callable[[int], StoredEvent]) -> None:
    """Append one event numbered after the job's last (the row is locked by the caller's update)."""
    last = connection.scalar(select(J.last_seq).where(J.id == job_id)) or 0
    _add_events(connection, job_id, [make(last + 1)])


class ResearchJobStore:
    def __init__(self, database: Database) -> None:
        self.db = database

    # --- ordering -------------------------------------------------------------------------
    async def create(
        self, new: NewJob, quota: int, first: Callable[[int], StoredEvent]
    ) -> tuple[JobInfo, bool]:
        """Record an ordered job with its first event; ``(job, False)`` when its idempotency key
        names an earlier order of the same request. BadInputError when the key was used for
        another request; RateLimitedError when the owner already has ``quota`` jobs in progress."""
        try:
            return await self.db.transact(lambda c: self._create(c, new, quota, first))
        except IntegrityError:  # the same key ordered twice at once: the other order won
            if new.idempotency_key is None:
                raise
            return await self.db.transact(lambda c: self._create(c, new, quota, first))

    def _create(
        self, connection: Connection, new: NewJob, quota: int, first: Callable[[int], StoredEvent]
    ) -> tuple[JobInfo, bool]:
        if new.idempotency_key is not None:
            found = connection.execute(
                select(*_COLUMNS).where(J.owner == new.owner, J.idempotency_key == new.idempotency_key)
            ).first()
            if found is not None:
                if found.request_hash != new.request_hash:
                    raise BadInputError("this Idempotency-Key was already used for a different request")
                return _info(found), False
        if not self.db.is_sqlite:  # one order at a time per owner (SQLite has a single writer)
            connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(new.owner))))
        now = utc_now()
        values: dict[str, Any] = {
            "id": new.id,
            "owner": new.owner,
            "topic": new.topic,
            "as_of": new.as_of,
            "model": new.model,
            "status": "queued",
            "percent": 0,
            "stage": "queued",
            "title": new.topic[:300],
            "idempotency_key": new.idempotency_key,
            "request_hash": new.request_hash,
            "cancel_requested": False,
            "attempts": 0,
            "last_seq": 0,
            "created_at": now,
        }
        # one statement counts and inserts: two orders cannot both pass the quota
        active = (
            select(func.count())
            .select_from(J)
            .where(J.owner == new.owner, J.status.in_(ACTIVE))
            .scalar_subquery()
        )
        source = select(*(literal(v, J.__table__.c[k].type).label(k) for k, v in values.items()))
        result = connection.execute(insert(J).from_select(list(values), source.where(active < quota)))
        if result.rowcount != 1:
            raise RateLimitedError(
                f"you have {quota} reports queued or being written; order another when one is finished"
            )
        _next_event(connection, new.id, first)
        row = connection.execute(_select_job(new.id)).one()
        return _info(row), True

    # --- reading --------------------------------------------------------------------------
    async def get(self, job_id: str, viewer: str | None) -> JobInfo:
        """The job, for its owner or (once published) anyone; NotFoundError otherwise."""
        async with self.db.session() as session:
            row = (await session.execute(_select_job(job_id))).first()
        if row is None or (row.owner != viewer and row.published_at is None):
            raise NotFoundError(f"no research report {job_id!r}")
        return _info(row)

    async def owned(self, job_id: str, owner: str) -> JobInfo:
        """The owner's job (published or not); NotFoundError for anyone else."""
        job = await self.get(job_id, owner)
        if job.owner != owner:
            raise NotFoundError(f"no research report {job_id!r}")
        return job

    async def list_jobs(
        self, owner: str, limit: int = 50, offset: int = 0, status: str | None = None
    ) -> list[JobInfo]:
        """The owner's jobs, newest first."""
        statement = select(*_COLUMNS).where(J.owner == owner)
        if status:
            statement = statement.where(J.status == status)
        statement = statement.order_by(J.created_at.desc(), J.id).limit(limit).offset(offset)
        async with self.db.session() as session:
            return [_info(r) for r in await session.execute(statement)]

    async def events_after(self, job_id: str, after: int) -> tuple[list[StoredEvent], str]:
        """The events numbered above ``after`` and the job's status, read in one transaction."""
        async with self.db.session() as session:
            status = await session.scalar(select(J.status).where(J.id == job_id))
            rows = await session.execute(
                select(ResearchEventRow.seq, ResearchEventRow.type, ResearchEventRow.data)
                .where(ResearchEventRow.job_id == job_id, ResearchEventRow.seq > after)
                .order_by(ResearchEventRow.seq)
            )
            return [StoredEvent(*r) for r in rows], status or "cancelled"  # a deleted job ends the stream

    async def report(self, job_id: str) -> tuple[str, str] | None:
        """The job's report (its status, complete or partial, and its JSON), or None."""
        async with self.db.session() as session:
            row = await session.get(ResearchReportRow, job_id)
            return (row.status, row.data) if row is not None else None

    # --- running --------------------------------------------------------------------------
    async def claim(
        self, job_id: str, worker: str, event: Callable[[int, int], StoredEvent]
    ) -> JobInfo | None:
        """Take a queued job for ``worker`` (its next run), with the event ``event(seq, attempt)``
        saying so; None when it is not queued (taken, cancelled, finished or gone)."""

        def work(connection: Connection) -> JobInfo | None:
            now = utc_now()
            taken = connection.execute(
                update(J)
                .where(J.id == job_id, J.status == "queued", J.cancel_requested.is_(False))
                .values(
                    status="running",
                    worker=worker,
                    attempts=J.attempts + 1,
                    heartbeat_at=now,
                    started_at=func.coalesce(J.started_at, now),
                    stage="starting",
                )
            )
            if taken.rowcount != 1:
                return None
            attempt = connection.scalar(select(J.attempts).where(J.id == job_id)) or 1
            _next_event(connection, job_id, lambda seq: event(seq, attempt))
            return _info(connection.execute(_select_job(job_id)).one())

        return await self.db.transact(work)

    @staticmethod
    def _held(job: JobInfo) -> Any:
        """The row while ``job``'s worker still holds it (same worker, same run)."""
        return (
            (J.id == job.id)
            & (J.status == "running")
            & (J.worker == job.worker)
            & (J.attempts == job.attempts)
        )

    async def append(self, job: JobInfo, events: list[StoredEvent], progress: dict[str, Any]) -> str:
        """Store events and progress with a heartbeat while ``job``'s run holds the job: ``ok``,
        ``cancel`` (someone asked to stop it) or ``lost`` (deleted, or taken over: stop quietly)."""

        def work(connection: Connection) -> str:
            values = {**progress, "heartbeat_at": utc_now()}
            held = connection.execute(update(J).where(self._held(job)).values(**values))
            if held.rowcount != 1:
                return "lost"
            _add_events(connection, job.id, events)
            cancel = connection.scalar(select(J.cancel_requested).where(J.id == job.id))
            return "cancel" if cancel else "ok"

        return await self.db.transact(work)

    async def finish(self, job: JobInfo, ending: Ending) -> bool:
        """End ``job``'s run in one transaction: report, last events, state; False when it was lost."""

        def work(connection: Connection) -> bool:
            values: dict[str, Any] = {
                **ending.values,
                "status": ending.status,
                "heartbeat_at": None,
                "error_code": ending.error_code,
                "error_message": ending.error_message,
            }
            if ending.status in TERMINAL:
                values.update(finished_at=utc_now(), stage=ending.status)
            else:  # interrupted: queued again for a worker to start afresh
                values.update(worker=None, percent=0, stage="queued")
            if ending.status == "done":
                values["percent"] = 100
            if ending.claims is not None:
                values.update(claims_total=ending.claims[0], claims_verified=ending.claims[1])
            if ending.title:
                values["title"] = ending.title[:300]
            held = connection.execute(update(J).where(self._held(job)).values(**values))
            if held.rowcount != 1:
                return False
            if ending.report is not None:
                _put_report(connection, job.id, ending.report_status, ending.report)
            _add_events(connection, job.id, ending.events)
            return True

        return await self.db.transact(work)

    # --- the owner's actions ----------------------------------------------------------------
    async def request_cancel(self, job_id: str, owner: str, event: Callable[[int], StoredEvent]) -> JobInfo:
        """Cancel the owner's job: a queued one ends at once (with ``event``), a running one is
        flagged for its worker; a finished one is left as it is."""

        def work(connection: Connection) -> JobInfo:
            row = connection.execute(_select_job(job_id)).first()
            if row is None or row.owner != owner:
                raise NotFoundError(f"no research report {job_id!r}")
            now = utc_now()
            ended = connection.execute(
                update(J)
                .where(J.id == job_id, J.status == "queued")
                .values(status="cancelled", cancel_requested=True, finished_at=now, stage="cancelled")
            )
            if ended.rowcount == 1:
                _next_event(connection, job_id, event)
            else:
                connection.execute(
                    update(J).where(J.id == job_id, J.status == "running").values(cancel_requested=True)
                )
            return _info(connection.execute(_select_job(job_id)).one())

        return await self.db.transact(work)

    async def publish(self, job_id: str, owner: str, published: bool) -> JobInfo:
        """Make the owner's finished report public (or private again)."""

        def work(connection: Connection) -> JobInfo:
            row = connection.execute(_select_job(job_id)).first()
            if row is None or row.owner != owner:
                raise NotFoundError(f"no research report {job_id!r}")
            if published and row.status != "done":
                raise BadInputError(f"only a finished report can be published; this one is {row.status}")
            when = (row.published_at or utc_now()) if published else None
            connection.execute(update(J).where(J.id == job_id).values(published_at=when))
            return _info(connection.execute(_select_job(job_id)).one())

        return await self.db.transact(work)

    async def delete(self, job_id: str, owner: str) -> JobInfo:
        """Delete the owner's job with its events and report (a running one's worker finds it gone)."""

        def work(connection: Connection) -> JobInfo:
            row = connection.execute(_select_job(job_id)).first()
            if row is None or row.owner != owner:
                raise NotFoundError(f"no research report {job_id!r}")
            connection.execute(delete(J).where(J.id == job_id))
            return _info(row)

        return await self.db.transact(work)

    # --- recovery -------------------------------------------------------------------------
    async def stale(self, lease: float) -> list[JobInfo]:
        """Running jobs whose worker has shown no heartbeat for ``lease`` seconds."""
        cutoff = utc_now() - timedelta(seconds=lease)
        async with self.db.session() as session:
            rows = await session.execute(
                select(*_COLUMNS).where(J.status == "running", J.heartbeat_at < cutoff).order_by(J.created_at)
            )
            return [_info(r) for r in rows]

    async def queued(self, min_age: float = 0.0, limit: int = 100) -> list[str]:
        """Queued jobs ordered at least ``min_age`` seconds ago, oldest first (to hand out again)."""
        cutoff = utc_now() - timedelta(seconds=min_age)
        async with self.db.session() as session:
            rows = await session.scalars(
                select(J.id)
                .where(J.status == "queued", J.cancel_requested.is_(False), J.created_at <= cutoff)
                .order_by(J.created_at)
                .limit(limit)
            )
            return list(rows)

    async def expire(
        self,
        job: JobInfo,
        lease: float,
        status: str,
        event: Callable[[int, str | None], StoredEvent],
        error: tuple[str, str] | None = None,
    ) -> bool:
        """Take a stale job from its silent worker: queue it again or fail it (``status``), with
        ``event(seq, stored report JSON or None)``; False when the worker showed life meanwhile."""

        def work(connection: Connection) -> bool:
            cutoff = utc_now() - timedelta(seconds=lease)
            values: dict[str, Any] = {"status": status, "worker": None, "heartbeat_at": None}
            if status == "queued":
                values.update(percent=0, stage="queued")
            else:
                values.update(finished_at=utc_now(), stage=status)
            if error is not None:
                values.update(error_code=error[0], error_message=error[1])
            taken = connection.execute(
                update(J).where(self._held(job), J.heartbeat_at < cutoff).values(**values)
            )
            if taken.rowcount != 1:
                return False
            report = connection.scalar(
                select(ResearchReportRow.data).where(ResearchReportRow.job_id == job.id)
            )
            _next_event(connection, job.id, lambda seq: event(seq, report))
            return True

        return await self.db.transact(work)

    async def active_count(self) -> int:
        async with self.db.session() as session:
            return int(
                await session.scalar(select(func.count()).select_from(J).where(J.status.in_(ACTIVE))) or 0
            )


def _put_report(connection: Connection, job_id: str, status: str, data: str) -> None:
    connection.execute(delete(ResearchReportRow).where(ResearchReportRow.job_id == job_id))
    connection.execute(
        insert(ResearchReportRow).values(job_id=job_id, status=status, data=data, created_at=utc_now())
    )

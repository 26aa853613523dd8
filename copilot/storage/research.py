"""``ResearchJobStore``: research jobs, their numbered events and their reports in the database.

Every change of a job's state is one transaction with the events it produces, so the stream and the
state never disagree. Here: ordering (the idempotency key and the per-user quota checked in the same
transaction as the insert), the owner-scoped reads (a published job is readable by anyone) and the
owner's actions (cancel, publish, delete). The worker's side — claim, events with a heartbeat, the
end, taking over silent workers' jobs — is ``copilot.storage.research_runs.JobRuns``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from copilot.errors import BadInputError, NotFoundError, RateLimitedError
from copilot.schemas import utc_now
from copilot.storage.models import ResearchEventRow, ResearchReportRow
from copilot.storage.research_rows import (
    ACTIVE,
    COLUMNS,
    TERMINAL,
    Ending,
    J,
    JobInfo,
    NewJob,
    job_info,
    next_event,
    select_job,
)
from copilot.storage.research_runs import JobRuns
from copilot.storage.runs import StoredEvent

__all__ = ["TERMINAL", "Ending", "JobInfo", "NewJob", "ResearchJobStore"]


class ResearchJobStore(JobRuns):
    """Orders, reads and the owner's actions (the worker's side is ``JobRuns``)."""

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
                select(*COLUMNS).where(J.owner == new.owner, J.idempotency_key == new.idempotency_key)
            ).first()
            if found is not None:
                if found.request_hash != new.request_hash:
                    raise BadInputError("this Idempotency-Key was already used for a different request")
                return job_info(found), False
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
        next_event(connection, new.id, first)
        row = connection.execute(select_job(new.id)).one()
        return job_info(row), True

    # --- reading --------------------------------------------------------------------------
    async def get(self, job_id: str, viewer: str | None) -> JobInfo:
        """The job, for its owner or (once published) anyone; NotFoundError otherwise."""
        async with self.db.session() as session:
            row = (await session.execute(select_job(job_id))).first()
        if row is None or (row.owner != viewer and row.published_at is None):
            raise NotFoundError(f"no research report {job_id!r}")
        return job_info(row)

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
        statement = select(*COLUMNS).where(J.owner == owner)
        if status:
            statement = statement.where(J.status == status)
        statement = statement.order_by(J.created_at.desc(), J.id).limit(limit).offset(offset)
        async with self.db.session() as session:
            return [job_info(r) for r in await session.execute(statement)]

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

    # --- the owner's actions ----------------------------------------------------------------
    async def request_cancel(self, job_id: str, owner: str, event: Callable[[int], StoredEvent]) -> JobInfo:
        """Cancel the owner's job: a queued one ends at once (with ``event``), a running one is
        flagged for its worker; a finished one is left as it is."""

        def work(connection: Connection) -> JobInfo:
            row = connection.execute(select_job(job_id)).first()
            if row is None or row.owner != owner:
                raise NotFoundError(f"no research report {job_id!r}")
            now = utc_now()
            ended = connection.execute(
                update(J)
                .where(J.id == job_id, J.status == "queued")
                .values(status="cancelled", cancel_requested=True, finished_at=now, stage="cancelled")
            )
            if ended.rowcount == 1:
                next_event(connection, job_id, event)
            else:
                connection.execute(
                    update(J).where(J.id == job_id, J.status == "running").values(cancel_requested=True)
                )
            return job_info(connection.execute(select_job(job_id)).one())

        return await self.db.transact(work)

    async def publish(self, job_id: str, owner: str, published: bool) -> JobInfo:
        """Make the owner's finished report public (or private again)."""

        def work(connection: Connection) -> JobInfo:
            row = connection.execute(select_job(job_id)).first()
            if row is None or row.owner != owner:
                raise NotFoundError(f"no research report {job_id!r}")
            if published and row.status != "done":
                raise BadInputError(f"only a finished report can be published; this one is {row.status}")
            when = (row.published_at or utc_now()) if published else None
            connection.execute(update(J).where(J.id == job_id).values(published_at=when))
            return job_info(connection.execute(select_job(job_id)).one())

        return await self.db.transact(work)

    async def delete(self, job_id: str, owner: str) -> JobInfo:
        """Delete the owner's job with its events and report (a running one's worker finds it gone)."""

        def work(connection: Connection) -> JobInfo:
            row = connection.execute(select_job(job_id)).first()
            if row is None or row.owner != owner:
                raise NotFoundError(f"no research report {job_id!r}")
            connection.execute(delete(J).where(J.id == job_id))
            return job_info(row)

        return await self.db.transact(work)

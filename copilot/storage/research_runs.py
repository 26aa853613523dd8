"""``JobRuns``: the worker's side of the research job store — claim a queued job, store its events with
a heartbeat while it holds the job, end it, and take over the jobs of workers gone silent.

A worker writes only while it holds the job (its name and run number match the row): one presumed
gone that wakes up finds the job taken and stops. Each change is one transaction with its events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from copilot.schemas import utc_now
from copilot.storage.db import Database
from copilot.storage.models import ResearchReportRow
from copilot.storage.research_rows import (
    ACTIVE,
    COLUMNS,
    TERMINAL,
    Ending,
    J,
    JobInfo,
    add_events,
    job_info,
    next_event,
    put_report,
    select_job,
)
from copilot.storage.runs import StoredEvent


class JobRuns:
    def __init__(self, database: Database) -> None:
        self.db = database

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
            next_event(connection, job_id, lambda seq: event(seq, attempt))
            return job_info(connection.execute(select_job(job_id)).one())

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
            add_events(connection, job.id, events)
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
                put_report(connection, job.id, ending.report_status, ending.report)
            add_events(connection, job.id, ending.events)
            return True

        return await self.db.transact(work)

    # --- recovery -------------------------------------------------------------------------
    async def stale(self, lease: float) -> list[JobInfo]:
        """Running jobs whose worker has shown no heartbeat for ``lease`` seconds."""
        cutoff = utc_now() - timedelta(seconds=lease)
        async with self.db.session() as session:
            rows = await session.execute(
                select(*COLUMNS).where(J.status == "running", J.heartbeat_at < cutoff).order_by(J.created_at)
            )
            return [job_info(r) for r in rows]

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
            next_event(connection, job.id, lambda seq: event(seq, report))
            return True

        return await self.db.transact(work)

    async def active_count(self) -> int:
        async with self.db.session() as session:
            return int(
                await session.scalar(select(func.count()).select_from(J).where(J.status.in_(ACTIVE))) or 0
            )

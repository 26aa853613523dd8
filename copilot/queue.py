"""The job queue at scale: procrastinate on PostgreSQL, and the ``verity worker`` loop.

The web process defers one procrastinate job per research job (``ProcrastinateRunner.submit``, the
research job's id as its queueing lock, so it waits in the queue at most once); ``verity worker``
processes run them with ``JobExecutor`` (``run_worker``) and recover the jobs of workers that
stopped. procrastinate only delivers: the research job's state, events and report stay in Verity's
own tables, so a delivery repeated by a retry or a recovery runs nothing twice (the claim fails).
procrastinate's own schema is applied once, under an advisory lock, by the first process that needs
it (``procrastinate schema --apply`` does the same by hand).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from copilot.config import Settings
from copilot.errors import ConfigError
from copilot.jobs import Execute

if TYPE_CHECKING:
    import procrastinate

    from copilot.research.jobs import ResearchJobs

log = logging.getLogger(__name__)

TASK = "verity.research_report"
QUEUE = "research"
SCHEMA_LOCK = 7_204_118  # the advisory lock held while procrastinate's schema is applied


def libpq_url(settings: Settings) -> str:
    """The PostgreSQL URL of the settings as libpq reads it (psycopg), or ConfigError."""
    if not settings.database_url:
        raise ConfigError("VERITY_JOB_RUNNER=procrastinate needs VERITY_DATABASE_URL (PostgreSQL)")
    url = make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError("VERITY_JOB_RUNNER=procrastinate needs a PostgreSQL VERITY_DATABASE_URL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _research_report(context: Any, job_id: str) -> None:
    """procrastinate's task: run one research job with this worker's executor."""
    execute: Execute = context.additional_context["execute"]
    await execute(job_id)


def build_app(settings: Settings) -> procrastinate.App:
    """A procrastinate app on the configured PostgreSQL with Verity's one task."""
    import procrastinate

    connector = procrastinate.PsycopgConnector(conninfo=libpq_url(settings), min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)
    app.task(name=TASK, queue=QUEUE, pass_context=True)(_research_report)
    return app


async def ensure_schema(app: procrastinate.App) -> None:
    """Apply procrastinate's schema unless it is there (several processes may start at once)."""
    connector = app.connector
    pool = connector.pool  # type: ignore[attr-defined]
    async with pool.connection() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        cursor = await connection.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        row = await cursor.fetchone()
        if not (row and row[0]):
            log.info("applying procrastinate's schema")
            await connection.execute(app.schema_manager.get_schema())


class ProcrastinateRunner:
    """Defers research jobs to procrastinate's queue; ``verity worker`` processes run them."""

    name = "procrastinate"
    runs_here = False

    def __init__(self, settings: Settings) -> None:
        libpq_url(settings)  # ConfigError now, not at the first order
        self.settings = settings
        self.app = build_app(settings)
        self._open = False

    async def start(self, execute: Execute) -> None:
        await self.app.open_async()
        self._open = True
        await ensure_schema(self.app)

    async def submit(self, job_id: str) -> None:
        from procrastinate.exceptions import AlreadyEnqueued

        with contextlib.suppress(AlreadyEnqueued):  # it waits in the queue already
            await self.app.tasks[TASK].configure(queueing_lock=job_id).defer_async(job_id=job_id)

    async def aclose(self) -> None:
        if self._open:
            self._open = False
            await self.app.close_async()


async def run_worker(jobs: ResearchJobs, concurrency: int) -> None:
    """Run research jobs from the queue until SIGINT or SIGTERM; then the jobs running here store
    their partial reports and go back to the queue for another worker."""
    runner = jobs.runner
    if not isinstance(runner, ProcrastinateRunner):
        raise ConfigError("verity worker runs procrastinate jobs: set VERITY_JOB_RUNNER=procrastinate")
    await jobs.start(sweep=True)
    worker = asyncio.create_task(
        runner.app.run_worker_async(
            queues=[QUEUE],
            concurrency=concurrency,
            name=jobs.executor.worker,
            additional_context={"execute": jobs.run},
            install_signal_handlers=False,
            shutdown_graceful_timeout=30.0,
        )
    )
    loop = asyncio.get_running_loop()

    def stop() -> None:
        log.info("stopping: the reports being written go back to the queue")
        jobs.executor.interrupt_all()
        worker.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await jobs.aclose()

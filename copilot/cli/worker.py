"""``verity worker``: write the research reports the web app queued (procrastinate on PostgreSQL).

Start as many as the load needs, on any machine that reaches the database and the market data; each
writes up to ``--concurrency`` reports at once, at a lower CPU priority (``--nice``, 10 by default) so
that a web process on the same machine keeps answering chats promptly (bench/bench_jobs.py measures
it). SIGINT or SIGTERM stops a worker: the reports it was writing keep their partial reports and go
back to the queue, where another worker resumes them.
"""

from __future__ import annotations

import asyncio
import os

import typer

from copilot.cli.common import cli_errors, console
from copilot.config import Settings, get_settings
from copilot.errors import ConfigError


async def _work(settings: Settings, concurrency: int) -> None:
    from copilot.queue import run_worker
    from copilot.services import build_services, settle_process

    services = build_services(settings)
    settle_process()  # a long-running process: its full collections stop walking what it keeps
    assert services.database is not None and services.research is not None  # database storage
    try:
        await services.database.start(migrate=settings.migrate_on_start)
        console.print(
            f"Verity worker {services.research.executor.worker}: up to {concurrency} reports at once",
            highlight=False,
        )
        await run_worker(services.research, concurrency)
    finally:
        await services.aclose()


def worker(
    concurrency: int | None = typer.Option(
        None, min=1, help="reports written at once (default VERITY_RESEARCH_JOBS_AT_ONCE)"
    ),
    nice: int = typer.Option(10, min=0, max=19, help="lower CPU priority: the web process comes first"),
) -> None:
    """Write queued research reports (needs VERITY_JOB_RUNNER=procrastinate and PostgreSQL)."""
    with cli_errors():
        settings = get_settings()
        if settings.job_runner != "procrastinate":
            raise ConfigError(
                "verity worker runs queued reports: set VERITY_JOB_RUNNER=procrastinate and a PostgreSQL "
                "VERITY_DATABASE_URL (with the default in-process runner the web app writes them itself)"
            )
        if nice:
            os.nice(nice)
        asyncio.run(_work(settings, concurrency or settings.research_jobs_at_once))
    console.print("Worker stopped.", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)

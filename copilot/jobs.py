"""Job runners: who runs a research job once it is ordered.

A ``JobRunner`` gets the id of a job the store holds as queued and sees that some worker runs it
(``copilot.research.job_run.JobExecutor.execute``, which claims it: a job handed out twice runs
once). Job state lives only in the database, so any runner may resume what another left behind.

- ``InProcessRunner`` (the default, nothing to start): the web process runs its jobs itself, a few
  at once (``VERITY_RESEARCH_JOBS_AT_ONCE``), as asyncio tasks beside the chat.
- ``ProcrastinateRunner`` (``VERITY_JOB_RUNNER=procrastinate``, PostgreSQL): the web process defers
  each job to procrastinate's queue and ``verity worker`` processes run them
  (``copilot.queue``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from copilot.config import Settings

log = logging.getLogger(__name__)

Execute = Callable[[str], Awaitable[object]]


def worker_name(kind: str) -> str:
    """A name no other process shares: host, pid and a random suffix (pids are reused)."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


class JobRunner(Protocol):
    """Hands ordered jobs to workers; ``runs_here`` says whether this process executes them."""

    name: str
    runs_here: bool

    async def start(self, execute: Execute) -> None:
        """Get ready to hand out jobs (``execute`` runs one on this process, for runners that do)."""

    async def submit(self, job_id: str) -> None:
        """See that a worker runs the queued job (again: a duplicate is harmless)."""

    async def aclose(self) -> None:
        """Stop handing out jobs; jobs running here are stopped (they are resumed later)."""


class InProcessRunner:
    """Runs jobs as tasks of this process, at most ``at_once`` together (the rest wait their turn)."""

    name = "inline"
    runs_here = True

    def __init__(self, at_once: int) -> None:
        self.at_once = at_once
        self._slots = asyncio.Semaphore(at_once)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._execute: Execute | None = None
        self._closing = False

    async def start(self, execute: Execute) -> None:
        self._execute = execute

    async def submit(self, job_id: str) -> None:
        if self._execute is None or self._closing:
            raise RuntimeError("the in-process job runner is not started")
        if job_id in self._tasks:  # already waiting or running here
            return
        self._tasks[job_id] = asyncio.create_task(self._run(job_id), name=f"research job {job_id}")

    async def _run(self, job_id: str) -> None:
        assert self._execute is not None
        try:
            async with self._slots:
                await self._execute(job_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # the executor stores its own failures; this is a bug or a dead store
            log.exception("research job %s could not be run", job_id)
        finally:
            self._tasks.pop(job_id, None)

    async def wait(self, job_id: str) -> None:
        """Until the job's task on this process has ended (tests and benchmarks)."""
        task = self._tasks.get(job_id)
        if task is not None:
            await asyncio.gather(asyncio.shield(task), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel what still waits for a slot; running jobs are interrupted by their executor first."""
        self._closing = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def build_runner(settings: Settings) -> JobRunner:
    """The runner the settings name: in-process (default) or procrastinate (``verity worker``)."""
    if settings.job_runner == "procrastinate":
        from copilot.queue import ProcrastinateRunner

        return ProcrastinateRunner(settings)
    return InProcessRunner(settings.research_jobs_at_once)

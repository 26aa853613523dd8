"""``JobExecutor``: one run of a research job, with its events and progress kept in the store.

``execute(job_id)`` claims the queued job (nothing happens when another worker has it, or it was
cancelled), runs the pipeline, and stores its events in batches (every ``flush_interval``) with the
job's percentage and a heartbeat (at least every quarter of the lease, so a long model call does not
look like a dead worker). A flush learns of a cancel asked on any worker. The end — the report, the
last events and the terminal state — is one transaction. A run interrupted by its process stopping
(``interrupt``) is queued again with its partial report, or failed once it has been started
``research_max_attempts`` times. A run whose job was deleted or taken over stops without writing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from copilot.config import Settings
from copilot.errors import ProviderUnavailableError
from copilot.research.deps import ResearchDeps, ResearchRequest
from copilot.research.events import (
    ResearchDoneEvent,
    ResearchFailedEvent,
    ResearchSectionEvent,
    ResearchStartedEvent,
    ResearchStepEvent,
)
from copilot.research.job_events import JobEvent, stored
from copilot.research.pipeline import run_research
from copilot.storage.research import Ending, JobInfo, ResearchJobStore
from copilot.storage.runs import StoredEvent

log = logging.getLogger(__name__)

RESUMED = "its worker stopped before it was finished; it is written again from the start"


def interrupted_error(attempts: int) -> ProviderUnavailableError:
    return ProviderUnavailableError(
        f"the report was interrupted {attempts} times (its worker stopped); the partial report is kept"
    )


@dataclass
class _Run:
    job: JobInfo
    stop: asyncio.Event
    seq: int
    pending: list[StoredEvent] = field(default_factory=list)
    progress: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None  # why it stops early: cancel, interrupt, lost
    beat: float = field(default_factory=time.monotonic)
    ended: bool = False
    # one writer at a time: a batch being stored is stored before the end, so no number is skipped
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def add(self, event: Any) -> None:
        self.seq += 1
        self.pending.append(stored(self.seq, event))


class JobExecutor:
    """Runs claimed research jobs on this process; ``interrupt`` stops them to be resumed elsewhere."""

    def __init__(
        self,
        store: ResearchJobStore,
        deps: ResearchDeps,
        worker: str,
        flush_interval: float = 0.2,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.deps = deps
        self.worker = worker
        self.flush_interval = flush_interval
        self.on_change = on_change or (lambda _job_id: None)
        self._runs: dict[str, _Run] = {}

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    def running(self) -> list[str]:
        return list(self._runs)

    def stop(self, job_id: str, reason: str) -> bool:
        """Stop a run on this process (``cancel``, ``interrupt`` or ``lost``); False when not here."""
        run = self._runs.get(job_id)
        if run is None:
            return False
        run.reason = run.reason or reason
        run.stop.set()
        return True

    def interrupt_all(self) -> None:
        for job_id in list(self._runs):
            self.stop(job_id, "interrupt")

    async def execute(self, job_id: str) -> str | None:
        """Run the job if it is still queued; its final status (None when it was not run here)."""
        job = await self.store.claim(job_id, self.worker, self._running_event)
        if job is None:
            return None
        run = _Run(job, asyncio.Event(), job.last_seq)
        self._runs[job_id] = run
        self.on_change(job_id)
        flusher = asyncio.create_task(self._flush_loop(run))
        try:
            return await self._drive(run)
        except asyncio.CancelledError:  # the process is stopping the task itself: resume elsewhere
            await asyncio.shield(self._end(run, lambda: self._interrupted(run, None)))
            raise
        finally:
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            self._runs.pop(job_id, None)
            self.on_change(job_id)

    @staticmethod
    def _running_event(seq: int, attempt: int) -> StoredEvent:
        message = "writing the report" if attempt == 1 else f"writing the report again (run {attempt})"
        return stored(seq, JobEvent(status="running", attempt=attempt, message=message))

    async def _drive(self, run: _Run) -> str | None:
        job = run.job
        request = ResearchRequest(
            topic=job.topic, as_of=job.as_of, model=job.model, owner=job.owner, report_id=job.id
        )
        async with aclosing(run_research(request, self.deps, stop=run.stop)) as events:
            async for event in events:
                if run.reason == "lost":
                    return None
                if isinstance(event, ResearchDoneEvent | ResearchFailedEvent):
                    return await self._end(run, partial(self._ending, run, event))
                self._progress(run, event)
                run.add(event)
        # the pipeline always ends with done or failed; reaching here is a bug in it
        bug = ResearchFailedEvent(code="internal", message="internal error")
        return await self._end(run, partial(self._ending, run, bug))

    @staticmethod
    def _progress(run: _Run, event: Any) -> None:
        if isinstance(event, ResearchStartedEvent):
            run.progress.update(report_as_of=event.as_of, stage="planning")
        elif isinstance(event, ResearchStepEvent):
            run.progress.update(percent=event.percent, stage=(event.detail or event.name)[:200])
        elif isinstance(event, ResearchSectionEvent):
            run.progress.update(percent=event.percent, stage=f"wrote {event.section.title}"[:200])

    def _ending(self, run: _Run, event: ResearchDoneEvent | ResearchFailedEvent) -> Ending:
        if isinstance(event, ResearchDoneEvent):
            done = event.report
            totals = done.verification
            run.add(event)
            return Ending(
                "done",
                run.pending,
                report=done.to_json(indent=None),
                claims=(totals.total, totals.verified),
                title=done.title,
            )
        if event.code == "cancelled" and run.reason == "interrupt":
            return self._interrupted(run, event)
        status = "cancelled" if event.code == "cancelled" else "failed"
        run.add(event)
        report = event.report.to_json(indent=None) if event.report is not None else None
        return Ending(
            status, run.pending, report, "partial", error_code=event.code, error_message=event.message
        )

    def _interrupted(self, run: _Run, event: ResearchFailedEvent | None) -> Ending:
        """Queued again (with the partial report) while runs remain; failed after the last one."""
        kept = event.report if event is not None else None
        report = kept.to_json(indent=None) if kept is not None else None
        if run.job.attempts < self.settings.research_max_attempts:
            run.add(JobEvent(status="queued", message=RESUMED))
            return Ending("queued", run.pending, report, "partial")
        error = interrupted_error(run.job.attempts)
        run.add(ResearchFailedEvent(code=error.code, message=error.message, report=kept))
        return Ending("failed", run.pending, report, "partial", error.code, error.message)

    async def _end(self, run: _Run, make: Callable[[], Ending]) -> str | None:
        """Store the end ``make`` describes (built under the write lock, from every pending event)."""
        async with run.lock:
            if run.ended or run.reason == "lost":
                return None
            run.ended = True
            ending = make()
            ending.values.update(run.progress)
            try:
                kept = await self.store.finish(run.job, ending)
            except Exception:  # the job stays running until its lease runs out; then it is resumed
                log.exception("cannot store the end of research job %s", run.job.id)
                return None
        self.on_change(run.job.id)
        return ending.status if kept else None

    async def _flush_loop(self, run: _Run) -> None:
        beat_every = self.settings.job_lease / 4
        while True:
            await asyncio.sleep(self.flush_interval)
            if not run.pending and not run.progress and time.monotonic() - run.beat < beat_every:
                continue
            async with run.lock:
                if run.ended:
                    return
                events, progress = run.pending, run.progress
                run.pending, run.progress = [], {}
                try:
                    state = await self.store.append(run.job, events, progress)
                except Exception:  # the next tick or the end stores these events
                    log.exception("cannot store the events of research job %s", run.job.id)
                    run.pending, run.progress = events + run.pending, {**progress, **run.progress}
                    continue
            run.beat = time.monotonic()
            if events:
                self.on_change(run.job.id)
            if state != "ok":
                self.stop(run.job.id, state)

"""``ResearchJobs``: research reports as background jobs — order, follow, cancel, publish, export.

Ordering checks the request (typed errors before anything is written), records the job with its
idempotency key under the owner's quota, and hands it to the job runner (``copilot.jobs``). A job's
events are read from the store by any process (``events``: replayed after a cursor, then followed
until the job ends; readers on the process running the job are woken at each stored batch, others
poll). ``recover`` (run at start and every half lease by whoever runs jobs) resumes or fails the jobs
of workers that stopped, and hands queued jobs to the runner again. See docs/research.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import uuid
import weakref
from collections.abc import AsyncIterator
from datetime import date

from copilot.errors import BadInputError, NotFoundError
from copilot.jobs import JobRunner, worker_name
from copilot.research.deps import MODEL_LLM, ResearchDeps, ResearchRequest
from copilot.research.events import ResearchFailedEvent, parse_research_event
from copilot.research.export import MEDIA_TYPES, check_format, export_report
from copilot.research.job_events import JobEvent, stored
from copilot.research.job_run import RESUMED, JobExecutor, interrupted_error
from copilot.research.pipeline import check_request
from copilot.research.report import ResearchReport
from copilot.storage.research import TERMINAL, JobInfo, NewJob, ResearchJobStore
from copilot.storage.runs import StoredEvent

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 5.0  # seconds a stopping process gives its jobs to store their partial reports
MAX_KEY_CHARS = 200


def request_hash(topic: str, as_of: date | None, model: str) -> str:
    """What an idempotency key is bound to: the same key may only order the same report."""
    body = json.dumps([topic, as_of.isoformat() if as_of else None, model])
    return hashlib.sha256(body.encode()).hexdigest()


class ResearchJobs:
    """The research jobs of one process, over the shared store; one per process (``Services``)."""

    def __init__(
        self,
        store: ResearchJobStore,
        deps: ResearchDeps,
        runner: JobRunner,
        poll_interval: float = 0.25,
        flush_interval: float = 0.2,
    ) -> None:
        self.store = store
        self.deps = deps
        self.runner = runner
        self.settings = deps.settings
        self.poll_interval = poll_interval
        self.executor = JobExecutor(
            store, deps, worker_name(runner.name), flush_interval=flush_interval, on_change=self._notify
        )
        # job id -> the event its readers on this process wait on; weak: gone with its last reader
        self._signals: weakref.WeakValueDictionary[str, asyncio.Event] = weakref.WeakValueDictionary()
        self._sweeper: asyncio.Task[None] | None = None
        self._closing = False
        self._started = False

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self, sweep: bool | None = None) -> None:
        """Start the runner; where jobs run here (or ``sweep``), recover now and every half lease."""
        if self._started:
            return
        self._started = True
        await self.runner.start(self.run)
        if sweep if sweep is not None else self.runner.runs_here:
            await self.recover(min_age=0.0)
            self._sweeper = asyncio.create_task(self._sweep(), name="research job recovery")

    async def run(self, job_id: str) -> None:
        """Run one job here (what the runner calls); a run interrupted while other processes go on
        is handed out again at once."""
        status = await self.executor.execute(job_id)
        if status == "queued" and not (self._closing and self.runner.runs_here):
            await self._submit(job_id)

    async def aclose(self) -> None:
        """Stop: jobs running here store their partial reports and are queued to be resumed."""
        self._closing = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        self.executor.interrupt_all()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SHUTDOWN_GRACE):
                while self.executor.running():
                    await asyncio.sleep(0.02)
        await self.runner.aclose()

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.settings.job_lease / 2)
            try:
                await self.recover()
            except Exception:  # the store is down: the next sweep tries again
                log.exception("research job recovery failed")

    # --- ordering -------------------------------------------------------------------------
    async def order(
        self,
        owner: str,
        topic: str,
        as_of: date | None = None,
        model: str | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[JobInfo, bool]:
        """Order a report; ``(job, created)``: False when the idempotency key names an earlier order."""
        text = " ".join((topic or "").split())
        chosen = model or MODEL_LLM
        check_request(ResearchRequest(topic=text, as_of=as_of, model=chosen, owner=owner), self.deps)
        key = (idempotency_key or "").strip() or None
        if key is not None and len(key) > MAX_KEY_CHARS:
            raise BadInputError(f"an Idempotency-Key has at most {MAX_KEY_CHARS} characters")
        new = NewJob(uuid.uuid4().hex, owner, text, as_of, chosen, request_hash(text, as_of, chosen), key)
        queued = JobEvent(status="queued", message="waiting for a worker")
        job, created = await self.store.create(new, self.settings.research_quota, lambda n: stored(n, queued))
        if created:
            await self._submit(job.id)
        return job, created

    async def _submit(self, job_id: str) -> None:
        try:
            await self.runner.submit(job_id)
        except Exception:  # recorded as queued: the next recovery hands it out again
            log.exception("research job %s could not be handed to the %s runner", job_id, self.runner.name)

    # --- reading --------------------------------------------------------------------------
    async def get(self, job_id: str, viewer: str | None) -> JobInfo:
        return await self.store.get(job_id, viewer)

    async def list_jobs(
        self, owner: str, limit: int = 50, offset: int = 0, status: str | None = None
    ) -> list[JobInfo]:
        return await self.store.list_jobs(owner, limit, offset, status)

    async def batches(
        self, job_id: str, viewer: str | None, after: int = 0
    ) -> AsyncIterator[list[StoredEvent]]:
        """The job's events numbered above ``after``, in batches: what is stored, then what comes,
        until the job ends (its last event is stored with its terminal state)."""
        await self.store.get(job_id, viewer)  # NotFoundError before anything is sent
        cursor = after
        while True:
            signal = self._signals.setdefault(job_id, asyncio.Event())
            events, status = await self.store.events_after(job_id, cursor)
            if events:
                cursor = events[-1].seq
                yield events
            if status in TERMINAL:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await signal.wait()

    def _notify(self, job_id: str) -> None:
        signal = self._signals.pop(job_id, None)
        if signal is not None:
            signal.set()

    async def wait(self, job_id: str, viewer: str) -> JobInfo:
        """Until the job has ended; its final state."""
        async for _ in self.batches(job_id, viewer):
            pass
        return await self.store.get(job_id, viewer)

    async def report(self, job_id: str, viewer: str | None) -> tuple[ResearchReport, str]:
        """The job's report and its status (complete, or partial for a failed or stopped job)."""
        await self.store.get(job_id, viewer)
        found = await self.store.report(job_id)
        if found is None:
            raise NotFoundError(f"research report {job_id!r} has no report yet")
        status, data = found
        return ResearchReport.from_json(data), status

    async def export(self, job_id: str, viewer: str | None, fmt: str) -> tuple[bytes, str, str]:
        """The report in ``fmt`` (md, html, pdf, json), its media type and its status."""
        chosen = check_format(fmt)
        report, status = await self.report(job_id, viewer)
        # HTML and PDF draw charts and lay out pages: off the event loop
        body = await asyncio.to_thread(export_report, report, chosen)
        return body, MEDIA_TYPES[chosen], status

    # --- the owner's actions ----------------------------------------------------------------
    async def cancel(self, job_id: str, owner: str) -> JobInfo:
        """Stop the owner's job: a queued one at once, a running one at its next stored batch."""
        event = ResearchFailedEvent(code="cancelled", message="the report was cancelled before it started")
        job = await self.store.request_cancel(job_id, owner, lambda n: stored(n, event))
        if job.status == "running":
            self.executor.stop(job_id, "cancel")
        self._notify(job_id)
        return job

    async def publish(self, job_id: str, owner: str, published: bool = True) -> JobInfo:
        return await self.store.publish(job_id, owner, published)

    async def delete(self, job_id: str, owner: str) -> None:
        """Delete the owner's job, its events and its report; a run here stops without writing."""
        await self.store.delete(job_id, owner)
        self.executor.stop(job_id, "lost")
        self._notify(job_id)

    # --- recovery -------------------------------------------------------------------------
    async def recover(self, min_age: float | None = None) -> None:
        """Resume (or fail, after the last allowed run) jobs whose worker went silent; hand the
        queued jobs older than ``min_age`` seconds (default: the lease) to the runner again (a runner
        that has one already ignores it; the claim makes a duplicate harmless)."""
        lease = self.settings.job_lease
        for job in await self.store.stale(lease):
            await self._take_over(job, lease)
        for job_id in await self.store.queued(lease if min_age is None else min_age):
            await self._submit(job_id)

    async def _take_over(self, job: JobInfo, lease: float) -> None:
        """Queue a silent worker's job again, or fail it after its last allowed run."""
        if job.attempts < self.settings.research_max_attempts:
            resumed = stored(0, JobEvent(status="queued", message=RESUMED))
            renumbered = lambda n, _report: StoredEvent(n, resumed.type, resumed.data)  # noqa: E731
            if await self.store.expire(job, lease, "queued", renumbered):
                log.warning("research job %s: worker %s went silent; queued again", job.id, job.worker)
            return
        error = interrupted_error(job.attempts)

        def failed(n: int, report: str | None) -> StoredEvent:
            partial = ResearchReport.from_json(report) if report else None
            return stored(n, ResearchFailedEvent(code=error.code, message=error.message, report=partial))

        await self.store.expire(job, lease, "failed", failed, (error.code, error.message))


def parse_stored(event: StoredEvent) -> object:
    """A stored event as its model (a ``JobEvent`` or a pipeline event)."""
    if event.type == "job":
        return JobEvent.model_validate_json(event.data)
    return parse_research_event(event.data)

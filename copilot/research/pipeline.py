"""``run_research``: plan -> gather -> write -> verify -> assemble, as a stream of typed events.

The run follows the plan's graph (``copilot.research.plan.plan_graph``): every gather step starts
as soon as the plan is made, each section as soon as its own steps are in, summary and conclusion
once the analysis sections are done. Tool calls and model calls share one bound
(``Settings.research_concurrency``); sync tools run in the run's own threads (as many as the
bound) with ``Settings.tool_timeout``. A
step that fails for a reason that may pass (a timeout, a provider or model error) is retried
once; a step that cannot succeed (no such data, a bad argument) is not. Either way the report
finishes without it and the sections that needed it say so. A model that cannot plan or write
leaves that part to the deterministic writer, and the report says so too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar

from copilot.errors import (
    BadInputError,
    LLMUnavailableError,
    NoDataError,
    NotAllowedError,
    ProviderUnavailableError,
    UnknownSymbolError,
    VerityError,
)
from copilot.research.deps import ResearchDeps, ResearchRequest
from copilot.research.events import (
    ResearchDoneEvent,
    ResearchEvent,
    ResearchFailedEvent,
    ResearchStartedEvent,
    StepKind,
)
from copilot.research.evidence import StepResult
from copilot.research.plan import PlannedStep, ResearchPlan, gather_node
from copilot.research.planner import step_id
from copilot.research.report import ResearchReport
from copilot.research.run_state import RunState
from copilot.research.sections import write_analysis_section, write_synthesis_section
from copilot.research.tools import call_step

log = logging.getLogger(__name__)
T = TypeVar("T")
_END = object()
# errors a second attempt cannot fix: the data does not exist or the request is wrong
_FINAL = (BadInputError, UnknownSymbolError, NoDataError, NotAllowedError)


async def run_research(
    request: ResearchRequest, deps: ResearchDeps, stop: asyncio.Event | None = None
) -> AsyncGenerator[ResearchEvent, None]:
    """Write the report ``request`` asks for, yielding its events (see ``copilot.research.events``).

    Bad input (an empty topic, an unknown model, a future date) ends the stream at once with a
    ``failed`` event. Setting ``stop`` ends the run with a ``failed`` event of code ``cancelled``
    that carries the partial report (a job's cancel, a server shutting down); closing the stream
    early (``aclose``) cancels it with no further event.
    """
    try:
        state = RunState.start(request, deps)
    except VerityError as exc:
        yield ResearchFailedEvent(code=exc.code, message=exc.message)
        return
    yield ResearchStartedEvent(
        report_id=state.report_id,
        topic=request.topic,
        as_of=state.as_of,
        model=request.model,
        mode=state.mode,
    )
    runner = _Runner(state, stop)
    task = asyncio.create_task(runner.execute())
    try:
        while (item := await state.queue.get()) is not _END:
            yield item
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def check_request(request: ResearchRequest, deps: ResearchDeps) -> date:
    """The analysis date of a request, or the BadInputError a run would fail with (for job creation)."""
    return RunState.start(request, deps).as_of


class _Stopped(Exception):
    """The run's ``stop`` event was set."""


class _Runner:
    """Runs one plan's graph, putting events on the state's queue."""

    def __init__(self, state: RunState, stop: asyncio.Event | None = None) -> None:
        self.s = state
        self.stop = stop
        bound = state.settings.research_concurrency
        self.sem = asyncio.Semaphore(bound)
        # the run's own threads for sync tools: asyncio.to_thread's shared pool has only CPUs + 4
        # threads, fewer than the bound on a small machine, and these calls wait on I/O, not CPU
        self.threads = ThreadPoolExecutor(max_workers=bound, thread_name_prefix="research")

    async def in_thread(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.threads, call)

    async def execute(self) -> None:
        s = self.s
        try:
            report = await self._until_stopped()
            s.emit(ResearchDoneEvent(report=report))
        except _Stopped:
            message = "the report was stopped before it was finished"
            s.emit(ResearchFailedEvent(code="cancelled", message=message, report=s.partial()))
        except VerityError as exc:
            partial = None if s.refused else s.partial()
            s.emit(ResearchFailedEvent(code=exc.code, message=exc.message, report=partial))
        except Exception:
            log.exception("research report %s failed", s.report_id)
            s.emit(ResearchFailedEvent(code="internal", message="internal error", report=s.partial()))
        finally:
            self.threads.shutdown(wait=False, cancel_futures=True)
            s.queue.put_nowait(_END)

    async def _until_stopped(self) -> ResearchReport:
        """The report, or ``_Stopped`` once ``stop`` is set (the work in progress is cancelled)."""
        if self.stop is None:
            return await self._run()
        work = asyncio.create_task(self._run())
        stopped = asyncio.create_task(self.stop.wait())
        try:
            await asyncio.wait((work, stopped), return_when=asyncio.FIRST_COMPLETED)
        finally:  # stopped, or this run cancelled (the stream closed): nothing keeps running
            stopped.cancel()
            if not work.done():
                work.cancel()
                await asyncio.gather(work, return_exceptions=True)
        if work.cancelled():
            raise _Stopped
        return work.result()

    async def _run(self) -> ResearchReport:
        s = self.s
        plan = await self._plan()
        gathers = {step.id: asyncio.create_task(self._gather(step)) for step in plan.steps}
        priced = asyncio.create_task(self._subject_priced(plan, gathers))
        analysis: dict[str, asyncio.Task[None]] = {}
        for section in (x for x in plan.sections if not x.synthesis):
            needs = [gathers[i] for i in section.steps if i in gathers]
            analysis[section.key] = asyncio.create_task(
                self._after(needs, write_analysis_section, s, self, section)
            )
        synthesis = [
            asyncio.create_task(
                self._after(list(analysis.values()), write_synthesis_section, s, self, section)
            )
            for section in plan.sections
            if section.synthesis
        ]
        tasks = [priced, *gathers.values(), *analysis.values(), *synthesis]
        try:
            await asyncio.gather(*tasks)  # the subject without prices stops everything at once
        finally:
            for task in tasks:
                task.cancel()
        if plan.steps and not any(r.ok for r in s.evidence.results.values()):
            reasons = "; ".join(dict.fromkeys(r.error or "" for r in s.evidence.results.values()))
            raise NoDataError(f"no data could be gathered for this report ({reasons})")
        return await s.assemble(self.in_thread)

    async def _subject_priced(self, plan: ResearchPlan, gathers: dict[str, asyncio.Task[None]]) -> None:
        """NoDataError when the report's own subject has no price by the analysis date ("biotech"
        before the record of XBI begins): a report on its benchmarks alone, under the topic's title,
        would answer another question. It runs beside the work, which stops when it fails."""
        primary = plan.subject("primary")
        if primary is None:
            return
        quote = step_id("quote", primary.symbol)
        if quote not in gathers:
            return
        await asyncio.gather(gathers[quote], return_exceptions=True)
        result = self.s.evidence.results.get(quote)
        if result is not None and not result.ok and result.code in ("no_data", "unknown_symbol"):
            self.s.refused = True  # a section on the benchmarks alone is no partial report of this one
            raise NoDataError(
                f"the report cannot cover {primary.name} as of {self.s.as_of.isoformat()}: {result.error}",
                primary.symbol,
            )

    @staticmethod
    async def _after(needs: list[asyncio.Task[Any]], then: Callable[..., Awaitable[T]], *args: Any) -> T:
        await asyncio.gather(*needs)
        return await then(*args)

    async def bounded(self, call: Callable[[], Awaitable[T]]) -> T:
        """One tool or model call under the run's concurrency bound."""
        async with self.sem:
            return await call()

    async def _plan(self) -> ResearchPlan:
        s = self.s
        s.step("plan", "plan", "started", detail="reading the topic and planning sections")
        start = s.deps.timer()
        fallback = await self.in_thread(s.fallback_plan)
        plan, meter = fallback, None
        if s.chat is not None:
            from copilot.research.model_plan import model_plan

            meter = s.usage.meter()
            try:
                plan = await self.bounded(lambda: model_plan(s.chat, fallback, s.deps.market, s.as_of, meter))  # type: ignore[arg-type]
            except Exception as exc:
                error = model_error(exc)
                note = (
                    f"The model could not plan ({error.message}); the report follows the deterministic plan."
                )
                plan = fallback.model_copy(update={"notes": [*fallback.notes, note]})
        s.set_plan(plan)
        s.finish(
            "plan",
            "plan",
            "done",
            start,
            meter=meter,
            detail=f"{len(plan.sections)} sections, {len(plan.steps)} steps",
        )
        return plan

    async def _gather(self, step: PlannedStep) -> None:
        s = self.s
        name = gather_node(step.id)
        s.step(name, "gather", "started", detail=step.purpose)
        start = s.deps.timer()
        timeout = s.settings.tool_timeout
        for attempt in (1, 2):

            def call() -> Any:
                return call_step(step.tool, step.arguments, s.deps.market, s.deps.knowledge, s.as_of)

            try:
                output = await self.bounded(lambda: asyncio.wait_for(self.in_thread(call), timeout))
            except TimeoutError:
                error: VerityError = ProviderUnavailableError(f"{step.tool} timed out after {timeout:g} s")
            except VerityError as exc:
                error = exc
            else:
                s.evidence.add(StepResult(step, output, attempts=attempt, seconds=s.deps.timer() - start))
                s.finish(name, "gather", "done", start, attempt=attempt, detail=step.purpose)
                return
            if attempt == 1 and not isinstance(error, _FINAL):
                s.step(name, "gather", "retried", error=error.message, attempt=1, detail=step.purpose)
                continue
            break
        s.evidence.add(
            StepResult(
                step, error=error.message, code=error.code, attempts=attempt, seconds=s.deps.timer() - start
            )
        )
        s.finish(name, "gather", "failed", start, attempt=attempt, error=error.message, detail=step.purpose)

    async def model_call(self, name: str, kind: StepKind, call: Callable[[], Awaitable[T]]) -> T:
        """A model call with one retry on a model error (the step says it was retried)."""
        try:
            return await self.bounded(call)
        except Exception as exc:
            error = model_error(exc)
            self.s.step(name, kind, "retried", error=error.message, attempt=1)
        try:
            return await self.bounded(call)
        except Exception as exc:
            raise model_error(exc) from exc


def model_error(exc: Exception) -> VerityError:
    """A model-side failure as a typed error; anything else (our own bug) is raised again."""
    if isinstance(exc, VerityError):
        return exc
    import openai

    if isinstance(exc, openai.APIError):
        return LLMUnavailableError(f"the model failed: {type(exc).__name__}: {exc}")
    raise exc

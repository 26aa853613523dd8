"""The state of one research run: its evidence, finished sections, step records and event queue.

``RunState`` checks the request, keeps the ledger and the written sections, turns progress into
step events with a percentage, writes sections (``copilot.research.sections``) and assembles the
report, or the partial report a failed run hands back.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel

from copilot.citations import SourceLedger
from copilot.config import Settings
from copilot.errors import BadInputError
from copilot.research.assemble import disclaimer, related_quotes, renumbered
from copilot.research.charts import build_charts
from copilot.research.deps import MAX_TOPIC_CHARS, ResearchDeps, ResearchRequest, model_name
from copilot.research.draft import Draft
from copilot.research.events import ResearchStepEvent, StepKind, StepStatus
from copilot.research.evidence import Evidence
from copilot.research.plan import ResearchPlan
from copilot.research.planner import deterministic_plan
from copilot.research.report import ReportSection, ResearchReport, StepRecord
from copilot.research.usage import Meter, UsageBook

log = logging.getLogger(__name__)


@dataclass
class RunState:
    request: ResearchRequest
    deps: ResearchDeps
    as_of: date
    chat: BaseChatModel | None
    mode: str
    report_id: str
    created_at: datetime
    evidence: Evidence
    usage: UsageBook
    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    plan: ResearchPlan | None = None
    written: dict[str, tuple[ReportSection, Draft]] = field(default_factory=dict)
    records: list[StepRecord] = field(default_factory=list)
    total: int = 0  # steps of the run, known once the plan is made
    finished: int = 0
    refused: bool = False  # the report's own subject has no data: nothing written stands as a report

    @classmethod
    def start(cls, request: ResearchRequest, deps: ResearchDeps) -> RunState:
        """A run of ``request``, or BadInputError (empty topic, unknown model, future date)."""
        settings = deps.settings
        topic = " ".join(request.topic.split())
        if not topic:
            raise BadInputError("the research topic is empty: name an index, a sector, a fund or a company")
        if len(topic) > MAX_TOPIC_CHARS:
            raise BadInputError(
                f"the topic is {len(topic):,} characters long; the limit is {MAX_TOPIC_CHARS}"
            )
        today = deps.today()
        as_of = request.as_of or settings.as_of or today
        if as_of > today:
            raise BadInputError(f"the analysis date {as_of.isoformat()} is in the future (today is {today})")
        chat = deps.registry()(request.model)
        name = model_name(chat, settings)
        price = settings.llm_prices.get(name) if chat is not None else None
        return cls(
            request=request.model_copy(update={"topic": topic}),
            deps=deps,
            as_of=as_of,
            chat=chat,
            mode=name,
            report_id=request.report_id or uuid.uuid4().hex,
            created_at=deps.now(),
            evidence=Evidence(SourceLedger()),
            usage=UsageBook(model=name if chat is not None else None, price=price),
        )

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    # -- events -----------------------------------------------------------------------------------

    def emit(self, event: Any) -> None:
        self.queue.put_nowait(event)

    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.finished / self.total))

    def step(self, name: str, kind: StepKind, status: StepStatus, **fields: Any) -> None:
        self.emit(ResearchStepEvent(name=name, kind=kind, status=status, percent=self.percent(), **fields))

    def finish(
        self,
        name: str,
        kind: StepKind,
        status: StepStatus,
        start: float,
        meter: Meter | None = None,
        attempt: int = 1,
        error: str | None = None,
        detail: str = "",
    ) -> None:
        """Record a finished step and emit its event (the percentage counts it)."""
        seconds = self.deps.timer() - start
        self.finished += 1
        tokens_in, tokens_out, cost = (
            (meter.tokens_in, meter.tokens_out, meter.cost) if meter else (0, 0, 0.0)
        )
        self.records.append(
            StepRecord(
                name=name,
                kind=kind,
                status="failed" if status == "failed" else "done",
                seconds=round(seconds, 4),
                attempts=attempt,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                cost=cost,
                error=error,
            )
        )
        self.step(
            name,
            kind,
            status,
            seconds=round(seconds, 4),
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=cost,
            attempt=attempt,
            error=error,
            detail=detail,
        )

    # -- plan -------------------------------------------------------------------------------------

    def fallback_plan(self) -> ResearchPlan:
        return deterministic_plan(
            self.request.topic, self.as_of, self.deps.market, self.deps.symbol_resolver()
        )

    def set_plan(self, plan: ResearchPlan) -> None:
        self.plan = plan
        self.total = 1 + len(plan.steps) + len(plan.sections) + 1  # plan, steps, sections, assembly
        self.finished = 0

    # -- report -----------------------------------------------------------------------------------

    def report(self, status: str = "complete") -> ResearchReport:
        plan = self.plan
        order = [s.key for s in plan.sections] if plan else list(self.written)
        sections = [self.written[k][0] for k in order if k in self.written]
        final, cited, mapping = renumbered(sections, self.evidence.ledger)
        failed = [r for r in self.evidence.results.values() if not r.ok]
        notes = list(plan.notes) if plan else []
        notes += [f"Step {r.step.id} ({r.step.purpose or r.step.tool}) failed: {r.error}" for r in failed]
        usage = self.usage.usage()
        return ResearchReport(
            id=self.report_id,
            topic=self.request.topic,
            title=plan.title if plan else self.request.topic,
            as_of=self.as_of,
            created_at=self.created_at,
            owner=self.request.owner,
            model=self.request.model,
            mode=self.mode,
            status="complete" if status == "complete" else "partial",
            sections=final,
            sources=cited,
            related=related_quotes(plan, self.evidence) if plan else [],
            charts=build_charts(plan, self.evidence, self.as_of, mapping) if plan else [],
            disclaimer=disclaimer(self.as_of),
            steps=list(self.records),
            usage=usage,
            plan=plan,
            notes=notes + ([usage.note] if usage.note else []),
        )

    async def assemble(
        self, in_thread: Callable[[Callable[[], ResearchReport]], Awaitable[ResearchReport]]
    ) -> ResearchReport:
        """The finished report. Numbering, verifying every section again and drawing the charts is
        tens of milliseconds of CPU: ``in_thread`` runs it off the event loop, so a server writing
        reports beside the chat keeps answering."""
        self.step("assemble", "assemble", "started", detail="numbering sources, charts, related stocks")
        start = self.deps.timer()
        report = await in_thread(self.report)
        self.finish("assemble", "assemble", "done", start, detail=report.verification.summary)
        return report.model_copy(update={"steps": list(self.records)})

    def partial(self) -> ResearchReport | None:
        """What a failed run leaves: the sections finished so far (None when nothing was planned)."""
        if self.plan is None:
            return None
        try:
            return self.report(status="partial")
        except Exception:  # the run already failed: log this one and hand back no report
            log.exception("research report %s: the partial report cannot be assembled", self.report_id)
            return None

"""Write one section of a run: by the model (verified, one repair round) or by the deterministic
writer (unverifiable sentences dropped), mark what stays unverified, and emit it.

A model that fails twice on a section hands it to the deterministic writer, and the section says
so in its notes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from copilot.errors import VerityError
from copilot.research.draft import Draft, WriteContext
from copilot.research.events import ResearchSectionEvent, StepKind
from copilot.research.model_writer import ModelText, write_section, write_synthesis
from copilot.research.plan import PlannedSection, write_node
from copilot.research.report import ReportSection
from copilot.research.run_state import RunState
from copilot.research.usage import Meter
from copilot.research.verification import keep_verified, marked, section_verification
from copilot.research.writer import generic, write_analysis
from copilot.research.writer import write_synthesis as offline_synthesis

T = TypeVar("T")


class ModelCalls(Protocol):
    async def model_call(self, name: str, kind: StepKind, call: Callable[[], Awaitable[T]]) -> T: ...


async def write_analysis_section(state: RunState, calls: ModelCalls, section: PlannedSection) -> None:
    assert state.plan is not None
    name = write_node(section.key)
    state.step(name, "write", "started", detail=section.title)
    start = state.deps.timer()
    ctx = WriteContext(state.plan, section, state.evidence, state.as_of)
    notes = _missing_notes(ctx)
    meter: Meter | None = None
    draft = Draft()
    if state.chat is not None:
        chat, meter = state.chat, state.usage.meter()
        try:
            text = await calls.model_call(
                name,
                "write",
                lambda: write_section(
                    chat, state.request.topic, state.as_of, section, state.evidence, notes, meter
                ),
            )
            written = _from_model(state, section, text, notes)
        except VerityError as exc:
            written, draft = _offline(
                state, ctx, notes, f"The model could not write this section ({exc.message})."
            )
    else:
        written, draft = _offline(state, ctx, notes)
    _publish(state, name, start, written, draft, meter)


async def write_synthesis_section(state: RunState, calls: ModelCalls, section: PlannedSection) -> None:
    assert state.plan is not None
    name = write_node(section.key)
    state.step(name, "write", "started", detail=section.title)
    start = state.deps.timer()
    ctx = WriteContext(state.plan, section, state.evidence, state.as_of)
    done = [
        state.written[s.key][0] for s in state.plan.sections if s.key in state.written and not s.synthesis
    ]
    meter: Meter | None = None
    draft = Draft()
    if state.chat is not None:
        chat, meter = state.chat, state.usage.meter()
        pairs = [(s.title, s.body) for s in done]
        try:
            text = await calls.model_call(
                name,
                "write",
                lambda: write_synthesis(
                    chat, state.request.topic, state.as_of, section.title, pairs, state.evidence.ledger, meter
                ),
            )
            written = _from_model(state, section, text, [])
        except VerityError as exc:
            note = f"The model could not write this section ({exc.message})."
            written, draft = _offline(state, ctx, [], note, synthesis=True)
    else:
        written, draft = _offline(state, ctx, [], synthesis=True)
    _publish(state, name, start, written, draft, meter)


def _missing_notes(ctx: WriteContext) -> list[str]:
    draft = Draft()
    ctx.missing(draft, *ctx.section.steps)
    return draft.notes


def _from_model(state: RunState, section: PlannedSection, text: ModelText, notes: list[str]) -> ReportSection:
    body, report = marked(text.body, state.evidence.ledger)
    return ReportSection(
        key=section.key,
        title=section.title,
        body=body,
        verification=section_verification(report),
        notes=notes,
        repaired=text.repaired,
        writer=state.mode,
    )


def _offline(
    state: RunState, ctx: WriteContext, notes: list[str], why: str | None = None, synthesis: bool = False
) -> tuple[ReportSection, Draft]:
    assert state.plan is not None
    if synthesis:
        # in the plan's order, not the order sections finished: the same report reads the same
        order = [s.key for s in state.plan.sections if s.key in state.written]
        written = {k: (state.written[k][0].body, state.written[k][1]) for k in order}
        draft = offline_synthesis(ctx, written)
    elif state.plan.planner == "model":
        draft = generic(ctx)  # the seed-structure writers read the deterministic plan's step ids
    else:
        draft = write_analysis(ctx)
    kept, dropped = keep_verified(draft, state.evidence.ledger)
    body, report = marked(kept, state.evidence.ledger)
    extra = [why + " It was written by the deterministic writer."] if why else []
    section = ReportSection(
        key=ctx.section.key,
        title=ctx.section.title,
        body=body,
        verification=section_verification(report),
        notes=list(dict.fromkeys([*notes, *draft.notes, *extra])),
        dropped=dropped,
    )
    return section, draft


def _publish(
    state: RunState, name: str, start: float, section: ReportSection, draft: Draft, meter: Meter | None
) -> None:
    state.written[section.key] = (section, draft)
    state.finish(name, "write", "done", start, meter=meter, detail=section.verification.summary)
    state.emit(ResearchSectionEvent(section=section, percent=state.percent()))

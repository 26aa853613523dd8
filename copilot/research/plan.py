"""The plan of a research report: its subjects, the gather steps and the sections written from them.

A plan is a small dependency graph (``plan_graph``): the plan itself, then every gather step (a
tool call or document search, independent of each other), then each analysis section (after its
own steps), then the synthesis sections (summary, conclusion: after every analysis section), then
assembly (after everything). The pipeline runs that graph; ``critical_path`` measures its longest
chain, the floor of the report's wall time whatever the parallelism.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["primary", "etf", "index", "benchmark", "peer", "sector"]
PLAN_NODE = "plan"
ASSEMBLE_NODE = "assemble"
SYNTHESIS_KEYS = ("summary", "conclusion")


class Subject(BaseModel):
    """A symbol the report is about, and why: the primary subject, its ETF/index, a benchmark."""

    symbol: str
    name: str
    role: Role
    kind: str = "other"  # index, etf, equity, other


class PlannedStep(BaseModel):
    """One gather step: a market-data tool call, a document search, or a price series for a chart."""

    id: str
    tool: str  # a name of copilot.research.tools.STEP_TOOLS
    arguments: dict[str, Any] = Field(default_factory=dict)
    purpose: str = ""


class PlannedSection(BaseModel):
    """A section: its key, title, the sub-questions it answers and the steps it is written from."""

    key: str
    title: str
    questions: list[str] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)

    @property
    def synthesis(self) -> bool:
        """Summary and conclusion are written from the finished analysis sections."""
        return self.key in SYNTHESIS_KEYS


class ResearchPlan(BaseModel):
    """What a report will gather and write; ``planner`` says who made it (the model or the code)."""

    topic: str
    title: str
    subjects: list[Subject]
    steps: list[PlannedStep]
    sections: list[PlannedSection]
    planner: Literal["deterministic", "model"] = "deterministic"
    notes: list[str] = Field(default_factory=list)

    def step(self, step_id: str) -> PlannedStep:
        return next(s for s in self.steps if s.id == step_id)

    def subject(self, role: Role) -> Subject | None:
        return next((s for s in self.subjects if s.role == role), None)

    def main_symbols(self) -> list[str]:
        """The symbols a reader is shown quotes of (related stocks): every subject but sectors."""
        return list(dict.fromkeys(s.symbol for s in self.subjects if s.role != "sector"))


def gather_node(step_id: str) -> str:
    return f"gather:{step_id}"


def write_node(section_key: str) -> str:
    return f"write:{section_key}"


def plan_graph(plan: ResearchPlan) -> dict[str, tuple[str, ...]]:
    """Every node of the run and the nodes it waits for (plan -> gather -> write -> assemble)."""
    graph: dict[str, tuple[str, ...]] = {PLAN_NODE: ()}
    for step in plan.steps:
        graph[gather_node(step.id)] = (PLAN_NODE,)
    analysis = [s for s in plan.sections if not s.synthesis]
    for section in analysis:
        graph[write_node(section.key)] = tuple(gather_node(i) for i in section.steps) or (PLAN_NODE,)
    for section in plan.sections:
        if section.synthesis:
            graph[write_node(section.key)] = tuple(write_node(s.key) for s in analysis) or (PLAN_NODE,)
    graph[ASSEMBLE_NODE] = tuple(n for n in graph if n != PLAN_NODE)
    return graph


def critical_path(plan: ResearchPlan, cost: Callable[[str], float]) -> tuple[float, list[str]]:
    """The longest chain of dependent nodes under ``cost`` (seconds per node) and its nodes."""
    graph = plan_graph(plan)

    @cache
    def longest(node: str) -> tuple[float, tuple[str, ...]]:
        before = max((longest(d) for d in graph[node]), key=lambda item: item[0], default=(0.0, ()))
        return before[0] + cost(node), (*before[1], node)

    total, chain = longest(ASSEMBLE_NODE)  # assembly waits for every node: every chain ends there
    return total, list(chain)

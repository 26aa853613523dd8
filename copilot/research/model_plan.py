"""Planning with a model: a JSON plan, validated; one retry with the errors; then the code's plan.

The model proposes the title, sections, sub-questions and tool calls. Each call is checked against
the tool's argument model and each symbol resolved before anything runs; a plan that fails either
check is sent back once with the reasons, and a second failure falls back to the deterministic
plan (the report says so). The quotes, chart series and sector ranking a report always shows are
added from the deterministic plan, and summary and conclusion are always present.
"""

from __future__ import annotations

import json
import re
from datetime import date
from string import Template
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, Field, ValidationError

from copilot.errors import BadInputError, VerityError
from copilot.research.plan import PlannedSection, PlannedStep, ResearchPlan, Subject
from copilot.research.tools import STEP_TOOLS, validate_arguments
from copilot.research.usage import Meter
from prompts import load_prompt
from tools.agent_tools import MarketTools

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
_KEY = r"^[a-z][a-z0-9_]{1,40}$"
ALWAYS = ("quote", "price_series")  # steps every report has, whatever the model planned
TOOL_HELP = {
    "quote": '{"symbol": "IWM"} last price, day change, 52-week range, volume vs averages',
    "performance": '{"symbols": ["^RUT", "^GSPC"], "period": "ytd"} returns compared',
    "technicals": '{"symbol": "^RUT"} moving averages, RSI, MACD, Bollinger, support levels',
    "sectors": '{"period": "1d"} the 11 sector ETFs ranked',
    "valuations": '{"symbol": "AAPL"} P/E and other multiples (stocks)',
    "market_valuation": "{} the S&P 500's P/E and CAPE (Shiller)",
    "analyst_targets": '{"symbol": "AAPL"} analysts\' price targets',
    "financials": '{"symbol": "AAPL", "statement": "income"} recent results',
    "search_documents": '{"query": "...", "kind": "statement", "latest": true} stored documents '
    "(FOMC statements, minutes, speeches, filings)",
}


class ModelStep(BaseModel):
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ModelSection(BaseModel):
    key: str = Field(pattern=_KEY)
    title: str = Field(min_length=1, max_length=120)
    questions: list[str] = Field(default_factory=list, max_length=5)
    steps: list[ModelStep] = Field(min_length=1, max_length=6)


class ModelPlan(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    sections: list[ModelSection] = Field(min_length=2, max_length=10)


def plan_prompt(topic: str, as_of: date, subjects: list[Subject]) -> str:
    tools = "\n".join(f"  - {name} {text}" for name, text in TOOL_HELP.items())
    listed = "\n".join(f"- {s.symbol}: {s.name} ({s.role})" for s in subjects)
    return Template(load_prompt("research_plan")).substitute(
        topic=topic, as_of=as_of.isoformat(), tools=tools, subjects=listed
    )


async def model_plan(
    model: BaseChatModel, fallback: ResearchPlan, market: MarketTools, as_of: date, meter: Meter
) -> ResearchPlan:
    """The model's plan, or ``fallback`` (with a note) after a retry that fails too."""
    messages: list[BaseMessage] = [
        HumanMessage(content=plan_prompt(fallback.topic, as_of, fallback.subjects))
    ]
    problems = ""
    for attempt in (1, 2):
        reply = await model.ainvoke(messages)
        meter.record(reply)
        try:
            return merge(parse_plan(reply.text, market), fallback)
        except BadInputError as exc:
            problems = exc.message
            if attempt == 1:
                messages += [
                    AIMessage(content=reply.text),
                    HumanMessage(
                        content=f"That plan is not valid: {problems}\nReturn the corrected JSON only."
                    ),
                ]
    note = f"The model's plan was not valid twice ({problems}); the report follows the deterministic plan."
    return fallback.model_copy(update={"notes": [*fallback.notes, note]})


def parse_plan(text: str, market: MarketTools) -> ModelPlan:
    """The plan in the model's reply, every step's arguments and symbols checked (BadInputError)."""
    raw = _FENCE.sub("", text.strip())
    try:
        plan = ModelPlan.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise BadInputError(f"the reply is not JSON ({exc.msg} at position {exc.pos})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInputError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    for section in plan.sections:
        for step in section.steps:
            if step.tool not in STEP_TOOLS or step.tool == "price_series":
                raise BadInputError(f"section {section.key}: unknown tool {step.tool!r}")
            step.arguments = validate_arguments(step.tool, step.arguments)
            for symbol in _symbols(step.arguments):
                try:
                    market.resolve(symbol)
                except VerityError as exc:
                    raise BadInputError(f"section {section.key}: {exc.message}") from None
    return plan


def _symbols(arguments: dict[str, Any]) -> list[str]:
    found = [arguments["symbol"]] if isinstance(arguments.get("symbol"), str) else []
    return found + list(arguments.get("symbols") or [])


def merge(plan: ModelPlan, fallback: ResearchPlan) -> ResearchPlan:
    """The model's sections over deduplicated steps, plus the steps every report needs."""
    steps: list[PlannedStep] = []
    ids: dict[str, str] = {}

    def step_for(tool: str, arguments: dict[str, Any]) -> str:
        signature = json.dumps([tool, arguments], sort_keys=True)
        if signature not in ids:
            ids[signature] = f"{tool}_{len(ids) + 1}"
            steps.append(PlannedStep(id=ids[signature], tool=tool, arguments=arguments))
        return ids[signature]

    sections = [PlannedSection(key="summary", title="Summary", questions=[fallback.topic])]
    for section in plan.sections:
        if section.key in ("summary", "conclusion"):
            continue
        keys = [step_for(s.tool, s.arguments) for s in section.steps]
        sections.append(
            PlannedSection(key=section.key, title=section.title, questions=section.questions, steps=keys)
        )
    sections.append(PlannedSection(key="conclusion", title="Conclusion", questions=[fallback.topic]))
    taken = {s.id for s in steps}
    steps += [s for s in fallback.steps if s.tool in ALWAYS and s.id not in taken]
    return ResearchPlan(
        topic=fallback.topic,
        title=plan.title,
        subjects=fallback.subjects,
        steps=steps,
        sections=sections,
        planner="model",
        notes=fallback.notes,
    )

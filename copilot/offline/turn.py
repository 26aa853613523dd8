"""One step of the offline analyst: plan tool calls for a new question, or answer from the results.

The conversation is the only state: every earlier question is read again through question
understanding (so follow-ups lean on the ones before), and the turn's tool results are the
ToolMessages after its last question. The analysis date and a repair request arrive as message
fields (``copilot.turn_fields``), never parsed out of text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.messages.tool import ToolCall

from copilot.offline.prose_common import ToolResult
from copilot.offline.prose_declines import CAPABILITIES, refusal
from copilot.offline.registry import INTENTS
from copilot.offline.repair import repaired_answer
from copilot.offline.writer import write_answer
from copilot.schemas import ToolArtifact
from copilot.turn_fields import analysis_date_of, repair_of
from copilot.understanding.reader import read_conversation
from copilot.understanding.reading import QuestionReading

__all__ = ["CAPABILITIES", "plan_turn", "read_conversation", "respond"]


@cache
def default_resolver() -> Any:
    """The project's SymbolResolver (lexicon names, aliases, tickers), built once per process."""
    from tools.symbols import SymbolResolver

    return SymbolResolver()


def respond(
    messages: Sequence[BaseMessage], tool_names: Sequence[str], resolver: Any, parallel: bool = True
) -> AIMessage:
    """The analyst's next message for this conversation."""
    resolver = resolver if resolver is not None else default_resolver()
    as_of = analysis_date_of(messages)
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return AIMessage(content=CAPABILITIES)
    last = humans[-1]
    request = repair_of(messages[last])
    if request is not None:
        return AIMessage(content=repaired_answer(messages[:last], request))
    questions = [messages[i].text for i in humans if repair_of(messages[i]) is None]
    reference = as_of or date.today()  # only live questions (no analysis date) read the clock
    reading = read_conversation(questions, resolver, reference)
    names = tuple(tool_names)
    if reading.refusal is not None or not reading.parts:
        return AIMessage(content=refusal(reading, names))
    planned = plan_turn(reading, names, reference, turn=len(humans))
    after = messages[last + 1 :]
    made = {_key(c["name"], c["args"]) for m in after if isinstance(m, AIMessage) for c in m.tool_calls}
    remaining = [call for _, call in planned if _key(call["name"], call["args"]) not in made]
    if remaining:
        # all at once when the agent runs tools in parallel, else one call per step
        return AIMessage(content="", tool_calls=remaining if parallel else remaining[:1])
    results = {
        _key(r.tool, r.args): r for r in (_result(m, after) for m in after if isinstance(m, ToolMessage))
    }
    anchored = with_event_dates(reading, planned, results)
    if anchored is not reading:  # "... and how have small caps done since": the meeting's date is known now
        reading = anchored
        planned = plan_turn(reading, names, reference, turn=len(humans))
        remaining = [call for _, call in planned if _key(call["name"], call["args"]) not in made]
        if remaining:
            return AIMessage(content="", tool_calls=remaining if parallel else remaining[:1])
    keys = [(index, _key(call["name"], call["args"])) for index, call in planned]
    return AIMessage(content=write_answer(reading, keys, results, as_of, names))


def plan_turn(
    reading: QuestionReading, tool_names: Sequence[str], reference: date, turn: int = 1
) -> list[tuple[int, ToolCall]]:
    """Every part's tool calls (each paired with its part's index), without repeats, available tools only."""
    available = set(tool_names)
    seed = hashlib.sha256(reading.question.encode()).hexdigest()[:8]
    seen: dict[str, str] = {}
    planned: list[tuple[int, ToolCall]] = []
    for index, part in enumerate(reading.parts):
        for name, args in INTENTS[part.measure].plan(part, reference):
            if name not in available:
                continue
            key = _key(name, args)
            call_id = seen.setdefault(key, f"call_{turn}_{len(seen)}_{seed}")
            planned.append((index, ToolCall(name=name, args=args, id=call_id, type="tool_call")))
    unique: dict[str, tuple[int, ToolCall]] = {}
    out: list[tuple[int, ToolCall]] = []
    for index, call in planned:
        key = _key(call["name"], call["args"])
        if key in unique and unique[key][0] == index:
            continue
        unique.setdefault(key, (index, call))
        out.append((index, call))
    return out


def with_event_dates(
    reading: QuestionReading, planned: Sequence[tuple[int, ToolCall]], results: dict[str, ToolResult]
) -> QuestionReading:
    """Parts timed "since" an event a document dates (an FOMC meeting): the date its statement gives."""
    waiting = [
        i for i, p in enumerate(reading.parts) if p.when and p.when.kind == "since" and p.when.start is None
    ]
    if not waiting:
        return reading
    dates: list[date] = []
    for index, call in planned:
        if reading.parts[index].measure != "documents":
            continue
        result = results.get(_key(call["name"], call["args"]))
        for source in result.sources if result is not None else []:
            meeting = str(source.details.get("meeting") or "")
            day = _iso(meeting) or source.published
            if day is not None:
                dates.append(day)
    if not dates:
        return reading
    anchor = max(dates)
    parts = list(reading.parts)
    for i in waiting:
        when = parts[i].when
        assert when is not None
        parts[i] = replace(
            parts[i], when=replace(when, start=anchor, event=f"the {anchor.isoformat()} meeting")
        )
    return replace(reading, parts=tuple(parts))


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def _key(name: str, args: dict[str, Any]) -> str:
    return json.dumps([name, args], sort_keys=True, default=str)


def _result(message: ToolMessage, after: Sequence[BaseMessage]) -> ToolResult:
    """One tool result, with the arguments of the call that produced it."""
    args: dict[str, object] = {}
    for candidate in after:
        if isinstance(candidate, AIMessage):
            for call in candidate.tool_calls:
                if call["id"] == message.tool_call_id:
                    args = dict(call["args"])
    artifact = message.artifact
    if isinstance(artifact, dict):  # a transcript that went through JSON (a stored conversation)
        artifact = ToolArtifact.model_validate(artifact)
    if not isinstance(artifact, ToolArtifact):
        artifact = None
    return ToolResult(tool=message.name or "", args=args, content=message.text, artifact=artifact)

"""One step of the offline analyst: plan tool calls for a new question, or answer from the results.

The conversation is the only state: every earlier question is read again (so follow-ups lean on
the one before), and the turn's tool results are the ToolMessages after its last question.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.messages.tool import ToolCall

from copilot.offline import vocabulary as vocab
from copilot.offline.intents import MAX_READ_CHARS, MentionFinder, Reading, read_question
from copilot.offline.prose_common import ToolResult
from copilot.offline.prose_documents import search_arguments
from copilot.offline.repair import is_repair_request, repaired_answer
from copilot.offline.writer import CAPABILITIES, refusal, write_answer
from copilot.schemas import ToolArtifact

_AS_OF = re.compile(r"Analysis date:\s*(\d{4}-\d{2}-\d{2})")
_FILING_WORDS = re.compile(r"\b(?:10-k|10-q|filings?|annual report|quarterly report|20-f)\b", re.I)

_PER_SYMBOL = {"quote": "get_quote", "valuation": "get_valuation", "technicals": "get_technicals"}

__all__ = ["CAPABILITIES", "respond"]


@cache
def default_finder() -> MentionFinder | None:
    """The project's SymbolResolver (names, aliases, tickers), built once per process."""
    try:
        from tools.symbols import SymbolResolver
    except ImportError:  # the market layer is optional for the analyst itself
        return None
    finder: MentionFinder = SymbolResolver()
    return finder


def respond(
    messages: Sequence[BaseMessage], tool_names: Sequence[str], finder: Any, parallel: bool = True
) -> AIMessage:
    """The analyst's next message for this conversation."""
    finder = finder if finder is not None else default_finder()
    as_of = analysis_date(messages)
    questions = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not questions:
        return AIMessage(content=CAPABILITIES)
    last = questions[-1]
    if is_repair_request(messages[last].text):
        return AIMessage(content=repaired_answer(messages[:last], messages[last].text))
    reading, names = read_conversation([messages[i].text for i in questions], finder, as_of)
    after = messages[last + 1 :]
    planned = plan_calls(reading, tool_names, turn=len(questions), as_of=as_of)
    made = {_call_key(c) for m in after if isinstance(m, AIMessage) for c in m.tool_calls}
    remaining = [c for c in planned if _call_key(c) not in made]
    if not planned:
        return AIMessage(content=refusal(reading, tool_names))
    if remaining:
        # all at once when the agent runs tools in parallel, else one call per step
        return AIMessage(content="", tool_calls=remaining if parallel else remaining[:1])
    results = [_result(m, after) for m in after if isinstance(m, ToolMessage)]
    reference = as_of or date.today()
    wider = _wider_searches(results, made, reference)
    if wider:  # the latest document is older than the recent window: look again over a wider one
        return AIMessage(content="", tool_calls=wider)
    # a narrow search that found nothing and was widened: the wider search answers for it
    results = [r for r in results if not (_narrow_miss(r) and _call_key(_wider(r.args, reference)) in made)]
    return AIMessage(content=write_answer(reading, results, names, as_of))


WIDER_WINDOW = timedelta(days=400)  # the second look for "the latest": over a year, more passages


def _narrow_miss(result: ToolResult) -> bool:
    """A document search limited to recent documents (``since``) that found nothing."""
    return result.tool == "search_documents" and "since" in result.args and result.error is not None


def _wider(args: dict[str, object], reference: date) -> ToolCall:
    """The same search over the last 400 days with more passages, or with no date limit after that."""
    wider = {k: v for k, v in args.items() if k != "since"}
    wider["k"] = max(int(str(args.get("k", 5))), 10)
    since = (reference - WIDER_WINDOW).isoformat()
    if str(args.get("since", "")) > since:
        wider["since"] = since
    return ToolCall(name="search_documents", args=wider, id=None, type="tool_call")


def _wider_searches(results: Sequence[ToolResult], made: set[str], reference: date) -> list[ToolCall]:
    """Wider versions of the searches that found nothing in their recent window, unless made already."""
    calls: list[ToolCall] = []
    for index, result in enumerate(results):
        if _narrow_miss(result) and _call_key(_wider(result.args, reference)) not in made:
            call = _wider(result.args, reference)
            seed = hashlib.sha256(_call_key(call).encode()).hexdigest()[:8]
            calls.append(
                ToolCall(
                    name=call["name"], args=call["args"], id=f"call_wider_{index}_{seed}", type="tool_call"
                )
            )
    return calls


def _call_key(call: ToolCall) -> str:
    return json.dumps([call["name"], call["args"]], sort_keys=True, default=str)


def analysis_date(messages: Sequence[BaseMessage]) -> date | None:
    """The turn's analysis date, as the agent's system prompt states it."""
    for message in messages:
        if isinstance(message, SystemMessage):
            found = _AS_OF.search(message.text)
            if found:
                return date.fromisoformat(found.group(1))
    return None


def read_conversation(
    questions: Sequence[str], finder: MentionFinder | None, as_of: date | None
) -> tuple[Reading, dict[str, str]]:
    """The last question read in the context of the ones before; names of every symbol mentioned."""
    reading: Reading | None = None
    names: dict[str, str] = {}
    for text in questions:
        if is_repair_request(text):
            continue
        reading = read_question(text, finder, reading, as_of)
        if finder is not None:
            for mention in finder.find_mentions(
                " ".join(text[: MAX_READ_CHARS * 2].split())[:MAX_READ_CHARS]
            ):
                name = getattr(mention, "name", None)
                if name:
                    names.setdefault(mention.symbol, str(name))
    assert reading is not None
    name_of = getattr(finder, "name_of", None)
    for symbol in reading.symbols:
        if symbol not in names and name_of is not None and name_of(symbol):
            names[symbol] = str(name_of(symbol))
    return reading, names


def plan_calls(
    reading: Reading, tool_names: Sequence[str], turn: int, as_of: date | None = None
) -> list[ToolCall]:
    """The tool calls that answer ``reading``, all at once (the agent runs them in parallel)."""
    if reading.refusal:
        return []
    symbols = list(reading.symbols) + [t for t in reading.unknown_tokens if t not in reading.symbols]
    period: dict[str, Any] = {"period": reading.period.name}
    if reading.period.start:
        period = {"start": reading.period.start.isoformat()}
        if reading.period.end:
            period["end"] = reading.period.end.isoformat()
    wanted: list[tuple[str, dict[str, Any]]] = []
    for intent in reading.intents:
        subjects = list(reading.symbols_for(intent)) if reading.targets else symbols
        if intent == "performance" and subjects:
            wanted.append(("compare_performance", {"symbols": subjects, **period}))
        elif intent in _PER_SYMBOL:
            wanted.extend((_PER_SYMBOL[intent], {"symbol": symbol}) for symbol in subjects)
        elif intent == "sectors":
            asked = reading.sector_period or (reading.period if reading.period_given else None)
            name = asked.name if asked is not None and asked.start is None else "1d"
            wanted.append(("sector_performance", {"period": name}))
        elif intent == "documents":
            doc_question = _clause_about(reading.question, vocab.KEYWORDS["documents"])
            args: dict[str, Any] = search_arguments(doc_question, reading.latest, as_of)
            if reading.symbols and _FILING_WORDS.search(reading.question):
                args["ticker"] = reading.symbols[0]
            wanted.append(("search_documents", args))
        elif intent == "lookup" and reading.lookup_query:
            wanted.append(("lookup_symbol", {"query": reading.lookup_query}))
    available = set(tool_names)
    seed = hashlib.sha256(reading.question.encode()).hexdigest()[:8]
    return [
        ToolCall(name=name, args=args, id=f"call_{turn}_{index}_{seed}", type="tool_call")
        for index, (name, args) in enumerate(wanted)
        if name in available
    ]


def _clause_about(question: str, pattern: re.Pattern[str]) -> str:
    """The clause of a combined question that matches ``pattern`` (the whole question otherwise)."""
    pieces = [p for p in vocab.CLAUSE_BREAK.split(question) if p and p.strip()]
    matching = [p for p in pieces if pattern.search(p)]
    return " ".join(matching) if matching and len(pieces) > 1 else question


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

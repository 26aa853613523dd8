"""A scripted research model: plans from JSON, writes sections from the numbered sources it is shown.

It answers like a model that follows the prompts: the [n] it cites are read from the sources block
of the prompt (by the source's title), so the pipeline's numbering is exercised for real.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from tests.fakes import ScriptedChatModel

USAGE = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}

APPLE_PLAN: dict[str, Any] = {
    "title": "Apple after its run",
    "sections": [
        {
            "key": "market_performance",
            "title": "Market performance",
            "questions": ["How has Apple done this year?"],
            "steps": [
                {"tool": "performance", "arguments": {"symbols": ["AAPL", "^GSPC"], "period": "ytd"}},
                {"tool": "quote", "arguments": {"symbol": "AAPL"}},
            ],
        },
        {
            "key": "technicals",
            "title": "Technical picture",
            "questions": ["Is momentum stretched?"],
            "steps": [{"tool": "technicals", "arguments": {"symbol": "AAPL"}}],
        },
        {
            "key": "drivers",
            "title": "Drivers",
            "questions": ["What did the Fed decide?"],
            "steps": [
                {"tool": "search_documents", "arguments": {"query": "target range", "kind": "statement"}}
            ],
        },
    ],
}


def number(prompt: str, title_start: str) -> int:
    """The [n] the prompt shows for the source whose title starts with ``title_start``."""
    match = re.search(rf"^\[(\d+)\] {re.escape(title_start)}", prompt, re.MULTILINE)
    assert match, f"no source {title_start!r} in the prompt"
    return int(match.group(1))


def prompt_of(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages)


class ResearchScript:
    """What the scripted model replies to each kind of research prompt; records what it saw."""

    def __init__(self, plans: list[str] | None = None, wrong_first: set[str] | None = None) -> None:
        self.plans = plans if plans is not None else [json.dumps(APPLE_PLAN)]
        self.wrong_first = set(wrong_first or ())  # section titles whose first draft misquotes a figure
        self.prompts: list[str] = []

    def model(self, delay: float = 0.0) -> ScriptedChatModel:
        return ScriptedChatModel(responder=self.reply, delay=delay)

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        prompt = prompt_of(messages)
        self.prompts.append(prompt)
        return AIMessage(content=self.text(prompt, messages), usage_metadata=USAGE)  # type: ignore[arg-type]

    def text(self, prompt: str, messages: list[BaseMessage]) -> str:
        last = str(messages[-1].content)
        if "research planner" in prompt and "could not be verified" not in last:
            return self.plans.pop(0) if len(self.plans) > 1 else self.plans[0]
        if "finished, verified sections" in prompt:
            found = re.search(r"Apple returned [^\n]*?\[\d+\]\.", prompt)
            return found.group(0) if found else "The sections hold no figures to repeat."
        title = re.search(r'Write the section "([^"]+)"', prompt)
        name = title.group(1) if title else ""
        repair = "could not be verified" in last
        writer: Callable[[str, bool], str] = SECTION_WRITERS.get(name, lambda p, wrong: "Nothing to add.")
        wrong = name in self.wrong_first and not repair
        return writer(prompt, wrong)


def _performance(prompt: str, wrong: bool) -> str:
    n = number(prompt, "Performance")
    value = "-4.60%" if wrong else "-4.58%"  # the fake's AAPL YTD return is -4.58%
    return f"Apple returned {value} this year, against +1.77% for the S&P 500 [{n}]."


def _technicals(prompt: str, wrong: bool) -> str:
    if "Say that this data is missing" in prompt:
        return "The technical indicators could not be retrieved for this note."
    n = number(prompt, "AAPL technicals")
    return f"Apple's 14-day RSI is 71.30 [{n}], above the overbought line."


def _drivers(prompt: str, wrong: bool) -> str:
    n = number(prompt, "FOMC statement")
    return f"The FOMC lowered the target range for the federal funds rate to 3.50–3.75% [{n}]."


SECTION_WRITERS: dict[str, Callable[[str, bool], str]] = {
    "Market performance": _performance,
    "Technical picture": _technicals,
    "Drivers": _drivers,
}

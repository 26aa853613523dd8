"""The research pipeline through the real ChatOpenAI client against the loopback fake OpenAI server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from copilot.research import ResearchDoneEvent, ResearchRequest, default_models, run_research
from tests.fake_openai import FakeOpenAI, text

PLAN = {
    "title": "Small caps, early 2026",
    "sections": [
        {
            "key": "market_performance",
            "title": "Market performance",
            "questions": ["How have small caps done?"],
            "steps": [{"tool": "performance", "arguments": {"symbols": ["^RUT", "^GSPC"], "period": "ytd"}}],
        },
        {
            "key": "drivers",
            "title": "Drivers",
            "questions": ["What did the Fed do?"],
            "steps": [
                {"tool": "search_documents", "arguments": {"query": "target range", "kind": "statement"}}
            ],
        },
    ],
}


@pytest.fixture()
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


async def test_a_report_planned_and_written_by_an_openai_compatible_model(
    real: Any, server: FakeOpenAI
) -> None:
    settings = real.settings.model_copy(
        update={"llm": "openai", "openai_base_url": server.url, "openai_api_key": "test", "model": "fake-gpt"}
    )
    # sections are written in parallel, in any order: their replies hold no figure, so any order fits
    server.enqueue(text(json.dumps(PLAN)), *[text("The sources frame this part of the note.")] * 4)
    deps = real.deps(models=default_models(settings))
    deps.settings = settings
    request = ResearchRequest(topic="Small caps in early 2026", as_of=date(2026, 1, 9), model="verity")
    events = [e async for e in run_research(request, deps)]
    done = events[-1]
    assert isinstance(done, ResearchDoneEvent), done
    report = done.report
    assert report.mode == "fake-gpt" and report.plan is not None and report.plan.planner == "model"
    assert [s.key for s in report.sections] == ["summary", "market_performance", "drivers", "conclusion"]
    assert all(
        s.writer == "fake-gpt" and s.body == "The sources frame this part of the note."
        for s in report.sections
    )
    assert len(server.requests) == 5 and all(r["model"] == "fake-gpt" for r in server.requests)
    assert "research planner" in server.requests[0]["messages"][0]["content"]
    # the server streams without usage: tokens are reported as unknown, not as zero cost silently
    assert report.usage.tokens_in == 0 and not report.usage.priced
    assert "5 model replies reported no token usage" in report.usage.note
    assert "No price is known for the model fake-gpt" in report.usage.note

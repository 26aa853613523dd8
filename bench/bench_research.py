"""Benchmark: one research report with simulated latencies, against its critical path and a sequential peer.

Latencies: 200 ms per model call (a scripted model that sleeps), 100 ms per market-data call and per
document search (wrappers that sleep, around the real snapshot and knowledge base). The critical
path is computed from the report's own plan (``copilot.research.plan.critical_path``): the longest
chain of dependent steps, plan -> a gather step -> its section -> summary/conclusion -> assembly.
Goal: wall time <= 1.5x the critical path. The peer is the same report with a concurrency bound of
one (every call one after another), measured in the same run.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from copilot.config import Settings
from copilot.research import ResearchDeps, ResearchDoneEvent, ResearchReport, ResearchRequest, run_research
from copilot.research.plan import PLAN_NODE, critical_path
from copilot.services import settle_process
from tests.fakes import ScriptedChatModel
from tests.integration.research.conftest import SOURCES, fomc_statements
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

LLM_SECONDS = 0.2
TOOL_SECONDS = 0.1
GOAL = 1.5
TOPIC = "Small-cap rally: is the Russell 2000's outperformance sustainable?"
AS_OF = date(2026, 1, 9)
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PLAN = {
    "title": "Small caps in early 2026",
    "sections": [
        {
            "key": "market_performance",
            "title": "Market performance",
            "steps": [
                {
                    "tool": "performance",
                    "arguments": {"symbols": ["^RUT", "^GSPC", "^IXIC"], "period": "ytd"},
                },
                {"tool": "performance", "arguments": {"symbols": ["^RUT", "^GSPC", "^IXIC"], "period": "1y"}},
                {"tool": "quote", "arguments": {"symbol": "IWM"}},
            ],
        },
        {
            "key": "drivers",
            "title": "Drivers",
            "steps": [
                {
                    "tool": "search_documents",
                    "arguments": {"query": "target range federal funds rate", "kind": "statement"},
                },
                {
                    "tool": "search_documents",
                    "arguments": {"query": "economic activity inflation", "latest": True},
                },
            ],
        },
        {"key": "valuation", "title": "Valuation", "steps": [{"tool": "market_valuation", "arguments": {}}]},
        {
            "key": "technicals",
            "title": "Technical picture",
            "steps": [{"tool": "technicals", "arguments": {"symbol": "^RUT"}}],
        },
        {
            "key": "breadth",
            "title": "Breadth and sectors",
            "steps": [
                {"tool": "sectors", "arguments": {"period": "1d"}},
                {"tool": "sectors", "arguments": {"period": "ytd"}},
            ],
        },
        {
            "key": "risks",
            "title": "Risks",
            "steps": [{"tool": "technicals", "arguments": {"symbol": "^RUT"}}],
        },
        {
            "key": "outlook",
            "title": "Outlook",
            "steps": [
                {
                    "tool": "search_documents",
                    "arguments": {"query": "target range federal funds rate", "kind": "statement"},
                }
            ],
        },
    ],
}


class SlowMarket:
    """The real MarketData, each data call delayed like a network round trip (name lookups are not)."""

    def __init__(self, market: MarketData) -> None:
        self.market = market
        self.resolver = market.resolver

    def resolve(self, name: str) -> Any:
        return self.market.resolve(name)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.market, name)

        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(TOOL_SECONDS)
            return method(*args, **kwargs)

        return slow


class SlowKnowledge:
    def __init__(self, knowledge: Any) -> None:
        self.knowledge = knowledge

    def search(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(TOOL_SECONDS)
        return self.knowledge.search(*args, **kwargs)


def _reply(messages: list[BaseMessage]) -> AIMessage:
    prompt = str(messages[-1].content)
    if "research planner" in prompt:
        return AIMessage(content=json.dumps(PLAN))
    return AIMessage(content="The sources support this section's reading of the market.")


def _cost(node: str) -> float:
    if node == PLAN_NODE or node.startswith("write:"):
        return LLM_SECONDS
    return TOOL_SECONDS if node.startswith("gather:") else 0.0


async def _run(deps: ResearchDeps) -> tuple[float, ResearchReport]:
    start = time.perf_counter()
    report = None
    async for event in run_research(ResearchRequest(topic=TOPIC, as_of=AS_OF, model="verity"), deps):
        if isinstance(event, ResearchDoneEvent):
            report = event.report
    assert report is not None, "the report did not finish"
    return time.perf_counter() - start, report


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        import_snapshot([SHARED / name for name in SOURCES], root / "snapshot")
        settings = Settings(
            data_dir=root / "verity",
            market_data=f"snapshot:{root / 'snapshot'}",
            llm="offline",
            _env_file=None,  # type: ignore[call-arg]
        )
        from copilot.knowledge import build_knowledge_base

        knowledge = build_knowledge_base(settings)
        knowledge.add([fomc_statements(SHARED, root)])
        market = SlowMarket(MarketData(SnapshotProvider(root / "snapshot")))
        slow_kb = SlowKnowledge(knowledge)
        settle_process()  # as a server does at start (copilot.services.Services.start)
        results = {}
        for label, bound in (("parallel", settings.research_concurrency), ("sequential", 1)):
            model = ScriptedChatModel(responder=_reply, delay=LLM_SECONDS)
            deps = ResearchDeps(
                market=market,  # type: ignore[arg-type]
                settings=settings.model_copy(update={"research_concurrency": bound}),
                knowledge=lambda: slow_kb,
                models=lambda name, m=model: m,  # type: ignore[misc]
            )
            results[label] = asyncio.run(_run(deps))
    wall, report = results["parallel"]
    sequential, _ = results["sequential"]
    assert report.plan is not None and report.plan.planner == "model"
    path, chain = critical_path(report.plan, _cost)
    steps = len(report.plan.steps)
    calls = sum(1 for r in report.steps if r.kind in ("plan", "write"))
    print(f"plan: {steps} gather steps, {len(report.plan.sections)} sections, {calls} model calls")
    print(f"critical path: {path * 1000:.0f} ms ({' -> '.join(chain)})")
    print(f"wall time: {wall * 1000:.0f} ms = {wall / path:.2f}x the critical path (goal <= {GOAL}x)")
    print(f"sequential peer: {sequential * 1000:.0f} ms = {sequential / wall:.1f}x the parallel run")
    if wall / path > GOAL:
        raise SystemExit(f"FAIL: wall time is {wall / path:.2f}x the critical path")


if __name__ == "__main__":
    main()

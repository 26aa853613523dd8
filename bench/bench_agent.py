"""Benchmark: one chat turn needing three tool calls, scripted zero-latency model, warm in-memory data.

Goals: ChatService.run_turn p50 <= 30 ms, and <= 1.5x a bare LangChain ``create_agent`` with the
same tools and the same scripted model, measured in the same run (the bare agent streams nothing,
cleans no citations, verifies nothing and keeps no conversation: it is the floor).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from copilot.chat import ChatService
from copilot.citations import SourceLedger
from copilot.config import Settings
from copilot.events import DoneEvent
from copilot.schemas import ToolArtifact
from tools.agent_tools import TurnContext, build_tools
from tools.market import MarketData
from tools.providers.base import Fundamentals
from tools.providers.memory import InMemoryProvider

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes import ScriptedChatModel, tool_calls

AS_OF = date(2026, 1, 9)
SYMBOLS = ("AAPL", "^RUT", "^GSPC", "SPY")
QUESTION = "Where is Apple trading, how did small caps do against large caps this year, and SPY's RSI?"
TURNS = 200
WARMUP = 20
Turn = Callable[[], Awaitable[None]]


def _market() -> MarketData:
    """Two years of seeded random-walk daily bars per symbol, served from memory."""
    rng = np.random.default_rng(7)
    index = pd.bdate_range(end=pd.Timestamp(AS_OF), periods=520, name="date")
    bars = {}
    for i, symbol in enumerate(SYMBOLS):
        close = (100 + 50 * i) * np.exp(np.cumsum(rng.normal(0, 0.01, len(index))))
        bars[symbol] = pd.DataFrame(
            {"open": close, "high": close * 1.01, "low": close * 0.99, "close": close, "volume": 1e6 + i},
            index=index,
        ).astype("float64")
    fundamentals = {"AAPL": Fundamentals(symbol="AAPL", provider="memory", as_of=AS_OF, trailing_pe=34.8)}
    return MarketData(InMemoryProvider(bars, fundamentals), today=lambda: AS_OF)


def _responder(messages: list[BaseMessage]) -> AIMessage:
    """Three parallel tool calls for a question; a cited answer from the tool artifacts after them."""
    if isinstance(messages[-1], HumanMessage):
        return tool_calls(
            ("get_quote", {"symbol": "AAPL"}),
            ("compare_performance", {"symbols": ["^RUT", "^GSPC"], "period": "ytd"}),
            ("get_technicals", {"symbol": "SPY"}),
        )
    facts = {}
    for message in messages:
        if isinstance(message, ToolMessage) and isinstance(message.artifact, ToolArtifact):
            for source in message.artifact.sources:
                n = message.artifact.labels[source.id]
                facts.update({(f.symbol, f.key): f"{f.display()} [{n}]" for f in source.facts})
    return AIMessage(
        content=f"Apple last closed at {facts['AAPL', 'last_price']}. Small caps returned "
        f"{facts['^RUT', 'price_return_ytd']} this year against "
        f"{facts['^GSPC', 'price_return_ytd']} for large caps. SPY's RSI stands at {facts['SPY', 'rsi_14']}."
    )


async def _paired_p50(first: Turn, second: Turn) -> list[tuple[float, float]]:
    """(wall ms, process CPU ms) medians per turn of each, measured alternately so noise hits both."""
    for _ in range(WARMUP):
        await first()
        await second()
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(TURNS):
        for i, turn in enumerate((first, second)):
            started, started_cpu = time.perf_counter(), time.process_time()
            await turn()
            wall[i].append(time.perf_counter() - started)
            cpu[i].append(time.process_time() - started_cpu)
    return [(statistics.median(wall[i]) * 1000, statistics.median(cpu[i]) * 1000) for i in (0, 1)]


async def main() -> None:
    settings = Settings(_env_file=None, llm="offline", as_of=AS_OF)  # type: ignore[call-arg]
    market = _market()
    model = ScriptedChatModel(responder=_responder, model_name="scripted")
    service = ChatService(settings, market, model_factory=lambda _: model)

    async def ours() -> None:
        done = [e async for e in service.run_turn(QUESTION)][-1]
        assert isinstance(done, DoneEvent) and done.verification == "4/4 verified", done

    bare_agent = create_agent(model, build_tools(market), context_schema=TurnContext)

    async def bare() -> None:
        context = TurnContext(SourceLedger(), as_of=AS_OF)
        await bare_agent.ainvoke({"messages": [HumanMessage(content=QUESTION)]}, context=context)

    (ours_p50, ours_cpu), (bare_p50, bare_cpu) = await _paired_p50(ours, bare)
    print(f"chat turn (3 tool calls), ChatService.run_turn p50: {ours_p50:.2f} ms (goal <= 30 ms)")
    print(f"chat turn (3 tool calls), bare create_agent p50:    {bare_p50:.2f} ms")
    print(f"ratio ChatService / bare create_agent: {ours_p50 / bare_p50:.2f}x (goal <= 1.5x)")
    # CPU time is what a loaded machine (other processes) inflates least
    print(f"process CPU per turn p50: ChatService {ours_cpu:.2f} ms, bare {bare_cpu:.2f} ms")
    print(f"load average (1 min) during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    asyncio.run(main())

"""The service wiring (build_chat_service) and a turn over the real MarketData facade."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from copilot.chat import ChatService
from copilot.config import Settings
from copilot.events import ChatEvent, DoneEvent, ToolResultEvent, VerificationEvent
from copilot.services import build_chat_service, has_knowledge_base
from tests.fakes import ScriptedChatModel, tool_calls
from tools.market import MarketData
from tools.providers.memory import InMemoryProvider

AS_OF = date(2026, 1, 9)


async def _run(service: ChatService, question: str) -> list[ChatEvent]:
    return [event async for event in service.run_turn(question)]


def _bars(seed: int, start: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2025-06-02", "2026-01-09", name="date")
    close = start * np.exp(np.cumsum(rng.normal(0, 0.01, len(index))))
    frame = {"open": close, "high": close * 1.01, "low": close * 0.99, "close": close, "volume": 1e6}
    return pd.DataFrame(frame, index=index).astype("float64")


async def test_a_turn_over_the_real_market_facade_verifies_figures_computed_independently(
    settings: Settings,
) -> None:
    bars = {"^RUT": _bars(1, 2400.0), "^GSPC": _bars(2, 6800.0)}
    market = MarketData(InMemoryProvider(bars), today=lambda: AS_OF)

    def ytd(symbol: str) -> float:  # previous year's last close to the as-of close, plain pandas
        close = bars[symbol]["close"]
        return (close.loc["2026-01-09"] / close.loc[:"2025-12-31"].iloc[-1] - 1) * 100

    answer = f"Small caps returned {ytd('^RUT'):.2f}% [1] YTD against {ytd('^GSPC'):.2f}% [1] for large caps."
    model = ScriptedChatModel().enqueue(
        tool_calls(("compare_performance", {"symbols": ["Russell 2000", "^GSPC"], "period": "ytd"})), answer
    )
    service = ChatService(settings, market, model_factory=lambda _: model)
    events = await _run(service, "small caps vs large caps this year?")
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert result.ok and result.content.startswith("[1] Performance YTD: ^RUT vs ^GSPC")
    assert next(e for e in events if isinstance(e, VerificationEvent)).summary == "2/2 verified"
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.answer == answer and done.as_of == AS_OF


def test_without_documents_there_is_no_document_tool(settings: Settings) -> None:
    assert not has_knowledge_base(settings)
    service = build_chat_service(settings)
    assert [t.name for t in service.tools] == [
        "get_quote",
        "get_price_history",
        "compare_performance",
        "get_technicals",
        "get_valuation",
        "get_financials",
        "get_analyst_targets",
        "get_market_valuation",
        "sector_performance",
        "lookup_symbol",
    ]
    assert service.mode == "offline"


@pytest.fixture()
def broken_kb(settings: Settings) -> Settings:
    catalog = Path(settings.data_dir) / "knowledge" / "catalog.sqlite"
    catalog.parent.mkdir(parents=True)
    catalog.write_text("this is not a database")
    return settings


async def test_a_broken_knowledge_base_is_a_clear_tool_error_and_the_turn_still_answers(
    broken_kb: Settings,
) -> None:
    assert has_knowledge_base(broken_kb)
    model = ScriptedChatModel().enqueue(
        tool_calls(("search_documents", {"query": "Fed rates"})),
        "The document index is unavailable right now.",
    )
    service = build_chat_service(broken_kb, model_factory=lambda _: model)
    events = await _run(service, "What did the Fed say about rates?")
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert (
        result.content == "Error: the document index cannot be opened (DatabaseError: file is not a database)"
    )
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.answer == "The document index is unavailable right now."

"""The agent's fundamentals tools: what the model reads, what it may pass, and clear errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from langchain.tools import ToolRuntime
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from copilot.citations import SourceLedger
from copilot.schemas import ToolArtifact
from tests.fakes import FakeMarketData
from tests.unit.market.fundamentals_fixtures import FUNDAMENTAL_SOURCES
from tools.agent_tools import TurnContext, build_tools
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> MarketData:
    dest = tmp_path_factory.mktemp("tools-fundamentals") / "snapshot"
    import_snapshot(list(FUNDAMENTAL_SOURCES), dest)
    return MarketData(SnapshotProvider(dest), today=lambda: date(2026, 8, 21))


async def _call(tool: BaseTool, ctx: TurnContext, **args: Any) -> tuple[str, ToolArtifact]:
    runtime = ToolRuntime(
        state={}, context=ctx, config={}, stream_writer=lambda _: None, tool_call_id="t1", store=None
    )
    message = await tool.ainvoke(
        {"type": "tool_call", "name": tool.name, "id": "t1", "args": {**args, "runtime": runtime}}
    )
    assert isinstance(message, ToolMessage) and isinstance(message.artifact, ToolArtifact)
    return str(message.content), message.artifact


def _tools(market: Any) -> dict[str, BaseTool]:
    return {t.name: t for t in build_tools(market)}


async def test_get_financials_labels_each_figure_with_its_fiscal_period(market: MarketData) -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 8, 21))
    content, artifact = await _call(_tools(market)["get_financials"], ctx, symbol="Apple", periods=1)
    assert "[1] Financials (quarterly, income statement): AAPL (Apple Inc.)" in content
    assert "  AAPL Revenue, Q3 FY2026: $109,417,000,000" in content.splitlines()
    assert "  AAPL Diluted EPS, Q3 FY2026: $2.02" in content.splitlines()
    assert artifact.sources[0].tool == "financials"


async def test_get_valuation_gives_the_computed_source_first(market: MarketData) -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 8, 21))
    content, artifact = await _call(_tools(market)["get_valuation"], ctx, symbol="AAPL")
    assert [s.tool for s in artifact.sources] == ["valuation_at"]  # this snapshot has no Yahoo record
    assert "Trailing P/E at 2026-08-21 (close / TTM diluted EPS Q4 FY2025 to Q3 FY2026)" in content
    assert "note: Not available: AAPL: the snapshot has no fundamentals for it" in content


async def test_get_valuation_notes_what_is_missing_with_a_fake(market: MarketData) -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 1, 9))
    content, artifact = await _call(_tools(FakeMarketData())["get_valuation"], ctx, symbol="AAPL")
    assert [s.tool for s in artifact.sources] == ["valuation"]
    assert "note: Not available: AAPL: the fake has no financial statements" in content


async def test_get_analyst_targets_and_market_valuation(market: MarketData) -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 8, 10))
    tools = _tools(market)
    content, _ = await _call(tools["get_analyst_targets"], ctx, symbol="NVDA")
    assert "Mean analyst price target (2026-08-10)" in content and "rating: strong buy" in content
    content, artifact = await _call(tools["get_market_valuation"], ctx)
    assert "[2] S&P 500 P/E and CAPE (Shiller, monthly)" in content
    assert "S&P 500 P/E (Shiller, trailing 12-month earnings) for 2023-06: 23.99x" in content
    assert artifact.sources[0].tool == "market_valuation"


@pytest.mark.parametrize(
    ("tool", "args", "message"),
    [
        (
            "get_financials",
            {"symbol": "AAPL", "statement": "profit"},
            "Error: statement must be one of income",
        ),
        (
            "get_financials",
            {"symbol": "AAPL", "freq": "weekly"},
            "Error: freq must be one of annual, quarterly",
        ),
        ("get_financials", {"symbol": "SPY"}, "Error: Unknown symbol 'SPY': the market-data snapshot has"),
        (
            "get_analyst_targets",
            {"symbol": "AAPL"},
            "Error: AAPL: the first analyst-target snapshot is dated",
        ),
    ],
)
async def test_errors_become_short_text(
    market: MarketData, tool: str, args: dict[str, Any], message: str
) -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 1, 9))
    content, artifact = await _call(_tools(market)[tool], ctx, **args)
    assert content.startswith(message)
    assert artifact.sources == [] and len(ctx.ledger) == 0

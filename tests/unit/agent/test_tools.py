"""The agent's LangChain tools: content with [n] labels and displayed values, artifacts, errors, timeouts."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from langchain.tools import ToolRuntime
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from copilot.citations import SourceLedger
from copilot.schemas import ToolArtifact
from tests.fakes import FakeKnowledgeBase, FakeMarketData, fed_passage
from tools.agent_tools import TurnContext, build_tools

INTERFACE_ARGS = {
    "get_quote": {"symbol"},
    "get_price_history": {"symbol", "date", "start", "end"},
    "compare_performance": {"symbols", "period", "start", "end"},
    "get_technicals": {"symbol"},
    "get_valuation": {"symbol", "date"},
    "get_financials": {"symbol", "statement", "freq", "periods"},
    "get_analyst_targets": {"symbol"},
    "get_market_valuation": set(),
    "sector_performance": {"period"},
    "lookup_symbol": {"query"},
    "search_documents": {
        *("query", "kind", "speaker", "meeting", "latest", "since", "until", "ticker", "publisher"),
        *("fiscal_period", "k", "per_document"),
    },
}


def _tools(market: FakeMarketData | None = None, timeout: float = 5.0, **kw: Any) -> dict[str, BaseTool]:
    return {t.name: t for t in build_tools(market or FakeMarketData(), timeout=timeout, **kw)}


async def _call(tool: BaseTool, ctx: TurnContext, **args: Any) -> tuple[str, ToolArtifact]:
    runtime = ToolRuntime(
        state={}, context=ctx, config={}, stream_writer=lambda _: None, tool_call_id="t1", store=None
    )
    message = await tool.ainvoke(
        {"type": "tool_call", "name": tool.name, "id": "t1", "args": {**args, "runtime": runtime}}
    )
    assert isinstance(message, ToolMessage)
    assert isinstance(message.artifact, ToolArtifact)
    return str(message.content), message.artifact


def test_tool_names_and_model_visible_arguments_match_the_interface() -> None:
    kb = FakeKnowledgeBase()
    tools = _tools(knowledge=lambda: kb)
    assert {name: set(tool.args) for name, tool in tools.items()} == INTERFACE_ARGS
    # the runtime context (ledger, as_of) never reaches the model's schema
    for tool in tools.values():
        schema = tool.tool_call_schema.model_json_schema()
        assert "runtime" not in schema["properties"] and "as_of" not in schema["properties"]
        assert tool.response_format == "content_and_artifact"
        assert tool.description and len(tool.description) > 60


def test_the_performance_tool_does_not_call_price_returns_total_returns() -> None:
    # index levels and the split-only stock series are price returns (no dividends): a description
    # promising "total return" had the model call the S&P 500's price return a total return
    description = _tools()["compare_performance"].description
    assert not description.lower().startswith("total return")
    assert "price return" in description and "notes" in description  # the notes say which basis


def test_without_a_knowledge_base_there_is_no_document_tool() -> None:
    assert "search_documents" not in _tools()


async def test_quote_content_lists_label_displayed_values_and_as_of() -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 1, 9))
    content, artifact = await _call(_tools()["get_quote"], ctx, symbol="apple")
    assert content.splitlines() == [
        "[1] AAPL quote (fake, as of 2026-01-09)",
        "  AAPL Last price: $259.37",
        "  AAPL Change: 0.50%",
    ]
    source = artifact.sources[0]
    assert artifact.tool == "get_quote" and artifact.error is None
    assert artifact.labels == {source.id: 1}
    assert ctx.ledger.get(1) is source


async def test_the_same_source_keeps_its_number_and_a_new_one_gets_the_next() -> None:
    ctx = TurnContext(SourceLedger())
    tools = _tools()
    await _call(tools["get_quote"], ctx, symbol="AAPL")
    content, _ = await _call(tools["compare_performance"], ctx, symbols=["^RUT", "^GSPC"])
    assert content.splitlines()[0].startswith("[2] Performance ^RUT, ^GSPC")
    assert "  ^RUT return: 5.73%" in content.splitlines()
    again, artifact_again = await _call(tools["get_quote"], ctx, symbol="AAPL")
    assert again.startswith("[1] ") and list(artifact_again.labels.values()) == [1]
    assert len(ctx.ledger) == 2


async def test_as_of_comes_from_the_turn_context_and_dates_are_parsed() -> None:
    market = FakeMarketData()
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 1, 5))
    await _call(_tools(market)["get_technicals"], ctx, symbol="MSFT")
    await _call(
        _tools(market)["compare_performance"], ctx, symbols=["SPY"], start="2025-12-01", end="2026-01-02"
    )
    assert market.calls == [
        ("technicals", ("MSFT", date(2026, 1, 5))),
        ("performance", (("SPY",), None, date(2025, 12, 1), date(2026, 1, 2), date(2026, 1, 5))),
    ]


async def test_stale_and_missing_fields_are_spelled_out_for_the_model() -> None:
    content, artifact = await _call(_tools()["get_valuation"], TurnContext(SourceLedger()), symbol="AAPL")
    assert "  AAPL Trailing P/E: 34.80x" in content.splitlines()
    assert "STALE: served from cache (2.0 h old)" in content
    assert "MISSING (say it is unavailable): peg_ratio" in content
    assert artifact.sources[0].stale is True


@pytest.mark.parametrize(
    ("tool", "args", "message"),
    [
        ("get_quote", {"symbol": "ZZZZ"}, "Error: Unknown symbol 'ZZZZ': no provider knows it"),
        ("get_valuation", {"symbol": "^RUT"}, "Error: ^RUT: an index has no valuation fields"),
        (
            "compare_performance",
            {"symbols": ["SPY"], "period": "2w"},
            "Error: unknown period '2w': use one of 1d, 5d (trading days), 1m, 3m, 6m, 1y, 3y, 5y, 10y",
        ),
        (
            "compare_performance",
            {"symbols": ["SPY"], "start": "last spring"},
            "Error: start must be a date as YYYY-MM-DD, not 'last spring'",
        ),
        ("sector_performance", {"period": "forever"}, "Error: unknown period 'forever': use one of"),
        ("lookup_symbol", {"query": "s&p"}, "Error: 's&p' is ambiguous: did you mean SPY, ^GSPC?"),
    ],
)
async def test_typed_errors_become_short_error_text_and_number_nothing(
    tool: str, args: dict[str, Any], message: str
) -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 1, 9))
    content, artifact = await _call(_tools()[tool], ctx, **args)
    assert content.startswith(message)
    assert artifact.error == content.removeprefix("Error: ")
    assert artifact.sources == [] and len(ctx.ledger) == 0


async def test_an_as_of_after_the_data_is_an_error_for_the_model() -> None:
    ctx = TurnContext(SourceLedger(), as_of=date(2030, 1, 1))
    content, _ = await _call(_tools()["get_quote"], ctx, symbol="AAPL")
    assert content == "Error: as_of 2030-01-01 is after the latest data (2026-01-09)"


async def test_lookup_symbol_names_the_ticker_and_cites_nothing() -> None:
    content, artifact = await _call(
        _tools()["lookup_symbol"], TurnContext(SourceLedger()), query="Russell 2000"
    )
    assert content == "'Russell 2000' is ^RUT: Russell 2000 (index)"
    assert artifact.sources == [] and artifact.error is None


async def test_a_slow_provider_times_out_with_a_clear_error() -> None:
    tools = _tools(FakeMarketData(delay=1.0), timeout=0.05)
    started = time.perf_counter()
    content, artifact = await _call(tools["get_quote"], TurnContext(SourceLedger()), symbol="AAPL")
    assert time.perf_counter() - started < 0.8
    assert content == "Error: get_quote timed out after 0.05 s"
    assert artifact.error == "get_quote timed out after 0.05 s"


async def test_document_passages_are_quoted_material_with_their_label() -> None:
    kb = FakeKnowledgeBase([fed_passage()])
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 1, 9), viewer="user-7")
    content, artifact = await _call(
        _tools(knowledge=lambda: kb)["search_documents"],
        ctx,
        query="fed rates",
        since="2025-12-01",
        k=50,
        kind="statement",
        meeting="December",
        fiscal_period="Q3 FY2026",
    )
    assert content.startswith("[1] FOMC statement, December 10, 2025, Federal Reserve, 2025-12-10")
    assert "<<<BEGIN DOCUMENT EXCERPT>>>" in content and "3.50 to 3.75 percent" in content
    assert artifact.sources[0].kind == "document"
    # k is clamped; the analysis date, the viewer and the filters reach the knowledge base
    assert kb.queries == [
        {"query": "fed rates", "k": 10, "ticker": None, "since": date(2025, 12, 1), "until": None,
         "publisher": None, "as_of": date(2026, 1, 9), "kind": "statement", "speaker": None,
         "meeting": "December", "latest": False, "fiscal_year": 2026, "fiscal_quarter": 3,
         "viewer": "user-7", "per_document": False}
    ]  # fmt: skip


async def test_a_broken_knowledge_base_is_a_tool_error_and_market_tools_still_work() -> None:
    from copilot.errors import ProviderUnavailableError

    def broken() -> FakeKnowledgeBase:
        raise ProviderUnavailableError("the document index under /tmp/x cannot be opened")

    tools = _tools(knowledge=broken)
    ctx = TurnContext(SourceLedger())
    content, _ = await _call(tools["search_documents"], ctx, query="fed")
    assert content == "Error: the document index under /tmp/x cannot be opened"
    quote, _ = await _call(tools["get_quote"], ctx, symbol="AAPL")
    assert quote.startswith("[1] AAPL quote")


async def test_no_matching_document_says_so() -> None:
    content, artifact = await _call(
        _tools(knowledge=lambda: FakeKnowledgeBase())["search_documents"],
        TurnContext(SourceLedger()),
        query="x",
    )
    assert content == "Error: no stored document matches 'x'"
    assert artifact.error is not None


def test_long_qualitative_details_are_clipped_visibly() -> None:
    from copilot.schemas import Source
    from tools.agent_tools import MAX_DETAIL_CHARS, render_source

    source = Source(kind="market_data", title="t", provider="p", details={"crossovers": ["x" * 40] * 30})
    line = render_source(source, 3).splitlines()[1]
    assert line.startswith("  crossovers: xxxx") and line.endswith("…")
    assert len(line) == len("  crossovers: ") + MAX_DETAIL_CHARS

"""A stock price a stored note states is checked against the market data of its day: "Apple's stock
price is $1" does not stand unchallenged. Market data: the real AAPL bars (large caps CSV) through
MarketData; the expected close and range are read from the same CSV with plain pandas."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from langchain.tools import ToolRuntime
from langchain_core.messages import ToolMessage

from copilot.citations import SourceLedger
from copilot.knowledge import KnowledgeBase
from copilot.knowledge.claims import price_claims
from copilot.knowledge.tagging import MentionFinder
from copilot.schemas import ToolArtifact
from tools.agent_tools import TurnContext, build_tools
from tools.market import MarketData
from tools.providers.memory import InMemoryProvider

DAY = date(2026, 1, 9)


@pytest.fixture(scope="module")
def aapl(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "prices" / "us_large_caps_daily_2016_2026.csv.gz", parse_dates=["date"])
    rows = frame.loc[frame["symbol"] == "AAPL", ["date", "open", "high", "low", "close", "volume"]]
    return rows.set_index("date").sort_index().astype("float64")


@pytest.fixture()
def market(aapl: pd.DataFrame) -> MarketData:
    return MarketData(InMemoryProvider({"AAPL": aapl}), today=lambda: date(2026, 8, 21))


async def search(kb: KnowledgeBase, market: MarketData, query: str, as_of: date) -> tuple[str, ToolArtifact]:
    [tool] = [t for t in build_tools(market, knowledge=lambda: kb) if t.name == "search_documents"]
    ctx = TurnContext(SourceLedger(), as_of=as_of)
    runtime = ToolRuntime(
        state={}, context=ctx, config={}, stream_writer=lambda _: None, tool_call_id="t1", store=None
    )
    message = await tool.ainvoke(
        {
            "type": "tool_call",
            "name": tool.name,
            "id": "t1",
            "args": {"query": query, "k": 1, "runtime": runtime},
        }
    )
    assert isinstance(message, ToolMessage) and isinstance(message.artifact, ToolArtifact)
    return str(message.content), message.artifact


def note(kb: KnowledgeBase, tmp_path: Path, text: str, published: date | None = DAY) -> None:
    (tmp_path / "desk.md").write_text(f"# Desk note\n\n{text}\n")
    report = kb.add([tmp_path / "desk.md"], published=published)
    assert report.failed == []


def usd(value: float) -> str:
    return f"${value:,.2f}"


async def test_a_false_price_in_a_dated_note_is_flagged_next_to_the_market_close(
    kb: KnowledgeBase, market: MarketData, aapl: pd.DataFrame, tmp_path: Path
) -> None:
    note(kb, tmp_path, "Apple's stock price is $1. We like the services business.")
    content, artifact = await search(kb, market, "Apple stock price", DAY)
    bar = aapl.loc[pd.Timestamp(DAY)]
    previous_close = aapl["close"].shift(1)[pd.Timestamp(DAY)]  # the day's range, or the previous close
    low, high = min(bar["low"], previous_close), max(bar["high"], previous_close)
    assert (
        f"MARKET DATA CHECK: contradicted by market data: the document says $1.00; AAPL closed at "
        f"{usd(bar['close'])} on 2026-01-09 (day range {usd(low)}-{usd(high)}) [2]"
    ) in content
    passage, quote = artifact.sources
    assert artifact.labels == {passage.id: 1, quote.id: 2}
    [check] = passage.details["price_check"]
    assert (check["symbol"], check["claimed"], check["verdict"], check["market_source"]) == (
        "AAPL",
        1.0,
        "contradicted",
        quote.id,
    )
    assert quote.kind == "market_data" and quote.fact("last_price").value == pytest.approx(bar["close"])  # type: ignore[union-attr]
    assert "“Apple's stock price is $1” (contradicted)" in quote.notes[-1]
    assert "[2] " in content and content.index("[1] ") < content.index("MARKET DATA CHECK") < content.index(
        "[2] "
    )


async def test_a_true_price_is_consistent_and_a_whole_multiple_reads_as_a_split(
    kb: KnowledgeBase, market: MarketData, aapl: pd.DataFrame, tmp_path: Path
) -> None:
    close = float(aapl.loc[pd.Timestamp(DAY), "close"])
    note(
        kb, tmp_path, f"Apple shares closed at ${close:.2f}. Shares of Apple traded at ${close * 4:.2f} once."
    )
    content, artifact = await search(kb, market, "Apple shares closed", DAY)
    verdicts = [c["verdict"] for c in artifact.sources[0].details["price_check"]]
    assert verdicts == ["consistent", "split"]
    assert (
        "consistent with market data: AAPL closed at" in content
        and "by 4:1 (a stock split since?)" in content
    )


async def test_an_undated_note_is_checked_against_the_52_week_range(
    kb: KnowledgeBase, market: MarketData, aapl: pd.DataFrame, tmp_path: Path
) -> None:
    note(kb, tmp_path, "Apple's stock price is $1.", published=None)
    content, artifact = await search(kb, market, "Apple stock price", DAY)
    year = aapl.loc[
        (aapl.index > pd.Timestamp(DAY) - pd.Timedelta(days=365)) & (aapl.index <= pd.Timestamp(DAY))
    ]
    assert (
        f"(52-week range {usd(year['low'].min())}-{usd(year['high'].max())}; the document is undated) [2]"
    ) in content
    assert artifact.sources[0].details["price_check"][0]["verdict"] == "contradicted"


async def test_a_price_the_market_data_cannot_check_says_so(
    kb: KnowledgeBase, market: MarketData, tmp_path: Path
) -> None:
    note(kb, tmp_path, "Nvidia closed at $1 yesterday.")
    content, artifact = await search(kb, market, "Nvidia closed", DAY)
    [check] = artifact.sources[0].details["price_check"]
    assert check["verdict"] == "unchecked" and "NVDA price not checked" in content
    assert len(artifact.sources) == 1  # no market source to cite


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple's stock price is $1.", [("AAPL", 1.0)]),
        ("AAPL closed at $187.44 on Friday.", [("AAPL", 187.44)]),
        ("Shares of Nvidia traded at $1,120.50 before the split.", [("NVDA", 1120.5)]),
        ("Apple and Microsoft closed at $250.", [("MSFT", 250.0)]),  # the nearer name owns the figure
        ("Our price target for Apple is $300.", []),
        ("Apple's price target is $300.", []),
        ("Apple reported revenue of $94.9 billion.", []),
        ("Apple's stock rose after EPS of $1.64 per share.", []),
        ("Apple raised its dividend to $0.26 per share.", []),
        ("Microsoft's market cap reached $3 trillion.", []),
        ("Apple bought back $25 billion of shares.", []),
        ("Tesla stock rose to $300 on Friday.", [("TSLA", 300.0)]),
        ("Apple's closing stock price was about $259.37.", [("AAPL", 259.37)]),
        # seen in the real filings: none of these is where the stock trades
        ("AMD’s common stock at an exercise price of $0.01", []),
        ("AbbVie acquired all outstanding shares of ImmunoGen for $ 31.26", []),
        ("PepsiCo per common share – diluted $ 6.00", []),
        ("Coca-Cola Company Shareowners’ Equity Common stock, $ 0.25 par value", []),
        ("Apple revenue rose to $94.9 billion.", []),
        ("Apple shares rose to $94.9 billion in value.", []),
    ],
)
def test_which_dollar_figures_are_stock_prices(text: str, expected: list[tuple[str, float]]) -> None:
    finder: Callable[[str], Any] = MentionFinder().spans
    assert [(c.symbol, c.value) for c in price_claims(text, finder)] == expected


async def test_an_answer_repeating_a_contradicted_price_is_never_shown_as_verified(
    kb: KnowledgeBase, market: MarketData, tmp_path: Path
) -> None:
    from copilot.verify import verify_figures

    note(kb, tmp_path, "Apple's stock price is $1. We like the services business.")
    _, artifact = await search(kb, market, "Apple stock price", DAY)
    ledger = SourceLedger.from_items([(artifact.labels[s.id], s) for s in artifact.sources])
    report = verify_figures("The desk note says Apple's stock price is $1 [1].", ledger)
    [flagged] = report.unverified
    assert flagged.reason.startswith("contradicted by market data: the document says $1.00; AAPL closed at")

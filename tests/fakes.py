"""Fakes every test may reuse: a scripted chat model, a fake MarketData and a fake knowledge base.

``ScriptedChatModel`` is a real LangChain chat model (``bind_tools``, sync and async streaming)
whose replies come from a queue (``enqueue``) or a ``responder`` function, so the agent loop, the
tool node and the event stream run for real without a network.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from copilot.errors import AmbiguousSymbolError, BadInputError, NoDataError, UnknownSymbolError
from copilot.schemas import Fact, Source
from tools.providers.base import SymbolMatch

_ids = itertools.count(1)

Responder = Callable[[list[BaseMessage]], AIMessage]


def tool_calls(*calls: tuple[str, dict[str, Any]], content: str = "") -> AIMessage:
    """An AIMessage asking for the given tool calls, each with a fresh id."""
    return AIMessage(
        content=content,
        tool_calls=[
            {"name": name, "args": args, "id": f"call_{next(_ids)}", "type": "tool_call"}
            for name, args in calls
        ],
    )


class ScriptedChatModel(BaseChatModel):
    """A chat model that replies from a script; records what it was asked."""

    script: list[AIMessage] = Field(default_factory=list)
    responder: Responder | None = None
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)
    model_name: str = "scripted"
    chunk_size: int = 12  # stream content in pieces of this many characters
    delay: float = 0.0  # seconds before each reply (to test turn timeouts)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def enqueue(self, *replies: AIMessage | str) -> ScriptedChatModel:
        """Queue replies; a string is a plain text answer."""
        self.script.extend(AIMessage(content=r) if isinstance(r, str) else r for r in replies)
        return self

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        self.bound_tools = [t.name if hasattr(t, "name") else str(t) for t in tools]
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self.calls.append(list(messages))
        if self.script:
            return self.script.pop(0)
        if self.responder is not None:
            return self.responder(messages)
        raise AssertionError("ScriptedChatModel ran out of scripted replies")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.delay:
            time.sleep(self.delay)
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _chunks(self, reply: AIMessage) -> Iterator[AIMessageChunk]:
        text = reply.content if isinstance(reply.content, str) else ""
        for start in range(0, len(text), self.chunk_size):
            yield AIMessageChunk(content=text[start : start + self.chunk_size])
        if reply.tool_calls or reply.invalid_tool_calls:
            yield AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                    for i, c in enumerate(reply.tool_calls)
                ]
                + [
                    {"name": c["name"], "args": c["args"], "id": c["id"], "index": len(reply.tool_calls) + i}
                    for i, c in enumerate(reply.invalid_tool_calls)
                ],
            )
        yield AIMessageChunk(content="", chunk_position="last")

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # ainvoke without streaming: sleep on the event loop, not in a worker thread, so parallel
        # calls overlap as real network calls do (the research benchmark simulates latency with it)
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        # BaseChatModel reports each chunk to the callbacks (on_llm_new_token) itself
        for chunk in self._chunks(self._next(messages)):
            yield ChatGenerationChunk(message=chunk)


# --- market data -------------------------------------------------------------------------------

TODAY = date(2026, 1, 9)

NAMES = {
    "AAPL": SymbolMatch("AAPL", "Apple Inc.", "equity", "NASDAQ", ("apple",)),
    "MSFT": SymbolMatch("MSFT", "Microsoft Corporation", "equity", "NASDAQ", ("microsoft",)),
    "SPY": SymbolMatch("SPY", "SPDR S&P 500 ETF Trust", "etf", "NYSEARCA", ("s&p 500 etf",)),
    "^GSPC": SymbolMatch("^GSPC", "S&P 500", "index", None, ("s&p 500", "s&p")),
    "^RUT": SymbolMatch("^RUT", "Russell 2000", "index", None, ("russell 2000", "small caps")),
}
PRICES = {"AAPL": 259.37, "MSFT": 479.28, "SPY": 694.07, "^GSPC": 6966.28, "^RUT": 2624.21}
RETURNS_YTD = {"AAPL": -4.58, "MSFT": -0.9, "SPY": 1.76, "^GSPC": 1.77, "^RUT": 5.73}


@dataclass
class FakeMarketData:
    """Answers like tools.market.MarketData over a few fixed symbols; records its calls."""

    today: date = TODAY
    delay: float = 0.0
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def resolve(self, name: str) -> SymbolMatch:
        key = name.strip()
        if key.upper() in NAMES:
            return NAMES[key.upper()]
        hits = [m for m in NAMES.values() if key.lower() in m.aliases or key.lower() in m.name.lower()]
        if len(hits) > 1:
            raise AmbiguousSymbolError(name, [m.symbol for m in hits])
        if not hits:
            raise UnknownSymbolError(name, "no provider knows it")
        return hits[0]

    def _day(self, as_of: date | None) -> date:
        if as_of is not None and as_of > self.today:
            raise BadInputError(f"as_of {as_of} is after the latest data ({self.today})")
        return as_of or self.today

    def _record(self, method: str, *args: Any) -> None:
        self.calls.append((method, args))
        if self.delay:
            time.sleep(self.delay)

    def quote(self, symbol: str, as_of: date | None = None) -> Source:
        self._record("quote", symbol, as_of)
        sym, day = self.resolve(symbol).symbol, self._day(as_of)
        price = PRICES[sym]
        return Source(
            kind="market_data",
            title=f"{sym} quote",
            provider="fake",
            as_of=day,
            tool="quote",
            arguments={"symbol": sym, "as_of": day.isoformat()},
            facts=[
                Fact(key="last_price", label="Last price", value=price, unit="USD", as_of=day, symbol=sym),
                Fact(key="change_pct", label="Change", value=0.5, unit="%", as_of=day, symbol=sym),
            ],
        )

    def price_history(
        self,
        symbol: str,
        date: date | None = None,
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> Source:
        self._record("price_history", symbol, date, start, end, as_of)
        sym, day = self.resolve(symbol).symbol, self._day(as_of)
        when = date or day
        return Source(
            kind="market_data",
            title=f"{sym} on {when}",
            provider="fake",
            as_of=when,
            tool="price_history",
            arguments={"symbol": sym, "date": when.isoformat(), "as_of": day.isoformat()},
            facts=[Fact(key="close", label="Close", value=PRICES[sym], unit="USD", as_of=when, symbol=sym)],
        )

    def performance(
        self,
        symbols: Sequence[str],
        period: str | None = "ytd",
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> Source:
        self._record("performance", tuple(symbols), period, start, end, as_of)
        resolved = [self.resolve(s).symbol for s in symbols]
        day = self._day(as_of)
        key = f"price_return_{period or 'custom'}"
        facts = [
            Fact(key=key, label=f"{s} return", value=RETURNS_YTD[s], unit="%", as_of=day, symbol=s)
            for s in resolved
        ]
        return Source(
            kind="market_data",
            title=f"Performance {', '.join(resolved)} ({period})",
            provider="fake",
            as_of=day,
            tool="performance",
            arguments={"symbols": resolved, "period": period, "as_of": day.isoformat()},
            facts=facts,
        )

    def technicals(self, symbol: str, as_of: date | None = None) -> Source:
        self._record("technicals", symbol, as_of)
        sym, day = self.resolve(symbol).symbol, self._day(as_of)
        return Source(
            kind="market_data",
            title=f"{sym} technicals",
            provider="fake",
            as_of=day,
            tool="technicals",
            arguments={"symbol": sym, "as_of": day.isoformat()},
            facts=[
                Fact(key="rsi_14", label="RSI (14)", value=71.3, unit="points", as_of=day, symbol=sym),
                Fact(
                    key="sma_50", label="SMA 50", value=PRICES[sym] * 0.97, unit="USD", as_of=day, symbol=sym
                ),
            ],
            details={"rsi_state": "overbought"},
        )

    def valuation(self, symbol: str, as_of: date | None = None) -> Source:
        self._record("valuation", symbol, as_of)
        sym, day = self.resolve(symbol).symbol, self._day(as_of)
        if sym.startswith("^"):
            raise NoDataError(f"{sym}: an index has no valuation fields", symbol=sym)
        return Source(
            kind="market_data",
            title=f"{sym} valuation",
            provider="fake",
            as_of=day,
            tool="valuation",
            arguments={"symbol": sym, "as_of": day.isoformat()},
            facts=[
                Fact(key="trailing_pe", label="Trailing P/E", value=34.8, unit="x", as_of=day, symbol=sym)
            ],
            details={"missing": ["peg_ratio"]},
            stale=True,
            age_seconds=7200,
        )

    def valuation_at(self, symbol: str, as_of: date | None = None) -> Source:
        self._record("valuation_at", symbol, as_of)
        sym = self.resolve(symbol).symbol
        if sym.startswith("^"):
            raise NoDataError(f"{sym}: an index has no valuation fields", symbol=sym)
        raise NoDataError(f"{sym}: the fake has no financial statements", symbol=sym)

    def valuations(self, symbol: str, as_of: date | None = None, on: date | None = None) -> list[Source]:
        from tools.fundamentals.facade import combine_valuations

        at = on or as_of
        return combine_valuations(
            symbol, [lambda: self.valuation_at(symbol, at), lambda: self.valuation(symbol, at)]
        )

    def financials(
        self,
        symbol: str,
        statement: str | None = None,
        freq: str = "quarterly",
        periods: int = 4,
        as_of: date | None = None,
    ) -> Source:
        self._record("financials", symbol, statement, freq, periods, as_of)
        sym, day = self.resolve(symbol).symbol, self._day(as_of)
        if sym.startswith("^"):
            raise NoDataError(f"{sym}: an index has no financial statements", symbol=sym)
        end = date(2025, 12, 31)
        return Source(
            kind="market_data",
            title=f"Financials ({freq}): {sym}",
            provider="fake",
            as_of=end,
            tool="financials",
            arguments={
                "symbol": sym,
                "statement": statement or "all",
                "freq": freq,
                "as_of": day.isoformat(),
            },
            facts=[
                Fact(
                    key="revenue_q1_fy2026",
                    label="Revenue, Q1 FY2026",
                    value=143_756_000_000.0,
                    unit="USD",
                    as_of=end,
                    precision=0,
                    symbol=sym,
                ),
                Fact(
                    key="diluted_eps_q1_fy2026",
                    label="Diluted EPS, Q1 FY2026",
                    value=2.84,
                    unit="USD",
                    as_of=end,
                    symbol=sym,
                ),
            ],
        )

    def analyst_targets(self, symbol: str, as_of: date | None = None) -> Source:
        self._record("analyst_targets", symbol, as_of)
        sym, day = self.resolve(symbol).symbol, self._day(as_of)
        return Source(
            kind="market_data",
            title=f"Analyst price targets: {sym}",
            provider="fake",
            as_of=day,
            tool="analyst_targets",
            arguments={"symbol": sym, "as_of": day.isoformat()},
            facts=[
                Fact(
                    key="target_mean",
                    label="Mean analyst price target",
                    value=320.5,
                    unit="USD",
                    as_of=day,
                    symbol=sym,
                ),
                Fact(
                    key="analysts",
                    label="Number of analysts",
                    value=41,
                    unit="count",
                    as_of=day,
                    precision=0,
                    symbol=sym,
                ),
            ],
            details={"rating": "buy"},
        )

    def market_valuation(self, as_of: date | None = None) -> Source:
        self._record("market_valuation", as_of)
        month = date(2023, 6, 1)
        return Source(
            kind="market_data",
            title="S&P 500 P/E and CAPE (Shiller, monthly)",
            provider="fake",
            as_of=month,
            tool="market_valuation",
            arguments={"index": "^GSPC", "as_of": self._day(as_of).isoformat()},
            facts=[
                Fact(
                    key="pe",
                    label="S&P 500 P/E for 2023-06",
                    value=23.99,
                    unit="x",
                    as_of=month,
                    symbol="^GSPC",
                )
            ],
        )

    def bars(
        self, symbol: str, start: date | None = None, end: date | None = None, as_of: date | None = None
    ) -> Any:
        """Daily bars for research charts: the fake has none (a report leaves its charts out)."""
        self._record("bars", symbol, start, end, as_of)
        raise NoDataError(f"{symbol}: the fake has no daily bars", symbol=symbol)

    def sectors(self, period: str = "1d", as_of: date | None = None) -> Source:
        self._record("sectors", period, as_of)
        day = self._day(as_of)
        return Source(
            kind="market_data",
            title=f"Sector performance ({period})",
            provider="fake",
            as_of=day,
            tool="sectors",
            arguments={"period": period, "as_of": day.isoformat()},
            facts=[
                Fact(
                    key=f"price_return_{period}", label="Technology (XLK)", value=1.2, unit="%", symbol="XLK"
                ),
                Fact(key=f"price_return_{period}", label="Energy (XLE)", value=-0.8, unit="%", symbol="XLE"),
            ],
            details={"ranking": ["XLK", "XLE"]},
        )


# --- knowledge base ----------------------------------------------------------------------------


@dataclass
class FakePassage:
    content: str
    source: Source
    score: float = 1.0


@dataclass
class FakeKnowledgeBase:
    """Returns the passages it was given; records the queries."""

    passages: list[FakePassage] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)

    def search(self, query: str, k: int = 5, **filters: Any) -> list[FakePassage]:
        self.queries.append({"query": query, "k": k, **filters})
        return self.passages[:k]


def fed_passage() -> FakePassage:
    """A passage from a Fed statement with one figure."""
    text = (
        "The Committee decided to lower the target range for the federal funds rate to 3.50 to 3.75 percent."
    )
    return FakePassage(
        content=text,
        source=Source(
            kind="document",
            title="FOMC statement, December 10, 2025",
            provider="Federal Reserve",
            url="https://www.federalreserve.gov/newsevents/pressreleases/monetary20251210a.htm",
            published=date(2025, 12, 10),
            snippet=text,
            document_id="fomc-2025-12-10",
        ),
    )

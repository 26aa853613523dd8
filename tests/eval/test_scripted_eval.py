"""Answer eval with a scripted model: price history and named periods through the real ChatService.

A scripted chat model stands in for an LLM: it asks for the tool calls each question needs
(``get_price_history`` on a day or a range, ``compare_performance`` and ``sector_performance`` with
named and calendar periods) and writes its answer by quoting the facts of the tool results with
their [n], as a model following the system prompt does. The figures the answer must hold are
recomputed with plain pandas on the shared CSVs (tests/eval/reference.py), never read from Verity.
The offline analyst's cases for these tools come with its rebuild.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from copilot.chat import ChatService
from copilot.config import Settings
from copilot.evaluation import EvalCase, EvalReport, ExpectedFigure, run_eval
from copilot.schemas import ToolArtifact
from tests.eval.reference import Expected, Reference
from tests.eval.test_answer_eval import PRICE_FILES
from tests.fakes import ScriptedChatModel, tool_calls
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

pytestmark = pytest.mark.eval


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    as_of: date
    calls: tuple[tuple[str, dict[str, Any]], ...]
    quote: tuple[str, ...]  # the fact keys the answer quotes (every symbol's)


CASES = (
    Case("history-iwm-close-on-a-day", "What did IWM close at on January 9, 2026?", date(2026, 3, 2),
         (("get_price_history", {"symbol": "IWM", "date": "2026-01-09"}),), ("close",)),
    Case("history-apple-on-a-saturday", "Apple's price on 2025-03-01?", date(2025, 6, 30),
         (("get_price_history", {"symbol": "Apple", "date": "2025-03-01"}),), ("close", "volume")),
    Case("history-spy-april-range", "SPY's high and low in April 2025", date(2025, 6, 30),
         (("get_price_history", {"symbol": "SPY", "start": "2025-04-01", "end": "2025-04-30"}),),
         ("high", "low", "first_close", "last_close")),
    Case("period-spx-calendar-2024", "How did the S&P 500 do in 2024?", date(2026, 1, 9),
         (("compare_performance", {"symbols": ["S&P 500"], "period": "2024"}),), ("price_return_2024",)),
    Case("period-qqq-qtd", "QQQ quarter to date", date(2025, 11, 14),
         (("compare_performance", {"symbols": ["QQQ"], "period": "qtd"}),), ("price_return_qtd",)),
    Case("period-spy-5y-price-return", "SPY's five-year return", date(2026, 8, 21),
         (("compare_performance", {"symbols": ["SPY"], "period": "5y"}),), ("price_return_5y",)),
    Case("period-spy-3y-total-return", "SPY's 3-year total return", date(2025, 6, 30),
         (("compare_performance", {"symbols": ["SPY"], "period": "3y"}),),
         ("price_return_3y", "total_return_3y")),
    Case("period-msft-vs-aapl-february", "Microsoft vs Apple in February 2025", date(2025, 6, 30),
         (("compare_performance", {"symbols": ["MSFT", "AAPL"], "period": "2025-02"}),),
         ("price_return_2025-02",)),
    Case("period-nvda-mtd", "NVDA month to date", date(2026, 8, 21),
         (("compare_performance", {"symbols": ["NVDA"], "period": "mtd"}),), ("price_return_mtd",)),
    Case("period-sectors-mtd", "Which sectors led this month?", date(2026, 1, 9),
         (("sector_performance", {"period": "mtd"}),), ("price_return_mtd", "total_return_mtd")),
    Case("period-sectors-october-2025", "Sector returns in October 2025", date(2026, 1, 9),
         (("sector_performance", {"period": "2025-10"}),), ("price_return_2025-10", "total_return_2025-10")),
)  # fmt: skip


def expected(ref: Reference, case: Case) -> list[Expected]:
    """The figures of each case, by plain pandas on the CSVs."""
    if case.id == "history-iwm-close-on-a-day":
        return [Expected(ref.last_close("IWM", date(2026, 1, 9)), "close", "IWM", "USD")]
    if case.id == "history-apple-on-a-saturday":  # the last session before it: Friday 2025-02-28
        row = ref.bars("AAPL").loc["2025-02-28"]
        return [Expected(row["close"], "close", "AAPL", "USD"), Expected(row["volume"], "volume", "AAPL")]
    if case.id == "history-spy-april-range":
        april = ref.bars("SPY").loc["2025-04-01":"2025-04-30"]
        return [
            Expected(april["high"].max(), "high", "SPY", "USD"),
            Expected(april["low"].min(), "low", "SPY", "USD"),
            Expected(april["close"].iloc[0], "first_close", "SPY", "USD"),
            Expected(april["close"].iloc[-1], "last_close", "SPY", "USD"),
        ]
    if case.id.startswith("period-sectors"):
        period = case.calls[0][1]["period"]
        kind, returns = ref.sector_returns(period, case.as_of)
        return [Expected(value, f"{kind}_return_{period}", etf, "%") for etf, value in returns.items()]
    out = []
    args = case.calls[0][1]
    symbols = {"S&P 500": "^GSPC"}
    for name in args["symbols"]:
        symbol = symbols.get(name, name)
        for key in case.quote:
            kind = key.split("_")[0]
            value = _kind_return(ref, symbol, args["period"], case.as_of, kind)
            out.append(Expected(value, key, symbol, "%"))
    return out


def _kind_return(ref: Reference, symbol: str, period: str, as_of: date, kind: str) -> float:
    from tests.eval.reference import _return

    closes = ref.bars(symbol)["close"] if kind == "price" else ref.adjusted(symbol)
    value = _return(closes, period, as_of, None, ref.sessions(symbol))
    assert value is not None, (symbol, period, kind)
    return value


def _answer(case: Case, messages: list[BaseMessage]) -> str:
    """The answer a model following the prompt writes: each asked-for fact with its [n] and date."""
    lines = []
    for message in messages:
        if not (isinstance(message, ToolMessage) and isinstance(message.artifact, ToolArtifact)):
            continue
        for source in message.artifact.sources:
            n = message.artifact.labels[source.id]
            for fact in source.facts:
                if fact.key in case.quote:
                    lines.append(f"{fact.symbol} {fact.label}: {fact.display()} [{n}] (as of {fact.as_of}).")
    return "\n".join(lines) or "No figures."


def scripted_model() -> ScriptedChatModel:
    by_question = {case.question: case for case in CASES}

    def respond(messages: list[BaseMessage]) -> AIMessage:
        human = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
        case = by_question[str(human.content)]
        if isinstance(messages[-1], HumanMessage):
            return tool_calls(*case.calls)
        return AIMessage(content=_answer(case, messages))

    return ScriptedChatModel(responder=respond)


@pytest.fixture(scope="module")
def report(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    root = tmp_path_factory.mktemp("scripted_eval")
    snapshot = root / "snapshot"
    import_snapshot([shared_data / name for name in PRICE_FILES], snapshot)
    settings = Settings(data_dir=root / "verity", market_data=f"snapshot:{snapshot}", _env_file=None)  # type: ignore[call-arg]
    model = scripted_model()
    service = ChatService(settings, MarketData(SnapshotProvider(snapshot)), model_factory=lambda _: model)
    reference = Reference(shared_data)
    cases = [
        EvalCase(
            id=case.id,
            question=case.question,
            as_of=case.as_of,
            expected=[ExpectedFigure(**e.as_dict()) for e in expected(reference, case)],
        )
        for case in CASES
    ]
    return asyncio.run(run_eval(cases, service.run_turn))


def test_scripted_model_scores_full_marks(report: EvalReport) -> None:
    failed = {
        c.id: (c.error, [m.model_dump() for m in c.missing], c.answer) for c in report.cases if not c.passed
    }
    assert failed == {}
    assert (
        report.figure_accuracy == 1.0 and report.verification_rate == 1.0 and report.citation_validity == 1.0
    )
    assert sum(c.expected for c in report.cases) >= 35


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_scripted_answer(report: EvalReport, case: Case) -> None:
    result = next(c for c in report.cases if c.id == case.id)
    assert result.error is None, result.error
    assert result.found == result.expected > 0, [m.model_dump() for m in result.missing]
    assert result.figures_verified == result.figures_total >= result.expected, result.answer


def test_the_issues_examples_come_out_right(report: EvalReport) -> None:
    iwm = next(c for c in report.cases if c.id == "history-iwm-close-on-a-day")
    assert "Close: $260.23 [1]" in iwm.answer  # as traded, not the rescaled $259.77
    spy = next(c for c in report.cases if c.id == "period-spy-5y-price-return")
    assert "Price return 5Y: 72.71% [1]" in spy.answer
    apple = next(c for c in report.cases if c.id == "history-apple-on-a-saturday")
    assert "(as of 2025-02-28)" in apple.answer
    assert pd.Timestamp("2025-02-28").day_name() == "Friday"

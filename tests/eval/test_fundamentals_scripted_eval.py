"""Answer eval of the fundamentals tools with a scripted model through the real ChatService.

The scripted model asks for the tool a case names, then quotes the facts it is told to quote from
the tool's artifact, each with its [n] — the way a real model is asked to. The run goes through
the agent, the tools over a snapshot imported from the shared data, the citation ledger and the
figure verifier, and is scored by ``run_eval``. Expected figures are computed here with pandas on
the shared CSVs (statements, prices, targets, Shiller) using only what was public at the analysis
date. Offline-analyst cases for these tools come with the analyst's rebuild.
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
from tests.fakes import ScriptedChatModel, tool_calls
from tests.unit.market.fundamentals_fixtures import (
    FUNDAMENTAL_SOURCES,
    SHILLER_CSV,
    TARGETS_CSV,
    reference_close,
    reference_ttm,
    statements_csv,
)
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

pytestmark = pytest.mark.eval


@dataclass(frozen=True)
class ScriptedCase:
    id: str
    question: str
    as_of: date
    tool: str
    args: dict[str, Any]
    quote: tuple[str, ...]  # fact keys the scripted model quotes
    expected: tuple[ExpectedFigure, ...]


def _line(symbol: str, freq: str, period_end: str, line_item: str) -> float:
    csv = statements_csv()
    rows = csv.loc[
        (csv["symbol"] == symbol)
        & (csv["freq"] == freq)
        & (csv["period_end"] == period_end)
        & (csv["line_item"] == line_item)
    ]
    return float(rows["value"].iloc[0])


def _pe(symbol: str, as_of: date) -> float:
    close, _ = reference_close(symbol, as_of)
    eps, _ = reference_ttm(symbol, "Diluted EPS", as_of)
    return close / eps


def _target(symbol: str, day: str, column: str) -> float:
    frame = pd.read_csv(TARGETS_CSV)
    return float(frame.loc[(frame["ticker"] == symbol) & (frame["date"] == day), column].iloc[0])


def _shiller(month: str) -> pd.Series:
    frame = pd.read_csv(SHILLER_CSV)
    return frame.loc[frame["Date"] == month].iloc[0]


def cases() -> list[ScriptedCase]:
    june_2023 = _shiller("2023-06-01")
    return [
        ScriptedCase(
            "fin-apple-revenue-last-quarter",
            "What was Apple's revenue last quarter?",
            date(2026, 8, 21),
            "get_financials",
            {"symbol": "Apple", "statement": "income", "periods": 1},
            ("revenue_q3_fy2026", "diluted_eps_q3_fy2026"),
            (
                ExpectedFigure(
                    symbol="AAPL",
                    key="revenue_q3_fy2026",
                    value=_line("AAPL", "quarterly", "2026-06-30", "Total Revenue"),
                ),
                ExpectedFigure(
                    symbol="AAPL",
                    key="diluted_eps_q3_fy2026",
                    value=_line("AAPL", "quarterly", "2026-06-30", "Diluted EPS"),
                ),
            ),
        ),
        ScriptedCase(  # the day before the 10-Q: last quarter is still Q2 FY2026
            "fin-apple-revenue-before-the-10q",
            "What was Apple's revenue last quarter?",
            date(2026, 7, 30),
            "get_financials",
            {"symbol": "AAPL", "statement": "income", "periods": 1},
            ("revenue_q2_fy2026",),
            (
                ExpectedFigure(
                    symbol="AAPL",
                    key="revenue_q2_fy2026",
                    value=_line("AAPL", "quarterly", "2026-03-31", "Total Revenue"),
                ),
            ),
        ),
        ScriptedCase(
            "fin-microsoft-annual-eps",
            "Microsoft's diluted EPS for its last fiscal year",
            date(2026, 8, 21),
            "get_financials",
            {"symbol": "MSFT", "statement": "income", "freq": "annual", "periods": 2},
            ("diluted_eps_fy2026", "diluted_eps_growth_yoy_fy2026"),
            (
                ExpectedFigure(
                    symbol="MSFT",
                    key="diluted_eps_fy2026",
                    value=_line("MSFT", "annual", "2026-06-30", "Diluted EPS"),
                ),
                ExpectedFigure(
                    symbol="MSFT",
                    key="diluted_eps_growth_yoy_fy2026",
                    value=(
                        _line("MSFT", "annual", "2026-06-30", "Diluted EPS")
                        / _line("MSFT", "annual", "2025-06-30", "Diluted EPS")
                        - 1
                    )
                    * 100,
                ),
            ),
        ),
        ScriptedCase(
            "val-apple-pe-point-in-time",
            "What was Apple's P/E?",
            date(2026, 5, 15),
            "get_valuation",
            {"symbol": "AAPL"},
            ("trailing_pe",),
            (ExpectedFigure(symbol="AAPL", key="trailing_pe", value=_pe("AAPL", date(2026, 5, 15))),),
        ),
        ScriptedCase(
            "targets-nvda",
            "What do analysts expect for NVDA?",
            date(2026, 8, 21),
            "get_analyst_targets",
            {"symbol": "NVDA"},
            ("target_mean", "target_high", "target_low", "analysts"),
            (
                ExpectedFigure(
                    symbol="NVDA", key="target_mean", value=_target("NVDA", "2026-08-21", "target_mean")
                ),
                ExpectedFigure(
                    symbol="NVDA", key="target_high", value=_target("NVDA", "2026-08-21", "target_high")
                ),
                # the number of analysts is a bare count, which the figure reader does not take as a figure
                ExpectedFigure(
                    symbol="NVDA", key="target_low", value=_target("NVDA", "2026-08-21", "target_low")
                ),
            ),
        ),
        ScriptedCase(
            "market-sp500-pe",
            "What's the S&P 500's P/E?",
            date(2026, 8, 21),
            "get_market_valuation",
            {},
            ("pe", "cape"),
            (
                ExpectedFigure(symbol="^GSPC", key="pe", value=june_2023["SP500"] / june_2023["Earnings"]),
                ExpectedFigure(symbol="^GSPC", key="cape", value=_shiller("2023-09-01")["PE10"]),
            ),
        ),
    ]


CASES = cases()


def scripted_model() -> ScriptedChatModel:
    """Calls the case's tool, then quotes the case's facts with their [n] and dates."""
    by_question: dict[str, list[ScriptedCase]] = {}
    for case in CASES:
        by_question.setdefault(case.question, []).append(case)
    pending: list[ScriptedCase] = []

    def respond(messages: list[BaseMessage]) -> AIMessage:
        turn = messages[max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage)) :]
        results = [m for m in turn if isinstance(m, ToolMessage)]
        if not results:
            case = by_question[str(turn[0].content)].pop(0)
            pending.append(case)
            return tool_calls((case.tool, case.args))
        case = pending.pop(0)
        artifact = results[-1].artifact
        assert isinstance(artifact, ToolArtifact) and artifact.error is None, results[-1].content
        sentences = []
        for source in artifact.sources:
            n = artifact.labels[source.id]
            for key in case.quote:
                fact = source.fact(key)
                if fact is not None:
                    sentences.append(f"{fact.label}: {fact.display()} [{n}] (as of {fact.as_of}).")
        return AIMessage(content=" ".join(sentences))

    return ScriptedChatModel(responder=respond)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    root = tmp_path_factory.mktemp("fundamentals_eval")
    snapshot = root / "snapshot"
    import_snapshot(list(FUNDAMENTAL_SOURCES), snapshot)
    settings = Settings(
        data_dir=root / "verity",
        market_data=f"snapshot:{snapshot}",
        llm="offline",
        _env_file=None,  # type: ignore[call-arg]
    )
    model = scripted_model()
    market = MarketData(SnapshotProvider(Path(snapshot)), today=lambda: date(2026, 8, 21))
    service = ChatService(settings, market, None, model_factory=lambda _: model)
    eval_cases = [
        EvalCase(id=c.id, question=c.question, as_of=c.as_of, expected=list(c.expected)) for c in CASES
    ]
    return asyncio.run(run_eval(eval_cases, service.run_turn))


def test_scripted_model_scores_full_marks(report: EvalReport) -> None:
    failed = {
        c.id: (c.error, [m.model_dump() for m in c.missing], c.answer) for c in report.cases if not c.passed
    }
    assert failed == {}
    assert report.figure_accuracy == 1.0
    assert report.verification_rate == 1.0
    assert report.citation_validity == 1.0


def test_fiscal_labels_and_dates_reach_the_answer(report: EvalReport) -> None:
    answers = {c.id: c.answer for c in report.cases}
    assert "Revenue, Q3 FY2026" in answers["fin-apple-revenue-last-quarter"]
    assert "Revenue, Q2 FY2026" in answers["fin-apple-revenue-before-the-10q"]
    assert "for 2023-06" in answers["market-sp500-pe"]
    assert "Trailing P/E at 2026-05-15" in answers["val-apple-pe-point-in-time"]

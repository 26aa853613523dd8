"""Units of the research pipeline: reading a topic, the deterministic plan and its critical path,
renumbering citations, dropping and marking unverified sentences, the events' JSON."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.citations import SourceLedger, numbers_in_order, renumber
from copilot.errors import BadInputError
from copilot.research.draft import Draft
from copilot.research.plan import ASSEMBLE_NODE, PLAN_NODE, critical_path, plan_graph
from copilot.research.planner import deterministic_plan
from copilot.research.tools import validate_arguments
from copilot.research.verification import keep_verified, marked
from copilot.schemas import Fact, Source
from tests.fakes import FakeMarketData
from tools.symbols import SymbolResolver

SEED_TOPIC = "Small-cap rally: is the Russell 2000's outperformance sustainable?"
AS_OF = date(2026, 1, 9)


class AllKnown(FakeMarketData):
    """Resolves every curated symbol (the fake only knows five)."""

    def resolve(self, name: str):  # type: ignore[no-untyped-def]
        return SymbolResolver().resolve(name)


def test_the_seed_topic_is_about_the_russell_2000_its_etf_and_two_benchmarks() -> None:
    plan = deterministic_plan(SEED_TOPIC, AS_OF, AllKnown(), SymbolResolver())
    assert [(s.symbol, s.role) for s in plan.subjects] == [
        ("^RUT", "primary"),
        ("IWM", "etf"),
        ("^GSPC", "benchmark"),
        ("^IXIC", "benchmark"),
    ]
    assert [s.key for s in plan.sections] == [
        "summary",
        "market_performance",
        "drivers",
        "valuation",
        "technicals",
        "breadth",
        "risks",
        "outlook",
        "conclusion",
    ]
    steps = {s.id: s for s in plan.steps}
    assert steps["perf_ytd"].arguments == {"symbols": ["^RUT", "^GSPC", "^IXIC"], "period": "ytd"}
    assert steps["technicals_^RUT"].tool == "technicals" and "valuations_IWM" in steps
    assert steps["fed_decisions"].arguments["kind"] == "statement"
    # the price chart's series starts early enough for a 200-day average over the whole chart
    assert date.fromisoformat(steps["series_^RUT"].arguments["start"]) <= date(2024, 11, 20)
    assert plan.title == SEED_TOPIC and plan.main_symbols() == ["^RUT", "IWM", "^GSPC", "^IXIC"]


def test_a_topic_naming_nothing_known_covers_the_broad_market_and_says_so() -> None:
    plan = deterministic_plan("What about inflation?", AS_OF, AllKnown(), SymbolResolver())
    assert plan.subjects[0].symbol == "^GSPC"
    assert "broad US market" in plan.notes[0]


def test_a_stock_topic_adds_statements_targets_and_filings() -> None:
    plan = deterministic_plan("Is Apple overvalued?", AS_OF, AllKnown(), SymbolResolver())
    tools = {s.id: s.tool for s in plan.steps}
    assert tools["financials_AAPL"] == "financials" and tools["targets_AAPL"] == "analyst_targets"
    assert tools["filings_AAPL"] == "search_documents"


def test_the_critical_path_is_the_longest_chain_of_dependent_steps() -> None:
    plan = deterministic_plan(SEED_TOPIC, AS_OF, AllKnown(), SymbolResolver())
    graph = plan_graph(plan)
    assert graph[PLAN_NODE] == () and all(PLAN_NODE in graph[f"gather:{s.id}"] for s in plan.steps)
    assert set(graph["write:market_performance"]) == {
        "gather:perf_ytd",
        "gather:perf_1y",
        "gather:quote_^RUT",
        "gather:quote_IWM",
        "gather:quote_^GSPC",
        "gather:quote_^IXIC",
    }
    assert "write:technicals" in graph["write:summary"]

    def cost(node: str) -> float:
        return (
            0.2
            if node == PLAN_NODE or node.startswith("write:")
            else 0.1
            if node.startswith("gather:")
            else 0
        )

    seconds, chain = critical_path(plan, cost)
    # plan -> one gather step -> one analysis section -> summary or conclusion -> assembly
    assert seconds == pytest.approx(0.2 + 0.1 + 0.2 + 0.2)
    assert chain[0] == PLAN_NODE and chain[-1] == ASSEMBLE_NODE and len(chain) == 5
    slow, slow_chain = critical_path(plan, lambda n: 1.0 if n == "gather:fed_decisions" else cost(n))
    assert slow == pytest.approx(0.2 + 1.0 + 0.2 + 0.2) and "gather:fed_decisions" in slow_chain


def test_step_arguments_are_validated() -> None:
    assert validate_arguments("quote", {"symbol": "IWM"}) == {"symbol": "IWM"}
    with pytest.raises(BadInputError, match="unknown research tool 'shell'"):
        validate_arguments("shell", {})
    with pytest.raises(BadInputError, match="url: Extra inputs are not permitted"):
        validate_arguments("quote", {"symbol": "IWM", "url": "http://x"})
    with pytest.raises(BadInputError):
        validate_arguments("performance", {"symbols": ["^RUT"], "period": "forever"})


def test_citations_renumber_by_first_appearance() -> None:
    texts = ["Up +5.73% [4], RSI 65.82 [2][4].", "Fed at 3.50–3.75% [7]; again [2, 4]."]
    assert numbers_in_order(texts) == [4, 2, 7]
    mapping = {4: 1, 2: 2, 7: 3}
    assert renumber(texts[0], mapping) == "Up +5.73% [1], RSI 65.82 [2][1]."
    assert renumber(texts[1], mapping) == "Fed at 3.50–3.75% [3]; again [2][1]."
    assert renumber("no citations, [1990-2020] is prose", mapping) == "no citations, [1990-2020] is prose"


def _ledger() -> SourceLedger:
    ledger = SourceLedger()
    ledger.add(
        Source(
            kind="market_data",
            title="Quote: IWM",
            provider="test",
            facts=[Fact(key="last_price", label="Last price", value=260.23, unit="USD", symbol="IWM")],
        )
    )
    return ledger


def test_the_deterministic_writer_drops_a_sentence_whose_figure_does_not_verify() -> None:
    draft = Draft()
    draft.add("IWM closed at $260.23 [1].", "It was $999.99 a day earlier [1].", "Volume was light.")
    body, dropped = keep_verified(draft, _ledger())
    assert body == "IWM closed at $260.23 [1]. Volume was light."
    assert dropped == ["It was $999.99 a day earlier [1]."]


def test_unverified_figures_are_marked_and_unknown_citations_removed() -> None:
    body, report = marked("IWM closed at $261.00 [1], up from $258 [9].", _ledger())
    assert body == "IWM closed at $261.00 (⚠ unverified) [1], up from $258 (⚠ unverified)."
    assert report.total == 2 and not report.verified

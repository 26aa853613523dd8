"""Coverage of LLM answers: a scripted model that answers a different period, drops a name or cites
the wrong meeting is flagged — in the verification and done events and in the answer itself — even
when every figure it quotes matches its source. An answer that says plainly what it cannot give is
not a silent gap.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from copilot.chat import ChatService
from copilot.config import Settings
from copilot.events import DoneEvent, VerificationEvent
from copilot.schemas import Source
from tests.fakes import FakeKnowledgeBase, FakeMarketData, FakePassage, ScriptedChatModel, tool_calls

AS_OF = date(2026, 1, 9)


def _service(settings: Settings, model: ScriptedChatModel, **kwargs: Any) -> ChatService:
    policy = kwargs.pop("policy", "annotate")
    return ChatService(
        settings.model_copy(update={"verify_policy": policy}),
        FakeMarketData(),
        kwargs.pop("knowledge", None),
        model_factory=lambda _: model,
    )


async def _done(service: ChatService, question: str) -> tuple[DoneEvent, VerificationEvent]:
    events = [e async for e in service.run_turn(question, None, AS_OF)]
    done = events[-1]
    assert isinstance(done, DoneEvent), events
    verification = next(e for e in events if isinstance(e, VerificationEvent))
    return done, verification


async def test_a_trailing_year_for_last_year_is_flagged_though_its_figure_verifies(
    settings: Settings,
) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("compare_performance", {"symbols": ["^GSPC"], "period": "1y"})),
        "The S&P 500 returned 1.77% [1].",
    )
    done, verification = await _done(_service(settings, model), "How did the S&P 500 do last year?")
    assert done.verification == "1/1 verified"  # the figure matches its source ...
    assert done.coverage is not None and not done.coverage.complete  # ... but answers another period
    assert done.coverage.summary.startswith("covers 0 of 1: no figure for S&P 500 (^GSPC) return in 2025")
    assert verification.coverage == done.coverage
    assert "This answer does not cover: S&P 500 (^GSPC) return in 2025." in done.answer


async def test_a_dropped_name_is_flagged(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("compare_performance", {"symbols": ["AAPL"], "period": "ytd"})),
        "Apple is down 4.58% [1] this year.",
    )
    done, _ = await _done(_service(settings, model), "How have Apple and Microsoft done this year?")
    assert done.coverage is not None
    # the gap is said in the answer, so the shown coverage counts it as declined, never as covered
    assert [(p.label, p.status) for p in done.coverage.parts] == [
        ("Apple Inc. (AAPL) return year to date", "covered"),
        ("Microsoft Corporation (MSFT) return year to date", "declined"),
    ]
    assert done.coverage.summary == (
        "covers 1 of 2: no figure for Microsoft Corporation (MSFT) return year to date (said so)"
    )
    assert done.answer.endswith(
        "This answer does not cover: Microsoft Corporation (MSFT) return year to date."
    )


async def test_the_wrong_meeting_is_flagged(settings: Settings) -> None:
    october = (
        "The Committee decided to lower the target range for the federal funds rate to 3.75 to 4 percent."
    )
    passage = FakePassage(
        content=october,
        source=Source(
            kind="document",
            title="FOMC statement, October 29, 2025",
            provider="Federal Reserve",
            published=date(2025, 10, 29),
            snippet=october,
            document_id="monetary20251029a",
            details={"kind": "statement", "meeting": "2025-10-29"},
        ),
    )
    model = ScriptedChatModel().enqueue(
        tool_calls(("search_documents", {"query": "FOMC decision"})),
        "The Fed lowered its target range to 3.75 to 4 percent [1].",
    )
    service = _service(settings, model, knowledge=FakeKnowledgeBase([passage]))
    done, _ = await _done(service, "What did the Fed do at the December meeting?")
    assert done.coverage is not None and done.coverage.parts[0].status != "covered"
    assert done.coverage.parts[0].label == "the FOMC statement of the December meeting"


async def test_a_repair_round_that_fetches_the_right_period_covers_the_question(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("compare_performance", {"symbols": ["^GSPC"], "period": "1y"})),
        "The S&P 500 returned 1.77% [1].",
        tool_calls(("compare_performance", {"symbols": ["^GSPC"], "period": "2025"})),
        "In 2025 the S&P 500 returned 1.77% [2].",
    )
    done, verification = await _done(
        _service(settings, model, policy="repair"), "How did the S&P 500 do last year?"
    )
    assert verification.repaired
    assert done.coverage is not None and done.coverage.complete
    assert done.answer == "In 2025 the S&P 500 returned 1.77% [1]."  # numbered by first appearance
    assert [c.n for c in done.sources] == [1] and done.sources[0].source.arguments["period"] == "2025"


async def test_saying_plainly_what_cannot_be_given_is_not_a_silent_gap(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        "Verity has no options data, so I can't give NVDA's implied volatility."
    )
    done, _ = await _done(_service(settings, model), "What is NVDA's implied volatility?")
    assert done.coverage is not None and done.coverage.complete
    assert "does not cover" not in done.answer


async def test_todays_valuation_does_not_cover_a_valuation_asked_at_a_past_month(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("get_valuation", {"symbol": "AAPL"})),
        "Apple trades at a trailing P/E of 34.77x [1].",
    )
    done, _ = await _done(_service(settings, model), "What was Apple's P/E in March 2025?")
    assert done.coverage is not None and not done.coverage.complete
    assert done.coverage.parts[0].label == "Apple Inc. (AAPL) P/E in March 2025"


async def test_a_52_week_high_does_not_cover_an_all_time_high(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("get_quote", {"symbol": "SPY"})),
        "SPY closed at $500.00 [1].",
    )
    done, _ = await _done(_service(settings, model), "How far is SPY from its all-time high?")
    assert done.coverage is not None
    assert [(p.label, p.status) for p in done.coverage.parts] == [
        ("SPDR S&P 500 ETF Trust (SPY) all-time high", "declined")
    ]  # not covered: the repair round could not fetch it, so the answer says what it lacks
    assert "does not cover: SPDR S&P 500 ETF Trust (SPY) all-time high" in done.answer

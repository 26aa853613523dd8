"""ChatService turns with a scripted model: event order, citations, verification policy, history, limits."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from copilot.chat import ChatService, model_mode
from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.conversations import LOCAL_OWNER
from copilot.events import (
    ChatEvent,
    DoneEvent,
    ErrorEvent,
    SourcesEvent,
    StatusEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    VerificationEvent,
    parse_event,
)
from copilot.verify import UNVERIFIED_MARK
from tests.fakes import FakeMarketData, ScriptedChatModel, tool_calls

QUOTE_AND_RETURNS = (
    ("get_quote", {"symbol": "AAPL"}),
    ("compare_performance", {"symbols": ["^RUT", "^GSPC"]}),
)
ANSWER = "Apple last traded at $259.37 [1]. Small caps are up 5.73% [2] this year against 1.77% [2]."


def _service(
    settings: Settings, model: ScriptedChatModel, market: FakeMarketData | None = None, **overrides: Any
) -> ChatService:
    return ChatService(
        settings.model_copy(update=overrides), market or FakeMarketData(), model_factory=lambda _: model
    )


async def _run(service: ChatService, question: str, **kw: Any) -> list[ChatEvent]:
    return [event async for event in service.run_turn(question, **kw)]


def _one(events: list[ChatEvent], kind: type[Any]) -> Any:
    found = [e for e in events if isinstance(e, kind)]
    assert len(found) == 1, [type(e).__name__ for e in events]
    return found[0]


async def test_a_turn_streams_tools_tokens_then_sources_verification_and_done(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(tool_calls(*QUOTE_AND_RETURNS), ANSWER)
    events = await _run(_service(settings, model), "How is Apple doing, and small caps vs large caps?")
    kinds = [e.type for e in events]
    assert kinds[0] == "status" and kinds[-3:] == ["sources", "verification", "done"]
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("token")
    assert [e.name for e in events if isinstance(e, ToolCallEvent)] == ["get_quote", "compare_performance"]
    results = {e.name: e for e in events if isinstance(e, ToolResultEvent)}
    assert results["get_quote"].ok and results["get_quote"].sources[0].n in (1, 2)
    assert "".join(e.text for e in events if isinstance(e, TokenEvent)) == ANSWER

    done = _one(events, DoneEvent)
    verification = _one(events, VerificationEvent)
    sources = _one(events, SourcesEvent)
    assert verification.summary == "3/3 verified" and verification.unverified == []
    assert done.verification == "3/3 verified" and done.mode == "scripted"
    assert done.as_of == date(2026, 1, 9)  # no pinned date: the newest cited data
    # the ledger numbers sources in the order the model asked for them
    by_n = {c.n: c.source.title for c in sources.sources}
    assert by_n == {1: "AAPL quote", 2: "Performance ^RUT, ^GSPC (ytd)"}
    assert done.answer == ANSWER


async def test_tools_of_one_step_run_in_parallel(settings: Settings) -> None:
    calls = (
        ("get_quote", {"symbol": "AAPL"}),
        ("get_quote", {"symbol": "MSFT"}),
        ("get_quote", {"symbol": "SPY"}),
    )
    model = ScriptedChatModel().enqueue(tool_calls(*calls), "Done.")
    service = _service(settings, model, FakeMarketData(delay=0.3))
    started = time.perf_counter()
    events = await _run(service, "quotes")
    assert time.perf_counter() - started < 0.75  # three 0.3 s calls one after another take 0.9 s
    assert len([e for e in events if isinstance(e, ToolResultEvent)]) == 3


class _SlowFirstQuote(FakeMarketData):
    """The first symbol asked answers last: completion order is the reverse of call order."""

    def quote(self, symbol: str, as_of: date | None = None) -> Any:
        if symbol == "AAPL":
            time.sleep(0.2)
        return super().quote(symbol, as_of)


async def test_parallel_calls_number_sources_in_call_order_not_completion_order(settings: Settings) -> None:
    calls = (("get_quote", {"symbol": "AAPL"}), ("get_quote", {"symbol": "MSFT"}))
    for _ in range(3):
        model = ScriptedChatModel().enqueue(tool_calls(*calls), "Done.")
        events = await _run(_service(settings, model, _SlowFirstQuote()), "quotes")
        results = [e for e in events if isinstance(e, ToolResultEvent)]
        numbers = {e.sources[0].source.title: e.sources[0].n for e in results}
        assert numbers == {"AAPL quote": 1, "MSFT quote": 2}


async def test_unknown_citations_are_removed_and_only_cited_sources_are_listed(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(*QUOTE_AND_RETURNS), "Apple last traded at $259.37 [1][4]."
    )
    events = await _run(_service(settings, model), "Apple?")
    assert _one(events, DoneEvent).answer == "Apple last traded at $259.37 [1]."
    assert _one(events, VerificationEvent).removed_citations == [4]
    assert [c.n for c in _one(events, SourcesEvent).sources] == [1]


async def test_repair_policy_asks_the_model_once_to_fix_unverified_figures(settings: Settings) -> None:
    wrong = "Apple last traded at $265.10 [1]."
    fixed = "Apple last traded at $259.37 [1]."
    model = ScriptedChatModel().enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), wrong, fixed)
    events = await _run(_service(settings, model, verify_policy="repair"), "Apple price?")
    assert [e.phase for e in events if isinstance(e, StatusEvent)] == ["started", "verifying", "repairing"]
    assert {e.attempt for e in events if isinstance(e, TokenEvent)} == {1, 2}
    repair_request = model.calls[-1][-1]
    assert isinstance(repair_request, HumanMessage) and "$265.10" in str(repair_request.content)
    # the repair round sees the whole first run: question, tool call, tool result, first answer
    assert [type(m) for m in model.calls[-1][-4:]] == [AIMessage, ToolMessage, AIMessage, HumanMessage]
    verification = _one(events, VerificationEvent)
    assert verification.repaired and verification.summary == "1/1 verified"
    assert _one(events, DoneEvent).answer == fixed


async def test_annotate_policy_marks_unverified_figures_without_a_second_call(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $265.10 [1]."
    )
    events = await _run(_service(settings, model, verify_policy="annotate"), "Apple price?")
    assert len(model.calls) == 2
    verification = _one(events, VerificationEvent)
    assert verification.summary == "0/1 verified" and [f.text for f in verification.unverified] == ["$265.10"]
    assert _one(events, DoneEvent).answer == f"Apple last traded at $265.10{UNVERIFIED_MARK} [1]."


async def test_a_conversation_keeps_its_history_across_turns(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("compare_performance", {"symbols": ["^RUT", "^GSPC"]})),
        "Small caps are up 5.73% [1].",
        tool_calls(("compare_performance", {"symbols": ["^RUT", "SPY"]})),
        "Against SPY, small caps are up 5.73% [1] vs 1.76% [1].",
    )
    service = _service(settings, model)
    first = _one(await _run(service, "small caps vs large caps this year?"), DoneEvent)
    second = _one(await _run(service, "and against SPY?", conversation_id=first.conversation_id), DoneEvent)
    assert second.conversation_id == first.conversation_id
    third_call: list[BaseMessage] = model.calls[2]
    assert [m.content for m in third_call[1:4]] == [
        "small caps vs large caps this year?",
        "Small caps are up 5.73% [1].",
        "and against SPY?",
    ]
    stored = await service.conversations.get(first.conversation_id, LOCAL_OWNER)
    assert [t.question for t in stored.turns] == [
        "small caps vs large caps this year?",
        "and against SPY?",
    ]
    assert stored.turns[1].verification.summary == "2/2 verified"
    assert (stored.turns[1].verification.total, stored.turns[1].verification.verified) == (2, 2)


async def test_a_pinned_as_of_reaches_the_tools_and_the_system_prompt(settings: Settings) -> None:
    market = FakeMarketData()
    model = ScriptedChatModel().enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple: $259.37 [1].")
    events = await _run(_service(settings, model, market), "Apple?", as_of=date(2026, 1, 5))
    assert market.calls == [("quote", ("AAPL", date(2026, 1, 5)))]
    system = model.calls[0][0]
    assert isinstance(system, SystemMessage) and "Analysis date: 2026-01-05." in str(system.content)
    assert _one(events, DoneEvent).as_of == date(2026, 1, 5)


async def test_a_recorded_world_answers_as_of_its_last_session(settings: Settings) -> None:
    """A snapshot ends on its last session: a question without a date is asked as of that day
    (so "this month" is its month), never of a calendar day the data does not reach."""
    stopped = ExchangeClock(fixed=date(2026, 12, 2), stops=date(2026, 8, 21))
    assert stopped.today() == date(2026, 8, 21) and stopped.stopped
    assert not ExchangeClock(fixed=date(2026, 8, 20), stops=date(2026, 8, 21)).stopped
    market = FakeMarketData()
    model = ScriptedChatModel().enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple's quote [1].")
    model.enqueue(
        "Apple's quote [1]."
    )  # the fake's quote is of its own day: a coverage repair round asks again
    service = ChatService(settings, market, model_factory=lambda _: model, clock=stopped)
    events = await _run(service, "Apple?")
    assert market.calls == [("quote", ("AAPL", date(2026, 8, 21)))]
    assert _one(events, DoneEvent).as_of == date(2026, 8, 21)


async def test_the_agent_is_built_once_and_concurrent_turns_number_sources_independently(
    settings: Settings,
) -> None:
    def responder(messages: list[BaseMessage]) -> AIMessage:
        if isinstance(messages[-1], HumanMessage):
            return tool_calls(("get_quote", {"symbol": str(messages[-1].content)}))
        return AIMessage(content="Quoted [1].")

    model = ScriptedChatModel(responder=responder)
    service = _service(settings, model)
    agent = service.agent
    turns = await asyncio.gather(*(_run(service, symbol) for symbol in ("AAPL", "MSFT", "SPY")))
    assert service.agent is agent
    for symbol, events in zip(("AAPL", "MSFT", "SPY"), turns, strict=True):
        cited = _one(events, SourcesEvent).sources
        assert [(c.n, c.source.title) for c in cited] == [(1, f"{symbol} quote")]


async def test_the_step_limit_ends_a_looping_model_with_an_error(settings: Settings) -> None:
    model = ScriptedChatModel(responder=lambda _: tool_calls(("get_quote", {"symbol": "AAPL"})))
    service = _service(settings, model, agent_max_steps=3)
    events = await _run(service, "loop forever")
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.code == "llm_unavailable"
    assert error.message == "the model did not finish within 3 steps"
    assert len(model.calls) == 4  # 3 steps, then the limit stops the 4th round of tools
    stored = await service.conversations.get(error.conversation_id or "", LOCAL_OWNER)
    assert stored.turns == []


async def test_a_slow_model_hits_the_turn_timeout(settings: Settings) -> None:
    model = ScriptedChatModel(delay=2.0).enqueue("late")
    started = time.perf_counter()
    events = await _run(_service(settings, model, turn_timeout=0.2), "anything")
    assert time.perf_counter() - started < 1.5
    assert events[-1] == ErrorEvent(
        code="llm_unavailable",
        message="the model did not answer within 0.2 s",
        conversation_id=events[0].conversation_id,  # type: ignore[union-attr]
    )


async def test_an_unexpected_failure_is_an_internal_error_logged_with_its_traceback(
    settings: Settings, caplog: Any
) -> None:
    class Exploding(FakeMarketData):
        def quote(self, symbol: str, as_of: date | None = None) -> Any:
            raise RuntimeError("division by zero in a metric")

    model = ScriptedChatModel().enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})))
    with caplog.at_level(logging.ERROR, logger="copilot.chat"):
        events = await _run(_service(settings, model, Exploding()), "Apple?")
    error = events[-1]
    assert isinstance(error, ErrorEvent)
    assert (error.code, error.message) == ("internal", "internal error")
    assert "division by zero in a metric" in caplog.text and "Traceback" in caplog.text


async def test_events_round_trip_through_json(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(tool_calls(*QUOTE_AND_RETURNS), ANSWER)
    events = await _run(_service(settings, model), "Apple?")
    assert [parse_event(e.model_dump_json()) for e in events] == events


def test_the_offline_analyst_is_labelled_offline(settings: Settings) -> None:
    from copilot.llm import build_chat_model

    assert model_mode(build_chat_model(settings), settings) == "offline"
    assert model_mode(ScriptedChatModel(), settings) == "scripted"


async def test_a_client_that_leaves_mid_turn_stops_the_agent_run(settings: Settings) -> None:
    market = FakeMarketData(delay=0.2)
    model = ScriptedChatModel().enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "never read")
    stream = _service(settings, model, market).run_turn("Apple?")
    assert isinstance(await anext(stream), StatusEvent)
    assert isinstance(await anext(stream), ToolCallEvent)  # the tool is running now
    await stream.aclose()  # e.g. the browser closed the SSE connection
    await asyncio.sleep(0.3)
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    assert len(model.calls) == 1 and model.script  # the answer step never ran


async def test_a_failed_repair_round_keeps_the_first_answer_annotated(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $265.10 [1].", "   "
    )
    events = await _run(_service(settings, model, verify_policy="repair"), "Apple price?")
    verification = _one(events, VerificationEvent)
    assert not verification.repaired and verification.summary == "0/1 verified"
    assert _one(events, DoneEvent).answer == f"Apple last traded at $265.10{UNVERIFIED_MARK} [1]."


async def test_an_unknown_or_foreign_conversation_id_is_not_found_and_opens_nothing(
    settings: Settings,
) -> None:
    model = ScriptedChatModel()
    service = _service(settings, model)
    theirs = await service.conversations.create("u_someone_else")
    for cid in ("never-created", theirs.id):
        events = await _run(service, "Apple?", conversation_id=cid)
        assert events == [
            ErrorEvent(code="not_found", message=f"no conversation {cid!r}", conversation_id=cid)
        ]
    assert model.calls == []
    assert await service.conversations.list(LOCAL_OWNER) == []
    assert (await service.conversations.get(theirs.id, "u_someone_else")).turns == []


async def test_each_model_name_gets_its_own_agent_built_once(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple: $259.37 [1].")
    service = _service(settings, model)
    done = _one(await _run(service, "How is Apple?", model="verity-offline"), DoneEvent)
    assert done.mode == "offline" and done.model == "verity-offline" and model.calls == []
    offline_agent = service._agent("verity-offline")[0]
    assert service._agent("verity-offline")[0] is offline_agent and service.agent is not offline_agent
    refused = await _run(service, "How is Apple?", model="gpt-17")
    assert isinstance(refused[-1], ErrorEvent) and refused[-1].message.startswith("unknown model 'gpt-17'")

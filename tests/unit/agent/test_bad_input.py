"""Bad input gives a clear answer or error event, never a traceback, and the conversation is kept."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from copilot.chat import ChatService
from copilot.config import Settings
from copilot.conversations import LOCAL_OWNER
from copilot.errors import BadInputError
from copilot.events import ChatEvent, DoneEvent, ErrorEvent, ToolResultEvent
from tests.fakes import FakeMarketData, ScriptedChatModel, tool_calls


def _service(settings: Settings, model: ScriptedChatModel) -> ChatService:
    return ChatService(settings, FakeMarketData(), model_factory=lambda _: model)


async def _run(service: ChatService, question: str, **kw: Any) -> list[ChatEvent]:
    return [event async for event in service.run_turn(question, **kw)]


async def _still_works(service: ChatService, model: ScriptedChatModel, conversation_id: str) -> None:
    """The same conversation answers the next question; the failed turn left no trace in it."""
    model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $259.37 [1].")
    done = (await _run(service, "Apple?", conversation_id=conversation_id))[-1]
    assert isinstance(done, DoneEvent) and done.conversation_id == conversation_id
    stored = await service.conversations.get(conversation_id, LOCAL_OWNER)
    assert [t.question for t in stored.turns] == ["Apple?"]


async def _conversation(service: ChatService) -> str:
    """A new empty conversation of the command line's owner (an unknown id is refused)."""
    return (await service.conversations.create(LOCAL_OWNER)).id


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "the question is empty: ask about a stock, an index, a sector or a document"),
        ("   \n\t ", "the question is empty: ask about a stock, an index, a sector or a document"),
        ("x" * 100_000, "the question is 100,000 characters long; the limit is 8,000"),
    ],
)
async def test_empty_and_oversized_questions_are_refused_before_the_model(
    settings: Settings, question: str, message: str
) -> None:
    model = ScriptedChatModel()
    service = _service(settings, model)
    cid = await _conversation(service)
    events = await _run(service, question, conversation_id=cid)
    assert events == [ErrorEvent(code="bad_input", message=message, conversation_id=cid)]
    assert model.calls == []
    await _still_works(service, model, cid)


async def test_an_unknown_ticker_reaches_the_model_as_an_error_and_it_answers_plainly(
    settings: Settings,
) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("get_quote", {"symbol": "QQQQZ"})),
        "I could not find the symbol QQQQZ; check the ticker.",
    )
    events = await _run(_service(settings, model), "price of QQQQZ?")
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert not result.ok and result.content == "Error: Unknown symbol 'QQQQZ': no provider knows it"
    # the model read that error as the tool's answer
    assert model.calls[1][-1].content == "Error: Unknown symbol 'QQQQZ': no provider knows it"
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.verification == "0/0 verified"


async def test_a_date_after_the_data_is_explained_not_crashed(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("get_quote", {"symbol": "AAPL"})),
        "There is no data after 2026-01-09, so I cannot give that price.",
    )
    events = await _run(_service(settings, model), "Apple's price?", as_of=date(2026, 3, 1))
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert result.error == "as_of 2026-03-01 is after the latest data (2026-01-09)"
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.as_of == date(2026, 3, 1) and done.sources == []


async def test_an_analysis_date_in_the_future_is_refused_before_the_model(settings: Settings) -> None:
    model = ScriptedChatModel()
    service = _service(settings, model)
    cid = await _conversation(service)
    future = date.today() + timedelta(days=400)
    events = await _run(service, "Apple's price?", conversation_id=cid, as_of=future)
    assert len(events) == 1 and isinstance(events[0], ErrorEvent)
    assert events[0].code == "bad_input" and f"{future.isoformat()} is in the future" in events[0].message
    assert model.calls == []
    await _still_works(service, model, cid)


async def test_a_malformed_tool_call_is_an_llm_error_and_the_conversation_is_kept(settings: Settings) -> None:
    broken = AIMessage(
        content="",
        invalid_tool_calls=[
            {
                "type": "invalid_tool_call",
                "name": "get_quote",
                "args": '{"symbol": AAPL}',
                "id": "c1",
                "error": None,
            }
        ],
    )
    model = ScriptedChatModel().enqueue(broken)
    service = _service(settings, model)
    cid = await _conversation(service)
    events = await _run(service, "Apple?", conversation_id=cid)
    assert events[-1] == ErrorEvent(
        code="llm_unavailable",
        message="the model returned a malformed tool call (get_quote: arguments are not valid JSON)",
        conversation_id=cid,
    )
    await _still_works(service, model, cid)


async def test_a_tool_call_with_wrong_argument_types_goes_back_to_the_model(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("compare_performance", {"symbols": 42})),
        "I could not compare those symbols.",
    )
    events = await _run(_service(settings, model), "compare?")
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert not result.ok and "symbols" in result.content
    assert isinstance(events[-1], DoneEvent)


async def test_an_empty_model_answer_is_an_llm_error(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue("   ")
    service = _service(settings, model)
    cid = await _conversation(service)
    events = await _run(service, "Apple?", conversation_id=cid)
    assert events[-1] == ErrorEvent(
        code="llm_unavailable", message="the model returned an empty answer", conversation_id=cid
    )


async def test_nonsense_gets_an_honest_answer_from_the_offline_analyst(settings: Settings) -> None:
    from copilot.llm import build_chat_model

    service = ChatService(settings, FakeMarketData(), model_factory=build_chat_model)
    events = await _run(service, "purple monkey dishwasher?")
    done = events[-1]
    assert isinstance(done, DoneEvent), events
    assert done.mode == "offline" and "I can" in done.answer
    assert done.verification == "0/0 verified"


async def test_a_refused_first_question_opens_no_conversation(settings: Settings) -> None:
    service = _service(settings, ScriptedChatModel())
    events = await _run(service, "")
    assert events == [
        ErrorEvent(
            code="bad_input",
            message="the question is empty: ask about a stock, an index, a sector or a document",
            conversation_id=None,
        )
    ]


async def test_a_tool_the_model_made_up_is_reported_back_to_it(settings: Settings) -> None:
    model = ScriptedChatModel().enqueue(
        tool_calls(("get_weather", {"city": "Paris"})),
        "I can only look up market data and documents.",
    )
    events = await _run(_service(settings, model), "weather in Paris?")
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert not result.ok and result.name == "get_weather"
    assert "get_weather is not a valid tool" in result.content
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.answer == "I can only look up market data and documents."


def test_the_analysis_date_is_checked_on_the_exchange_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # 03:00 UTC on 26 November is 22:00 on 25 November in New York: the 26th has no close yet, and
    # the market tools refuse it; the service used the UTC date and let it through to them
    import datetime as dt

    import copilot.chat as chat_module
    import copilot.clock as clock_module

    class LateEveningInNewYork(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> LateEveningInNewYork:  # type: ignore[override]
            instant = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC).astimezone(tz)
            return cls.fromtimestamp(instant.timestamp(), tz)

    monkeypatch.setattr(clock_module, "datetime", LateEveningInNewYork)
    with pytest.raises(BadInputError, match="today is 2026-11-25"):
        chat_module.validate_as_of(date(2026, 11, 26))
    assert chat_module.validate_as_of(date(2026, 11, 25)) == date(2026, 11, 25)

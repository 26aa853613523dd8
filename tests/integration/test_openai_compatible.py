"""The real ChatOpenAI path (copilot.llm.build_chat_model) against a loopback OpenAI-compatible server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from copilot.chat import ChatService
from copilot.config import Settings
from copilot.conversations import LOCAL_OWNER
from copilot.events import (
    ChatEvent,
    DoneEvent,
    ErrorEvent,
    SourcesEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    VerificationEvent,
)
from copilot.llm import build_chat_model
from tests.fake_openai import FakeOpenAI, Reply, calls, text
from tests.fakes import FakeMarketData

ANSWER = "Apple last traded at $259.37 [1]; the Russell 2000 is up 5.73% [2] this year, as of 2026-01-09."


@pytest.fixture()
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def _settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "openai_base_url": base_url,
        "openai_api_key": "test",
        "model": "fake-gpt",
        "llm_timeout": 5.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def _run(service: ChatService, question: str, **kw: Any) -> list[ChatEvent]:
    return [event async for event in service.run_turn(question, **kw)]


def _service(settings: Settings, **kw: Any) -> ChatService:
    return ChatService(settings, FakeMarketData(), **kw)


async def test_streamed_tool_calls_run_and_the_streamed_answer_is_cited_and_verified(
    server: FakeOpenAI,
) -> None:
    server.enqueue(
        calls(
            ("get_quote", {"symbol": "AAPL"}), ("compare_performance", {"symbols": ["^RUT"], "period": "ytd"})
        ),
        text(ANSWER),
    )
    service = _service(_settings(server.url))
    events = await _run(service, "Apple price and small caps this year?")

    assert [e.name for e in events if isinstance(e, ToolCallEvent)] == ["get_quote", "compare_performance"]
    assert {e.name: e.ok for e in events if isinstance(e, ToolResultEvent)} == {
        "get_quote": True,
        "compare_performance": True,
    }
    tokens = [e.text for e in events if isinstance(e, TokenEvent)]
    assert len(tokens) > 5 and "".join(tokens) == ANSWER  # streamed in pieces, not at once
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.mode == "fake-gpt"
    assert next(e for e in events if isinstance(e, VerificationEvent)).summary == "2/2 verified"
    sources = next(e for e in events if isinstance(e, SourcesEvent)).sources
    assert sorted(c.source.title for c in sources) == ["AAPL quote", "Performance ^RUT (ytd)"]

    first, second = server.requests
    assert first["stream"] is True and first["model"] == "fake-gpt"
    names = [t["function"]["name"] for t in first["tools"]]
    assert names == [
        "get_quote",
        "get_price_history",
        "compare_performance",
        "get_technicals",
        "get_valuation",
        "get_financials",
        "get_analyst_targets",
        "get_market_valuation",
        "sector_performance",
        "lookup_symbol",
    ]
    quote_params = first["tools"][0]["function"]["parameters"]
    assert set(quote_params["properties"]) == {"symbol"}  # runtime/as_of never reach the model
    assert first["messages"][0]["role"] == "system" and "Cite every figure" in first["messages"][0]["content"]
    # the model's second request carries both tool results, labelled [n] with displayed values
    tool_messages = [m for m in second["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == ["call_0", "call_1"]
    assert any(m["content"].startswith("[1] AAPL quote") for m in tool_messages)
    assert any("  AAPL Last price: $259.37\n" in m["content"] for m in tool_messages)


async def test_the_non_streaming_path_works_too(server: FakeOpenAI) -> None:
    server.enqueue(calls(("get_quote", {"symbol": "AAPL"})), text("Apple last traded at $259.37 [1]."))

    def non_streaming(settings: Settings) -> Any:
        return build_chat_model(settings).model_copy(update={"streaming": False, "disable_streaming": True})

    events = await _run(_service(_settings(server.url), model_factory=non_streaming), "Apple?")
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.answer == "Apple last traded at $259.37 [1]."
    assert done.verification == "1/1 verified"
    assert [r.get("stream", False) for r in server.requests] == [False, False]


async def test_a_follow_up_sends_the_conversation_history(server: FakeOpenAI) -> None:
    server.enqueue(
        calls(("get_quote", {"symbol": "AAPL"})),
        text("Apple last traded at $259.37 [1]."),
        calls(("get_quote", {"symbol": "MSFT"})),
        text("Microsoft last traded at $479.28 [1]."),
    )
    service = _service(_settings(server.url))
    first = (await _run(service, "Apple?"))[-1]
    assert isinstance(first, DoneEvent)
    second = (await _run(service, "and Microsoft?", conversation_id=first.conversation_id))[-1]
    assert isinstance(second, DoneEvent) and second.verification == "1/1 verified"
    history = [(m["role"], m["content"]) for m in server.requests[2]["messages"][1:4]]
    assert history == [
        ("user", "Apple?"),
        ("assistant", "Apple last traded at $259.37 [1]."),
        ("user", "and Microsoft?"),
    ]


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there any more


async def test_an_endpoint_that_is_down_is_an_error_event_and_the_conversation_is_kept() -> None:
    url = _closed_port_url()
    service = _service(_settings(url))
    cid = (await service.conversations.create(LOCAL_OWNER)).id
    events = await _run(service, "Apple?", conversation_id=cid)
    assert events[-1] == ErrorEvent(
        code="llm_unavailable",
        message=f"the language model at {url} cannot be reached",
        conversation_id=cid,
    )
    stored = await service.conversations.get(cid, LOCAL_OWNER)
    assert stored.turns == []


async def test_a_slow_endpoint_times_out_with_an_error_event(server: FakeOpenAI) -> None:
    server.enqueue(Reply(content="late", delay=3.0), Reply(content="late", delay=3.0))
    service = _service(_settings(server.url, llm_timeout=0.3))
    cid = (await service.conversations.create(LOCAL_OWNER)).id
    started = time.perf_counter()
    events = await _run(service, "Apple?", conversation_id=cid)
    assert time.perf_counter() - started < 2.9  # did not wait for the server
    assert events[-1] == ErrorEvent(
        code="llm_unavailable",
        message=f"the language model at {server.url} did not answer within 0.3 s",
        conversation_id=cid,
    )


async def test_a_malformed_tool_call_is_an_error_event_and_the_next_turn_works(server: FakeOpenAI) -> None:
    server.enqueue(
        calls(("get_quote", "not json at all")),
        calls(("get_quote", {"symbol": "AAPL"})),
        text("Apple last traded at $259.37 [1]."),
    )
    service = _service(_settings(server.url))
    cid = (await service.conversations.create(LOCAL_OWNER)).id
    events = await _run(service, "Apple?", conversation_id=cid)
    assert events[-1] == ErrorEvent(
        code="llm_unavailable",
        message="the model returned a malformed tool call (get_quote: arguments are not valid JSON)",
        conversation_id=cid,
    )
    done = (await _run(service, "Apple?", conversation_id=cid))[-1]
    assert isinstance(done, DoneEvent) and done.verification == "1/1 verified"
    stored = await service.conversations.get(cid, LOCAL_OWNER)
    assert [t.answer for t in stored.turns] == ["Apple last traded at $259.37 [1]."]


async def test_tool_arguments_that_miss_a_field_go_back_to_the_model_which_retries(
    server: FakeOpenAI,
) -> None:
    # "{symbol: AAPL" parses leniently to {}: the tool reports the missing field to the model
    server.enqueue(
        calls(("get_quote", "{symbol: AAPL")),
        calls(("get_quote", {"symbol": "AAPL"})),
        text("Apple last traded at $259.37 [1]."),
    )
    events = await _run(_service(_settings(server.url)), "Apple?")
    first = next(e for e in events if isinstance(e, ToolResultEvent))
    assert not first.ok and "symbol: Field required" in first.content
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.verification == "1/1 verified"
    assert "symbol: Field required" in server.requests[1]["messages"][-1]["content"]


async def test_a_server_error_is_an_error_event(server: FakeOpenAI) -> None:
    server.enqueue(Reply(status=500), Reply(status=500))
    events = await _run(_service(_settings(server.url)), "Apple?")
    error = events[-1]
    assert isinstance(error, ErrorEvent)
    assert error.message == f"the language model at {server.url} answered HTTP 500"


async def test_a_rate_limited_endpoint_is_a_rate_limited_error_event(server: FakeOpenAI) -> None:
    server.enqueue(Reply(status=429), Reply(status=429))
    events = await _run(_service(_settings(server.url)), "Apple?")
    assert events[-1] == ErrorEvent(
        code="rate_limited",
        message=f"the language model at {server.url} is rate-limiting requests; try again shortly",
        conversation_id=events[0].conversation_id,  # type: ignore[union-attr]
    )


async def test_a_wrong_api_key_is_named_in_the_error(server: FakeOpenAI) -> None:
    settings = _settings(server.url, openai_api_key="wrong")
    events = await _run(_service(settings), "Apple?")
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.code == "llm_unavailable"
    assert error.message == f"the language model at {server.url} refused the API key (check OPENAI_API_KEY)"
    assert server.requests == []  # refused before a completion was attempted

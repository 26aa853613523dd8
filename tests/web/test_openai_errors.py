"""OpenAI-compatible errors through the in-process client: a model failure before the answer is an
OpenAI error object — as the HTTP status when not streaming, as an ``error`` chunk before ``[DONE]``
when streaming; a stream otherwise ends with the verity object in its last chunk."""

from __future__ import annotations

import json

from tests.fakes import tool_calls
from tests.web.conftest import Web, register


async def _key(web: Web) -> dict[str, str]:
    csrf = await register(web.client, "ann@example.com")
    created = await web.client.post("/api/keys", json={}, headers={"X-CSRF-Token": csrf})
    return {"Authorization": f"Bearer {created.json()['key']}"}


def _data(body: str) -> list[str]:
    return [line.removeprefix("data: ") for line in body.splitlines() if line.startswith("data: ")]


async def test_a_model_failure_is_an_openai_error_object(web: Web) -> None:
    auth = await _key(web)
    request = {"model": "verity", "messages": [{"role": "user", "content": "Apple?"}]}
    web.model.enqueue("   ")  # an empty answer: the model is unusable
    whole = await web.client.post("/v1/chat/completions", json=request, headers=auth)
    assert whole.status_code == 503
    assert whole.json() == {
        "error": {
            "message": "the model returned an empty answer",
            "type": "server_error",
            "param": None,
            "code": "llm_unavailable",
        }
    }
    web.model.enqueue("   ")
    stream = await web.client.post("/v1/chat/completions", json={**request, "stream": True}, headers=auth)
    lines = _data(stream.text)
    assert lines[-1] == "[DONE]" and json.loads(lines[-2])["error"]["code"] == "llm_unavailable"


async def test_a_stream_sends_the_verified_text_then_the_verity_object(web: Web) -> None:
    auth = await _key(web)
    web.model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $259.37 [1].")
    request = {"model": "verity", "stream": True, "messages": [{"role": "user", "content": "Apple?"}]}
    response = await web.client.post("/v1/chat/completions", json=request, headers=auth)
    lines = _data(response.text)
    chunks = [json.loads(line) for line in lines[:-1]]
    assert lines[-1] == "[DONE]" and chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == "Apple last traded at $259.37 [1]."
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["verity"]["verification"]["summary"] == "1/1 verified"
    assert last["citations"] == ["verity:quote(symbol=AAPL,as_of=2026-01-09)"]
    assert last["usage"]["completion_tokens"] > 0


async def test_openai_routes_need_a_key_and_say_so_in_openai_shape(web: Web) -> None:
    response = await web.client.get("/v1/models")
    assert response.status_code == 401 and response.json()["error"]["type"] == "authentication_error"
    bad = await web.client.post("/v1/chat/completions", json={"model": "verity", "messages": []})
    assert bad.status_code == 401  # authentication comes first
    auth = await _key(web)
    empty = await web.client.post(
        "/v1/chat/completions", json={"model": "verity", "messages": []}, headers=auth
    )
    assert empty.status_code == 400 and empty.json()["error"]["type"] == "invalid_request_error"
    last_not_user = {"model": "verity", "messages": [{"role": "assistant", "content": "hi"}]}
    refused = await web.client.post("/v1/chat/completions", json=last_not_user, headers=auth)
    assert refused.status_code == 400 and "the last message must be the user's question" in refused.text

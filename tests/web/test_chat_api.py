"""``POST /api/chat`` and its runs through the in-process client: SSE framing, anonymous sessions,
CSRF, rate limits, cancelling, and typed errors as JSON before anything is written."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from copilot.storage.models import ConversationRow, RunRow, TurnRow
from tests.fakes import ScriptedChatModel, tool_calls
from tests.web.conftest import Web, build_services, register, web_settings
from tests.web.sse import Frame, parse_frames
from web.app import create_app

ANSWER = "Apple last traded at $259.37 [1]."


def _script(model: ScriptedChatModel, turns: int = 1) -> None:
    for _ in range(turns):
        model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), ANSWER)


async def _chat(client: httpx.AsyncClient, csrf: str | None = None, **body: Any) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return await client.post("/api/chat", json={"message": "How is Apple?", **body}, headers=headers)


async def _count(web: Web, model: type) -> int:
    assert web.services.database is not None
    async with web.services.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_anonymous_chat_streams_numbered_typed_events_and_stores_the_answer_once(web: Web) -> None:
    _script(web.model)
    response = await _chat(web.client)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    frames = parse_frames(response.text)
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    first, last = frames[0], frames[-1]
    assert first.event == "status" and first.data["phase"] == "started"
    assert first.data["run_id"] == response.headers["x-run-id"]
    assert first.data["conversation_id"] == response.headers["x-conversation-id"]
    assert [f.event for f in frames[-3:]] == ["sources", "verification", "done"]
    assert last.data["answer"] == ANSWER and last.data["verification"] == "1/1 verified"
    assert web.client.cookies.get("verity_session") and web.client.cookies.get("verity_csrf")
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()

    cid = first.data["conversation_id"]
    conversation = (await web.client.get(f"/api/conversations/{cid}")).json()
    assert [t["answer"] for t in conversation["turns"]] == [ANSWER]
    assert conversation["turns"][0]["id"] == last.data["turn_id"]
    assert await _count(web, TurnRow) == 1
    run = (await web.client.get(f"/api/chat/runs/{first.data['run_id']}")).json()
    assert run["status"] == "done" and run["last_seq"] == last.id


async def test_a_follow_up_in_the_same_conversation_needs_the_csrf_token(web: Web) -> None:
    _script(web.model, 2)
    first = parse_frames((await _chat(web.client)).text)
    cid, csrf = first[0].data["conversation_id"], web.client.cookies["verity_csrf"]
    refused = await _chat(web.client, conversation_id=cid)
    assert refused.status_code == 403 and refused.json()["error"] == "not_allowed"
    assert "X-CSRF-Token" in refused.json()["message"]
    wrong = await _chat(web.client, csrf="not-the-token", conversation_id=cid)
    assert wrong.status_code == 403
    second = parse_frames((await _chat(web.client, csrf=csrf, conversation_id=cid)).text)
    assert second[-1].data["conversation_id"] == cid
    listed = (await web.client.get("/api/conversations")).json()
    assert [(c["id"], c["turn_count"]) for c in listed] == [(cid, 2)]


@pytest.mark.parametrize(
    ("body", "status", "error", "message"),
    [
        ({"message": "Apple?", "conversation_id": "nope"}, 404, "not_found", "no conversation 'nope'"),
        ({"message": "Apple?", "as_of": "2026-13-45"}, 400, "bad_input", "as_of"),
        ({"message": "Apple?", "as_of": "2099-01-01"}, 400, "bad_input", "is in the future"),
        ({"message": "Apple?", "model": "gpt-17"}, 400, "bad_input", "unknown model 'gpt-17'"),
        ({"message": 42}, 400, "bad_input", "message"),
        ({"message": "   "}, 400, "bad_input", "the question is empty"),
        ({"question": "Apple?"}, 400, "bad_input", "message"),
    ],
)
async def test_bad_requests_are_json_4xx_and_write_nothing(
    web: Web, body: dict[str, Any], status: int, error: str, message: str
) -> None:
    response = await web.client.post("/api/chat", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error and message in response.json()["message"]
    assert await _count(web, ConversationRow) == 0 and await _count(web, RunRow) == 0
    assert web.model.calls == []


async def test_malformed_json_and_an_oversized_body_are_refused(web: Web) -> None:
    response = await web.client.post(
        "/api/chat", content=b'{"message": "Apple?"', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["message"] == "the request body is not valid JSON"
    limit = web.services.settings.max_body_bytes
    big = await web.client.post("/api/chat", json={"message": "x" * (limit + 10)})
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    assert await _count(web, ConversationRow) == 0


async def test_another_callers_conversation_is_not_found(web: Web) -> None:
    _script(web.model)
    cid = parse_frames((await _chat(web.client)).text)[0].data["conversation_id"]
    async with web.user_client() as other:
        csrf = await register(other, "bob@example.com")
        response = await _chat(other, csrf=csrf, conversation_id=cid)
        assert response.status_code == 404 and response.json()["error"] == "not_found"
        assert (await other.get(f"/api/conversations/{cid}")).status_code == 404
    assert await _count(web, TurnRow) == 1


async def test_anonymous_chats_are_rate_limited_with_retry_after(settings: Any, database: Any) -> None:
    model = ScriptedChatModel()
    _script(model, 3)
    services = await build_services(web_settings(settings, rate_limit_anonymous="2/minute"), database, model)
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await _chat(client)).status_code == 200
        csrf = client.cookies["verity_csrf"]
        assert (await _chat(client, csrf=csrf)).status_code == 200
        refused = await _chat(client, csrf=csrf)
        assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["retry_after"] == int(refused.headers["retry-after"])
        # a new anonymous session from the same address is still limited (per address too)
        client.cookies.clear()
        assert (await _chat(client)).status_code == 429
    await services.aclose()


async def test_a_cancelled_run_ends_cancelled_and_stores_no_answer(web: Web) -> None:
    web.model.delay = 5.0
    web.model.enqueue(ANSWER)
    assert web.services.runs is not None
    info = await web.services.runs.start("u_x", "How is Apple?")
    await asyncio.sleep(0.1)
    cancelled = await web.services.runs.cancel(info.id, "u_x")
    assert cancelled.status == "cancelled"
    frames = [f async for f in web.services.runs.events(info.id, "u_x")]
    assert frames[-1].type == "error" and '"code":"cancelled"' in frames[-1].data
    assert [f.seq for f in frames] == list(range(1, len(frames) + 1))
    assert await _count(web, TurnRow) == 0


async def test_cancel_over_http_needs_the_owner(web: Web) -> None:
    web.model.delay = 5.0
    web.model.enqueue(ANSWER)
    assert web.services.runs is not None
    async with web.user_client() as ann:
        csrf = await register(ann, "ann@example.com")
        me = (await ann.get("/api/me")).json()
        assert me["authenticated"] and me["csrf_token"] == csrf
        owner = (await web.services.accounts.user_by_email("ann@example.com")).id  # type: ignore[union-attr]
        info = await web.services.runs.start(owner, "How is Apple?")
        async with web.user_client() as bob:
            bob_csrf = await register(bob, "bob@example.com")
            foreign = await bob.post(f"/api/chat/runs/{info.id}/cancel", headers={"X-CSRF-Token": bob_csrf})
            assert foreign.status_code == 404
            assert (await bob.get(f"/api/chat/runs/{info.id}/events")).status_code == 404
        done = await ann.post(f"/api/chat/runs/{info.id}/cancel", headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200 and done.json()["status"] == "cancelled"


async def test_the_models_list_names_the_default_and_the_offline_analyst(web: Web) -> None:
    listed = (await web.client.get("/api/models")).json()
    assert [m["id"] for m in listed] == ["verity", "verity-offline"]
    assert listed[1]["offline"] is True


def _events(frames: list[Frame], kind: str) -> list[Frame]:
    return [f for f in frames if f.event == kind]

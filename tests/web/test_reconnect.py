"""Runs outlive their connection: a client that drops and reconnects with ``Last-Event-ID`` gets every
remaining event exactly once, from this worker or from another one reading the store, and the
answer is stored once. Over a real uvicorn on a loopback port, so the drop is a real one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import func, select

from copilot.services import Services
from copilot.storage.db import Database
from copilot.storage.models import TurnRow
from tests.fakes import ScriptedChatModel, tool_calls
from tests.web.conftest import LiveServer, build_services
from tests.web.sse import read_frames

ANSWER = "Apple last traded at $259.37 [1] and Microsoft at $479.28 [2]."


def _slow_script(model: ScriptedChatModel) -> None:
    model.delay = 0.3  # each model reply takes a while: the run is still going when the client drops
    model.chunk_size = 4
    model.enqueue(
        tool_calls(("get_quote", {"symbol": "AAPL"})), tool_calls(("get_quote", {"symbol": "MSFT"})), ANSWER
    )


async def _turns(services: Services) -> int:
    assert services.database is not None
    async with services.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(TurnRow)) or 0)


async def test_a_dropped_stream_resumes_with_last_event_id_and_gets_each_event_once(
    live_server: LiveServer,
) -> None:
    model = live_server.model
    _slow_script(model)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        async with client.stream("POST", "/api/chat", json={"message": "Apple and Microsoft?"}) as response:
            assert response.status_code == 200
            run_id = response.headers["x-run-id"]
            seen = await read_frames(response.aiter_lines(), limit=2)  # then the client drops
        assert [f.id for f in seen] == [1, 2]
        await asyncio.sleep(0.1)
        run = (await client.get(f"/api/chat/runs/{run_id}")).json()
        assert run["status"] == "running"  # the run went on without its client
        headers = {"Last-Event-ID": str(seen[-1].id)}
        async with client.stream("GET", f"/api/chat/runs/{run_id}/events", headers=headers) as response:
            rest = await read_frames(response.aiter_lines())
    ids = [f.id for f in [*seen, *rest]]
    assert ids == list(range(1, len(ids) + 1))  # every event once, in order, none missing
    assert rest[-1].event == "done" and rest[-1].data["answer"] == ANSWER
    assert "token" in {f.event for f in rest}  # part of the stream was live, not only replayed
    assert await _turns(live_server.services) == 1


async def test_a_finished_run_replays_from_the_cursor(live_server: LiveServer) -> None:
    model = live_server.model
    model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $259.37 [1].")
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        first = await client.post("/api/chat", json={"message": "Apple?"})
        run_id = first.headers["x-run-id"]
        total = len(await read_frames(_lines(first.text)))
        again = await client.get(f"/api/chat/runs/{run_id}/events", params={"after": total - 2})
        replayed = await read_frames(_lines(again.text))
    assert [f.id for f in replayed] == [total - 1, total]
    assert replayed[-1].event == "done"
    assert await _turns(live_server.services) == 1


async def test_another_worker_serves_a_running_run_from_the_store(live_server: LiveServer) -> None:
    """A second Services over the same database stands for another worker process."""
    model = live_server.model
    _slow_script(model)
    first = live_server.services
    assert first.runs is not None
    info = await first.runs.start("u_ann", "Apple and Microsoft?")
    other_model = ScriptedChatModel()
    other = await build_services(first.settings, Database(first.settings), other_model)
    try:
        assert other.runs is not None
        await asyncio.sleep(0.15)
        events = [e async for e in other.runs.events(info.id, "u_ann", after=0)]
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[-1].type == "done" and ANSWER.replace("$", "") in events[-1].data.replace("$", "")
        assert other_model.calls == []  # the other worker only read the store
    finally:
        await other.aclose()
    assert await _turns(first) == 1


async def _lines(text: str) -> AsyncIterator[str]:
    for line in text.split("\n"):
        yield line

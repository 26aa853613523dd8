"""A report's event stream survives its client: one that drops and reconnects with ``Last-Event-ID`` gets
every remaining event exactly once, live; another worker (a second ``Services`` on the same database)
serves the same stream from the store. Over a real uvicorn on a loopback port: the drop is real."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import select

from copilot.storage.db import Database
from copilot.storage.models import ResearchJobRow
from tests.fakes import FakeMarketData
from tests.web.conftest import PASSWORD, LiveServer, build_services
from tests.web.sse import read_frames

ORDER = {"topic": "How is Apple doing?", "as_of": "2026-01-09", "model": "verity-offline"}


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201
    return {"X-CSRF-Token": response.json()["csrf_token"]}


async def test_a_dropped_report_stream_resumes_with_last_event_id_each_event_once(
    live_server: LiveServer,
) -> None:
    market = live_server.services.market
    assert isinstance(market, FakeMarketData)
    market.delay = 0.1  # every market call takes a while: the report is still running when its reader drops
    async with httpx.AsyncClient(base_url=live_server.url, timeout=20) as client:
        writes = await _login(client, "ann@example.com")
        job = (await client.post("/api/research", json=ORDER, headers=writes)).json()
        events_url = f"/api/research/{job['id']}/events"
        async with client.stream("GET", events_url) as response:
            assert response.status_code == 200
            seen = await read_frames(response.aiter_lines(), limit=4)  # then the client drops
        assert [f.id for f in seen] == [1, 2, 3, 4]
        status = (await client.get(f"/api/research/{job['id']}")).json()
        assert status["status"] == "running"  # the report goes on without its reader
        async with client.stream("GET", events_url, headers={"Last-Event-ID": "4"}) as response:
            rest = await read_frames(response.aiter_lines())
        final = (await client.get(f"/api/research/{job['id']}")).json()
    ids = [f.id for f in [*seen, *rest]]
    assert ids == list(range(1, len(ids) + 1))  # every event once, in order, none missing
    assert rest[-1].event == "done" and final["status"] == "done" and final["attempts"] == 1
    assert sum(f.event == "step" for f in rest) > 5  # most of the run came live after the reconnect

    # another worker reads the same stream from the store
    first = live_server.services
    assert first.database is not None
    async with first.database.session() as session:
        owner = await session.scalar(select(ResearchJobRow.owner).where(ResearchJobRow.id == job["id"]))
    other = await build_services(first.settings, Database(first.settings), live_server.model)
    try:
        assert other.research is not None and owner is not None
        replayed = [e async for batch in other.research.batches(job["id"], owner, after=2) for e in batch]
        assert [e.seq for e in replayed] == ids[2:]
        assert [json.loads(e.data) for e in replayed] == [f.data for f in [*seen, *rest]][2:]
    finally:
        await other.aclose()

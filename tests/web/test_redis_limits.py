"""Rate limits shared by several workers through a real Redis server (started on a loopback port):
two app instances over one Redis count one visitor's chats together."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes import ScriptedChatModel, tool_calls
from tests.web.conftest import build_services, web_settings
from tests.web.postgres import free_port
from web.app import create_app


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="verity-redis-")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen([*command, "--dir", folder], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip()
            != b"PONG"
        ):
            if time.monotonic() > deadline:
                raise AssertionError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


async def test_two_workers_count_one_visitors_chats_together(
    settings: Any, database: Any, redis_url: str
) -> None:
    model = ScriptedChatModel()
    for _ in range(3):
        model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $259.37 [1].")
    shared = web_settings(settings, redis_url=redis_url, rate_limit_anonymous="2/minute")
    services = await build_services(shared, database, model)
    first, second = create_app(shared, services), create_app(shared, services)  # two limiters, one Redis
    body = {"message": "How is Apple?"}
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://t") as one,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://t") as two,
    ):
        assert (await one.post("/api/chat", json=body)).status_code == 200
        two.cookies.update(one.cookies)
        csrf = {"X-CSRF-Token": one.cookies["verity_csrf"]}
        assert (await one.post("/api/chat", json=body, headers=csrf)).status_code == 200
        refused = await two.post("/api/chat", json=body, headers=csrf)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        await first.state.limiter.reset()
    await services.aclose()

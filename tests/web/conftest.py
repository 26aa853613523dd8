"""Fixtures of the web and storage tests: databases (SQLite and a real PostgreSQL), services over
fakes, the app with an in-process client, and a real uvicorn server on a loopback port."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.services import Services
from copilot.storage.db import Database
from tests.fakes import TODAY, FakeMarketData, ScriptedChatModel
from tests.web import postgres
from web.app import create_app

# argon2 with the smallest cost: the tests check the flow, not the hash's strength
FAST_HASHER = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    if not postgres.available():
        pytest.skip(f"PostgreSQL server binaries not found under {postgres.PG_BIN}")
    with postgres.postgres_cluster() as url:
        yield url


@pytest.fixture()
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite unless a test module parametrises it (the storage tests run on both)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture()
async def database(
    backend: str, settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[Database]:
    """A migrated, empty database of each backend."""
    url = None
    if backend == "postgres":
        server = request.getfixturevalue("postgres_server")
        url = await postgres.create_database(server, f"t_{uuid.uuid4().hex[:12]}")
    db = Database(settings.model_copy(update={"database_url": url}))
    await db.start(migrate=True)
    try:
        yield db
    finally:
        await db.close()


def web_settings(settings: Settings, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"rate_limit_user": "1000/minute", "rate_limit_anonymous": "1000/minute"}
    return settings.model_copy(update={**values, **overrides})


def scripted(model: ScriptedChatModel) -> Any:
    return lambda _settings: model


@dataclass
class Web:
    """The app over services built from fakes, and a client talking to it in-process."""

    services: Services
    model: ScriptedChatModel
    market: FakeMarketData
    client: httpx.AsyncClient
    transport: httpx.ASGITransport

    def user_client(self, base_url: str = "http://testserver") -> httpx.AsyncClient:
        """Another client (its own cookies) on the same app."""
        return httpx.AsyncClient(transport=self.transport, base_url=base_url)


async def build_services(
    settings: Settings, database: Database, model: ScriptedChatModel, knowledge: Any = None
) -> Services:
    services = Services.assemble(
        settings,
        FakeMarketData(),
        clock=ExchangeClock(fixed=TODAY),
        knowledge=knowledge,
        model_factory=scripted(model),
        database=database,
        password_hasher=FAST_HASHER,
    )
    await services.start()
    return services


@asynccontextmanager
async def open_web(settings: Settings, database: Database, **overrides: Any) -> AsyncIterator[Web]:
    """The app over services on ``database`` with these settings; its research jobs and runs are
    stopped at the end (the database stays open: another app may follow on it)."""
    model = ScriptedChatModel()
    services = await build_services(web_settings(settings, **overrides), database, model)
    app = create_app(services.settings, services)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert isinstance(services.market, FakeMarketData)
            yield Web(services, model, services.market, client, transport)
    finally:
        if services.research is not None:
            await services.research.aclose()
        if services.runs is not None:
            await services.runs.shutdown()


@pytest.fixture()
async def web(settings: Settings, database: Database) -> AsyncIterator[Web]:
    async with open_web(settings, database) as opened:
        yield opened


async def register(client: httpx.AsyncClient, email: str) -> str:
    """Register and log in; the client keeps the cookies. Returns the CSRF token."""
    response = await client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    token = response.json()["csrf_token"]
    assert token and client.cookies.get("verity_csrf") == token
    return str(token)


@dataclass
class LiveServer:
    url: str
    services: Services
    model: ScriptedChatModel


@pytest.fixture()
async def live_server(settings: Settings, tmp_path: Path) -> AsyncIterator[LiveServer]:
    """The app under a real uvicorn on a free loopback port, in this test's event loop (SQLite)."""
    model = ScriptedChatModel()
    db = Database(settings)
    services = await build_services(web_settings(settings), db, model)
    app = create_app(services.settings, services)
    port = postgres.free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", services, model)
    finally:
        server.should_exit = True
        await task
        await services.aclose()

"""Health probes, the OpenAPI document and the home page; an app that builds its own services."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from copilot.config import Settings
from copilot.errors import ProviderUnavailableError
from tests.web.conftest import Web
from web.app import create_app


async def test_healthz_readyz_and_the_openapi_document(web: Web) -> None:
    assert (await web.client.get("/healthz")).json()["status"] == "ok"
    ready = await web.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "database": "ok",
        "market_data": "ok",
        "knowledge_base": "ok",
    }
    schema = (await web.client.get("/openapi.json")).json()
    assert {"/api/chat", "/v1/chat/completions", "/api/conversations", "/api/market/history"} <= set(
        schema["paths"]
    )
    assert (await web.client.get("/docs")).status_code == 200
    home = await web.client.get("/")
    assert home.status_code == 200 and "Verity" in home.text


async def test_readyz_names_a_database_that_does_not_answer(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert web.services.database is not None

    async def down() -> None:
        raise ProviderUnavailableError("the database does not answer (OperationalError)")

    monkeypatch.setattr(web.services.database, "ping", down)
    response = await web.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["market_data"] == "ok"
    assert body["database"] == "error: the database does not answer (OperationalError)"


def test_the_app_builds_and_migrates_its_own_services_on_startup(tmp_path: Path, shared_data: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        shared_data=shared_data,
        market_data="yfinance",
        llm="offline",
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        models = client.get("/api/models").json()
        assert [m["id"] for m in models] == ["verity", "verity-offline"]
        assert (
            client.post(
                "/api/auth/register", json={"email": "a@example.com", "password": "long enough"}
            ).status_code
            == 201
        )
    assert (tmp_path / "data" / "verity.sqlite").exists()


async def test_unknown_routes_and_methods_are_json(web: Web) -> None:
    missing = await web.client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = await web.client.put("/api/chat", json={})
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"

"""Accounts over HTTP: register, log in (throttled), log out, expired sessions, and API keys that
only their owner can list or revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from copilot.schemas import utc_now
from copilot.storage.models import SessionRow
from tests.fakes import ScriptedChatModel
from tests.web.conftest import PASSWORD, Web, build_services, register, web_settings
from web.app import create_app


async def test_register_log_out_and_log_in_again(web: Web) -> None:
    csrf = await register(web.client, "ann@example.com")
    me = (await web.client.get("/api/me")).json()
    assert me == {"authenticated": True, "kind": "user", "email": "ann@example.com", "csrf_token": csrf}
    assert (await web.client.post("/api/auth/logout")).status_code == 403  # a cookie write needs the token
    assert (await web.client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 204
    web.client.cookies.clear()
    assert (await web.client.get("/api/me")).json()["authenticated"] is False
    wrong = await web.client.post(
        "/api/auth/login", json={"email": "ann@example.com", "password": "nope nope"}
    )
    assert wrong.status_code == 401 and wrong.json()["message"] == "wrong email or password"
    good = await web.client.post("/api/auth/login", json={"email": "ANN@example.com", "password": PASSWORD})
    assert good.status_code == 200 and good.json()["email"] == "ann@example.com"
    assert good.json()["csrf_token"] != csrf  # a new session
    again = await web.client.post(
        "/api/auth/register", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert again.status_code == 400 and "already exists" in again.json()["message"]


async def test_the_old_session_stops_working_after_logout(web: Web) -> None:
    csrf = await register(web.client, "ann@example.com")
    cookie = web.client.cookies["verity_session"]
    await web.client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    async with web.user_client() as replay:
        replay.cookies.set("verity_session", cookie)
        assert (await replay.get("/api/keys")).status_code == 401


async def test_an_expired_session_is_refused(web: Web) -> None:
    await register(web.client, "ann@example.com")
    assert (await web.client.get("/api/keys")).status_code == 200
    assert web.services.database is not None
    async with web.services.database.session() as session:
        await session.execute(update(SessionRow).values(expires_at=utc_now() - timedelta(minutes=1)))
    refused = await web.client.get("/api/keys")
    assert refused.status_code == 401 and refused.json()["error"] == "not_authenticated"
    assert (await web.client.get("/api/me")).json()["authenticated"] is False


async def test_login_is_throttled_per_email_with_retry_after(settings: Any, database: Any) -> None:
    services = await build_services(
        web_settings(settings, rate_limit_login="3/minute"), database, ScriptedChatModel()
    )
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        statuses = [
            (
                await client.post("/api/auth/login", json={"email": "ann@example.com", "password": "guess"})
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        refused = await client.post("/api/auth/login", json={"email": "ann@example.com", "password": "guess"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    await services.aclose()


async def test_keys_are_shown_once_listed_by_prefix_and_isolated_per_user(web: Web) -> None:
    csrf = await register(web.client, "ann@example.com")
    headers = {"X-CSRF-Token": csrf}
    assert (await web.client.post("/api/keys", json={"name": "laptop"})).status_code == 403  # no CSRF token
    created = await web.client.post("/api/keys", json={"name": "laptop"}, headers=headers)
    assert created.status_code == 201
    key = created.json()
    assert key["key"].startswith(key["prefix"]) and key["name"] == "laptop"
    listed = (await web.client.get("/api/keys")).json()
    assert [(k["id"], k["prefix"]) for k in listed] == [(key["id"], key["prefix"])]
    assert all("key" not in k for k in listed)  # the secret is never listed

    bearer = {"Authorization": f"Bearer {key['key']}"}
    async with web.user_client() as program:
        mine = await program.get("/api/keys", headers=bearer)  # an API key needs no CSRF token
        assert mine.status_code == 200 and mine.json()[0]["last_used_at"] is not None
    async with web.user_client() as bob:
        bob_csrf = await register(bob, "bob@example.com")
        assert (await bob.get("/api/keys")).json() == []
        foreign = await bob.delete(f"/api/keys/{key['id']}", headers={"X-CSRF-Token": bob_csrf})
        assert foreign.status_code == 404
    assert (await web.client.delete(f"/api/keys/{key['id']}", headers=headers)).status_code == 204
    async with web.user_client() as program:
        revoked = await program.get("/api/keys", headers=bearer)
        assert revoked.status_code == 401 and revoked.headers["www-authenticate"] == "Bearer"


async def test_anonymous_visitors_cannot_upload_or_make_keys(web: Web) -> None:
    assert (await web.client.get("/api/keys")).status_code == 401
    assert (await web.client.post("/api/keys", json={})).status_code == 401
    assert (await web.client.get("/api/conversations")).status_code == 401


async def test_registration_can_be_closed(settings: Any, database: Any) -> None:
    services = await build_services(
        web_settings(settings, allow_registration=False), database, ScriptedChatModel()
    )
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post(
            "/api/auth/register", json={"email": "a@example.com", "password": PASSWORD}
        )
        assert response.status_code == 403
    await services.aclose()


async def test_cookies_are_secure_behind_https_and_api_keys_get_none(web: Web) -> None:
    async with web.user_client("https://verity.example") as tls:
        response = await tls.post(
            "/api/auth/register", json={"email": "ann@example.com", "password": PASSWORD}
        )
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("verity_session="))
        csrf = next(c for c in cookies if c.startswith("verity_csrf="))
        assert (
            "secure" in session.lower()
            and "httponly" in session.lower()
            and "samesite=lax" in session.lower()
        )
        assert "secure" in csrf.lower() and "httponly" not in csrf.lower()  # the page reads it
        created = await tls.post(
            "/api/keys", json={}, headers={"X-CSRF-Token": response.json()["csrf_token"]}
        )
        key = created.json()["key"]
    web.model.enqueue("Hello.")
    async with web.user_client() as program:
        chat = await program.post(
            "/api/chat", json={"message": "hi"}, headers={"Authorization": f"Bearer {key}"}
        )
        assert chat.status_code == 200 and "set-cookie" not in chat.headers

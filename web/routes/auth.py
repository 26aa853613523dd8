"""Accounts over HTTP: register, log in, log out, who am I, and API keys (create once, list, revoke).

Login is throttled per email and per address (``VERITY_RATE_LIMIT_LOGIN``). A session is a cookie
(HttpOnly, SameSite=Lax, Secure behind https) plus a readable CSRF cookie whose value writes echo
in ``X-CSRF-Token``; ``/api/me`` returns that token too.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from copilot.auth import Caller
from copilot.errors import NotAllowedError
from web.deps import (
    AccountsDep,
    LimiterDep,
    OptionalCaller,
    SettingsDep,
    UserCaller,
    clear_session_cookies,
    client_address,
    set_session_cookies,
)

router = APIRouter(prefix="/api", tags=["accounts"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class Me(BaseModel):
    authenticated: bool
    kind: str | None = None  # user | anonymous | api_key
    email: str | None = None
    csrf_token: str | None = None


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="default", max_length=100)


class KeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class NewKeyOut(KeyOut):
    key: str = Field(description="the secret, shown this once")


def _me(caller: Caller | None) -> Me:
    if caller is None:
        return Me(authenticated=False)
    return Me(
        authenticated=caller.user_id is not None,
        kind=caller.kind,
        email=caller.email,
        csrf_token=caller.csrf_token,
    )


@router.post("/auth/register", status_code=201)
async def register(
    body: Credentials,
    request: Request,
    response: Response,
    accounts: AccountsDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Me:
    """Create an account and log in."""
    if not settings.allow_registration:
        raise NotAllowedError("registration is closed on this server; ask its administrator")
    await limiter.hit(settings.rate_limit_login, "login", f"ip:{client_address(request)}")
    await accounts.add_user(body.email, body.password)
    user = await accounts.user_by_email(body.email)
    session = await accounts.open_session(user)
    set_session_cookies(request, response, session, settings)
    return _me(session.caller)


@router.post("/auth/login")
async def login(
    body: Credentials,
    request: Request,
    response: Response,
    accounts: AccountsDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Me:
    """Log in with email and password (throttled)."""
    email = body.email.strip().lower()
    await limiter.hit(settings.rate_limit_login, "login", f"email:{email}", f"ip:{client_address(request)}")
    user = await accounts.verify_password(email, body.password)
    session = await accounts.open_session(user)
    set_session_cookies(request, response, session, settings)
    return _me(session.caller)


@router.post("/auth/logout", status_code=204)
async def logout(caller: OptionalCaller, accounts: AccountsDep) -> Response:
    """End the session of this cookie (CSRF token required, as for every cookie write)."""
    response = Response(status_code=204)
    if caller is not None and caller.session_id is not None:
        await accounts.close_session(caller.session_id)
    clear_session_cookies(response)
    return response


@router.get("/me")
async def me(caller: OptionalCaller) -> Me:
    """Who the request is from, and the CSRF token a cookie session's writes must send."""
    return _me(caller)


@router.get("/keys")
async def list_keys(caller: UserCaller, accounts: AccountsDep) -> list[KeyOut]:
    """The caller's API keys: prefix, name, created and last used (never the secret)."""
    return [KeyOut.model_validate(k, from_attributes=True) for k in await accounts.keys(caller.user_id or "")]


@router.post("/keys", status_code=201)
async def create_key(body: KeyRequest, caller: UserCaller, accounts: AccountsDep) -> NewKeyOut:
    """A new API key; the secret is in this response only."""
    secret, info = await accounts.create_key(caller.user_id or "", body.name)
    return NewKeyOut(key=secret, **KeyOut.model_validate(info, from_attributes=True).model_dump())


@router.delete("/keys/{key_id}", status_code=204)
async def revoke_key(key_id: str, caller: UserCaller, accounts: AccountsDep) -> Response:
    """Revoke one of the caller's keys: it stops working at once."""
    await accounts.revoke_key(caller.user_id or "", key_id)
    return Response(status_code=204)

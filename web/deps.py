"""Request dependencies: settings, services, who the caller is, CSRF and rate limits.

A caller proves who they are with ``Authorization: Bearer <API key>`` or the ``verity_session``
cookie (a user's, or an anonymous visitor's). A cookie-authenticated write must echo the session's
CSRF token in ``X-CSRF-Token`` (API-key requests are exempt: a browser never sends the key by
itself). A bad or revoked key is a 401 even where anonymous access is allowed; an expired session
counts as no session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from copilot.auth import Accounts, Caller, NewSession
from copilot.config import Settings
from copilot.errors import ConfigError, NotAllowedError, NotAuthenticatedError
from copilot.research.jobs import ResearchJobs
from copilot.runs import RunManager
from copilot.services import Services
from copilot.storage.conversations import SqlConversationStore
from web.ratelimit import RateLimiter

SESSION_COOKIE = "verity_session"
CSRF_COOKIE = "verity_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Every dependency is ``async def``: FastAPI runs a plain ``def`` one in a thread pool, which costs
# more than the whole answer of a cached market-data request.


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]


async def get_accounts(services: ServicesDep) -> Accounts:
    if services.accounts is None:
        raise ConfigError("this server runs without a database: accounts are unavailable")
    return services.accounts


async def get_runs(services: ServicesDep) -> RunManager:
    if services.runs is None:
        raise ConfigError("this server runs without a database: chat runs are unavailable")
    return services.runs


async def get_store(services: ServicesDep) -> SqlConversationStore:
    store = services.conversations
    if not isinstance(store, SqlConversationStore):
        raise ConfigError("this server runs without a database: conversations are unavailable")
    return store


async def get_research(services: ServicesDep) -> ResearchJobs:
    if services.research is None:
        raise ConfigError("this server runs without a database: research reports are unavailable")
    return services.research


AccountsDep = Annotated[Accounts, Depends(get_accounts)]
ResearchDep = Annotated[ResearchJobs, Depends(get_research)]
RunsDep = Annotated[RunManager, Depends(get_runs)]
StoreDep = Annotated[SqlConversationStore, Depends(get_store)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def optional_caller(request: Request, accounts: AccountsDep) -> Caller | None:
    """The caller when a valid key or live session came with the request; CSRF checked for cookie writes."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        caller = await accounts.key_caller(secret.strip()) if scheme.lower() == "bearer" else None
        if caller is None:
            raise NotAuthenticatedError("invalid or revoked API key")
        return caller
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    caller = await accounts.session_caller(token)
    if caller is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or sent != caller.csrf_token:
            raise NotAllowedError(f"a write with a session cookie needs the {CSRF_HEADER} header")
    return caller


OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]


async def any_caller(caller: OptionalCaller) -> Caller:
    """A user, an API key or an anonymous visitor with a session; 401 without any."""
    if caller is None:
        raise NotAuthenticatedError("log in, use an API key, or start a chat first")
    return caller


async def user_caller(caller: OptionalCaller) -> Caller:
    """A logged-in user or an API key; anonymous visitors get 401."""
    if caller is None or caller.user_id is None:
        raise NotAuthenticatedError("log in or use an API key")
    return caller


AnyCaller = Annotated[Caller, Depends(any_caller)]
UserCaller = Annotated[Caller, Depends(user_caller)]


def set_session_cookies(
    request: Request, response: Response, session: NewSession, settings: Settings
) -> None:
    """The session cookie (HttpOnly, SameSite=Lax, Secure behind https) and the readable CSRF cookie."""
    secure = request.url.scheme == "https"
    max_age = int(settings.session_days * 86400)
    response.set_cookie(
        SESSION_COOKIE, session.token, max_age=max_age, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, session.caller.csrf_token or "", max_age=max_age, samesite="lax", secure=secure
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


async def charge_turn(request: Request, limiter: RateLimiter, settings: Settings, caller: Caller) -> None:
    """One chat turn against the caller's limit (anonymous visitors: per session and per address)."""
    if caller.kind == "anonymous":
        await limiter.hit(
            settings.rate_limit_anonymous, "turn", caller.owner, f"ip:{client_address(request)}"
        )
    else:
        await limiter.hit(settings.rate_limit_user, "turn", caller.owner)

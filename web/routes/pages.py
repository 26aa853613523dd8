"""The browser pages: chat (``/``, ``/c/{id}``), a shared conversation, log in / register, API keys.

Each page is a Jinja template on ``base.html`` plus ES modules under ``web/static/js/`` (no build
step); the server renders who is logged in, the models and the analysis-date bounds, so the first
paint is already right, and the modules do the rest through the JSON API. Nothing here computes a
figure. Suggested first questions are ones the tools answer in full (a test asks each of them).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from copilot import __version__
from copilot.auth import Caller
from web.deps import OptionalCaller, ServicesDep

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=FilePath(__file__).resolve().parents[1] / "templates")
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True

ConversationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ShareToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$")]


@dataclass(frozen=True)
class Suggestion:
    """A first question for an empty chat, and what part of the tools it shows off."""

    question: str
    shows: str


SUGGESTIONS = (
    Suggestion("How have small caps done against large caps this year?", "returns compared"),
    Suggestion("Is NVDA overbought?", "technicals"),
    Suggestion("Which sectors led this year?", "sector ranking"),
    Suggestion("Where is the S&P 500 trading?", "quote"),
    Suggestion("Compare Apple and Microsoft over the past year", "returns compared"),
    Suggestion("Is Apple expensive?", "valuation"),
)


def _user(caller: Caller | None) -> dict[str, str] | None:
    """The logged-in user the page shows (an anonymous visitor's session is nobody yet)."""
    if caller is None or caller.kind != "user" or not caller.email:
        return None
    return {"email": caller.email}


def render_page(
    request: Request,
    template: str,
    services: Any,
    caller: Caller | None,
    status_code: int = 200,
    **data: Any,
) -> HTMLResponse:
    """A page on ``base.html``: ``data`` joins the page's JSON (``#page-data``) beside who is logged
    in, the models and today's date (the newest analysis date); other routers' pages call this too."""
    models = [asdict(m) for m in services.models.describe()]
    page = {
        "today": services.clock.today().isoformat(),
        "models": models,
        "user": _user(caller),
        **data,
    }
    context = {
        "page": page,
        "user": page["user"],
        "model": models[0],
        "models": models,
        "version": __version__,
    }
    return templates.TemplateResponse(request, template, context, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, caller: OptionalCaller, services: ServicesDep) -> HTMLResponse:
    """The chat page: ask, read cited and verified answers, keep conversations."""
    suggestions = [asdict(s) for s in SUGGESTIONS]
    return render_page(request, "chat.html", services, caller, suggestions=suggestions, conversation_id=None)


@router.get("/c/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(
    conversation_id: ConversationId, request: Request, caller: OptionalCaller, services: ServicesDep
) -> HTMLResponse:
    """The chat page opened on one of the caller's conversations (the page reads it through the API)."""
    suggestions = [asdict(s) for s in SUGGESTIONS]
    return render_page(
        request, "chat.html", services, caller, suggestions=suggestions, conversation_id=conversation_id
    )


@router.get("/shared/{token}", response_class=HTMLResponse)
async def shared_page(
    token: ShareToken, request: Request, caller: OptionalCaller, services: ServicesDep
) -> HTMLResponse:
    """A conversation someone shared: read-only, for anyone with the link."""
    return render_page(request, "shared.html", services, caller, share_token=token)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, caller: OptionalCaller, services: ServicesDep) -> HTMLResponse:
    """Log in or register."""
    registration = services.settings.allow_registration
    return render_page(request, "login.html", services, caller, registration=registration)


@router.get("/keys", response_class=HTMLResponse, response_model=None)
async def keys_page(request: Request, caller: OptionalCaller, services: ServicesDep) -> Response:
    """The caller's API keys: create (shown once), list, revoke."""
    if _user(caller) is None:
        return RedirectResponse("/login?next=/keys", status_code=303)
    return render_page(request, "keys.html", services, caller)

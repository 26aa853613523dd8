"""``verity ask`` and ``verity chat``: the commands (the session itself is ``copilot.cli.ask_session``,
imported when a command runs so ``verity --help`` does not load the agent)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from copilot.cli.common import cli_errors, console, parse_date, print_json
from copilot.config import Settings, get_settings

if TYPE_CHECKING:
    from copilot.chat import ChatService

AS_OF_HELP = "analysis date YYYY-MM-DD (default: the latest data)"


def _default_service(settings: Settings) -> ChatService:
    from copilot.services import build_chat_service

    return build_chat_service(settings)


# The seam tests use to run the commands over a scripted model and fake market data.
service_factory: Callable[[Settings], ChatService] = _default_service


def ask(
    question: str = typer.Argument(..., help="the question, in quotes"),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    json_output: bool = typer.Option(
        False, "--json", help="print the answer, sources, verification and coverage as JSON (errors too)"
    ),
) -> None:
    """Ask one question; every figure in the answer is cited and verified."""
    with cli_errors(json_output):
        from copilot.cli import ask_session

        day = parse_date(as_of, "as-of")
        service = service_factory(get_settings())
        if json_output:
            print_json(asyncio.run(ask_session.collect(service, question, day)))
        else:
            asyncio.run(ask_session.stream(service, ask_session.TurnView(console), question, None, day))


def chat(as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP)) -> None:
    """An interactive session that keeps the conversation's context (type 'exit' to leave)."""
    with cli_errors():
        from copilot.cli import ask_session

        day = parse_date(as_of, "as-of")
        service = service_factory(get_settings())
        asyncio.run(ask_session.session(service, day))


def register(app: typer.Typer) -> None:
    """Add ``ask`` and ``chat`` to the root command."""
    app.command("ask")(ask)
    app.command("chat")(chat)

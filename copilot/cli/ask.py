"""``verity ask`` and ``verity chat``: the chat service in the terminal, streamed with rich."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.table import Table

from copilot.chat import ChatService
from copilot.cli.common import cli_errors, console, parse_date, print_json
from copilot.config import Settings, get_settings
from copilot.errors import VerityError
from copilot.events import (
    ChatEvent,
    CitedSource,
    DoneEvent,
    ErrorEvent,
    StatusEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    VerificationEvent,
)

EXIT_WORDS = {"exit", "quit", ":q"}
AS_OF_HELP = "analysis date YYYY-MM-DD (default: the latest data)"


def _default_service(settings: Settings) -> ChatService:
    from copilot.services import build_chat_service

    return build_chat_service(settings)


# The seam tests use to run the commands over a scripted model and fake market data.
service_factory: Callable[[Settings], ChatService] = _default_service


class TurnFailed(VerityError):
    """An error event, re-raised so the command prints one line and exits 2."""

    def __init__(self, event: ErrorEvent) -> None:
        super().__init__(event.message)
        self.code = event.code
        self.conversation_id = event.conversation_id


class TurnView:
    """Shows one turn's events: tool progress, the streamed answer, sources, verification badge."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.text = ""
        self.attempt = 1
        self.live: Live | None = None
        self.verification: VerificationEvent | None = None

    def show(self, event: ChatEvent) -> None:
        if isinstance(event, ToolCallEvent):
            self._reset()  # text before a tool call is the model thinking aloud, not the answer
            args = ", ".join(f"{k}={v!r}" for k, v in event.arguments.items())
            self.out.print(f"[dim]→ {event.name}({args})[/]", highlight=False)
        elif isinstance(event, ToolResultEvent):
            if event.ok:
                labels = " ".join(f"[{c.n}]" for c in event.sources)
                self.out.print(f"[green]✓[/] [dim]{event.name}[/] {labels}", highlight=False, markup=True)
            else:
                self.out.print(f"[red]✗[/] [dim]{event.name}:[/] {event.error}", highlight=False)
        elif isinstance(event, StatusEvent) and event.phase == "repairing":
            self._reset()
            self.out.print("[yellow]… re-checking figures that did not match their sources[/]")
        elif isinstance(event, TokenEvent):
            if event.attempt != self.attempt:
                self._reset()
                self.attempt = event.attempt
            self.text += event.text
            self._preview()
        elif isinstance(event, VerificationEvent):
            self.verification = event
        elif isinstance(event, DoneEvent):
            self._finish(event)
        elif isinstance(event, ErrorEvent):
            self._reset()
            raise TurnFailed(event)

    def _preview(self) -> None:
        if not self.out.is_terminal:
            return  # pipes and tests get the final answer only
        if self.live is None:
            self.live = Live(console=self.out, refresh_per_second=12, transient=True)
            self.live.start()
        self.live.update(Markdown(self.text))

    def _reset(self) -> None:
        self.text = ""
        if self.live is not None:
            self.live.stop()
            self.live = None

    def _finish(self, done: DoneEvent) -> None:
        self._reset()
        self.out.print()
        self.out.print(Markdown(done.answer))
        self.out.print()
        if done.sources:
            self.out.print(sources_table(done.sources))
        self.out.print(badge(done, self.verification), highlight=False)


def sources_table(sources: list[CitedSource]) -> Table:
    """The cited sources: number, title, provider, as-of date, and the tool or link."""
    table = Table(title="Sources", title_justify="left", show_lines=False, expand=False)
    for column in ("#", "source", "provider", "as of", "from"):
        table.add_column(column, overflow="fold")
    for cited in sources:
        s = cited.source
        origin = (s.url or "") if s.kind == "document" else _call(s.tool, s.arguments)
        table.add_row(f"[{cited.n}]", s.title, s.provider, s.as_of.isoformat() if s.as_of else "", origin)
    return table


def _call(tool: str | None, arguments: dict[str, Any]) -> str:
    """A tool call in a few words: ``performance ^RUT ^GSPC ytd`` (the date has its own column)."""
    shown = [
        " ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in arguments.items() if k != "as_of"
    ]
    return " ".join([tool or "", *shown]).strip()


def badge(done: DoneEvent, verification: VerificationEvent | None) -> str:
    """One line: verification summary (green when all figures matched), mode, analysis date."""
    clean = verification is None or not verification.unverified
    mark = "[green]✓" if clean else "[yellow]⚠"
    mode = "[cyan]offline mode[/]" if done.mode == "offline" else f"model {done.mode}"
    day = f" · as of {done.as_of.isoformat()}" if done.as_of else ""
    line = f"{mark} {done.verification}[/] · {mode}{day}"
    if verification and verification.unverified:
        line += "\n" + "\n".join(
            f"  [yellow]unverified:[/] {f.text} — {f.reason}" for f in verification.unverified
        )
    return line


async def _stream(
    service: ChatService, view: TurnView, question: str, cid: str | None, day: date | None
) -> str:
    conversation = cid or ""
    # closed here even when printing fails (a closed pipe: `verity ask ... | head`), not left for
    # the event loop's shutdown, which closes the nested generators out of order with a traceback
    events = service.run_turn(question, conversation_id=cid, as_of=day)
    try:
        async for event in events:
            if isinstance(event, DoneEvent):
                conversation = event.conversation_id
            view.show(event)
    finally:
        close = getattr(events, "aclose", None)  # typed as an AsyncIterator; an async generator
        if close is not None:
            await close()
    return conversation


async def _collect(service: ChatService, question: str, day: date | None) -> dict[str, Any]:
    verification: VerificationEvent | None = None
    async for event in service.run_turn(question, as_of=day):
        if isinstance(event, ErrorEvent):
            raise TurnFailed(event)
        if isinstance(event, VerificationEvent):
            verification = event
        if isinstance(event, DoneEvent):
            return {
                "answer": event.answer,
                "conversation_id": event.conversation_id,
                "mode": event.mode,
                "as_of": event.as_of.isoformat() if event.as_of else None,
                "sources": [c.model_dump(mode="json") for c in event.sources],
                "verification": verification.model_dump(mode="json", exclude={"type"})
                if verification
                else None,
            }
    raise VerityError("the turn ended without an answer")


def ask(
    question: str = typer.Argument(..., help="the question, in quotes"),
    as_of: str | None = typer.Option(None, "--as-of", help="analysis date YYYY-MM-DD (default: latest data)"),
    json_output: bool = typer.Option(
        False, "--json", help="print the answer, sources and verification as JSON"
    ),
) -> None:
    """Ask one question; every figure in the answer is cited and verified."""
    with cli_errors():
        day = parse_date(as_of, "as-of")
        service = service_factory(get_settings())
        if json_output:
            print_json(asyncio.run(_collect(service, question, day)))
        else:
            asyncio.run(_stream(service, TurnView(console), question, None, day))


def chat(
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """An interactive session that keeps the conversation's context (type 'exit' to leave)."""
    with cli_errors():
        day = parse_date(as_of, "as-of")
        service = service_factory(get_settings())
        asyncio.run(_session(service, day))


async def _session(service: ChatService, day: date | None) -> None:
    # one event loop for the whole session: HTTP clients of the model keep their connections
    console.print(
        "[bold]Verity[/] — ask about markets, stocks, sectors or stored documents. 'exit' to leave."
    )
    conversation: str | None = None
    while True:
        try:
            question = await asyncio.to_thread(console.input, "[bold cyan]you>[/] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if question.strip().lower() in EXIT_WORDS:
            return
        if not question.strip():
            continue
        try:
            conversation = await _stream(service, TurnView(console), question, conversation, day)
        except TurnFailed as failed:
            console.print(f"[bold red]Error:[/] {failed.message}", highlight=False)
            conversation = failed.conversation_id or conversation


def register(app: typer.Typer) -> None:
    """Add ``ask`` and ``chat`` to the root command."""
    app.command("ask")(ask)
    app.command("chat")(chat)

"""The chat service in the terminal: a turn streamed with rich (``verity ask``, ``verity chat``).

Imported by the commands in ``copilot.cli.ask`` only when they run: ``verity --help`` stays fast."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.table import Table

from copilot.chat import ChatService
from copilot.cli.common import console
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
    """One line: verified figures and coverage (green when both are whole), mode, analysis date."""
    coverage = done.coverage
    clean = (verification is None or not verification.unverified) and (coverage is None or coverage.complete)
    mark = "[green]✓" if clean else "[yellow]⚠"
    mode = "[cyan]offline mode[/]" if done.mode == "offline" else f"model {done.mode}"
    day = f" · as of {done.as_of.isoformat()}" if done.as_of else ""
    covers = f" · {coverage.summary}" if coverage is not None and coverage.parts else ""
    line = f"{mark} {done.verification.replace('verified', 'figures verified')}{covers}[/] · {mode}{day}"
    if verification and verification.unverified:
        line += "\n" + "\n".join(
            f"  [yellow]unverified:[/] {f.text} — {f.reason}" for f in verification.unverified
        )
    return line


async def stream(
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


async def collect(service: ChatService, question: str, day: date | None) -> dict[str, Any]:
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
                "coverage": event.coverage.model_dump(mode="json") if event.coverage else None,
            }
    raise VerityError("the turn ended without an answer")


async def session(service: ChatService, day: date | None) -> None:
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
            conversation = await stream(service, TurnView(console), question, conversation, day)
        except TurnFailed as failed:
            console.print(f"[bold red]Error:[/] {failed.message}", highlight=False)
            conversation = failed.conversation_id or conversation

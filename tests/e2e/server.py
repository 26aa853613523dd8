"""The app under a real uvicorn in a thread of its own (its own event loop), on a free loopback port,
for a real browser to talk to; and the chat models the browser tests stream from.

``served(build)`` starts ``build()`` (which returns the ASGI app) inside the server thread, so every
part bound to an event loop is created on the loop that serves it. ``SendLog`` wraps an app and
notes when each SSE frame left the server (the token-latency measurement compares that with when
the page showed the token).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copilot.offline import OfflineAnalyst
from tests.fakes import ScriptedChatModel
from tests.web.postgres import free_port

START_TIMEOUT = 30.0


class PacedAnalyst(OfflineAnalyst):
    """The offline analyst, writing its prose a word every ``pace`` seconds (as a real model streams),
    so a person (and a test) can watch an answer stream and stop it midway."""

    pace: float = 0.025

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        first = True
        async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
            if not first and chunk.message.content:
                await asyncio.sleep(self.pace)
            first = False
            yield chunk


class PacedScriptedModel(ScriptedChatModel):
    """A scripted model streaming its reply a chunk every ``pace`` seconds."""

    pace: float = 0.0

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        first = True
        async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
            if not first and self.pace and chunk.message.content:
                await asyncio.sleep(self.pace)
            first = False
            yield chunk


@dataclass
class SentFrame:
    at: float  # time.time() when the frame was handed to uvicorn to write to the socket
    event: str
    seq: int
    data: dict[str, Any]


@dataclass
class SendLog:
    """ASGI middleware: every SSE frame the chat routes send, with when it was sent."""

    app: ASGIApp
    frames: list[SentFrame] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/chat"):
            await self.app(scope, receive, send)
            return

        async def logged(message: Message) -> None:
            # the time the frame is handed to uvicorn, which writes it to the socket at once (its
            # send may then wait for the loop, so the time after it would be late)
            at = time.time()
            await send(message)
            if message["type"] == "http.response.body" and message.get("body"):
                for block in message["body"].decode("utf-8", "replace").split("\n\n"):
                    lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                    if "event" in lines and "data" in lines:
                        data = json.loads(lines["data"])
                        self.frames.append(SentFrame(at, lines["event"], int(lines.get("id", 0)), data))

        await self.app(scope, receive, logged)


@dataclass
class Served:
    url: str
    app: Any


@contextmanager
def served(build: Callable[[], Any]) -> Iterator[Served]:
    """Run ``build()``'s app under uvicorn on 127.0.0.1 (a free port) until the block ends."""
    port = free_port()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        async def main() -> None:
            try:
                app = build()
                holder["app"] = app
                server = uvicorn.Server(
                    uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
                )
                holder["server"] = server
                task = asyncio.create_task(server.serve())
                while not server.started and not task.done():
                    await asyncio.sleep(0.02)
                ready.set()
                await task
            except BaseException as exc:
                holder["error"] = exc
                ready.set()
                raise

        asyncio.run(main())

    thread = threading.Thread(target=run, name=f"e2e-server-{port}", daemon=True)
    thread.start()
    if not ready.wait(START_TIMEOUT) or "error" in holder or not holder["server"].started:
        raise RuntimeError(f"the test server did not start: {holder.get('error')!r}")
    try:
        yield Served(f"http://127.0.0.1:{port}", holder["app"])
    finally:
        holder["server"].should_exit = True
        thread.join(30)

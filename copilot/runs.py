"""``RunManager``: chat turns that outlive their HTTP request, with numbered, replayable events.

``start`` checks the request (typed errors before anything is written), records the run and runs
the turn in a task of its own, so a client that drops does not stop it. Each event gets a sequence
number (1, 2, ...); events go to the readers on this worker at once and to the store in batches
(every ``flush_interval``), and the terminal state is written together with the last event before
any reader sees that event. ``events(after=n)`` replays from the store what a reconnecting client
missed and goes on live: from memory on the worker running the run, else by polling the store, so
any worker can serve a reconnect. ``cancel`` stops the run here, or flags it for the worker that runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import date

from copilot.chat import ChatService, PreparedTurn, latest_as_of
from copilot.events import ChatEvent, DoneEvent, ErrorEvent
from copilot.storage.runs import RunInfo, RunStore, StoredEvent

log = logging.getLogger(__name__)

CANCEL_CHECK_EVERY = 5  # flush ticks between two reads of a cancel asked on another worker
IDLE_GIVE_UP = 30.0  # seconds past the turn timeout a reader waits for a run that shows no progress


@dataclass
class _LiveRun:
    """A run on this worker: every event so far, and a signal readers wait on."""

    info: RunInfo
    events: list[StoredEvent] = field(default_factory=list)
    flushed: int = 0  # how many of ``events`` are in the store
    finished: bool = False
    signal: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def publish(self, event: StoredEvent | None = None, finished: bool = False) -> None:
        if event is not None:
            self.events.append(event)
        self.finished = self.finished or finished
        signal, self.signal = self.signal, asyncio.Event()
        signal.set()


class RunManager:
    """Starts, replays and cancels web chat runs; one per process, over the shared stores."""

    def __init__(
        self,
        chat: ChatService,
        store: RunStore,
        flush_interval: float = 0.05,
        poll_interval: float = 0.1,
    ) -> None:
        self.chat = chat
        self.store = store
        self.flush_interval = flush_interval
        self.poll_interval = poll_interval
        self._live: dict[str, _LiveRun] = {}

    async def start(
        self,
        owner: str,
        question: str,
        conversation_id: str | None = None,
        as_of: date | None = None,
        model: str | None = None,
    ) -> RunInfo:
        """Check the request, record the run and start it; typed errors when the request is refused."""
        prepared = await self.chat.prepare(question, conversation_id, as_of, owner, model)
        info = await self.store.create(uuid.uuid4().hex, owner, prepared.conversation.id, prepared.model)
        live = _LiveRun(info)
        self._live[info.id] = live
        live.task = asyncio.create_task(self._drive(live, prepared), name=f"run {info.id}")
        return info

    async def get(self, run_id: str, owner: str) -> RunInfo:
        return await self.store.get(run_id, owner)

    async def wait(self, run_id: str) -> None:
        """Until the run on this worker has finished (tests and benchmarks)."""
        live = self._live.get(run_id)
        if live is not None and live.task is not None:
            await asyncio.shield(live.task)

    # --- running --------------------------------------------------------------------------
    async def _drive(self, live: _LiveRun, prepared: PreparedTurn) -> None:
        flusher = asyncio.create_task(self._flush_loop(live))
        seq = 0
        try:
            async with aclosing(self.chat.run(prepared, run_id=live.info.id)) as events:
                async for event in events:
                    seq += 1
                    stored = StoredEvent(seq, event.type, event.model_dump_json())
                    if isinstance(event, DoneEvent | ErrorEvent):
                        status = "done" if isinstance(event, DoneEvent) else "failed"
                        await self._finish(live, stored, status)
                        return
                    live.publish(stored)
            # a turn always ends with done or error; reaching here is a bug in the service
            await self._finish(
                live, _error(seq + 1, "internal", "the turn ended without an answer"), "failed"
            )
        except asyncio.CancelledError:
            await self._cancelled(live, prepared, seq + 1)
        except Exception:
            log.exception("run %s failed", live.info.id)
            await self._finish(live, _error(seq + 1, "internal", "internal error"), "failed")
        finally:
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            self._live.pop(live.info.id, None)

    async def _cancelled(self, live: _LiveRun, prepared: PreparedTurn, seq: int) -> None:
        """End a cancelled run; when its answer was already stored, it ends as that answer instead."""
        stored_turn = None
        finder = getattr(self.chat.conversations, "turn_of_run", None)
        if finder is not None:
            with contextlib.suppress(Exception):
                stored_turn = await finder(live.info.id)
        if stored_turn is not None:
            cid, turn = stored_turn
            done = DoneEvent(
                answer=turn.answer,
                conversation_id=cid,
                mode=turn.mode,
                as_of=turn.as_of or latest_as_of(turn.sources),
                verification=turn.verification.summary,
                sources=turn.sources,
                turn_id=turn.id,
                model=turn.model,
            )
            await self._finish(live, StoredEvent(seq, done.type, done.model_dump_json()), "done")
        else:
            await self._finish(live, _error(seq, "cancelled", "the run was cancelled"), "cancelled")

    async def _finish(self, live: _LiveRun, last: StoredEvent, status: str) -> None:
        """Write the pending events, the last one and the terminal state; then let readers see them."""
        async with live.write_lock:
            pending = [*live.events[live.flushed :], last]
            await self.store.append(live.info.id, pending, status=status)
            live.flushed = len(live.events) + 1
        live.publish(last, finished=True)

    async def _flush_loop(self, live: _LiveRun) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(self.flush_interval)
            ticks += 1
            check = ticks % CANCEL_CHECK_EVERY == 0
            async with live.write_lock:
                if live.finished:
                    return
                pending = live.events[live.flushed :]
                if not pending and not check:
                    continue
                try:
                    cancel = await self.store.append(live.info.id, pending)
                except Exception:  # the next tick or the final write retries these events
                    log.exception("cannot store the events of run %s", live.info.id)
                    continue
                live.flushed += len(pending)
            if cancel and live.task is not None:
                live.task.cancel()
                return

    # --- reading --------------------------------------------------------------------------
    async def events(self, run_id: str, owner: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        """The run's events numbered above ``after``: replayed, then live until the run ends."""
        info = await self.store.get(run_id, owner)  # NotFoundError for a foreign or unknown run
        live = self._live.get(run_id)
        if live is not None and live.info.owner == info.owner:
            async for event in self._from_memory(live, after):
                yield event
            return
        async for event in self._from_store(run_id, after):
            yield event

    async def _from_memory(self, live: _LiveRun, after: int) -> AsyncIterator[StoredEvent]:
        cursor = after
        while True:
            signal = live.signal
            fresh = live.events[cursor:]  # event n sits at index n - 1
            for event in fresh:
                cursor = event.seq
                yield event
            if live.finished and not fresh:
                return
            if not fresh:
                await signal.wait()

    async def _from_store(self, run_id: str, after: int) -> AsyncIterator[StoredEvent]:
        cursor, idle_since = after, time.monotonic()
        give_up = self.chat.settings.turn_timeout + IDLE_GIVE_UP
        while True:
            events, status = await self.store.events_after(run_id, cursor)
            for event in events:
                cursor = event.seq
                yield event
            if status in ("done", "failed", "cancelled"):
                # the terminal state is written with the last event: nothing can follow
                return
            now = time.monotonic()
            idle_since = now if events else idle_since
            if now - idle_since > give_up:
                return
            await asyncio.sleep(self.poll_interval)

    # --- stopping -------------------------------------------------------------------------
    async def cancel(self, run_id: str, owner: str) -> RunInfo:
        """Stop the owner's run (here, or by flagging it for the worker running it)."""
        info = await self.store.request_cancel(run_id, owner)
        live = self._live.get(run_id)
        if live is not None and live.task is not None and not live.finished:
            live.task.cancel()
            await asyncio.gather(live.task, return_exceptions=True)
            return await self.store.get(run_id, owner)
        return info

    async def shutdown(self) -> None:
        """Cancel the runs of this worker (each ends with its terminal state stored)."""
        tasks = [live.task for live in list(self._live.values()) if live.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _error(seq: int, code: str, message: str) -> StoredEvent:
    event: ChatEvent = ErrorEvent(code=code, message=message)
    return StoredEvent(seq, event.type, event.model_dump_json())

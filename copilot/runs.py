"""``RunManager``: chat turns that outlive their HTTP request, with numbered, replayable events.

``start`` checks the request (typed errors before anything is written) and runs the turn in a task
of its own, so a client that drops does not stop it. Each event gets a sequence number (1, 2, ...);
events go to the readers on this worker at once and to the store in batches (every
``flush_interval``); the run's record is stored with its first batch, or with its end when the turn
is shorter than that (one transaction fewer). The end — the answer, the last events and the terminal
state — is one transaction, written before any reader sees the last event. ``events(after=n)``
replays what a reconnecting client missed and goes on live: from memory on the worker running the
run, else by polling the store, so any worker can serve a reconnect (once the run is stored).
``cancel`` stops the run here, or flags it in the store for the worker that runs it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import date

from copilot.chat import ChatService, PreparedTurn
from copilot.conversations import Turn
from copilot.events import ChatEvent, DoneEvent, ErrorEvent
from copilot.open_documents import OpenDocument
from copilot.storage.runs import Record, RunInfo, RunStore, StoredEvent

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
    record: Record | None = None  # the run's record, until it is stored
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
        context: Sequence[OpenDocument] = (),
    ) -> RunInfo:
        """Check the request, record the run (and its new conversation) and start it; typed errors
        when the request is refused, with nothing written. ``context``: documents open beside the
        chat (a research note), citable by the answer."""
        prepared = await self.chat.prepare(
            question, conversation_id, as_of, owner, model, store_new=False, context=context
        )
        info = self.store.new_run(uuid.uuid4().hex, owner, prepared.conversation.id, prepared.model)
        live = _LiveRun(info)
        # recorded with its first stored events (the first flush, or the end of a short run): one
        # transaction fewer per turn; until then this worker answers for it
        live.record = Record(info, prepared.conversation, new_conversation=not prepared.stored)
        self._live[info.id] = live
        live.task = asyncio.create_task(self._drive(live, prepared), name=f"run {info.id}")
        return info

    async def get(self, run_id: str, owner: str) -> RunInfo:
        """The owner's run (from this worker while it runs here); NotFoundError otherwise."""
        live = self._live.get(run_id)
        if live is not None and live.info.owner == owner and not live.finished:
            return dataclasses.replace(live.info, last_seq=len(live.events))
        return await self.store.get(run_id, owner)

    async def wait(self, run_id: str) -> None:
        """Until the run on this worker has finished (tests and benchmarks)."""
        live = self._live.get(run_id)
        if live is not None and live.task is not None:
            await asyncio.shield(live.task)

    # --- running --------------------------------------------------------------------------
    async def _drive(self, live: _LiveRun, prepared: PreparedTurn) -> None:
        flusher = asyncio.create_task(self._flush_loop(live))
        answer: list[tuple[str, str, Turn]] = []

        async def keep(conversation_id: str, owner: str, turn: Turn) -> Turn:
            # stored with the terminal state, in one transaction, when the done event arrives
            answer.append((conversation_id, owner, turn))
            return turn

        seq = 0
        try:
            async with aclosing(self.chat.run(prepared, run_id=live.info.id, store=keep)) as events:
                async for event in events:
                    seq += 1
                    if isinstance(event, DoneEvent):
                        done = event
                        await self._finish(live, _with_turn_id(done, seq), "done", answer[0])
                        return
                    stored = StoredEvent(seq, event.type, event.model_dump_json())
                    if isinstance(event, ErrorEvent):
                        await self._finish(live, _fixed(stored), "failed")
                        return
                    live.publish(stored)
            # a turn always ends with done or error; reaching here is a bug in the service
            await self._finish(
                live, _error(seq + 1, "internal", "the turn ended without an answer"), "failed"
            )
        except asyncio.CancelledError:
            await self._finish(live, _error(seq + 1, "cancelled", "the run was cancelled"), "cancelled")
        except Exception:
            log.exception("run %s failed", live.info.id)
            await self._finish(live, _error(seq + 1, "internal", "internal error"), "failed")
        finally:
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            self._live.pop(live.info.id, None)

    async def _finish(
        self,
        live: _LiveRun,
        last: Callable[[int | None], StoredEvent],
        status: str,
        answer: tuple[str, str, Turn] | None = None,
    ) -> None:
        """Store the answer, the pending events, the last one and the terminal state in one
        transaction (shielded: a cancel arriving meanwhile cannot cut it); then readers see them."""
        async with live.write_lock:
            pending = live.events[live.flushed :]
            writing = asyncio.ensure_future(self._write_final(live, pending, status, last, answer))
            try:
                final = await asyncio.shield(writing)
            except asyncio.CancelledError:  # too late to cancel: the run ends as what is being stored
                final = await writing
            live.flushed = len(live.events) + 1
        live.publish(final, finished=True)

    async def _write_final(
        self,
        live: _LiveRun,
        pending: list[StoredEvent],
        status: str,
        last: Callable[[int | None], StoredEvent],
        answer: tuple[str, str, Turn] | None,
    ) -> StoredEvent:
        try:
            final = await self.store.finish(live.info.id, pending, status, last, answer, live.record)
            live.record = None
            return final
        except Exception:
            # the store failed: readers on this worker still get an ending, nothing is stored
            log.exception("cannot store the end of run %s", live.info.id)
            return _error(len(live.events) + 1, "provider_unavailable", "the answer could not be stored")(
                None
            )

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
                    cancel = await self.store.append(live.info.id, pending, live.record)
                except Exception:  # the next tick or the final write retries these events
                    log.exception("cannot store the events of run %s", live.info.id)
                    continue
                live.record = None
                live.flushed += len(pending)
            if cancel and live.task is not None:
                live.task.cancel()
                return

    # --- reading --------------------------------------------------------------------------
    async def events(self, run_id: str, owner: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        """The run's events numbered above ``after``: replayed, then live until the run ends."""
        async for batch in self.batches(run_id, owner, after):
            for event in batch:
                yield event

    async def batches(self, run_id: str, owner: str, after: int = 0) -> AsyncIterator[list[StoredEvent]]:
        """As ``events``, in batches of what is there at once (one network write per batch)."""
        live = self._live.get(run_id)
        if live is not None and live.info.owner == owner:  # running here: no need to ask the store
            async for batch in self._from_memory(live, after):
                yield batch
            return
        await self.store.get(run_id, owner)  # NotFoundError for a foreign or unknown run
        async for batch in self._from_store(run_id, after):
            yield batch

    async def _from_memory(self, live: _LiveRun, after: int) -> AsyncIterator[list[StoredEvent]]:
        cursor = after
        while True:
            signal = live.signal
            fresh = live.events[cursor:]  # event n sits at index n - 1
            if fresh:
                cursor = fresh[-1].seq
                yield fresh
            elif live.finished:
                return
            else:
                await signal.wait()

    async def _from_store(self, run_id: str, after: int) -> AsyncIterator[list[StoredEvent]]:
        cursor, idle_since = after, time.monotonic()
        give_up = self.chat.settings.turn_timeout + IDLE_GIVE_UP
        while True:
            events, status = await self.store.events_after(run_id, cursor)
            if events:
                cursor = events[-1].seq
                yield events
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
        live = self._live.get(run_id)
        if live is not None and live.info.owner == owner and live.task is not None:
            live.task.cancel()
            await asyncio.gather(live.task, return_exceptions=True)
            return await self.store.get(run_id, owner)
        return await self.store.request_cancel(run_id, owner)

    async def shutdown(self) -> None:
        """Cancel the runs of this worker (each ends with its terminal state stored)."""
        tasks = [live.task for live in list(self._live.values()) if live.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _error(seq: int, code: str, message: str) -> Callable[[int | None], StoredEvent]:
    event: ChatEvent = ErrorEvent(code=code, message=message)
    return lambda _: StoredEvent(seq, event.type, event.model_dump_json())


def _fixed(event: StoredEvent) -> Callable[[int | None], StoredEvent]:
    return lambda _: event


def _with_turn_id(done: DoneEvent, seq: int) -> Callable[[int | None], StoredEvent]:
    """The done event, once the turn it reports has its id."""
    return lambda turn_id: StoredEvent(
        seq, done.type, done.model_copy(update={"turn_id": turn_id}).model_dump_json()
    )

"""``ChatService``: one turn of a conversation as a stream of typed events.

prepare (validate the question, date and model; load the caller's conversation or open a new one)
-> run the agent (tokens, tool calls) -> clean citations -> verify every figure -> (policy
``repair``: one repair round) -> annotate what is still unverified -> persist the turn -> sources,
verification, done. Typed errors become an ``error`` event with their code; anything else becomes
"internal error" (logged with its traceback). A failed turn leaves the conversation as it was; an
unknown or foreign conversation id is a ``not_found`` error, never a new conversation under that id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from copilot.agent import Agent, build_agent, run_config, stream_agent, system_message
from copilot.answer_checks import check, finish, repair_request
from copilot.citations import SourceLedger
from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.conversations import (
    LOCAL_OWNER,
    Conversation,
    ConversationStore,
    InMemoryConversationStore,
    Turn,
    TurnVerification,
    new_conversation_id,
    title_from,
)
from copilot.coverage import Coverage
from copilot.errors import BadInputError, LLMUnavailableError, RateLimitedError, VerityError
from copilot.events import (
    ChatEvent,
    CitedSource,
    DoneEvent,
    ErrorEvent,
    FigureResult,
    SourcesEvent,
    StatusEvent,
    VerificationEvent,
)
from copilot.llm import build_chat_model
from copilot.model_registry import ModelFactory, ModelRegistry
from copilot.open_documents import OpenDocument, context_message
from copilot.understanding.reader import read_conversation
from copilot.understanding.reading import QuestionReading
from copilot.verify import FigureCheck, VerificationReport
from prompts import load_prompt
from tools.agent_tools import DocumentSearch, KnowledgeGetter, MarketTools, TurnContext, build_tools

log = logging.getLogger(__name__)

_END = object()


@dataclass(frozen=True)
class PreparedTurn:
    """A checked request: the question, its date and model, and the caller's conversation."""

    question: str
    conversation: Conversation
    owner: str
    as_of: date | None
    model: str
    history: tuple[BaseMessage, ...] | None = None  # given by a stateless API client, else the stored turns
    stored: bool = True  # False: a new conversation the caller stores itself (a web run, with its record)
    context: tuple[OpenDocument, ...] = ()  # documents open beside the chat (a note), citable as sources


# How a finished turn is stored: ``conversations.append`` by default; a web run stores it together
# with its terminal state instead (one transaction), and gets the Turn back without an id.
StoreTurn = Callable[[str, str, Turn], Awaitable[Turn]]


class ChatService:
    """Runs chat turns; each model's agent graph is built once; safe to share between concurrent turns."""

    def __init__(
        self,
        settings: Settings,
        market: MarketTools,
        knowledge: DocumentSearch | KnowledgeGetter | None = None,
        model_factory: ModelFactory = build_chat_model,
        conversations: ConversationStore | None = None,
        *,
        models: ModelRegistry | None = None,
        clock: ExchangeClock | None = None,
        resolver: Any = None,
    ) -> None:
        self.settings = settings
        self._resolver = resolver  # the one SymbolResolver (question understanding reads names with it)
        self.clock = clock or ExchangeClock()
        self.conversations: ConversationStore = conversations or InMemoryConversationStore()
        self.models = models or ModelRegistry(settings, model_factory)
        getter: KnowledgeGetter | None
        if knowledge is None or (callable(knowledge) and not hasattr(knowledge, "search")):
            getter = knowledge
        else:
            kb = knowledge
            getter = lambda: kb  # noqa: E731
        self.tools = build_tools(market, getter, timeout=settings.tool_timeout)
        self.prompt = load_prompt("system")
        self.config = run_config(settings)
        self._agents: dict[str, tuple[Agent, str]] = {}
        # the default model is built now: a configuration that cannot work fails at startup
        self.agent, self.mode = self._agent(self.models.check(None))
        self.model = self.models.get(None)

    @property
    def resolver(self) -> Any:
        if self._resolver is None:
            from tools.symbols import SymbolResolver

            self._resolver = SymbolResolver()
        return self._resolver

    def read(self, prepared: PreparedTurn) -> QuestionReading:
        """The structured reading of the question, in the context of the conversation's earlier ones."""
        if prepared.history is not None:
            earlier = [str(m.text) for m in prepared.history if isinstance(m, HumanMessage)]
        else:
            earlier = [turn.question for turn in prepared.conversation.turns]
        reference = prepared.as_of or self.clock.today()
        return read_conversation([*earlier, prepared.question], self.resolver, reference)

    def _agent(self, name: str) -> tuple[Agent, str]:
        """The agent graph of a model and its mode label, built on first use and kept."""
        if name not in self._agents:
            model = self.models.get(name)
            self._agents[name] = (build_agent(model, self.tools), model_mode(model, self.settings))
        return self._agents[name]

    async def prepare(
        self,
        question: str,
        conversation_id: str | None = None,
        as_of: date | None = None,
        owner: str = LOCAL_OWNER,
        model: str | None = None,
        history: Sequence[BaseMessage] | None = None,
        store_new: bool = True,
        context: Sequence[OpenDocument] = (),
    ) -> PreparedTurn:
        """Check a request and load (or open) its conversation; typed errors, nothing written on failure.

        ``history`` replaces the stored turns as the model's context (the OpenAI-compatible API is
        stateless: the client sends the conversation so far). ``store_new=False`` leaves a new
        conversation unstored: the caller stores it (a web run stores it with the run's record).
        ``context``: documents the reader has open (``copilot.open_documents``), citable by the answer."""
        text = validate_question(question, self.settings.max_question_chars)
        day = validate_as_of(as_of or self.settings.as_of, self.clock.today())
        if day is None and self.clock.stopped:
            day = self.clock.today()  # a snapshot's world ends on its last session: answer as of it
        name = self.models.check(model)
        self._agent(name)  # build before opening anything: a model that cannot be built fails here
        if conversation_id:
            conversation = await self.conversations.get(conversation_id, owner)
        elif store_new:
            conversation = await self.conversations.create(owner, title_from(text))
        else:
            conversation = Conversation(id=new_conversation_id(), owner=owner, title=title_from(text))
        past = tuple(history) if history else None
        return PreparedTurn(
            text,
            conversation,
            owner,
            day,
            name,
            past,
            stored=store_new or bool(conversation_id),
            context=tuple(context),
        )

    async def run_turn(
        self,
        question: str,
        conversation_id: str | None = None,
        as_of: date | None = None,
        *,
        owner: str = LOCAL_OWNER,
        model: str | None = None,
    ) -> AsyncIterator[ChatEvent]:
        """Answer ``question`` in the owner's conversation (a new one when None), yielding events."""
        try:
            prepared = await self.prepare(question, conversation_id, as_of, owner, model)
        except VerityError as exc:
            yield ErrorEvent(code=exc.code, message=exc.message, conversation_id=conversation_id)
            return
        async with aclosing(self.run(prepared)) as events:
            async for event in events:
                yield event

    async def run(
        self, prepared: PreparedTurn, run_id: str | None = None, store: StoreTurn | None = None
    ) -> AsyncGenerator[ChatEvent, None]:
        """The events of a prepared turn; errors end it as an ``error`` event."""
        cid = prepared.conversation.id
        try:
            yield StatusEvent(phase="started", message="Working on it", conversation_id=cid, run_id=run_id)
            turn = self._turn(prepared, run_id, store or self.conversations.append)
            # aclosing: a client that disconnects mid-turn stops the agent run at once
            async with aclosing(self._with_deadline(turn)) as events:
                async for event in events:
                    yield event
        except VerityError as exc:
            yield ErrorEvent(code=exc.code, message=exc.message, conversation_id=cid)
        except Exception:
            log.exception("chat turn failed (conversation %s)", cid)
            yield ErrorEvent(code="internal", message="internal error", conversation_id=cid)

    async def _with_deadline(self, events: AsyncIterator[ChatEvent]) -> AsyncGenerator[ChatEvent, None]:
        """Relay ``events`` from a task bounded by the turn timeout (the consumer's time is not counted)."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        seconds = self.settings.turn_timeout

        async def pump() -> None:
            try:
                async with asyncio.timeout(seconds):
                    async for event in events:
                        queue.put_nowait(event)
            except TimeoutError:
                queue.put_nowait(LLMUnavailableError(f"the model did not answer within {seconds:g} s"))
            except Exception as exc:
                queue.put_nowait(as_verity_error(exc, self.settings))
            queue.put_nowait(_END)

        task = asyncio.create_task(pump())
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _turn(
        self, prepared: PreparedTurn, run_id: str | None, store: StoreTurn
    ) -> AsyncIterator[ChatEvent]:
        started = time.perf_counter()
        agent, mode = self._agent(prepared.model)
        question, conversation, as_of = prepared.question, prepared.conversation, prepared.as_of
        ledger = SourceLedger()
        # open documents are numbered first: the model reads them under these numbers
        opened = ledger.add_all([d.source for d in prepared.context])
        context = TurnContext(ledger=ledger, as_of=as_of, viewer=prepared.owner)
        transcript: list[BaseMessage] = []
        messages = [
            system_message(self.prompt, as_of),
            *context_message(prepared.context, opened),
            *(prepared.history if prepared.history is not None else conversation.messages()),
            HumanMessage(content=question),
        ]
        async for event in stream_agent(agent, messages, context, self.config, transcript):
            yield event
        answered = time.perf_counter()
        yield StatusEvent(phase="verifying", message="Checking every figure", conversation_id=conversation.id)
        reading = self.read(prepared)
        checked = check(final_answer(transcript), ledger, reading, question, as_of)
        repaired = False
        if checked.needs_repair() and self.settings.verify_policy == "repair":
            yield StatusEvent(
                phase="repairing", message="Fixing unverified figures", conversation_id=conversation.id
            )
            retry = [*transcript, repair_request(checked, ledger)]
            transcript = []
            try:
                async for event in stream_agent(agent, retry, context, self.config, transcript, attempt=2):
                    yield event
                second = check(final_answer(transcript), ledger, reading, question, as_of)
            except Exception as exc:  # a failed repair round still leaves a usable, annotated answer
                error = as_verity_error(exc, self.settings)
                if not isinstance(error, VerityError):
                    raise
                log.warning("repair round failed, keeping the first answer: %s", error.message)
            else:
                if second.at_least_as_good_as(checked):  # keep the repair only when it is not worse
                    removed = sorted({*checked.removed, *second.removed})
                    checked, repaired = replace(second, removed=removed), True
        answer, pairs, report, coverage = finish(checked, ledger, reading, question, as_of)
        cited = [CitedSource(n=n, source=s) for n, s in pairs]
        verification = verification_event(report, checked.removed, repaired, coverage)
        yield SourcesEvent(sources=cited)
        yield verification
        finished = time.perf_counter()
        stored = await store(
            conversation.id,
            prepared.owner,
            Turn(
                question=question,
                answer=answer,
                sources=cited,
                verification=TurnVerification(
                    summary=verification.summary,
                    total=verification.total,
                    verified=verification.verified,
                    unverified=verification.unverified,
                    verified_figures=verification.verified_figures,
                    coverage=coverage,
                ),
                mode=mode,
                model=prepared.model,
                as_of=as_of,
                run_id=run_id,
                timings={
                    "agent": round(answered - started, 4),
                    "verify": round(finished - answered, 4),
                    "total": round(finished - started, 4),
                },
            ),
        )
        yield DoneEvent(
            answer=answer,
            conversation_id=conversation.id,
            mode=mode,
            as_of=as_of or latest_as_of(cited),
            verification=report.summary,
            sources=cited,
            turn_id=stored.id,
            model=prepared.model,
            coverage=coverage,
        )


def latest_as_of(cited: list[CitedSource]) -> date | None:
    """The newest data date among the cited sources (what a live answer is "as of")."""
    return max((c.source.as_of for c in cited if c.source.as_of), default=None)


def validate_question(question: str, max_chars: int) -> str:
    """The question stripped, or BadInputError when it is empty or too long."""
    text = (question or "").strip()
    if not text:
        raise BadInputError("the question is empty: ask about a stock, an index, a sector or a document")
    if len(text) > max_chars:
        raise BadInputError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}")
    return text


def validate_as_of(as_of: date | None, today: date | None = None) -> date | None:
    """The analysis date, or BadInputError when it lies after ``today`` (no data exists after it)."""
    # today on the exchange's clock, as the market tools count it: in the New York evening the UTC
    # date is already tomorrow, which has no close yet
    today = today or ExchangeClock().today()
    if as_of is not None and as_of > today:
        raise BadInputError(f"the analysis date {as_of.isoformat()} is in the future (today is {today})")
    return as_of


def final_answer(transcript: list[BaseMessage]) -> str:
    """The text of the agent's last message, or LLMUnavailableError when it is not a usable answer."""
    last = transcript[-1] if transcript else None
    if not isinstance(last, AIMessage):
        raise LLMUnavailableError("the model stopped without answering")
    if last.invalid_tool_calls:
        bad = last.invalid_tool_calls[0]
        raise LLMUnavailableError(
            f"the model returned a malformed tool call ({bad.get('name') or 'unnamed'}: "
            f"{bad.get('error') or 'arguments are not valid JSON'})"
        )
    if not last.text.strip():
        raise LLMUnavailableError("the model returned an empty answer")
    return last.text


def verification_event(
    report: VerificationReport, removed: list[int], repaired: bool, coverage: Coverage | None = None
) -> VerificationEvent:
    return VerificationEvent(
        coverage=coverage,
        summary=report.summary,
        total=report.total,
        verified=len(report.verified),
        unverified=[figure_result(f) for f in report.unverified],
        verified_figures=[figure_result(f) for f in report.verified],
        removed_citations=removed,
        repaired=repaired,
    )


def figure_result(check: FigureCheck) -> FigureResult:
    """A checked figure as clients show it (the badge lists them; unverified ones carry their reason)."""
    return FigureResult(
        text=check.text,
        sentence=check.sentence,
        citations=check.citations,
        matched_fact=check.matched_fact,
        derived_from=check.derived_from,
        formula=check.formula,
        reason=check.reason,
    )


def model_mode(model: BaseChatModel, settings: Settings) -> str:
    """``offline`` for the offline analyst, else the model's name."""
    name = getattr(model, "model_name", None)  # ChatOpenAI and other named models
    if isinstance(name, str) and name:
        return name
    return "offline" if settings.llm_backend == "offline" else settings.model


def as_verity_error(exc: Exception, settings: Settings) -> Exception:
    """Model-side failures as typed errors with a plain message; our own bugs unchanged."""
    if isinstance(exc, VerityError):
        return exc
    import openai
    from langgraph.errors import GraphRecursionError

    if isinstance(exc, GraphRecursionError):
        return LLMUnavailableError(f"the model did not finish within {settings.agent_max_steps} steps")
    if not isinstance(exc, openai.APIError):
        return exc
    where = f"the language model at {settings.openai_base_url or 'api.openai.com'}"
    if isinstance(exc, openai.APITimeoutError):  # before its parent, APIConnectionError
        return LLMUnavailableError(f"{where} did not answer within {settings.llm_timeout:g} s")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError(f"{where} cannot be reached")
    if isinstance(exc, openai.RateLimitError):
        return RateLimitedError(f"{where} is rate-limiting requests; try again shortly")
    if isinstance(exc, openai.AuthenticationError):
        return LLMUnavailableError(f"{where} refused the API key (check OPENAI_API_KEY)")
    if isinstance(exc, openai.APIStatusError):
        return LLMUnavailableError(f"{where} answered HTTP {exc.status_code}")
    return LLMUnavailableError(f"{where} returned a response that cannot be read")

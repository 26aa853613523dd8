"""``Services``: every long-lived part of Verity, built once from settings and shared.

The command line, the web app's startup and (later) the research worker build one ``Services``:
the exchange clock, market data and its symbol resolver, the knowledge base (opened lazily, on the
first document question or upload, and only when the data dir or a Chroma server holds one), the
model registry, the chat service, the stores (a database, or memory for the command line) and, with a
database, the research jobs and their runner (``copilot.jobs``).
Nothing else builds these parts; tests build a ``Services`` from fakes with ``Services.assemble``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from copilot.chat import ChatService
from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.conversations import ConversationStore, InMemoryConversationStore
from copilot.errors import ProviderUnavailableError, VerityError
from copilot.llm import build_chat_model
from copilot.model_registry import ModelFactory, ModelRegistry
from tools.agent_tools import DocumentSearch, MarketTools

if TYPE_CHECKING:
    from copilot.auth import Accounts
    from copilot.jobs import JobRunner
    from copilot.research.deps import ModelRegistry as ResearchModels
    from copilot.research.jobs import ResearchJobs
    from copilot.runs import RunManager
    from copilot.storage.db import Database
    from tools.symbols import SymbolResolver

log = logging.getLogger(__name__)

StorageKind = Literal["database", "memory"]


def has_knowledge_base(settings: Settings) -> bool:
    """True when documents were ingested under the data dir, or a Chroma server is configured."""
    return bool(settings.chroma_url) or (settings.data_dir / "knowledge" / "catalog.sqlite").exists()


class LazyKnowledge:
    """A getter that builds the knowledge base once, on first use; failures are typed and retried."""

    def __init__(self, settings: Settings, resolver: SymbolResolver | None = None) -> None:
        self.settings = settings
        self.resolver = resolver
        self._lock = threading.Lock()
        self._built: Any = None

    @property
    def opened(self) -> bool:
        return self._built is not None

    def __call__(self) -> DocumentSearch:
        with self._lock:
            if self._built is None:
                from copilot.knowledge import build_knowledge_base

                try:
                    self._built = build_knowledge_base(self.settings, self.resolver)
                except VerityError:
                    raise
                except Exception as exc:
                    log.exception("cannot open the knowledge base under %s", self.settings.data_dir)
                    raise ProviderUnavailableError(
                        f"the document index cannot be opened ({type(exc).__name__}: {exc})"
                    ) from exc
            built: DocumentSearch = self._built
            return built


@dataclass
class Services:
    """The parts one process shares; ``database``, ``accounts``, ``runs`` and ``research`` exist with
    a database."""

    settings: Settings
    clock: ExchangeClock
    market: MarketTools
    models: ModelRegistry
    chat: ChatService
    conversations: ConversationStore
    knowledge: LazyKnowledge | None = None
    resolver: SymbolResolver | None = None
    database: Database | None = None
    accounts: Accounts | None = None
    runs: RunManager | None = None
    research: ResearchJobs | None = None

    @classmethod
    def assemble(
        cls,
        settings: Settings,
        market: MarketTools,
        *,
        clock: ExchangeClock | None = None,
        knowledge: LazyKnowledge | None = None,
        model_factory: ModelFactory = build_chat_model,
        database: Database | None = None,
        conversations: ConversationStore | None = None,
        resolver: SymbolResolver | None = None,
        password_hasher: Any = None,
        runner: JobRunner | None = None,
        research_models: ResearchModels | None = None,
    ) -> Services:
        """Services over the given parts (tests pass fakes); stores on ``database`` when given, with
        research jobs handed to ``runner`` (default: the one the settings name)."""
        clock = clock or ExchangeClock()
        models = ModelRegistry(settings, model_factory, resolver=resolver)
        accounts = runs = research = None
        if database is not None:
            from copilot.auth import Accounts
            from copilot.storage.conversations import SqlConversationStore

            conversations = conversations or SqlConversationStore(database)
            accounts = Accounts(database, settings, hasher=password_hasher)
        store = conversations or InMemoryConversationStore()
        chat = ChatService(
            settings, market, knowledge, conversations=store, models=models, clock=clock, resolver=resolver
        )
        if database is not None:
            from copilot.jobs import build_runner
            from copilot.research.deps import models_from
            from copilot.runs import RunManager
            from copilot.storage.runs import RunStore

            runs = RunManager(chat, RunStore(database))
            research = _research_jobs(
                settings,
                market,
                knowledge,
                research_models or models_from(models),
                resolver,
                clock,
                database,
                runner or build_runner(settings),
            )
        return cls(
            settings=settings,
            clock=clock,
            market=market,
            models=models,
            chat=chat,
            conversations=store,
            knowledge=knowledge,
            resolver=resolver,
            database=database,
            accounts=accounts,
            runs=runs,
            research=research,
        )

    async def start(self) -> None:
        """Open the database (migrating it when the settings say so) and start the research jobs."""
        if self.database is not None:
            await self.database.start(migrate=self.settings.migrate_on_start)
        if self.research is not None:
            await self.research.start()

    async def aclose(self) -> None:
        """Stop running turns and reports (reports go back to the queue) and close the database."""
        if self.research is not None:
            await self.research.aclose()
        if self.runs is not None:
            await self.runs.shutdown()
        if self.database is not None:
            await self.database.close()


def settle_process() -> None:
    """Load what a long-running process keeps (the name-reading tables: a spelling dictionary and
    fuzzy names, about 0.2 s), then move everything alive into the collector's permanent generation
    (``gc.freeze``): a full collection no longer walks these objects, so it stops pausing a chat
    turn or a report's assembly for 100+ ms (measured by ``bench/bench_research.py``)."""
    import gc

    from copilot.understanding.names import warm

    warm()
    gc.collect()
    gc.freeze()


def _research_jobs(
    settings: Settings,
    market: MarketTools,
    knowledge: LazyKnowledge | None,
    models: ResearchModels,
    resolver: SymbolResolver | None,
    clock: ExchangeClock,
    database: Database,
    runner: JobRunner,
) -> ResearchJobs:
    """Research jobs over the shared parts: the chat's market data, documents and models."""
    from copilot.research.deps import ResearchDeps
    from copilot.research.jobs import ResearchJobs
    from copilot.research.tools import ResearchMarket
    from copilot.storage.research import ResearchJobStore

    deps = ResearchDeps(
        market=cast(ResearchMarket, market),  # MarketData (and the test fakes) have bars for charts
        settings=settings,
        knowledge=knowledge,
        models=models,
        resolver=resolver,
        today=clock.today,
    )
    return ResearchJobs(ResearchJobStore(database), deps, runner)


def build_services(
    settings: Settings,
    storage: StorageKind = "database",
    model_factory: ModelFactory = build_chat_model,
) -> Services:
    """The services the settings describe: market data, knowledge base (when present), models, stores."""
    from tools.market import MarketData, build_market_data
    from tools.symbols import SymbolResolver

    built = build_market_data(settings)
    clock = ExchangeClock(fixed=None, stops=getattr(built.provider, "last_session", None))
    resolver = SymbolResolver(search=built.provider.search)
    market = MarketData(built.provider, resolver, today=clock.today)
    # the server always has a knowledge base (an upload creates it); the command line only when one exists
    present = storage == "database" or has_knowledge_base(settings)
    knowledge = LazyKnowledge(settings, resolver) if present else None
    database = None
    if storage == "database":
        from copilot.storage.db import Database

        database = Database(settings)
    return Services.assemble(
        settings,
        market,
        clock=clock,
        knowledge=knowledge,
        model_factory=model_factory,
        database=database,
        resolver=resolver,
    )


def build_chat_service(
    settings: Settings,
    conversations: ConversationStore | None = None,
    model_factory: ModelFactory = build_chat_model,
) -> ChatService:
    """The ChatService of in-memory services (the command line's ``verity ask`` and ``verity chat``)."""
    services = build_services(settings, storage="memory", model_factory=model_factory)
    if conversations is not None:
        services.chat.conversations = conversations
    return services.chat

"""Wiring: the ChatService the CLI and the web app use, built from settings.

The knowledge base is opened lazily, on the first document question, and only when the data dir
(or a Chroma server) holds one: a question about prices never pays for loading embeddings, and a
broken index becomes a clear error from ``search_documents`` while the market tools keep working.
"""

from __future__ import annotations

import logging
import threading

from copilot.chat import ChatService, ModelFactory
from copilot.config import Settings
from copilot.conversations import ConversationStore
from copilot.errors import ProviderUnavailableError, VerityError
from copilot.llm import build_chat_model
from tools.agent_tools import DocumentSearch, KnowledgeGetter

log = logging.getLogger(__name__)


def has_knowledge_base(settings: Settings) -> bool:
    """True when documents were ingested under the data dir, or a Chroma server is configured."""
    return bool(settings.chroma_url) or (settings.data_dir / "knowledge" / "catalog.sqlite").exists()


def lazy_knowledge(settings: Settings) -> KnowledgeGetter:
    """A getter that builds the knowledge base once, on first use; failures are typed and retried."""
    lock = threading.Lock()
    built: list[DocumentSearch] = []

    def get() -> DocumentSearch:
        with lock:
            if not built:
                from copilot.knowledge import build_knowledge_base

                try:
                    built.append(build_knowledge_base(settings))
                except VerityError:
                    raise
                except Exception as exc:
                    log.exception("cannot open the knowledge base under %s", settings.data_dir)
                    raise ProviderUnavailableError(
                        f"the document index cannot be opened ({type(exc).__name__}: {exc})"
                    ) from exc
            return built[0]

    return get


def build_chat_service(
    settings: Settings,
    conversations: ConversationStore | None = None,
    model_factory: ModelFactory = build_chat_model,
) -> ChatService:
    """The ChatService the settings describe: market data, knowledge base (when present), model."""
    from tools.market import build_market_data

    knowledge = lazy_knowledge(settings) if has_knowledge_base(settings) else None
    return ChatService(
        settings,
        build_market_data(settings),
        knowledge=knowledge,
        model_factory=model_factory,
        conversations=conversations,
    )

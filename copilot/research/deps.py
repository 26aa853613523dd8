"""What a research run is asked (``ResearchRequest``) and what it runs on (``ResearchDeps``).

Models a request may name: ``verity`` (the configured LLM; the deterministic research writer when
no LLM is configured, as the chat falls back to the offline analyst) and ``verity-offline`` (the
deterministic writer, always). The registry is a seam: tests and the job runner pass their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel

from copilot.config import Settings
from copilot.errors import BadInputError
from copilot.model_registry import ModelRegistry as ChatModels
from copilot.research.tools import ResearchMarket
from copilot.schemas import utc_now
from tools.agent_tools import KnowledgeGetter
from tools.symbols import SymbolResolver

MODEL_LLM = "verity"
MODEL_OFFLINE = "verity-offline"
RESEARCH_MODELS = (MODEL_LLM, MODEL_OFFLINE)
OFFLINE_MODE = "offline research"
MAX_TOPIC_CHARS = 500


class ResearchRequest(BaseModel):
    """One report to write: its topic, analysis date, model name and owner."""

    topic: str  # checked when the run starts (BadInputError): empty, or over MAX_TOPIC_CHARS
    as_of: date | None = None  # None: the settings' VERITY_AS_OF, else today on the market's clock
    model: str = MODEL_LLM
    owner: str | None = None
    report_id: str | None = None  # the job's id, when a job runner created it


# name -> a chat model, or None for the deterministic writer; BadInputError for an unknown name
ModelRegistry = Callable[[str], BaseChatModel | None]


def default_models(settings: Settings) -> ModelRegistry:
    """``verity`` -> the configured LLM (None when offline); ``verity-offline`` -> None."""

    def pick(name: str) -> BaseChatModel | None:
        if name == MODEL_OFFLINE or (name == MODEL_LLM and settings.llm_backend == "offline"):
            return None
        if name == MODEL_LLM:
            from copilot.llm import build_chat_model

            return build_chat_model(settings)
        raise BadInputError(f"unknown research model {name!r}: use {' or '.join(RESEARCH_MODELS)}")

    return pick


def models_from(registry: ChatModels) -> ModelRegistry:
    """The research models over the chat's registry (a server's): ``verity`` is its default model,
    or the deterministic writer when that default is the offline analyst."""

    def pick(name: str) -> BaseChatModel | None:
        if name == MODEL_OFFLINE:
            return None
        if name == MODEL_LLM:
            offline = next((m.offline for m in registry.describe() if m.id == MODEL_LLM), True)
            return None if offline else registry.get(MODEL_LLM)
        raise BadInputError(f"unknown research model {name!r}: use {' or '.join(RESEARCH_MODELS)}")

    return pick


def model_name(model: BaseChatModel | None, settings: Settings) -> str:
    """What the report calls the writer: ``offline research`` or the model's own name."""
    if model is None:
        return OFFLINE_MODE
    name = getattr(model, "model_name", None) or getattr(model, "model", None)
    return name if isinstance(name, str) and name else settings.model


def _today() -> date:
    from tools.market import market_today

    return market_today()


@dataclass
class ResearchDeps:
    """Everything a run needs, built once and shared by the CLI, a job worker and tests."""

    market: ResearchMarket
    settings: Settings
    knowledge: KnowledgeGetter | None = None
    models: ModelRegistry | None = None  # None: default_models(settings)
    resolver: SymbolResolver | None = None  # None: the market's own, else the curated table
    today: Callable[[], date] = _today  # the market's date, for a request without as_of
    now: Callable[[], datetime] = utc_now  # the report's creation time
    timer: Callable[[], float] = time.perf_counter  # step durations

    def registry(self) -> ModelRegistry:
        return self.models or default_models(self.settings)

    def symbol_resolver(self) -> SymbolResolver:
        if self.resolver is not None:
            return self.resolver
        own = getattr(self.market, "resolver", None)
        return own if isinstance(own, SymbolResolver) else SymbolResolver()


def build_research_deps(settings: Settings) -> ResearchDeps:
    """The deps the settings describe: market data, the knowledge base when one exists, models."""
    from copilot.services import LazyKnowledge, has_knowledge_base
    from tools.market import build_market_data

    market = build_market_data(settings)
    knowledge = LazyKnowledge(settings, market.resolver) if has_knowledge_base(settings) else None
    return ResearchDeps(market=market, settings=settings, knowledge=knowledge, resolver=market.resolver)

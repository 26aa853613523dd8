"""The model registry: which ``model`` names a request may pick, each chat model built once.

``verity`` is the configured default (the OpenAI-compatible endpoint when one is set, else the
offline analyst); ``verity-offline`` is always the offline analyst, so an API client can ask for
reproducible, key-free answers whatever the server is configured with. Models are built on first
use and kept: a request never pays for building one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from copilot.config import Settings
from copilot.errors import BadInputError
from copilot.llm import build_chat_model

ModelFactory = Callable[[Settings], BaseChatModel]

DEFAULT_MODEL = "verity"
OFFLINE_MODEL = "verity-offline"


def build_offline_model(settings: Settings) -> BaseChatModel:
    """The offline analyst, whatever the settings select."""
    from copilot.offline import OfflineAnalyst

    return OfflineAnalyst()


@dataclass(frozen=True)
class ModelInfo:
    """A model as ``GET /v1/models`` and ``/api/models`` list it."""

    id: str
    description: str
    offline: bool


class ModelRegistry:
    """Model names -> chat models, built lazily once each; thread-safe."""

    def __init__(
        self,
        settings: Settings,
        default_factory: ModelFactory = build_chat_model,
        resolver: object | None = None,
    ) -> None:
        self.settings = settings
        self.resolver = resolver  # the one SymbolResolver, handed to the offline analyst
        self._factories: dict[str, ModelFactory] = {
            DEFAULT_MODEL: default_factory,
            OFFLINE_MODEL: build_offline_model,
        }
        offline_default = settings.llm_backend == "offline" and default_factory is build_chat_model
        self._info = {
            DEFAULT_MODEL: ModelInfo(
                DEFAULT_MODEL,
                "the offline analyst" if offline_default else f"{settings.model} with verified tools",
                offline_default,
            ),
            OFFLINE_MODEL: ModelInfo(OFFLINE_MODEL, "the offline analyst (no key, deterministic)", True),
        }
        self._built: dict[str, BaseChatModel] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return list(self._factories)

    def describe(self) -> list[ModelInfo]:
        return [self._info[name] for name in self._factories]

    def check(self, name: str | None) -> str:
        """The model name a request asked for (the default when None), or BadInputError."""
        chosen = name or DEFAULT_MODEL
        if chosen not in self._factories:
            raise BadInputError(f"unknown model {chosen!r}: choose one of {', '.join(self._factories)}")
        return chosen

    def get(self, name: str | None = None) -> BaseChatModel:
        """The chat model of that name, built on first use."""
        chosen = self.check(name)
        with self._lock:
            if chosen not in self._built:
                model = self._factories[chosen](self.settings)
                if self.resolver is not None and getattr(model, "resolver", False) is None:
                    model = model.model_copy(update={"resolver": self.resolver})
                self._built[chosen] = model
            return self._built[chosen]

"""The model factory: the only place a chat model is built.

``openai`` -> langchain-openai ``ChatOpenAI`` (OpenAI or any OpenAI-compatible server: Ollama,
vLLM, llama.cpp server); ``offline`` -> the deterministic ``OfflineAnalyst`` that ships with
Verity and needs no key and no service.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from copilot.config import Settings

# Local OpenAI-compatible servers accept any key, but the client refuses to start without one.
_PLACEHOLDER_KEY = "not-needed"
# Retries multiply the turn timeout; one retry rides out a blip without hiding an outage.
_MAX_RETRIES = 1


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings select (``settings.llm_backend``)."""
    if settings.llm_backend == "openai":
        return _build_openai(settings)
    from copilot.offline import OfflineAnalyst

    return OfflineAnalyst()


def _build_openai(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    api_key = settings.openai_api_key or _PLACEHOLDER_KEY
    return ChatOpenAI(
        model=settings.model,
        api_key=SecretStr(api_key),
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=_MAX_RETRIES,
        streaming=True,
    )


def model_label(settings: Settings) -> str:
    """What the UI and API call the model: ``offline mode`` or the configured model name."""
    if settings.llm_backend == "openai":
        return settings.model
    return "offline mode"

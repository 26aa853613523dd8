"""Embedding functions registered with Chroma (its default one downloads a model and fails offline).

``default``/``wordllama``: WordLlama, whose weights ship inside its PyPI wheel (no network).
``openai:MODEL`` and ``st:MODEL``: Chroma's OpenAI and sentence-transformers functions, for scale.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from copilot.config import Settings
from copilot.errors import ConfigError


@lru_cache(maxsize=4)
def _wordllama(dim: int) -> Any:
    import wordllama

    # the wheel ships its weights and tokenizer: point the cache there and forbid downloads
    package_dir = Path(wordllama.__file__).resolve().parent
    return wordllama.WordLlama.load(cache_dir=package_dir, dim=dim, disable_download=True)


@register_embedding_function
class WordLlamaEmbeddingFunction(EmbeddingFunction[Documents]):
    """WordLlama static token embeddings (256 dims): thousands of chunks per second on a CPU."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        vectors = _wordllama(self.dim).embed(list(input), norm=True)
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "verity_wordllama"

    def default_space(self) -> Any:
        return "cosine"

    def supported_spaces(self) -> Any:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> WordLlamaEmbeddingFunction:
        return WordLlamaEmbeddingFunction(dim=int(config.get("dim", 256)))

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}


def build_embedding_function(settings: Settings) -> EmbeddingFunction[Documents]:
    """The embedding function the settings name (``VERITY_EMBEDDINGS``)."""
    choice = settings.embeddings
    if choice in ("default", "wordllama"):
        return WordLlamaEmbeddingFunction()
    if choice.startswith("openai:"):
        from chromadb.utils.embedding_functions import OpenAIEmbeddingFunction

        if not settings.openai_api_key:
            raise ConfigError("VERITY_EMBEDDINGS=openai:MODEL needs OPENAI_API_KEY")
        return OpenAIEmbeddingFunction(
            api_key=settings.openai_api_key,
            model_name=choice.split(":", 1)[1],
            api_base=settings.openai_base_url,
        )
    if choice.startswith("st:"):
        from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

        try:
            return SentenceTransformerEmbeddingFunction(model_name=choice.split(":", 1)[1])
        except ValueError as exc:  # Chroma's way of saying the package is missing
            raise ConfigError(f"VERITY_EMBEDDINGS={choice!r}: {exc}") from exc
    raise ConfigError(
        f"VERITY_EMBEDDINGS={choice!r} is not available: use default, wordllama, openai:MODEL or st:MODEL"
    )

"""The store: a Chroma server that cannot be reached is a typed error; changes made by another
process (another KnowledgeBase on the same data dir) are seen by the next search."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.errors import ConfigError, ProviderUnavailableError
from copilot.knowledge import KnowledgeBase, build_knowledge_base
from copilot.knowledge.tagging import MentionFinder


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_chroma_server_is_provider_unavailable(settings: Settings) -> None:
    remote = Settings(**{**settings.model_dump(), "chroma_url": f"http://127.0.0.1:{_closed_port()}"})
    with pytest.raises(ProviderUnavailableError) as error:
        build_knowledge_base(remote)
    assert error.value.provider == "chroma"


def test_changes_from_another_instance_are_seen(
    kb: KnowledgeBase, settings: Settings, tmp_path: Path
) -> None:
    assert kb.search("Broadcom networking revenue") == []
    other = build_knowledge_base(settings)
    (tmp_path / "memo.txt").write_text("Broadcom networking revenue doubled on AI demand.")
    other.add([tmp_path / "memo.txt"])
    assert [p.source.title for p in kb.search("Broadcom networking revenue")] == ["memo"]


def test_chunks_are_tagged_by_the_one_resolver_over_the_lexicon() -> None:
    from tools.symbols import SymbolResolver

    finder = MentionFinder(SymbolResolver().find_mentions)
    assert finder("Nvidia rose while the S&P 500 fell") == ["NVDA", "^GSPC"]
    assert finder("a meta-analysis of the apple harvest") == []  # lower-case words are not companies


# Chroma's OpenAI function warns that a key passed directly is not persisted: we always pass it again
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_other_embeddings_on_an_existing_store_is_a_config_error(
    kb: KnowledgeBase, settings: Settings
) -> None:
    other = Settings(
        **{
            **settings.model_dump(),
            "embeddings": "openai:text-embedding-3-small",
            "openai_api_key": "sk-test",
        }
    )
    with pytest.raises(ConfigError, match="other embeddings"):
        build_knowledge_base(other)


def test_sentence_transformers_without_the_package_is_a_config_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="sentence_transformers"):
        build_knowledge_base(Settings(**{**settings.model_dump(), "embeddings": "st:all-MiniLM-L6-v2"}))

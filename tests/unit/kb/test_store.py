"""The store: a Chroma server that cannot be reached is a typed error; changes made by another
process (another KnowledgeBase on the same data dir) are seen by the next search."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.errors import ProviderUnavailableError
from copilot.knowledge import KnowledgeBase, build_knowledge_base
from copilot.knowledge.tagging import MentionFinder
from tools.symbols import Mention


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


def test_resolver_mentions_are_merged_with_the_built_in_table() -> None:
    def resolver(text: str) -> list[Mention]:
        start = text.index("S&P 500")
        return [Mention("S&P 500", start, start + 7, "^GSPC", "S&P 500")]

    finder = MentionFinder(resolver)
    assert finder("Nvidia rose while the S&P 500 fell") == ["NVDA", "^GSPC"]

"""The knowledge base: ingest dated analysis documents, search them (vectors + BM25), cite passages.

``Passage`` and ``render_passage`` import nothing heavy; ``KnowledgeBase`` and
``build_knowledge_base`` (Chroma, WordLlama) are imported on first use. See docs/knowledge-base.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from copilot.knowledge.passages import Passage, render_passage

if TYPE_CHECKING:
    from copilot.knowledge.catalog import DocumentRecord
    from copilot.knowledge.knowledge_base import KnowledgeBase, build_knowledge_base
    from copilot.knowledge.report import IngestFailure, IngestReport

__all__ = [
    "DocumentRecord",
    "IngestFailure",
    "IngestReport",
    "KnowledgeBase",
    "Passage",
    "build_knowledge_base",
    "render_passage",
]

_LAZY = {
    "DocumentRecord": "copilot.knowledge.catalog",
    "IngestFailure": "copilot.knowledge.report",
    "IngestReport": "copilot.knowledge.report",
    "KnowledgeBase": "copilot.knowledge.knowledge_base",
    "build_knowledge_base": "copilot.knowledge.knowledge_base",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

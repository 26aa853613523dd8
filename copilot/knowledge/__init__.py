"""The knowledge base: ingest analysis documents, search them (vectors + BM25), cite passages."""

from copilot.knowledge.ingest import IngestFailure, IngestReport
from copilot.knowledge.knowledge_base import KnowledgeBase, build_knowledge_base
from copilot.knowledge.passages import Passage, render_passage

__all__ = [
    "IngestFailure",
    "IngestReport",
    "KnowledgeBase",
    "Passage",
    "build_knowledge_base",
    "render_passage",
]

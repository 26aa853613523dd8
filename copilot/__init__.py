"""Verity's core: settings, errors, schemas, LLM factory, agent, citations, verification, chat."""

__version__ = "0.1.0"

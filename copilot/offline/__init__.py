"""The offline analyst: a deterministic LangChain chat model that needs no key and no service."""

from copilot.offline.analyst import OFFLINE_MODEL_TYPE, OfflineAnalyst

__all__ = ["OFFLINE_MODEL_TYPE", "OfflineAnalyst"]

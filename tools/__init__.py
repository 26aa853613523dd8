"""Verified market data: providers, cache, symbol resolution, metrics and the agent's tools."""

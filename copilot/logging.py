"""Logging setup: one call at process start (CLI or web)."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr with a compact format; quiet chatty third-party loggers."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "chromadb", "urllib3", "peewee"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # yfinance logs each failed download as ERROR; the provider already turns the same failure into a
    # typed error with the symbol and reason, which is what the user sees
    logging.getLogger("yfinance").setLevel(logging.CRITICAL)

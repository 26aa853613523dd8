"""Shared fixtures: the real data folder, settings on a temporary data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from copilot.config import Settings

SHARED_DATA = Path(
    os.environ.get("VERITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only real data (prices, fundamentals, Yahoo wire, corpus, QA)."""
    assert (SHARED_DATA / "prices").is_dir(), f"real test data not found at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh temporary data dir, offline LLM, nothing from the environment."""
    return Settings(
        data_dir=tmp_path / "verity",
        shared_data=SHARED_DATA,
        market_data="yfinance",
        llm="offline",
        _env_file=None,  # type: ignore[call-arg]
    )

"""Real data for the research tests: one snapshot imported from the shared files and one knowledge
base holding the FOMC statements of 2025-2026, built once per session in a temporary directory."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from copilot.config import Settings
from copilot.research import ResearchDeps
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

SOURCES = ("prices", "fundamentals", "corpus/sec_filings/index.csv")
FED_FILE = "corpus/fed_fomc_communications_2020_2026.jsonl.gz"


@dataclass
class RealData:
    settings: Settings
    market: MarketData
    knowledge: Any

    def deps(self, models: Any = None) -> ResearchDeps:
        kb = self.knowledge
        return ResearchDeps(market=self.market, settings=self.settings, knowledge=lambda: kb, models=models)


def fomc_statements(shared_data: Path, dest: Path) -> Path:
    """The FOMC statements since 2025 as a small JSONL corpus (ingested in a second or two)."""
    with gzip.open(shared_data / FED_FILE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    path = dest / "fomc_statements_2025_2026.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in rows if r["kind"] == "statement" and r["date"] >= "2025")
    return path


@pytest.fixture(scope="session")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> RealData:
    from copilot.knowledge import build_knowledge_base

    root = tmp_path_factory.mktemp("research_real")
    snapshot = root / "snapshot"
    import_snapshot([shared_data / name for name in SOURCES], snapshot)
    settings = Settings(
        data_dir=root / "verity",
        shared_data=shared_data,
        market_data=f"snapshot:{snapshot}",
        llm="offline",
        _env_file=None,  # type: ignore[call-arg]
    )
    knowledge = build_knowledge_base(settings)
    knowledge.add([fomc_statements(shared_data, root)])
    return RealData(settings, MarketData(SnapshotProvider(snapshot)), knowledge)

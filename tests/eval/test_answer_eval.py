"""Answer eval: the offline analyst through the real ChatService over the real data, scored.

Questions (tests/eval/questions.jsonl) cover every intent with several phrasings, follow-ups and
combinations; expected figures are recomputed here with plain pandas/TA-Lib on the shared CSVs,
read from the recorded Yahoo valuation CSV or the Fed statement text, or published (the seed's
^RUT YTD +5.73% on 2026-01-09). The snapshot is imported from the shared price and valuation files
and the knowledge base holds the 2025-2026 FOMC statements, both in a temporary directory. The
offline analyst must reach 100% figure accuracy, 100% verification and valid citations.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from copilot.chat import ChatService
from copilot.config import Settings
from copilot.evaluation import EvalCase, EvalReport, ExpectedFigure, run_eval
from copilot.knowledge import build_knowledge_base
from tests.eval.reference import Reference, expected_figures
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

pytestmark = pytest.mark.eval

QUESTIONS = Path(__file__).with_name("questions.jsonl")
# The price files the eval dates read (given in the importer's order: later files win) and the
# recorded Yahoo valuation snapshot.
PRICE_FILES = (
    "prices/indices_daily_2016_2026.csv.gz",
    "prices/us_large_caps_daily_2016_2026.csv.gz",
    "prices/yahoo_etfs_indices_daily_to_2026-02.csv.gz",
    "fundamentals/yahoo_quotesummary_valuation_snapshot_2025.csv",
)
FED_FILE = "corpus/fed_fomc_communications_2020_2026.jsonl.gz"


def load_specs() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


SPECS = load_specs()


def fed_statements(shared_data: Path, dest: Path) -> Path:
    """The FOMC statements of 2025-2026 as a small JSONL corpus (keeps ingestion to a second or two)."""
    with gzip.open(shared_data / FED_FILE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    keep = [r for r in rows if r["kind"] == "statement" and r["date"] >= "2025-01-01"]
    path = dest / "fomc_statements_2025_2026.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in keep)
    return path


def eval_cases(reference: Reference) -> list[EvalCase]:
    cases = []
    for spec in SPECS:
        as_of = date.fromisoformat(spec["as_of"])
        expected = [e for item in spec["expect"] for e in expected_figures(reference, item, as_of)]
        cases.append(
            EvalCase(
                id=spec["id"],
                question=spec["question"],
                as_of=as_of,
                conversation=spec.get("conversation", []),
                expected=[ExpectedFigure(**e.as_dict()) for e in expected],
            )
        )
    return cases


@pytest.fixture(scope="module")
def report(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    """Every question through ChatService with the offline analyst (run once for the module)."""
    root = tmp_path_factory.mktemp("answer_eval")
    snapshot = root / "snapshot"
    import_snapshot([shared_data / name for name in PRICE_FILES], snapshot)
    settings = Settings(
        data_dir=root / "verity",
        shared_data=shared_data,
        market_data=f"snapshot:{snapshot}",
        llm="offline",
        _env_file=None,
    )
    knowledge = build_knowledge_base(settings)
    knowledge.add([fed_statements(shared_data, root)])
    service = ChatService(settings, MarketData(SnapshotProvider(snapshot)), knowledge)
    return asyncio.run(run_eval(eval_cases(Reference(shared_data)), service.run_turn))


def test_the_eval_set_is_broad_enough() -> None:
    ids = [spec["id"] for spec in SPECS]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    prefixes = {i.split("-")[0] for i in ids}
    assert {
        "perf",
        "quote",
        "valuation",
        "tech",
        "sectors",
        "docs",
        "followup",
        "combined",
        "honest",
    } <= prefixes
    assert sum(1 for spec in SPECS if spec.get("conversation")) >= 6


def test_offline_analyst_scores_full_marks(report: EvalReport) -> None:
    failed = {
        c.id: (c.error, [m.model_dump() for m in c.missing], c.answer) for c in report.cases if not c.passed
    }
    assert failed == {}
    assert report.figure_accuracy == 1.0
    assert report.verification_rate == 1.0
    assert report.citation_validity == 1.0
    assert sum(c.expected for c in report.cases) >= 60


@pytest.mark.parametrize("spec", SPECS, ids=[s["id"] for s in SPECS])
def test_each_answer(report: EvalReport, spec: dict[str, Any]) -> None:
    case = next(c for c in report.cases if c.id == spec["id"])
    assert case.error is None, case.error
    assert case.found == case.expected, [m.model_dump() for m in case.missing]
    # every figure in the answer is verified against the source it cites
    assert case.figures_verified == case.figures_total, case.answer
    assert case.reported_verification == f"{case.figures_total}/{case.figures_total} verified"
    for text in spec.get("answer_contains", []):
        assert text in case.answer
    if spec["expect"]:
        assert case.figures_total >= len(spec["expect"])
        # the answer states the date its data is as of (market close, valuation or statement date)
        assert re.search(r"\b20\d\d-\d\d-\d\d\b", case.answer), case.answer
    if spec["id"].startswith("honest"):
        assert "[" not in case.answer  # nothing to cite: no figure, no source

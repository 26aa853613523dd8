"""Run the typed set through the real ChatService and score it (used by the test and by hand).

``python -m tests.eval.typed.harness [ID_PREFIX ...]`` prints every failing case with its answer.
The service runs the offline analyst over a snapshot of the shared prices and fundamentals and a
knowledge base of the Fed's communications, speeches and the SEC filings, all in a temporary dir.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from copilot.chat import ChatService
from copilot.config import Settings
from copilot.evaluation import EvalCase, run_case
from copilot.knowledge import build_knowledge_base
from tests.eval.typed.reference import TypedReference, expected_figures
from tests.eval.typed.scoring import CaseScore, covers, declined, expected
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

QUESTIONS = Path(__file__).with_name("questions.jsonl")
SNAPSHOT_SOURCES = ("prices", "fundamentals", "corpus/sec_filings/index.csv")
CORPUS = (
    "corpus/fed_fomc_communications_2020_2026.jsonl.gz",
    "corpus/fed_speeches_2025_2026.jsonl.gz",
    "corpus/sec_filings",
)


def load_specs() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_service(shared_data: Path, root: Path) -> ChatService:
    """The offline ChatService over a fresh snapshot and knowledge base under ``root``."""
    snapshot = root / "snapshot"
    import_snapshot([shared_data / name for name in SNAPSHOT_SOURCES], snapshot)
    settings = Settings(
        data_dir=root / "verity",
        shared_data=shared_data,
        market_data=f"snapshot:{snapshot}",
        llm="offline",
        _env_file=None,  # type: ignore[call-arg]
    )
    knowledge = build_knowledge_base(settings)
    knowledge.add([shared_data / name for name in CORPUS])
    return ChatService(settings, MarketData(SnapshotProvider(snapshot)), knowledge)


async def score_case(spec: dict[str, Any], service: ChatService, reference: TypedReference) -> CaseScore:
    """Ask the case (with its conversation) and judge figures, parts covered and declines."""
    as_of = date.fromisoformat(spec["as_of"])
    figures = [f for item in spec.get("expect", []) for f in expected_figures(item, as_of, reference)]
    case = EvalCase(
        id=spec["id"],
        question=spec["question"],
        as_of=as_of,
        conversation=spec.get("conversation", []),
        expected=expected(figures),
    )
    result = await run_case(case, service.run_turn)
    score = CaseScore(id=spec["id"], answer=result.answer, error=result.error)
    if result.error is not None:
        return score
    score.missing_figures = [m.model_dump() for m in result.missing]
    score.unverified = result.figures_total - result.figures_verified
    cited = [source for _, source in result.sources]
    score.uncovered = [
        item for item in spec.get("cover", []) if not covers(item, cited, result.answer, as_of)
    ]
    if spec.get("decline") == "no_data":  # what the record does not hold is covered by saying so
        score.uncovered = [item for item in score.uncovered if not declined(item, result.answer)]
    if spec.get("decline"):
        score.declined_ok = any(item["measure"] == "unsupported" for item in spec.get("cover", [])) or bool(
            covers({"measure": "unsupported"}, cited, result.answer, as_of)
        )
    if result.coverage is not None:
        score.coverage_summary = str(result.coverage.get("summary", ""))
        parts = result.coverage.get("parts", [])
        score.coverage_complete = all(p.get("status") == "covered" for p in parts)
    return score


async def score_all(
    specs: Sequence[dict[str, Any]], service: ChatService, reference: TypedReference
) -> list[CaseScore]:
    return [await score_case(spec, service, reference) for spec in specs]


def main(prefixes: Sequence[str]) -> int:
    shared = Path(__file__).resolve().parents[4] / "shared" / "data"
    specs = [s for s in load_specs() if not prefixes or any(s["id"].startswith(p) for p in prefixes)]
    with tempfile.TemporaryDirectory() as tmp:
        service = build_service(shared, Path(tmp))
        scores = asyncio.run(score_all(specs, service, TypedReference(shared)))
    failed = [s for s in scores if not s.passed]
    for score in failed:
        spec = next(s for s in specs if s["id"] == score.id)
        print(f"--- {score.id} [{spec['as_of']}] {spec.get('conversation', [])} {spec['question']}")
        print(f"    error={score.error} missing={score.missing_figures} uncovered={score.uncovered}")
        print(
            f"    declined_ok={score.declined_ok} unverified={score.unverified} "
            f"coverage={score.coverage_summary}"
        )
        print("    " + score.answer.replace("\n", "\n    "))
    print(f"passed {len(scores) - len(failed)} of {len(scores)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

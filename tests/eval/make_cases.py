"""Write questions.jsonl as `verity eval` cases, with expected figures recomputed from the shared CSVs.

    .venv/bin/python tests/eval/make_cases.py /tmp/answer_cases.jsonl
    VERITY_MARKET_DATA=snapshot:DIR .venv/bin/verity eval /tmp/answer_cases.jsonl

Each line is an ``EvalCase`` (id, question, as_of, conversation, expected figures).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.eval.reference import Reference, expected_figures

QUESTIONS = Path(__file__).with_name("questions.jsonl")


def main(out: Path, shared_data: Path) -> int:
    reference = Reference(shared_data)
    lines = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        spec = json.loads(line)
        as_of = date.fromisoformat(spec["as_of"])
        expected = [e.as_dict() for item in spec["expect"] for e in expected_figures(reference, item, as_of)]
        case = {
            "id": spec["id"],
            "question": spec["question"],
            "as_of": spec["as_of"],
            "conversation": spec.get("conversation", []),
            "expected": expected,
        }
        lines.append(json.dumps(case))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cases to {out}")
    return 0


if __name__ == "__main__":
    default_data = Path(__file__).resolve().parents[3] / "shared" / "data"
    data = Path(os.environ.get("VERITY_SHARED_DATA", default_data))
    raise SystemExit(main(Path(sys.argv[1]), data))

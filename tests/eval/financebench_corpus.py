"""FinanceBench retrieval eval helpers: the corpus (evidence pages + distractors), hits and metrics.

Shared by tests/eval/test_financebench_retrieval.py and bench/bench_kb.py. A hit is a retrieved
passage from the evidence page: the same document name (title) and page number, or a passage whose
text shares at least 300 consecutive characters (or half of it, if shorter) with the evidence text,
whitespace-normalised.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from copilot.knowledge import Passage

PAGES_PUBLISHER = "FinanceBench evidence pages"
OVERLAP_CHARS = 300  # or half the evidence text, when that is shorter


@dataclass(frozen=True)
class Question:
    """One FinanceBench question and where its evidence is (doc name, page, text)."""

    id: str
    text: str
    evidence: tuple[tuple[str, int, str], ...]


def load_questions(shared_data: Path) -> list[Question]:
    """The 150 open-source FinanceBench questions with their evidence pages."""
    path = shared_data / "qa" / "financebench_open_source.jsonl.gz"
    questions = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            evidence = tuple(
                (e["doc_name"], int(e["evidence_page_num"]), e["evidence_text"]) for e in row["evidence"]
            )
            questions.append(Question(row["financebench_id"], row["question"], evidence))
    return questions


def write_evidence_pages(shared_data: Path, dest: Path) -> int:
    """Write every distinct evidence page as a JSONL record (title = doc name, page = its number)."""
    path = shared_data / "qa" / "financebench_open_source.jsonl.gz"
    seen: set[tuple[str, int]] = set()
    texts: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as handle, dest.open("w", encoding="utf-8") as out:
        for line in handle:
            for e in json.loads(line)["evidence"]:
                key = (e["doc_name"], int(e["evidence_page_num"]))
                page_text = e["evidence_text_full_page"]
                if key in seen or page_text in texts:
                    continue
                seen.add(key)
                texts.add(page_text)
                record = {
                    "id": f"{key[0]}_p{key[1]}",
                    "title": key[0],
                    "source": PAGES_PUBLISHER,
                    "page": key[1],
                    "text": page_text,
                }
                out.write(json.dumps(record) + "\n")
    return len(seen)


def corpus_paths(shared_data: Path, pages_file: Path) -> list[Path]:
    """What the eval ingests: the evidence pages and all of shared/data/corpus as distractors."""
    return [pages_file, shared_data / "corpus"]


def _normalised(text: str) -> str:
    return " ".join(text.split())


def is_hit(passage: Passage, question: Question) -> bool:
    """Does the passage come from one of the question's evidence pages (or quote a good part of it)?"""
    content = _normalised(passage.content)
    for doc_name, page, evidence_text in question.evidence:
        if passage.source.title == doc_name and passage.source.page == page:
            return True
        # overlap must be substantial: page headers ("Table of Contents <Company> Consolidated ...")
        # repeat across the pages of a filing and would count other pages as hits
        evidence = _normalised(evidence_text)
        window = min(OVERLAP_CHARS, len(evidence) // 2)
        if window < 40:
            continue
        step = max(1, window // 4)
        if any(evidence[i : i + window] in content for i in range(0, len(evidence) - window + 1, step)):
            return True
    return False


@dataclass(frozen=True)
class Metrics:
    """recall@1/5/10 and MRR@10 over a question set."""

    recall_1: float
    recall_5: float
    recall_10: float
    mrr: float


def evaluate(questions: Sequence[Question], search: Callable[[str], list[Passage]]) -> Metrics:
    """Run every question through search (top 10) and score the ranks of the first hit."""
    ranks: list[int | None] = []
    for question in questions:
        passages = search(question.text)
        ranks.append(next((n for n, p in enumerate(passages, 1) if is_hit(p, question)), None))
    count = len(questions)

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / count

    mrr = sum(1.0 / r for r in ranks if r is not None) / count
    return Metrics(recall(1), recall(5), recall(10), mrr)

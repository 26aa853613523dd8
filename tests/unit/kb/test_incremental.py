"""The incremental lexical index: its scores are bm25s's on the same terms, and after adds and removes
(in this process or another) search results equal those of a full rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np
import pytest

from copilot.config import Settings
from copilot.knowledge import KnowledgeBase, build_knowledge_base
from copilot.knowledge.lexical import LexicalIndex, tokenize
from tests.unit.kb.conftest import FOMC, SPEECHES, records

QUESTIONS = [
    "What did the Committee decide about the federal funds rate?",
    "inflation expectations and the labor market",
    "balance sheet runoff of Treasury securities",
    "Waller on stablecoins and payments",
    "bank capital requirements and supervision",
    "What did the minutes say about tariffs?",
]


def results(kb: KnowledgeBase, mode: str = "hybrid") -> list[list[tuple[str, float]]]:
    return [
        [(p.source.details["chunk_id"], round(p.score, 9)) for p in kb.search(q, k=10, mode=mode)]  # type: ignore[arg-type]
        for q in QUESTIONS
    ]


def test_scores_equal_bm25s_on_the_same_terms() -> None:
    texts = [
        "The Committee decided to maintain the target range for the federal funds rate.",
        "Inflation remains somewhat elevated; the labor market has softened.",
        "Rates rates rates: the federal funds rate target range.",
        "Stablecoins and payments innovation.",
        "",  # a chunk with no terms is indexed as '_'
    ]
    terms = [tokenize(t) or ["_"] for t in texts]
    index = LexicalIndex()
    index.add([(f"c{n}", " ".join(t)) for n, t in enumerate(terms[:2])])
    index.add([(f"c{n}", " ".join(t)) for n, t in enumerate(terms) if n >= 2])  # a second segment
    reference = bm25s.BM25()  # the library the index replaced: Lucene BM25, k1 1.5, b 0.75
    reference.index(terms, show_progress=False)
    for query in ("federal funds rate target range", "labor market inflation rates", "payments"):
        tokens = [t for t in tokenize(query) if t in reference.vocab_dict]
        expected = reference.get_scores(tokens)
        np.testing.assert_allclose(index.scores(query), expected, rtol=1e-5, atol=1e-7)


def test_removed_chunks_leave_the_statistics_as_if_never_added() -> None:
    rows = [
        (f"c{n}", " ".join(tokenize(t))) for n, t in enumerate(["rate cut", "rate hike", "tariff", "rate"])
    ]
    grown = LexicalIndex()
    grown.add(rows)
    grown.add([("extra", "rate rate tariff tariff")])
    grown.remove(["extra", "c1"])
    fresh = LexicalIndex()
    fresh.add([r for r in rows if r[0] != "c1"])
    for query in ("rate", "tariff cut", "hike"):
        by_id = dict(zip(grown.ids, grown.scores(query), strict=True))
        assert {i: by_id[i] for i in fresh.ids} == dict(zip(fresh.ids, fresh.scores(query), strict=True))
        assert by_id["c1"] == 0 and by_id["extra"] == 0


@pytest.fixture(scope="module")
def grown_kb(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """FOMC communications, then speeches split in two files, one of them removed again, plus a note."""
    tmp_path = tmp_path_factory.mktemp("grown")
    settings = Settings(data_dir=tmp_path / "data", shared_data=shared_data, _env_file=None)  # type: ignore[call-arg]
    speeches = records(shared_data, SPEECHES)
    first, second = tmp_path / "speeches_a.jsonl", tmp_path / "speeches_b.jsonl"
    first.write_text("\n".join(json.dumps(r) for r in speeches[:80]))
    second.write_text("\n".join(json.dumps(r) for r in speeches[80:]))
    kb = build_knowledge_base(settings)
    kb.add([shared_data / FOMC])
    results(kb)  # searched between changes: the index is built, then followed incrementally
    kb.add([first])
    results(kb)
    kb.add([second])
    for doc in kb.list_documents():
        if doc.sources and doc.sources[0].startswith(str(second)) and doc.speaker == "Bowman":
            kb.remove(doc.id)
    (tmp_path / "note.md").write_text("# Note\n\nThe Committee decided; inflation; tariffs; stablecoins.")
    kb.add([tmp_path / "note.md"])
    return kb


def test_incremental_changes_search_like_a_full_rebuild(grown_kb: KnowledgeBase) -> None:
    assert grown_kb._lexical is not None and len(grown_kb._lexical._segments) > 1
    incremental = {mode: results(grown_kb, mode) for mode in ("hybrid", "bm25")}
    grown_kb.rebuild_index()  # from the catalog's terms, in one piece
    assert grown_kb._lexical is not None and len(grown_kb._lexical._segments) == 1
    assert {mode: results(grown_kb, mode) for mode in ("hybrid", "bm25")} == incremental
    assert all(incremental["hybrid"]) and all(incremental["bm25"])


def test_another_process_follows_the_changes_and_a_saved_index_reloads(
    grown_kb: KnowledgeBase, tmp_path: Path
) -> None:
    settings = grown_kb.settings
    expected = results(grown_kb)
    other = build_knowledge_base(settings)  # another process on the same data dir
    assert results(other) == expected
    grown_kb.save_index()
    restarted = build_knowledge_base(settings)
    assert results(restarted) == expected
    assert restarted._lexical is not None and restarted._lexical.unsaved == 0  # loaded, not rebuilt
    # a change made by one instance is seen by the other's next search
    (tmp_path / "memo.md").write_text("# Memo\n\nBroadcom networking revenue doubled on AI demand.")
    grown_kb.add([tmp_path / "memo.md"])
    assert [p.source.title for p in restarted.search("Broadcom networking revenue", k=1)] == ["Memo"]
    [memo] = [d for d in restarted.list_documents() if d.title == "Memo"]
    restarted.remove(memo.id)
    assert all(p.source.title != "Memo" for p in grown_kb.search("Broadcom networking revenue", k=5))


def test_a_torn_saved_index_is_rebuilt(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nMicron memory prices rose sharply.")
    kb.add([tmp_path / "a.md"])
    kb.save_index()
    (kb.root / "lexical" / "lexical.npz").write_bytes(b"not a numpy file")
    reopened = build_knowledge_base(kb.settings)
    assert [p.source.title for p in reopened.search("Micron memory prices", k=1)] == ["A"]

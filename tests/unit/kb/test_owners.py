"""Owners and visibility: a user's upload is theirs alone, never in another viewer's results, never
displacing shared results, removable by its owner only; shared documents only by the administrator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.errors import BadInputError, NoDataError, NotAllowedError
from copilot.knowledge import KnowledgeBase, build_knowledge_base
from copilot.knowledge.search import EXACT_VECTOR_LIMIT
from tests.unit.kb.conftest import FOMC

# A note written to win any search about the Fed's rate decisions, lexically and by its vectors
RIVAL = (
    "# FOMC statement federal funds rate\n\n"
    "The Federal Open Market Committee decided to maintain the target range for the federal funds rate. "
    "The Committee decided the federal funds rate target range; the FOMC statement on the target range "
    "for the federal funds rate, the Committee's decision on the federal funds rate target range."
)
QUESTIONS = (  # no kind named (a question about "the statement" narrows to statements)
    "What did the FOMC decide about the federal funds rate target range?",
    "Committee decided federal funds rate target range",
)


@pytest.fixture(scope="module")
def shared_kb(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The FOMC communications as the shared corpus (3,355 chunks: the vector search is approximate)."""
    root = tmp_path_factory.mktemp("owners")
    kb = build_knowledge_base(Settings(data_dir=root, shared_data=shared_data, _env_file=None))  # type: ignore[call-arg]
    kb.add([shared_data / FOMC])
    yield kb
    assert {d.owner for d in kb.list_documents(everyone=True)} == {None}, "a test left an upload behind"


def keys(passages: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(p.source.document_id, p.source.details["chunk_id"]) for p in passages]


def upload(kb: KnowledgeBase, tmp_path: Path, owner: str, name: str = "rival.md", text: str = RIVAL) -> str:
    path = tmp_path / owner / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    report = kb.add([path], owner=owner)
    assert report.failed == [] and len(report.added) == 1 and report.documents == report.added
    return report.added[0]


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "vector"])
def test_an_upload_is_its_owners_alone_and_displaces_nothing_for_others(
    shared_kb: KnowledgeBase, tmp_path: Path, mode: str
) -> None:
    assert len(shared_kb.search(QUESTIONS[0], k=1)) == 1
    assert shared_kb.catalog.generation and len(shared_kb._lexical or []) > EXACT_VECTOR_LIMIT
    before = {q: keys(shared_kb.search(q, k=10, mode=mode, viewer="bob")) for q in QUESTIONS}
    shared_before = {q: keys(shared_kb.search(q, k=10, mode=mode)) for q in QUESTIONS}
    doc_id = upload(shared_kb, tmp_path, "alice")
    try:
        for question in QUESTIONS:
            mine = shared_kb.search(question, k=10, mode=mode, viewer="alice")
            assert mine[0].source.document_id == doc_id  # the owner finds it first
            assert mine[0].source.details["visibility"] == "private"
            # another user, and the shared view, get exactly what they got before the upload
            assert keys(shared_kb.search(question, k=10, mode=mode, viewer="bob")) == before[question]
            assert keys(shared_kb.search(question, k=10, mode=mode)) == shared_before[question]
    finally:
        shared_kb.remove(doc_id, viewer="alice")


def test_listing_and_removal_follow_ownership(shared_kb: KnowledgeBase, tmp_path: Path) -> None:
    shared_count = len(shared_kb.list_documents())
    alices = upload(shared_kb, tmp_path, "alice")
    bobs = upload(shared_kb, tmp_path, "bob")  # the same text: a separate document, Bob's own
    try:
        assert alices != bobs
        assert [d.id for d in shared_kb.list_documents(viewer="alice") if d.owner] == [alices]
        assert [d.id for d in shared_kb.list_documents(viewer="bob") if d.owner] == [bobs]
        assert len(shared_kb.list_documents()) == shared_count  # no viewer: the shared corpus only
        assert {d.owner for d in shared_kb.list_documents(everyone=True)} == {None, "alice", "bob"}
        mine = next(d for d in shared_kb.list_documents(viewer="alice") if d.owner)
        assert (mine.title, mine.kind, mine.source_name, mine.chunks, mine.available) == (
            "FOMC statement federal funds rate",
            "note",
            "rival.md",
            1,
            None,
        )
        with pytest.raises(NoDataError):  # Bob cannot remove (or learn of) Alice's document
            shared_kb.remove(alices, viewer="bob")
        shared = shared_kb.list_documents()[0].id
        with pytest.raises(NotAllowedError):
            shared_kb.remove(shared, viewer="alice")
        assert shared_kb.remove(alices, viewer="alice") == 1
        assert [d.id for d in shared_kb.list_documents(viewer="bob") if d.owner] == [bobs]
        assert shared_kb.search(QUESTIONS[1], k=1, viewer="bob")[0].source.document_id == bobs
        assert all(
            p.source.document_id != alices for p in shared_kb.search(QUESTIONS[1], k=10, viewer="alice")
        )
    finally:
        for doc_id in (alices, bobs):
            if any(d.id == doc_id for d in shared_kb.list_documents(everyone=True)):
                shared_kb.remove(doc_id)  # the administrator removes anything


def test_a_changed_upload_replaces_only_its_owners_copy(shared_kb: KnowledgeBase, tmp_path: Path) -> None:
    first = upload(shared_kb, tmp_path, "carol", "view.md", "# View\n\nCarol thinks rates stay put.")
    second = upload(shared_kb, tmp_path, "dave", "view.md", "# View\n\nDave thinks rates stay put.")
    try:
        report = shared_kb.add([tmp_path / "carol" / "view.md"], owner="carol")
        assert report.unchanged and report.documents == [first]
        (tmp_path / "carol" / "view.md").write_text("# View\n\nCarol now expects a cut.")
        report = shared_kb.add([tmp_path / "carol" / "view.md"], owner="carol")
        assert report.replaced == [first]
        owned = {d.owner: d.id for d in shared_kb.list_documents(everyone=True) if d.owner}
        assert owned["dave"] == second and owned["carol"] == report.added[0]
    finally:
        for d in shared_kb.list_documents(everyone=True):
            if d.owner:
                shared_kb.remove(d.id)


def test_an_empty_owner_id_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("text")
    with pytest.raises(BadInputError):
        kb.add([tmp_path / "n.md"], owner=" ")

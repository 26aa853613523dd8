"""Adding is idempotent: same file, nothing; changed file, chunks replaced; same text twice, stored once."""

from __future__ import annotations

from pathlib import Path

from copilot.knowledge import KnowledgeBase


def test_same_file_twice_changes_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Alphabet cloud revenue grew 28% year over year.")
    first = kb.add([path])
    before = [(d.doc_id, d.chunk_count) for d in kb.list_documents()]
    second = kb.add([path])
    assert len(first.added) == 1
    assert second.added == [] and second.unchanged == [str(path)]
    assert [(d.doc_id, d.chunk_count) for d in kb.list_documents()] == before
    assert kb.store.count() == 1


def test_changed_file_replaces_its_chunks(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Old view: Tesla margins are compressing.")
    old = kb.add([path]).added[0]
    path.write_text("New view: Tesla margins are recovering thanks to cheaper cells.")
    report = kb.add([path])
    assert report.replaced == [old]
    assert len(report.added) == 1 and report.added[0] != old
    assert [d.doc_id for d in kb.list_documents()] == report.added
    assert kb.store.count() == 1
    [passage] = kb.search("Tesla margins", k=1)
    assert passage.content.startswith("New view")


def test_identical_content_under_two_names_is_stored_once(kb: KnowledgeBase, tmp_path: Path) -> None:
    text = "Eli Lilly raised its full-year revenue guidance."
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(text)
    report = kb.add([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert len(report.added) == 1 and report.duplicates == [str(tmp_path / "b.txt")]
    [doc] = kb.list_documents()
    assert doc.sources == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert kb.store.count() == 1


def test_remove_deletes_document_and_chunks(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Micron memory prices rose sharply.")
    (tmp_path / "b.txt").write_text("Sandisk flash demand improved.")
    report = kb.add([tmp_path / "a.txt", tmp_path / "b.txt"])
    removed = kb.remove(report.added[0])
    assert removed == 1
    assert [d.title for d in kb.list_documents()] == ["b"]
    assert kb.store.count() == 1
    assert all(p.source.title == "b" for p in kb.search("memory prices flash", k=5))


def test_index_survives_a_restart(kb: KnowledgeBase, tmp_path: Path) -> None:
    from copilot.knowledge import build_knowledge_base

    (tmp_path / "a.txt").write_text("Home Depot comparable sales declined 2%.")
    kb.add([tmp_path / "a.txt"])
    reopened = build_knowledge_base(kb.settings)
    [passage] = reopened.search("Home Depot comparable sales", k=1)
    assert passage.source.title == "a"

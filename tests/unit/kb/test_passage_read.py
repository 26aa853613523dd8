"""Reading a cited passage whole (what a source card quotes): the text the search returned, for
the shared corpus and the viewer's own documents only; a replaced document's old passage is gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import NoDataError
from copilot.knowledge import KnowledgeBase

NOTE = (
    "# Margin note\n\nRevenue grew 12 percent in the quarter while operating margins held at 30 percent, "
    "and the company raised its outlook for the year."
)


def test_a_cited_passage_is_read_whole_by_those_who_may_see_it(kb: KnowledgeBase, tmp_path: Path) -> None:
    shared = tmp_path / "shared-note.md"
    shared.write_text(NOTE, encoding="utf-8")
    kb.add([shared])
    private = tmp_path / "ann-note.md"
    private.write_text(NOTE.replace("Margin note", "Ann's margin note").replace("12", "14"), encoding="utf-8")
    kb.add([private], owner="ann")

    for viewer, visible in ((None, 1), ("ann", 2), ("bob", 1)):
        found = kb.search("revenue grew margins outlook", k=5, viewer=viewer)
        assert len({p.source.document_id for p in found}) == visible
        for passage in found:
            source = passage.source
            assert source.document_id and source.details["chunk_id"]
            record, text = kb.passage(source.document_id, source.details["chunk_id"], viewer=viewer)
            assert text == passage.content  # the whole passage the model read
            assert source.snippet and " ".join(text.split()).startswith(source.snippet)
            assert record.doc_id == source.document_id

    ann = next(
        p.source for p in kb.search("Ann's margin note revenue", k=5, viewer="ann") if "Ann" in p.source.title
    )
    for stranger in ("bob", None):  # someone else's upload is not found (not even that it exists)
        with pytest.raises(NoDataError, match="no document"):
            kb.passage(ann.document_id or "", ann.details["chunk_id"], viewer=stranger)
    with pytest.raises(NoDataError, match="no passage"):
        kb.passage(ann.document_id or "", "doc_other:0", viewer="ann")
    with pytest.raises(NoDataError, match="no document"):
        kb.passage("doc_missing", "doc_missing:0", viewer="ann")

"""Knowledge-base fixtures: a fresh knowledge base on a temporary data dir, and a tiny PDF maker."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from copilot.config import Settings
from copilot.knowledge import KnowledgeBase, build_knowledge_base


@pytest.fixture()
def kb(settings: Settings) -> KnowledgeBase:
    """An empty knowledge base under the test's temporary data dir."""
    return build_knowledge_base(settings)


def make_pdf(path: Path, pages: Sequence[str], password: str | None = None) -> Path:
    """Write a real PDF whose pages carry the given text (Helvetica), optionally encrypted."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = writer._add_object(font)
    for text in pages:
        page = writer.add_blank_page(width=612, height=792)
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    if password:
        writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    with path.open("wb") as handle:
        writer.write(handle)
    return path

"""Knowledge-base fixtures: a fresh knowledge base on a temporary data dir, and a tiny PDF maker."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from copilot.config import Settings
from copilot.knowledge import KnowledgeBase, build_knowledge_base

FOMC = "corpus/fed_fomc_communications_2020_2026.jsonl.gz"
SPEECHES = "corpus/fed_speeches_2025_2026.jsonl.gz"
STATEMENTS_1994 = "corpus/fomc_statements_1994_2023.jsonl.gz"


@pytest.fixture()
def kb(settings: Settings) -> KnowledgeBase:
    """An empty knowledge base under the test's temporary data dir."""
    return build_knowledge_base(settings)


def records(shared_data: Path, name: str) -> list[dict[str, Any]]:
    """The JSON records of a shared corpus file, read plainly (the tests' independent reference)."""
    with gzip.open(shared_data / name, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="session")
def fed_kb(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The FOMC communications, the Fed speeches and the 1994-2023 statements, ingested once.

    Shared by the session: tests only read it (the owner tests build their own).
    """
    root = tmp_path_factory.mktemp("fed")
    settings = Settings(data_dir=root, shared_data=shared_data, _env_file=None)  # type: ignore[call-arg]
    kb = build_knowledge_base(settings)
    report = kb.add([shared_data / FOMC, shared_data / SPEECHES, shared_data / STATEMENTS_1994])
    assert report.failed == []
    return kb


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

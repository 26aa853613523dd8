"""Structure-following chunking: pages and sections first, then paragraphs, then sentences.

Chunks never cross a page or section boundary, so each one can cite its page or heading. About
1,000 characters (~250 tokens) with ~150 characters of overlap inside a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.knowledge.documents import Document

CHUNK_CHARS = 1000
OVERLAP_CHARS = 150
_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"“])")


@dataclass(frozen=True)
class ChunkDraft:
    """A piece of a document's text with where it sits."""

    text: str
    ordinal: int
    page: int | None
    section: str | None


def _units(text: str, size: int) -> list[str]:
    """Paragraphs, with any paragraph longer than a chunk cut at sentences, then at spaces."""
    units: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            units.append(paragraph)
            continue
        for sentence in _SENTENCE.split(paragraph):
            while len(sentence) > size:
                cut = sentence.rfind(" ", size // 2, size)
                cut = cut if cut > 0 else size
                units.append(sentence[:cut].strip())
                sentence = sentence[cut:].strip()
            if sentence:
                units.append(sentence)
    return units


def _tail(text: str, overlap: int) -> str:
    """The last ~overlap characters of a chunk, from a sentence start if there is one, else a word."""
    if len(text) <= overlap:
        return text
    window = text[len(text) - overlap :]
    sentence = _SENTENCE.search(window)
    if sentence:
        return window[sentence.end() :]
    start = window.find(" ")
    return window[start + 1 :] if start >= 0 else ""


def split_text(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Pack paragraphs/sentences greedily into chunks of at most ~size characters, with overlap."""
    chunks: list[str] = []
    current = ""
    for unit in _units(text, size):
        joiner = "\n\n" if current else ""
        if current and len(current) + len(joiner) + len(unit) > size:
            chunks.append(current)
            carried = _tail(current, overlap)
            current = f"{carried} {unit}" if carried else unit
        else:
            current = f"{current}{joiner}{unit}"
    if current.strip():
        chunks.append(current)
    return chunks


def chunk_document(doc: Document, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[ChunkDraft]:
    """All chunks of a document, in reading order, each tagged with its page or section."""
    drafts: list[ChunkDraft] = []
    for section in doc.sections:
        for piece in split_text(section.text, size, overlap):
            drafts.append(ChunkDraft(piece, len(drafts), section.page, section.heading))
    return drafts

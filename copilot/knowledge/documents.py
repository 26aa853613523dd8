"""Documents and how each format reads: Markdown, text, HTML, PDF (with pages), JSONL records.

Each file (or JSONL record) becomes one ``Document`` made of ``Section``s (a page, a heading's
body or the whole text); what cannot be read raises a typed error that becomes a ``LoadFailure``.
Reading files from disk (gzip, directories, size limits, sidecar metadata) is in ``loading.py``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from copilot.errors import BadInputError, CorruptDataError, VerityError

TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = {*TEXT_SUFFIXES, *HTML_SUFFIXES, ".pdf", ".jsonl"}


@dataclass(frozen=True)
class Section:
    """A structural piece of a document: a page of a PDF or a heading's body."""

    text: str
    page: int | None = None
    heading: str | None = None


@dataclass
class Document:
    """One loaded document, before chunking."""

    source_key: str  # where it came from (path, or path#record-id): identifies it for replacement
    title: str
    sections: list[Section]
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    format: str = "text"  # markdown, text, html, pdf or record (a JSONL line)
    kind: str | None = None  # what the source says it is: a record's kind, a filing index's form
    tickers: list[str] = field(default_factory=list)  # subjects named by metadata (e.g. a filing's symbol)
    speaker: str | None = None  # a speech's speaker, as the record names it
    meeting: date | None = None  # the FOMC meeting (its last day), when the record names it
    available: date | None = None  # when the source says the document became public, if it does
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)


@dataclass(frozen=True)
class LoadFailure:
    """A file or record that was not ingested, and why."""

    source_key: str
    reason: str
    error: VerityError


# Scraped Fed pages carry a non-breaking hyphen (U+2011) mangled into an em dash plus a C1 control
# ("12—\x91month", "3—\x913/4 percent"); left alone, "3-3/4 percent" would read as "3" and "3/4".
_MANGLED_HYPHENS = re.compile("\u2014\x91|\u00e2\u0080\u0091|\u2011")
_C1_CONTROLS = re.compile("[\x80-\x9f]")


def repair_text(text: str) -> str:
    """Undo the scrape damage seen in real documents: mangled non-breaking hyphens, C1 controls."""
    return _C1_CONTROLS.sub("", _MANGLED_HYPHENS.sub("-", text))


def repaired(doc: Document) -> Document:
    """The document with every section's text repaired."""
    doc.sections = [Section(repair_text(s.text), page=s.page, heading=s.heading) for s in doc.sections]
    return doc


def decode_text(path: Path, raw: bytes) -> str:
    # NUL bytes or invalid UTF-8 mean the file is binary whatever its name says
    if b"\x00" in raw[:8192]:
        raise CorruptDataError(f"{path.name}: binary content, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        if text.count("\ufffd") > len(text) // 100:
            raise CorruptDataError(f"{path.name}: binary content, not text") from None
        return text


def markdown_title(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def markdown_sections(text: str) -> list[Section]:
    """Split at headings so every chunk knows the section it belongs to."""
    sections: list[Section] = []
    heading: str | None = None
    buffer: list[str] = []
    for line in text.splitlines():
        match = re.match(r"^#{1,6}\s+(.+)$", line)
        if match:
            if "".join(buffer).strip():
                sections.append(Section("\n".join(buffer).strip(), heading=heading))
            heading, buffer = match.group(1).strip(), []
        else:
            buffer.append(line)
    if "".join(buffer).strip():
        sections.append(Section("\n".join(buffer).strip(), heading=heading))
    return sections


def html_document(path: Path, html: str) -> Document:
    import trafilatura

    text = trafilatura.extract(html, output_format="markdown", include_comments=False, with_metadata=False)
    if not text:
        raise BadInputError(f"{path.name}: no main text found in the HTML")
    meta = trafilatura.extract_metadata(html)
    published = parse_date(meta.date) if meta is not None and meta.date else None
    title = (meta.title if meta is not None else None) or title_from_name(path)
    doc = Document(str(path), title, markdown_sections(text), format="html", published=published)
    if meta is not None:
        doc.url, doc.publisher = meta.url, meta.sitename
    return doc


def pdf_document(path: Path, raw: bytes) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInputError(f"{path.name}: encrypted PDF (a password is needed)")
        pages = [
            Section(page.extract_text() or "", page=number) for number, page in enumerate(reader.pages, 1)
        ]
        title = (reader.metadata.title if reader.metadata else None) or title_from_name(path)
    except VerityError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        # pypdf signals broken files with many exception types; each means "corrupt"
        raise CorruptDataError(f"{path.name}: corrupt PDF ({type(exc).__name__}: {exc})") from exc
    if not any(p.text.strip() for p in pages):
        raise BadInputError(f"{path.name}: the PDF has no extractable text (scanned?)")
    return Document(str(path), str(title), [p for p in pages if p.text.strip()], format="pdf")


def jsonl_documents(path: Path, raw: bytes) -> Iterator[Document | LoadFailure]:
    """One document per JSON line with id/date/title/source/url/text (and optionally kind, speaker,
    meeting or meeting_end, available, tickers or symbol, page); bad lines are reported."""
    text = decode_text(path, raw)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key = f"{path}#line{number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not str(record.get("text") or "").strip():
                raise CorruptDataError(f"{path.name} line {number}: a record needs a non-empty 'text'")
            key = f"{path}#{record.get('id') or f'line{number}'}"
            yield _record_document(key, record)
        except json.JSONDecodeError as exc:
            yield LoadFailure(key, f"line {number} is not JSON ({exc.msg})", CorruptDataError(str(exc)))
        except VerityError as exc:
            yield LoadFailure(key, exc.message, exc)


def _record_document(key: str, record: dict[str, Any]) -> Document:
    page = record.get("page")
    tickers = record.get("tickers") or ([record["symbol"]] if record.get("symbol") else [])
    return Document(
        source_key=key,
        title=str(record.get("title") or record.get("id") or key),
        sections=[Section(str(record["text"]), page=int(page) if page is not None else None)],
        publisher=record.get("source") or record.get("publisher"),
        url=record.get("url"),
        published=parse_date(record.get("date")),
        format="record",
        kind=str(record["kind"]) if record.get("kind") else None,
        tickers=[str(t).upper() for t in tickers],
        speaker=str(record["speaker"]) if record.get("speaker") else None,
        meeting=parse_date(record.get("meeting_end") or record.get("meeting")),
        available=parse_date(record.get("available") or record.get("released")),
    )


def parse_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def title_from_name(path: Path) -> str:
    stem = path.name
    for suffix in (".gz", ".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".jsonl"):
        stem = stem.removesuffix(suffix)
    return stem

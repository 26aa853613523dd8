"""Reading documents from disk: files by type, gzip, directories (recursively), size limits, and
sidecar metadata (a directory's ``index.csv`` of file, symbol, form, filed_date, e.g. SEC filings).

One bad file never stops the others: it becomes a ``LoadFailure`` with its reason.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

from copilot.errors import BadInputError, CorruptDataError, VerityError
from copilot.knowledge.companies import names_by_ticker
from copilot.knowledge.documents import (
    HTML_SUFFIXES,
    SUPPORTED,
    TEXT_SUFFIXES,
    Document,
    LoadFailure,
    Section,
    decode_text,
    html_document,
    jsonl_documents,
    markdown_sections,
    markdown_title,
    parse_date,
    pdf_document,
    repaired,
    title_from_name,
)

SIDECAR_INDEX = "index.csv"
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def iter_documents(path: Path, max_bytes: int) -> Iterator[Document | LoadFailure]:
    """Yield documents (or failures) from a file or, recursively, a directory."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.name == SIDECAR_INDEX or child.name.startswith("."):
                continue  # sidecar metadata is read with the files it describes
            yield from iter_documents(child, max_bytes)
        return
    try:
        for item in _load_file(path, max_bytes):
            yield repaired(item) if isinstance(item, Document) else item
    except VerityError as exc:
        yield LoadFailure(str(path), exc.message, exc)


def _load_file(path: Path, max_bytes: int) -> Iterator[Document | LoadFailure]:
    if not path.exists():
        raise BadInputError(f"{path}: no such file or directory")
    name = path.name.lower()
    compressed = name.endswith(".gz")
    suffix = Path(name[:-3] if compressed else name).suffix
    if suffix not in SUPPORTED:
        raise BadInputError(f"{path.name}: unsupported type {suffix or '(none)'!r}")
    raw = _read_limited(path, compressed, max_bytes)
    if not raw.strip():
        raise BadInputError(f"{path.name}: empty document")
    if suffix == ".jsonl":
        yield from jsonl_documents(path, raw)
        return
    if suffix == ".pdf":
        doc = pdf_document(path, raw)
    elif suffix in HTML_SUFFIXES:
        doc = html_document(path, decode_text(path, raw))
    else:
        text = decode_text(path, raw)
        sections = markdown_sections(text) if TEXT_SUFFIXES[suffix] == "markdown" else [Section(text)]
        doc = Document(str(path), title_from_name(path), sections, format=TEXT_SUFFIXES[suffix])
        if TEXT_SUFFIXES[suffix] == "markdown":
            doc.title = markdown_title(text) or doc.title
    _apply_sidecar(path, doc)
    if not doc.text.strip():
        raise BadInputError(f"{path.name}: no text to index")
    yield doc


def _read_limited(path: Path, compressed: bool, max_bytes: int) -> bytes:
    """Read at most max_bytes (after decompression, so a gzip bomb is refused too)."""
    if path.stat().st_size > max_bytes:
        raise BadInputError(f"{path.name}: over the size limit of {max_bytes:,} bytes")
    try:
        with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise CorruptDataError(f"{path.name}: cannot be read ({exc})") from exc
    if len(raw) > max_bytes:
        raise BadInputError(f"{path.name}: over the size limit of {max_bytes:,} bytes")
    return raw


def _apply_sidecar(path: Path, doc: Document) -> None:
    """Use a sibling index.csv (file,symbol,form,filed_date) to title and date the document."""
    row = _sidecar_rows(path.parent).get(path.name)
    if row is None:
        match = _DATE_IN_NAME.search(path.name)
        if match and doc.published is None:
            doc.published = parse_date(match.group(1))
        return
    symbol, form, filed = row.get("symbol", ""), row.get("form", ""), row.get("filed_date", "")
    doc.tickers = [symbol.upper()] if symbol else doc.tickers
    doc.published = parse_date(filed) or doc.published
    doc.publisher = doc.publisher or "SEC EDGAR"
    doc.kind = form or doc.kind
    name = names_by_ticker().get(symbol.upper())
    doc.title = f"{f'{name} ({symbol})' if name else symbol} Form {form} filed {filed}".strip()
    doc.extra["form"] = form


_SIDECAR_CACHE: dict[tuple[Path, float], dict[str, dict[str, str]]] = {}


def _sidecar_rows(directory: Path) -> dict[str, dict[str, str]]:
    """The directory's index.csv rows by file name (read once per version of the file)."""
    index = directory / SIDECAR_INDEX
    if not index.is_file():
        return {}
    key = (directory, index.stat().st_mtime)
    if key not in _SIDECAR_CACHE:
        with index.open(newline="", encoding="utf-8") as handle:
            rows = {Path(row["file"]).name: row for row in csv.DictReader(handle) if row.get("file")}
        _SIDECAR_CACHE[key] = rows
    return _SIDECAR_CACHE[key]

"""``/api/documents``: upload (multipart field ``file``: PDF, Markdown, HTML or text), list, delete, and
read a cited passage whole (what a source card quotes).

A caller sees the shared documents plus their own; an upload belongs to its uploader and reaches
nobody else's search or answers (the knowledge base filters by viewer). A knowledge base that
cannot keep owners apart refuses uploads rather than sharing them with everyone.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import re
import shutil
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Response, UploadFile
from pydantic import BaseModel

from copilot.errors import BadInputError, PayloadTooLargeError, ProviderUnavailableError
from copilot.services import Services
from web.deps import OptionalCaller, ServicesDep, SettingsDep, UserCaller

router = APIRouter(prefix="/api/documents", tags=["documents"])

ALLOWED = {".pdf", ".md", ".markdown", ".html", ".htm", ".txt"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
READ_CHUNK = 1024 * 1024


class DocumentOut(BaseModel):
    id: str
    title: str
    publisher: str | None = None
    published: date | None = None
    kind: str | None = None
    chunks: int = 0
    owned: bool = False  # the caller's own upload (else a shared document)


class PassageOut(BaseModel):
    document_id: str
    chunk_id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    text: str  # the whole passage a citation points to


class UploadOut(BaseModel):
    added: list[str]
    replaced: list[str]
    duplicates: list[str]
    chunks: int


def _knowledge(services: Services) -> Any:
    if services.knowledge is None:
        raise ProviderUnavailableError("this server has no knowledge base")
    return services.knowledge()


def _per_owner(method: Any, name: str) -> None:
    if name not in inspect.signature(method).parameters:
        raise ProviderUnavailableError(
            "this knowledge base cannot keep documents apart per user yet: uploads are disabled"
        )


def _document(record: Any, viewer: str | None) -> DocumentOut:
    return DocumentOut(
        id=record.doc_id,
        title=record.title,
        publisher=record.publisher,
        published=record.published,
        kind=record.kind,
        chunks=record.chunk_count,
        owned=viewer is not None and getattr(record, "owner", None) == viewer,
    )


def _safe_name(filename: str | None) -> str:
    name = _UNSAFE.sub("_", Path(filename or "").name).strip(" .")[:120]
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise BadInputError(
            f"unsupported document type {suffix or '(none)'!r}: upload PDF, Markdown, HTML or text"
        )
    return name


@router.post("", status_code=201)
async def upload(
    file: Annotated[UploadFile, File(description="PDF, Markdown, HTML or text")],
    caller: UserCaller,
    services: ServicesDep,
    settings: SettingsDep,
) -> UploadOut:
    """Add a document of the caller's; searchable by them (and nobody else) once this returns."""
    name = _safe_name(file.filename)
    kb = await asyncio.to_thread(_knowledge, services)
    _per_owner(kb.add, "owner")
    owner_dir = hashlib.sha256(caller.owner.encode()).hexdigest()[:16]
    folder = settings.data_dir / "uploads" / owner_dir / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    try:
        size = 0
        with path.open("wb") as out:
            while chunk := await file.read(READ_CHUNK):
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    raise PayloadTooLargeError(
                        f"the upload is over the limit of {settings.max_upload_bytes:,} bytes"
                    )
                out.write(chunk)
        if size == 0:
            raise BadInputError("the uploaded file is empty")
        report = await asyncio.to_thread(kb.add, [path], owner=caller.owner)
        if report.failed:
            raise BadInputError(f"{name}: {report.failed[0].reason}")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # nothing half-written stays behind
        raise
    return UploadOut(
        added=report.added, replaced=report.replaced, duplicates=report.duplicates, chunks=report.chunks_added
    )


@router.get("")
async def list_documents(caller: OptionalCaller, services: ServicesDep) -> list[DocumentOut]:
    """The shared documents plus the caller's own."""
    viewer = caller.owner if caller else None
    kb = await asyncio.to_thread(_knowledge, services)
    _per_owner(kb.list_documents, "viewer")
    records = await asyncio.to_thread(kb.list_documents, viewer=viewer)
    return [_document(r, viewer) for r in records]


@router.get("/{document_id}/passages/{chunk_id}")
async def read_passage(
    document_id: str, chunk_id: str, caller: OptionalCaller, services: ServicesDep
) -> PassageOut:
    """The whole text of a cited passage (``details.chunk_id`` of a document source), for source cards."""
    viewer = caller.owner if caller else None
    kb = await asyncio.to_thread(_knowledge, services)
    _per_owner(kb.passage, "viewer")
    record, text = await asyncio.to_thread(kb.passage, document_id, chunk_id, viewer=viewer)
    return PassageOut(
        document_id=record.doc_id,
        chunk_id=chunk_id,
        title=record.title,
        publisher=record.publisher,
        url=record.url,
        published=record.published,
        text=text,
    )


@router.delete("/{document_id}", status_code=204)
async def delete_document(document_id: str, caller: UserCaller, services: ServicesDep) -> Response:
    """Delete one of the caller's documents (someone else's, or a shared one, is refused)."""
    kb = await asyncio.to_thread(_knowledge, services)
    _per_owner(kb.remove, "viewer")
    await asyncio.to_thread(kb.remove, document_id, viewer=caller.owner)
    return Response(status_code=204)

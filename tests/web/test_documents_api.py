"""``/api/documents``: uploads belong to their uploader, lists show shared documents plus one's own,
deletes are refused for someone else's; unsupported, empty and oversized uploads are 4xx and leave
nothing behind. The route logic runs over an owner-aware fake knowledge base; the same checks and
"B's upload never reaches A's answer" run over the real knowledge base once it keeps owners."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from copilot.config import Settings
from copilot.errors import BadInputError, NoDataError, NotAllowedError
from copilot.knowledge.report import IngestReport
from copilot.services import LazyKnowledge
from copilot.storage.db import Database
from tests.fakes import ScriptedChatModel
from tests.web.conftest import build_services, register, web_settings
from tests.web.sse import parse_frames
from web.app import create_app


@dataclass
class Record:
    doc_id: str
    title: str
    owner: str | None
    publisher: str | None = None
    published: Any = None
    kind: str | None = "text"
    chunk_count: int = 1


@dataclass
class OwnedKnowledgeBase:
    """Keeps documents with an owner (None = shared), as the knowledge base's interface says."""

    records: dict[str, Record] = field(default_factory=dict)

    def add(self, paths: Sequence[Path], owner: str | None = None, **_: Any) -> IngestReport:
        report = IngestReport()
        for path in paths:
            doc_id = f"doc-{len(self.records) + 1}"
            self.records[doc_id] = Record(doc_id, Path(path).stem, owner)
            report.added.append(doc_id)
            report.chunks_added += 1
        return report

    def list_documents(self, viewer: str | None = None) -> list[Record]:
        return [r for r in self.records.values() if r.owner is None or r.owner == viewer]

    def remove(self, document_id: str, viewer: str | None = None) -> int:
        # as the knowledge base does: someone else's is not found, a shared one is refused
        record = self.records.get(document_id)
        if record is None or (record.owner is not None and record.owner != viewer):
            raise NoDataError(f"no document {document_id!r}")
        if record.owner is None:
            raise NotAllowedError("a shared document is removed by an administrator")
        del self.records[document_id]
        return 1

    def search(self, query: str, k: int = 5, viewer: str | None = None, **_: Any) -> list[Any]:
        raise BadInputError("not used here")


class FixedKnowledge(LazyKnowledge):
    def __init__(self, settings: Settings, kb: Any) -> None:
        super().__init__(settings)
        self._built = kb


@pytest.fixture()
async def clients(settings: Settings, database: Database) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    kb = OwnedKnowledgeBase({"shared-1": Record("shared-1", "FOMC statement", None)})
    settings = web_settings(settings, max_upload_bytes=1000)
    services = await build_services(settings, database, ScriptedChatModel(), FixedKnowledge(settings, kb))
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://t") as ann,
        httpx.AsyncClient(transport=transport, base_url="http://t") as bob,
    ):
        yield ann, bob
    await services.aclose()


async def _upload(client: httpx.AsyncClient, csrf: str, name: str, content: bytes) -> httpx.Response:
    files = {"file": (name, content, "text/plain")}
    return await client.post("/api/documents", files=files, headers={"X-CSRF-Token": csrf})


async def test_uploads_are_private_to_their_owner(clients: tuple[httpx.AsyncClient, ...]) -> None:
    ann, bob = clients
    ann_csrf, bob_csrf = await register(ann, "ann@example.com"), await register(bob, "bob@example.com")
    uploaded = await _upload(ann, ann_csrf, "notes.md", b"# Notes\nApple margins widened.")
    assert uploaded.status_code == 201 and uploaded.json()["added"] == ["doc-2"]
    mine = (await ann.get("/api/documents")).json()
    assert {(d["id"], d["owned"]) for d in mine} == {("shared-1", False), ("doc-2", True)}
    assert [d["id"] for d in (await bob.get("/api/documents")).json()] == ["shared-1"]
    refused = await bob.delete("/api/documents/doc-2", headers={"X-CSRF-Token": bob_csrf})
    assert refused.status_code == 404
    shared = await ann.delete("/api/documents/shared-1", headers={"X-CSRF-Token": ann_csrf})
    assert shared.status_code == 403
    assert (await ann.delete("/api/documents/doc-2", headers={"X-CSRF-Token": ann_csrf})).status_code == 204
    assert [d["id"] for d in (await ann.get("/api/documents")).json()] == ["shared-1"]


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("tool.exe", b"MZ...", 400, "unsupported document type '.exe'"),
        ("empty.txt", b"", 400, "the uploaded file is empty"),
        ("big.txt", b"x" * 1001, 413, "over the limit of 1,000 bytes"),
    ],
)
async def test_bad_uploads_are_refused_and_leave_nothing(
    clients: tuple[httpx.AsyncClient, ...],
    settings: Settings,
    name: str,
    content: bytes,
    status: int,
    message: str,
) -> None:
    ann, _ = clients
    csrf = await register(ann, "ann@example.com")
    response = await _upload(ann, csrf, name, content)
    assert response.status_code == status and message in response.json()["message"]
    uploads = settings.data_dir / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
    assert [d["id"] for d in (await ann.get("/api/documents")).json()] == ["shared-1"]


async def test_anonymous_visitors_cannot_upload(clients: tuple[httpx.AsyncClient, ...]) -> None:
    ann, _ = clients
    response = await ann.post("/api/documents", files={"file": ("a.txt", b"hello", "text/plain")})
    assert response.status_code == 401


def _real_kb_keeps_owners() -> bool:
    from copilot.knowledge.knowledge_base import KnowledgeBase

    return "owner" in inspect.signature(KnowledgeBase.add).parameters


@pytest.mark.slow
@pytest.mark.skipif(not _real_kb_keeps_owners(), reason="the knowledge base does not keep owners yet")
async def test_with_the_real_knowledge_base_bs_upload_never_reaches_as_answer(
    settings: Settings, database: Database
) -> None:
    settings = web_settings(settings)
    services = await build_services(settings, database, ScriptedChatModel(), LazyKnowledge(settings))
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    secret = b"# Zebra memo\nThe zebrafish quorum coefficient reached 77.7 percent in the zebra ledger."
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://t") as ann,
        httpx.AsyncClient(transport=transport, base_url="http://t") as bob,
    ):
        ann_csrf, bob_csrf = await register(ann, "ann@example.com"), await register(bob, "bob@example.com")
        assert (await _upload(bob, bob_csrf, "zebra.md", secret)).status_code == 201
        assert [d["title"] for d in (await ann.get("/api/documents")).json()] == []
        body = {"message": "What does the zebra memo say about the zebrafish quorum coefficient?"}
        answer = await ann.post(
            "/api/chat", json={**body, "model": "verity-offline"}, headers={"X-CSRF-Token": ann_csrf}
        )
        frames = parse_frames(answer.text)
        assert "77.7" not in frames[-1].data.get("answer", "")
        results = [f.data for f in frames if f.event == "tool_result"]
        assert results and all("77.7" not in r["content"] for r in results)  # the passage never reached A
        assert all(s["source"]["kind"] != "document" for r in results for s in r["sources"])
        own = await bob.post(
            "/api/chat", json={**body, "model": "verity-offline"}, headers={"X-CSRF-Token": bob_csrf}
        )
        assert "77.7" in parse_frames(own.text)[-1].data["answer"]
    await services.aclose()

"""The scale-out path: a real Chroma server (``chroma run`` from the chromadb package, on a free loopback
port, in a temporary directory) behind ``VERITY_CHROMA_URL``: ingest, search, a user's upload visible
to that user only, and its removal."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.errors import NoDataError
from copilot.knowledge import KnowledgeBase, build_knowledge_base
from copilot.knowledge.store import COLLECTION, VectorStore
from tests.unit.kb.conftest import FOMC, records

pytestmark = pytest.mark.slow


def chroma_command() -> str | None:
    """The `chroma` executable installed with the chromadb package (beside this Python), or on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.is_file() else shutil.which("chroma")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    command = chroma_command()
    if command is None:
        pytest.skip("the `chroma` command of the chromadb package is not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("wb")
    server = subprocess.Popen(
        [command, "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start: {(path / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def remote_kb(chroma_url: str, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("remote")
    statements = [
        r for r in records(shared_data, FOMC) if r["kind"] == "statement" and r["date"] >= "2025-01-01"
    ]
    corpus = root / "statements.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in statements))
    settings = Settings(
        data_dir=root / "data", shared_data=shared_data, chroma_url=chroma_url, _env_file=None
    )  # type: ignore[call-arg]
    kb = build_knowledge_base(settings)
    report = kb.add([corpus])
    assert report.failed == [] and len(report.added) == len(statements)
    return kb


def test_ingest_and_search_through_the_server(remote_kb: KnowledgeBase) -> None:
    assert remote_kb.settings.chroma_url and not (remote_kb.root / "chroma").exists()  # nothing embedded
    names = {getattr(c, "name", c) for c in remote_kb.store.client.list_collections()}
    assert COLLECTION in names
    assert remote_kb.store.count() == sum(d.chunks for d in remote_kb.list_documents())
    [top] = remote_kb.search("What did the FOMC decide at the September 2025 meeting?", k=1)
    assert (top.source.details["kind"], top.source.details["meeting"]) == ("statement", "2025-09-17")
    vector_only = remote_kb.search("lower the target range for the federal funds rate", k=3, mode="vector")
    assert len(vector_only) == 3 and all(p.source.details["kind"] == "statement" for p in vector_only)


def test_a_users_upload_is_theirs_only_and_removable(remote_kb: KnowledgeBase, tmp_path: Path) -> None:
    upload = tmp_path / "memo.md"
    upload.write_text(
        "# Alice's memo\n\nMy view: the Committee will cut the federal funds rate by half a point."
    )
    report = remote_kb.add([upload], owner="alice")
    [doc_id] = report.added
    alice_collection = VectorStore.collection_name("alice")
    assert alice_collection in {getattr(c, "name", c) for c in remote_kb.store.client.list_collections()}
    assert remote_kb.store.count("alice") == 1
    question = "Alice's memo: will the Committee cut the federal funds rate by half a point?"
    for mode in ("hybrid", "vector"):
        assert remote_kb.search(question, k=1, mode=mode, viewer="alice")[0].source.document_id == doc_id
        for viewer in ("bob", None):
            found = remote_kb.search(question, k=10, mode=mode, viewer=viewer)
            assert found and all(p.source.document_id != doc_id for p in found)
    with pytest.raises(NoDataError):
        remote_kb.remove(doc_id, viewer="bob")
    assert remote_kb.remove(doc_id, viewer="alice") == 1
    assert remote_kb.store.count("alice") == 0
    assert all(p.source.document_id != doc_id for p in remote_kb.search(question, k=10, viewer="alice"))
    # another process (a second web worker) on the same server and data dir sees the same documents
    other = build_knowledge_base(remote_kb.settings)
    assert [d.id for d in other.list_documents(viewer="alice")] == [d.id for d in remote_kb.list_documents()]

"""``verity serve --workers 2``: the migrations run once before the workers start, and a chat run
started on one worker can be followed and read through any of them (the state is in the database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.web.postgres import free_port
from tests.web.sse import parse_frames

VERITY = Path(sys.executable).with_name("verity")

pytestmark = pytest.mark.slow


def test_two_workers_share_one_database(tmp_path: Path, shared_data: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VERITY_", "OPENAI_"))},
        "VERITY_DATA_DIR": str(tmp_path / "data"),
        "VERITY_MARKET_DATA": "yfinance",  # never called: the question below needs no market data
        "VERITY_LLM": "offline",
        "VERITY_SHARED_DATA": str(shared_data),
        "VERITY_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [str(VERITY), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise AssertionError("verity serve --workers 2 did not start")
        with httpx.Client(base_url=url, timeout=60) as client:
            answer = client.post("/api/chat", json={"message": "hello, what can you do?"})
            assert answer.status_code == 200, answer.text
            frames = parse_frames(answer.text)
            assert frames[-1].event == "done"
            cid, run_id = frames[0].data["conversation_id"], frames[0].data["run_id"]
            # new connections are spread over the workers: every one of them knows the run
            for _ in range(6):
                with httpx.Client(base_url=url, cookies=client.cookies, timeout=30) as fresh:
                    replay = parse_frames(fresh.get(f"/api/chat/runs/{run_id}/events").text)
                    assert [f.id for f in replay] == [f.id for f in frames]
                    assert fresh.get(f"/api/conversations/{cid}").json()["turns"][0]["answer"]
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert b"Traceback" not in errors, errors.decode()[-2000:]

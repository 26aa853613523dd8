"""At scale: the web app defers research jobs to procrastinate on the real PostgreSQL of the storage
tests, and a real ``verity worker`` process (the offline writer over a snapshot of the real index
data) writes them. A report ordered before any worker runs waits in the queue; the worker's figures
are checked against plain pandas on the CSV; SIGTERM stops the worker cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from sqlalchemy import select

from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.queue import ProcrastinateRunner
from copilot.research import ResearchReport
from copilot.services import Services
from copilot.storage.db import Database
from copilot.storage.models import ResearchJobRow
from tests.fakes import TODAY, FakeMarketData, ScriptedChatModel
from tests.web import postgres
from tests.web.conftest import FAST_HASHER, register, scripted, web_settings
from tests.web.sse import parse_frames
from tools.importer import import_snapshot
from web.app import create_app

INDICES = "prices/indices_daily_2016_2026.csv.gz"
VERITY = Path(sys.executable).with_name("verity")
TOPIC = "Small-cap rally: is the Russell 2000's outperformance sustainable?"

pytestmark = pytest.mark.slow


def _ytd(shared_data: Path, symbol: str, day: str) -> float:
    frame = pd.read_csv(shared_data / INDICES, parse_dates=["date"])
    close = frame[frame["symbol"] == symbol].set_index("date")["close"].sort_index()
    return float((close.loc[day] / close.loc[: f"{int(day[:4]) - 1}-12-31"].iloc[-1] - 1) * 100)


@pytest.fixture()
async def pg_url(postgres_server: str) -> str:
    url = await postgres.create_database(postgres_server, f"w_{uuid.uuid4().hex[:12]}")
    return url


@pytest.fixture()
async def web_app(settings: Settings, pg_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The web app on PostgreSQL with the procrastinate runner: it orders, it writes nothing."""
    config = web_settings(settings, database_url=pg_url, job_runner="procrastinate")
    services = Services.assemble(
        config,
        FakeMarketData(),
        clock=ExchangeClock(fixed=TODAY),
        model_factory=scripted(ScriptedChatModel()),
        database=Database(config),
        password_hasher=FAST_HASHER,
        runner=ProcrastinateRunner(config),
    )
    await services.start()
    transport = httpx.ASGITransport(app=create_app(config, services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, services
    finally:
        await services.aclose()


def _worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(VERITY), "worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_a_real_worker_writes_a_report_ordered_through_the_web_app(
    web_app: tuple[httpx.AsyncClient, Services], pg_url: str, shared_data: Path, tmp_path: Path
) -> None:
    client, services = web_app
    assert services.research is not None and not services.research.runner.runs_here
    import_snapshot([shared_data / INDICES], tmp_path / "snapshot")
    csrf = await register(client, "ann@example.com")
    order = {"topic": TOPIC, "as_of": "2026-01-09", "model": "verity-offline"}
    made = await client.post("/api/research", json=order, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 202
    job_id = made.json()["id"]
    await asyncio.sleep(0.5)
    assert (await client.get(f"/api/research/{job_id}")).json()["status"] == "queued"  # no worker yet

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VERITY_", "OPENAI_"))},
        "VERITY_DATABASE_URL": pg_url,
        "VERITY_JOB_RUNNER": "procrastinate",
        "VERITY_MARKET_DATA": f"snapshot:{tmp_path / 'snapshot'}",
        "VERITY_DATA_DIR": str(tmp_path / "worker"),
        "VERITY_SHARED_DATA": str(shared_data),
        "VERITY_LLM": "offline",
        "VERITY_LOG_LEVEL": "WARNING",
    }
    worker = _worker(env)
    try:
        async with asyncio.timeout(60):
            while (job := (await client.get(f"/api/research/{job_id}")).json())["status"] in (
                "queued",
                "running",
            ):
                assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
                await asyncio.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "Worker stopped." in out and "Traceback" not in err

    assert job["status"] == "done", job
    assert services.database is not None
    async with services.database.session() as session:
        who = await session.scalar(select(ResearchJobRow.worker).where(ResearchJobRow.id == job_id))
    assert who is not None and who.startswith("procrastinate:") and who != services.research.executor.worker
    frames = parse_frames((await client.get(f"/api/research/{job_id}/events")).text)
    assert [f.id for f in frames] == list(range(1, len(frames) + 1)) and frames[-1].event == "done"
    report = ResearchReport.from_json((await client.get(f"/api/research/{job_id}/report.json")).content)
    facts = {
        (f.symbol, f.key): f.value
        for c in report.sources
        for f in c.source.facts
        if c.source.tool == "performance"
    }
    rut = _ytd(shared_data, "^RUT", "2026-01-09")
    assert facts["^RUT", "price_return_ytd"] == pytest.approx(rut, abs=1e-6)
    assert f"{abs(rut):.2f}%" in (await client.get(f"/api/research/{job_id}/report.md")).text
    assert report.verification.verified == report.verification.total > 0


async def test_verity_worker_refuses_to_run_without_the_procrastinate_runner(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VERITY_", "OPENAI_"))},
        "VERITY_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [str(VERITY), "worker"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2 and "VERITY_JOB_RUNNER=procrastinate" in " ".join(done.stderr.split())
    env["VERITY_JOB_RUNNER"] = "procrastinate"
    done = subprocess.run(
        [str(VERITY), "worker"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2 and "PostgreSQL" in done.stderr and "Traceback" not in done.stderr

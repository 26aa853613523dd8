"""Benchmark: ten research reports ordered at once on one machine all finish, and the chat stays responsive.

The server (one uvicorn worker in a subprocess of this script, SQLite, the in-process job runner with
its default of 4 reports at once) writes reports over the real snapshot and the FOMC statements with
simulated latencies: 200 ms per research model call (a scripted planner and writer that sleep) and
100 ms per market-data call and document search. Chat turns (API key, SSE, stored; a scripted model
with two tool calls and no latency, as in bench_web) are timed without research load and then while
ten users each order a report at the same moment; both p95s come from this run. The reports' peer is
one report written alone, measured in the same run: ten at 4 at once need at least 3 rounds of it.

With PostgreSQL available, the same load runs at scale: the web process defers the reports to
procrastinate and two worker processes (``run_worker`` at nice 10, as ``verity worker`` runs it)
write them. The machine is shared: the load average printed at the end says how busy it was.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from langchain_core.messages import AIMessage, BaseMessage

from bench.bench_research import PLAN, SlowKnowledge, SlowMarket
from bench.bench_web import _responder, _sse_turn
from copilot.clock import ExchangeClock
from copilot.config import Settings
from tests.fakes import ScriptedChatModel
from tests.integration.research.conftest import SOURCES, fomc_statements
from tests.web.postgres import free_port

AS_OF = date(2026, 1, 9)
REPORTS = 10
CHAT_TURNS = 60
LLM_SECONDS = 0.2
TOPIC = "Small-cap rally: is the Russell 2000's outperformance sustainable?"
SHARED = Path(os.environ.get("VERITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
assert PLAN["sections"]  # the research model plans bench_research's seven sections


# a source block line of the section prompt: "[3] Title (provider, as of ...)" then "  label: value"
_SOURCE = re.compile(r"^\[(\d+)\] ", re.MULTILINE)
_FACT = re.compile(
    r"^  (?!note:|STALE|MISSING)([^:\n]{3,60}): ([-+$]?[\d,]+\.?\d*(?:%| points|x)?)$", re.MULTILINE
)


def _research_reply(messages: list[BaseMessage]) -> AIMessage:
    """The plan of bench_research; each section quotes the first two facts its sources show, with [n],
    as the prompt asks (so its figures verify, as a model's that follows the rules would)."""
    prompt = str(messages[-1].content)
    if "research planner" in prompt:
        return AIMessage(content=json.dumps(PLAN))
    sentences: list[str] = []
    parts = _SOURCE.split(prompt.split("Sources:", 1)[-1])
    for n, body in zip(parts[1::2], parts[2::2], strict=False):
        fact = _FACT.search(body)
        if fact and len(sentences) < 2:
            sentences.append(f"{fact.group(1)} stood at {fact.group(2)} [{n}].")
    return AIMessage(content=" ".join(sentences) or "The sources hold no figure for this section.")


def _settings(root: Path, database_url: str | None, runner: str) -> Settings:
    return Settings(
        data_dir=root / "data",
        database_url=database_url,
        market_data=f"snapshot:{root / 'snapshot'}",
        llm="offline",
        job_runner=runner,  # type: ignore[arg-type]
        rate_limit_user="1000000/minute",
        rate_limit_api="1000000/minute",
        rate_limit_login="1000000/minute",
        _env_file=None,  # type: ignore[call-arg]
    )


def _services(settings: Settings) -> Any:
    """The chat's zero-latency scripted model; research with simulated model and tool latency."""
    from copilot.services import LazyKnowledge, Services
    from copilot.storage.db import Database
    from tools.market import MarketData
    from tools.providers.snapshot import SnapshotProvider

    clock = ExchangeClock(fixed=date(2026, 8, 21))
    snapshot = Path(settings.market_data.removeprefix("snapshot:"))
    market = MarketData(SnapshotProvider(snapshot), today=clock.today)
    chat_model = ScriptedChatModel(responder=_responder)
    research_model = ScriptedChatModel(responder=_research_reply, delay=LLM_SECONDS)
    knowledge = LazyKnowledge(settings, market.resolver)
    services = Services.assemble(
        settings,
        market,
        clock=clock,
        knowledge=knowledge,
        model_factory=lambda _: chat_model,
        database=Database(settings),
        resolver=market.resolver,
        research_models=lambda _name: research_model,
    )
    deps = services.research.deps
    deps.market = SlowMarket(market)  # research calls wait like network round trips; the chat's do not
    deps.knowledge = lambda: SlowKnowledge(knowledge())
    return services


def serve(port: int, root: Path, database_url: str, runner: str) -> None:
    import uvicorn

    from web.app import create_app

    settings = _settings(root, database_url or None, runner)
    uvicorn.run(create_app(settings, _services(settings)), host="127.0.0.1", port=port, log_level="warning")


def work(root: Path, database_url: str) -> None:
    """A worker process: what ``verity worker`` runs, on the same simulated latencies."""
    from copilot.queue import run_worker

    settings = _settings(root, database_url, "procrastinate")
    os.nice(10)  # as `verity worker` does by default: the web process's chats come first
    services = _services(settings)

    async def main() -> None:
        await services.database.start(migrate=False)
        try:
            await run_worker(services.research, settings.research_jobs_at_once)
        finally:
            await services.aclose()

    asyncio.run(main())


async def _wait(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


async def _user(client: httpx.AsyncClient, n: int) -> str:
    """A new user's API key (each user orders one report: the quota is per user)."""
    async with httpx.AsyncClient(base_url=str(client.base_url)) as own:
        await own.post(
            "/api/auth/register", json={"email": f"u{n}@example.com", "password": "bench password"}
        )
        made = await own.post(
            "/api/keys", json={"name": "bench"}, headers={"X-CSRF-Token": own.cookies["verity_csrf"]}
        )
        return str(made.json()["key"])


async def _report(client: httpx.AsyncClient, key: str) -> tuple[float, str, str]:
    """Order one report and follow its events to the end: (seconds, last event, claims summary)."""
    auth = {"Authorization": f"Bearer {key}"}
    started = time.perf_counter()
    order = {"topic": TOPIC, "as_of": AS_OF.isoformat(), "model": "verity"}
    made = await client.post("/api/research", json=order, headers=auth)
    if made.status_code != 202:
        raise RuntimeError(f"order refused: HTTP {made.status_code} {made.text[:200]}")
    job_id = made.json()["id"]
    last = ""
    async with client.stream("GET", f"/api/research/{job_id}/events", headers=auth) as response:
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                last = line[7:]
    seconds = time.perf_counter() - started
    job = (await client.get(f"/api/research/{job_id}", headers=auth)).json()
    summary = (job.get("claims") or {}).get("summary", "")
    return seconds, last, summary


def _all_verified(summary: str) -> bool:
    """``claims verified X/Y`` with X == Y > 0."""
    verified, _, total = summary.rpartition(" ")[2].partition("/")
    return bool(total) and verified == total and int(total) > 0


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


async def _chat_loop(
    client: httpx.AsyncClient, key: str, stop: asyncio.Event | None, count: int
) -> list[float]:
    times: list[float] = []
    while (stop is None and len(times) < count) or (stop is not None and not stop.is_set()):
        times.append(await _sse_turn(client, key) * 1000)
    return times


async def _section(url: str, at_once: int) -> None:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        keys = [await _user(client, n) for n in range(REPORTS + 2)]
        chat_key, alone_key, users = keys[0], keys[1], keys[2:]
        for _ in range(10):
            await _sse_turn(client, chat_key)
        await _report(client, alone_key)  # warm-up: the knowledge base opens on the first search
        quiet = await _chat_loop(client, chat_key, None, CHAT_TURNS)
        alone, last, summary = await _report(client, alone_key)
        assert last == "done", last
        print(f"one report alone: {alone:.2f} s ({summary})")

        stop = asyncio.Event()
        chats = asyncio.create_task(_chat_loop(client, chat_key, stop, 0))
        started = time.perf_counter()
        results = await asyncio.gather(*(_report(client, key) for key in users), return_exceptions=True)
        wall = time.perf_counter() - started
        stop.set()
        loaded = await chats
    errors = [r for r in results if isinstance(r, BaseException)]
    finished = [r for r in results if not isinstance(r, BaseException)]
    done = [r for r in finished if r[1] == "done"]
    complete = [r for r in done if _all_verified(r[2])]
    rounds = math.ceil(REPORTS / at_once)
    print(
        f"{REPORTS} reports ordered at once: {len(done)} done, {len(finished) - len(done)} ended otherwise, "
        f"{len(errors)} errors; {len(complete)} with every claim verified"
    )
    seconds = [r[0] for r in done]
    if seconds:
        print(
            f"  all finished in {wall:.2f} s ({at_once} at once: at least {rounds} rounds of "
            f"{alone:.2f} s = {rounds * alone:.2f} s); ratio {wall / (rounds * alone):.2f}x; "
            f"per report p50 {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s"
        )
    for error in errors[:3]:
        print(f"  error: {error!r}")
    q50, q95 = statistics.median(quiet), _p(quiet, 0.95)
    l50, l95 = statistics.median(loaded), _p(loaded, 0.95)
    print(f"chat without research load: {len(quiet)} turns, p50 {q50:.1f} ms, p95 {q95:.1f} ms")
    print(f"chat while the {REPORTS} reports run: {len(loaded)} turns, p50 {l50:.1f} ms, p95 {l95:.1f} ms")
    print(f"ratio p95 loaded / quiet: {l95 / q95:.2f}x")
    if len(done) != REPORTS:
        raise SystemExit(f"FAIL: {REPORTS - len(done)} of the {REPORTS} reports did not finish")


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.DEVNULL)


async def main() -> None:
    from copilot.knowledge import build_knowledge_base
    from tools.importer import import_snapshot

    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        root = Path(tmp)
        import_snapshot([SHARED / name for name in SOURCES], root / "snapshot")
        settings = _settings(root, None, "inline")
        build_knowledge_base(settings).add([fomc_statements(SHARED, root)])
        at_once = settings.research_jobs_at_once
        print(f"== in-process runner (SQLite, one uvicorn worker, {at_once} reports at once)")
        port = free_port()
        server = _start("--serve", str(port), str(root), "", "inline")
        try:
            await _wait(f"http://127.0.0.1:{port}/healthz")
            await _section(f"http://127.0.0.1:{port}", settings.research_jobs_at_once)
        finally:
            server.terminate()
            server.wait(timeout=30)

        from tests.web import postgres

        if postgres.available() and not os.environ.get("BENCH_SKIP_PG"):
            with postgres.postgres_cluster() as cluster:
                url = await postgres.create_database(cluster, "bench")
                print(
                    "== procrastinate on PostgreSQL 15: the web process defers, "
                    "2 worker processes (nice 10) write"
                )
                port = free_port()
                server = _start("--serve", str(port), str(root), url, "procrastinate")
                workers: list[subprocess.Popen[bytes]] = []
                try:
                    await _wait(f"http://127.0.0.1:{port}/healthz")
                    workers = [_start("--work", str(root), url) for _ in range(2)]
                    await _section(f"http://127.0.0.1:{port}", 2 * settings.research_jobs_at_once)
                finally:
                    for process in [*workers, server]:
                        process.terminate()
                        process.wait(timeout=60)
    print(f"load average (1 min) during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", nargs=4)
    parser.add_argument("--work", nargs=2)
    options = parser.parse_args()
    if options.serve:
        port, root, url, runner = options.serve
        serve(int(port), Path(root), url, runner)
    elif options.work:
        work(Path(options.work[0]), options.work[1])
    else:
        asyncio.run(main())

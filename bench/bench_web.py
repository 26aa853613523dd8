"""Benchmark: the web app's costs, each against a peer measured in the same run.

1. Per chat turn, the HTTP path (API-key auth, rate limit, run record, SSE, events and the turn
   stored in SQLite) against a bare ``ChatService`` turn (in-memory conversation), both with the
   same scripted zero-latency model over a snapshot of the real index data. Goal: <= 1.3x.
2. 50 concurrent SSE chats against one worker: errors (goal 0), each answer stored exactly once,
   p50/p95 of the time to the last event.
3. Requests per second of a cached ``/api/market/quote`` and its ratio to a bare FastAPI endpoint
   returning a constant, served by the same uvicorn settings and hit by the same client.

The servers run in subprocesses of this script (``--serve``/``--bare``), one uvicorn worker each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.schemas import ToolArtifact
from tests.fakes import ScriptedChatModel, tool_calls
from tests.web.postgres import free_port

AS_OF = date(2026, 1, 9)
QUESTION = "How did small caps do against large caps this year, and where is the S&P 500?"
INDICES = "prices/indices_daily_2016_2026.csv.gz"
TURNS, WARMUP, CONCURRENT = 100, 10, 50
QUOTE_SECONDS, IN_FLIGHT = 3.0, 16


def _responder(messages: list[BaseMessage]) -> AIMessage:
    """Two parallel tool calls for a question; a cited answer from their artifacts after them."""
    if isinstance(messages[-1], HumanMessage):
        return tool_calls(
            ("compare_performance", {"symbols": ["^RUT", "^GSPC"], "period": "ytd"}),
            ("get_quote", {"symbol": "^GSPC"}),
        )
    facts = {}
    for message in messages:
        if isinstance(message, ToolMessage) and isinstance(message.artifact, ToolArtifact):
            for source in message.artifact.sources:
                n = message.artifact.labels[source.id]
                facts.update({(f.symbol, f.key): f"{f.display()} [{n}]" for f in source.facts})
    return AIMessage(
        content=f"Small caps returned {facts['^RUT', 'price_return_ytd']} this year against "
        f"{facts['^GSPC', 'price_return_ytd']} for large caps; "
        f"the S&P 500 closed at {facts['^GSPC', 'last_price']}."
    )


def _settings(data_dir: Path, snapshot: Path, database_url: str | None = None) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        market_data=f"snapshot:{snapshot}",
        llm="offline",
        as_of=AS_OF,
        rate_limit_user="1000000/minute",
        rate_limit_api="1000000/minute",
        _env_file=None,  # type: ignore[call-arg]
    )


def _services(settings: Settings, storage: str) -> object:
    from copilot.services import Services
    from copilot.storage.db import Database
    from tools.market import MarketData
    from tools.providers.snapshot import SnapshotProvider

    clock = ExchangeClock(fixed=date(2026, 8, 21))
    market = MarketData(
        SnapshotProvider(Path(settings.market_data.removeprefix("snapshot:"))), today=clock.today
    )
    model = ScriptedChatModel(responder=_responder)
    database = Database(settings) if storage == "database" else None
    return Services.assemble(settings, market, clock=clock, model_factory=lambda _: model, database=database)


def serve(port: int, data_dir: Path, snapshot: Path) -> None:
    """The app over the scripted model (a subprocess of the benchmark)."""
    import uvicorn

    from web.app import create_app

    settings = _settings(data_dir, snapshot, os.environ.get("BENCH_DATABASE_URL") or None)
    app = create_app(settings, _services(settings, "database"))  # type: ignore[arg-type]
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def bare(port: int) -> None:
    """A bare FastAPI endpoint returning a constant (the peer of the cached quote)."""
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/constant")
    async def constant() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.DEVNULL)


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


async def _sse_turn(client: httpx.AsyncClient, key: str) -> float:
    started = time.perf_counter()
    last = ""
    headers = {"Authorization": f"Bearer {key}"}
    async with client.stream("POST", "/api/chat", json={"message": QUESTION}, headers=headers) as response:
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {(await response.aread())[:200]!r}")
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                last = line[7:]
    if last != "done":
        raise RuntimeError(f"the stream ended with {last!r}")
    return time.perf_counter() - started


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads: the SQLite driver's too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def overhead(url: str, key: str, settings: Settings, server_pid: int) -> None:
    from copilot.events import DoneEvent

    services = _services(settings, "memory")
    chat = services.chat  # type: ignore[attr-defined]

    async def bare_turn() -> float:
        started = time.perf_counter()
        done = [e async for e in chat.run_turn(QUESTION)][-1]
        assert isinstance(done, DoneEvent) and done.verification == "3/3 verified", done
        return time.perf_counter() - started

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(WARMUP):
            await bare_turn()
            await _sse_turn(client, key)
        walls: tuple[list[float], list[float]] = ([], [])
        cpu = [0.0, 0.0]
        for _ in range(TURNS):  # alternated, so machine noise hits both
            started = time.process_time()
            walls[0].append(await bare_turn())
            cpu[0] += time.process_time() - started
            before = _cpu_seconds(server_pid)
            walls[1].append(await _sse_turn(client, key))
            cpu[1] += _cpu_seconds(server_pid) - before
    ours, peer = (statistics.median(w) * 1000 for w in (walls[1], walls[0]))
    print(f"chat turn over HTTP (API key, SSE, stored) p50: {ours:.2f} ms wall")
    print(f"bare ChatService turn (in memory) p50:                   {peer:.2f} ms wall")
    print(f"ratio HTTP path / bare ChatService: {ours / peer:.2f}x wall (goal <= 1.3x)")
    # CPU is what a machine shared with other work inflates least: the server's (every thread of
    # it) per HTTP turn against the bare turn's, both in ms
    ours_cpu, peer_cpu = cpu[1] / TURNS * 1000, cpu[0] / TURNS * 1000
    print(f"CPU per turn: server {ours_cpu:.2f} ms, bare {peer_cpu:.2f} ms: {ours_cpu / peer_cpu:.2f}x")


async def _stored(client: httpx.AsyncClient, key: str) -> list[int]:
    """The turn count of every conversation of the benchmark's user, read through the API."""
    counts: list[int] = []
    while True:
        page = await client.get(
            "/api/conversations",
            params={"limit": 100, "offset": len(counts)},
            headers={"Authorization": f"Bearer {key}"},
        )
        batch = [c["turn_count"] for c in page.json()]
        counts.extend(batch)
        if len(batch) < 100:
            return counts


async def concurrent(url: str, key: str) -> None:
    limits = httpx.Limits(max_connections=CONCURRENT, max_keepalive_connections=CONCURRENT)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        before = await _stored(client, key)
        started = time.perf_counter()
        chats = (_sse_turn(client, key) for _ in range(CONCURRENT))
        results = await asyncio.gather(*chats, return_exceptions=True)
        wall = time.perf_counter() - started
        after = await _stored(client, key)
    errors = [r for r in results if isinstance(r, BaseException)]
    times = sorted(r * 1000 for r in results if isinstance(r, float))
    # each chat opened its own conversation: one stored turn each, none twice
    stored, twice = sum(after) - sum(before), sum(1 for n in after if n > 1)
    p95 = times[int(0.95 * (len(times) - 1))] if times else float("nan")
    print(
        f"{CONCURRENT} concurrent SSE chats, one worker: {len(errors)} errors (goal 0), "
        f"{stored} answers stored for {CONCURRENT} turns, {twice} conversations with an answer stored twice"
    )
    print(
        f"  time to the last event p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms; "
        f"all in {wall:.2f} s"
    )
    for error in errors[:3]:
        print(f"  error: {error!r}")


async def _requests_per_second(port: int, path: str) -> float:
    """Keep-alive GETs from ``IN_FLIGHT`` raw connections for ``QUOTE_SECONDS`` (an HTTP client
    library would be slower than the servers and measure itself)."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    count = 0
    deadline = 0.0

    async def connection() -> None:
        nonlocal count
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = head.split(b" ", 2)[1]
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                if status != b"200":
                    raise RuntimeError(f"{path}: HTTP {status.decode()}")
                count += 1
        finally:
            writer.close()

    deadline = time.perf_counter() + 0.5  # warm-up
    await asyncio.gather(*(connection() for _ in range(IN_FLIGHT)))
    count = 0
    started = time.perf_counter()
    deadline = started + QUOTE_SECONDS
    await asyncio.gather(*(connection() for _ in range(IN_FLIGHT)))
    return count / (time.perf_counter() - started)


async def quote_rate(port: int, bare_port: int) -> None:
    quote = await _requests_per_second(port, "/api/market/quote?symbol=%5EGSPC&as_of=2026-01-09")
    constant = await _requests_per_second(bare_port, "/constant")
    print(
        f"cached /api/market/quote: {quote:,.0f} requests/s; "
        f"bare FastAPI constant: {constant:,.0f} requests/s"
    )
    print(f"ratio quote / constant: {quote / constant:.2f}")


async def _key(url: str) -> str:
    async with httpx.AsyncClient(base_url=url) as client:
        await client.post(
            "/api/auth/register", json={"email": "bench@example.com", "password": "bench password"}
        )
        created = await client.post(
            "/api/keys", json={"name": "bench"}, headers={"X-CSRF-Token": client.cookies["verity_csrf"]}
        )
        return str(created.json()["key"])


async def _chat_section(root: Path, settings: Settings, database_url: str | None) -> None:
    port = free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": database_url or ""}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), str(settings.data_dir), str(root / "snapshot")],
        stdout=subprocess.DEVNULL,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        await _wait(f"{url}/healthz")
        key = await _key(url)
        await overhead(url, key, settings, server.pid)
        await concurrent(url, key)
    finally:
        server.terminate()
        server.wait(timeout=20)


async def main() -> None:
    from tools.importer import import_snapshot

    shared = Path(
        os.environ.get("VERITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        root = Path(tmp)
        import_snapshot([shared / INDICES], root / "snapshot")
        print("== SQLite (the embedded default)")
        await _chat_section(root, _settings(root / "data", root / "snapshot"), None)
        from tests.web import postgres

        if postgres.available():
            with postgres.postgres_cluster() as server:
                url = await postgres.create_database(server, "bench")
                print("== PostgreSQL 15 (asyncpg)")
                await _chat_section(root, _settings(root / "pgdata", root / "snapshot", url), url)
        port, bare_port = free_port(), free_port()
        servers = [
            _start("--serve", str(port), str(root / "data"), str(root / "snapshot")),
            _start("--bare", str(bare_port)),
        ]
        try:
            await _wait(f"http://127.0.0.1:{port}/healthz")
            await _wait(f"http://127.0.0.1:{bare_port}/constant")
            print("== cached market data")
            await quote_rate(port, bare_port)
        finally:
            for server_process in servers:
                server_process.terminate()
                server_process.wait(timeout=20)
    print(f"load average (1 min) during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", nargs=3)
    parser.add_argument("--bare")
    options = parser.parse_args()
    if options.serve:
        serve(int(options.serve[0]), Path(options.serve[1]), Path(options.serve[2]))
    elif options.bare:
        bare(int(options.bare))
    else:
        asyncio.run(main())

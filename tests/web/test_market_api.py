"""``/api/market/*`` over a snapshot of the real index data: the same Source the agent cites, figures
checked against plain pandas on the CSV, bars cut at ``as_of``, typed errors as JSON, cached answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest

from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.services import Services
from tests.fakes import ScriptedChatModel
from tests.web.conftest import FAST_HASHER, scripted, web_settings
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider
from web.app import create_app

INDICES = "prices/indices_daily_2016_2026.csv.gz"
TODAY = date(2026, 8, 21)


@pytest.fixture(scope="module")
def snapshot(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("market") / "snapshot"
    import_snapshot([shared_data / INDICES], dest)
    return dest


@pytest.fixture(scope="module")
def closes(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / INDICES, parse_dates=["date"])


@pytest.fixture()
async def client(settings: Settings, snapshot: Path) -> AsyncIterator[httpx.AsyncClient]:
    clock = ExchangeClock(fixed=TODAY)
    market = MarketData(SnapshotProvider(snapshot), today=clock.today)
    services = Services.assemble(
        web_settings(settings),
        market,
        clock=clock,
        model_factory=scripted(ScriptedChatModel()),
        password_hasher=FAST_HASHER,
    )
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield http


def _series(closes: pd.DataFrame, symbol: str) -> pd.DataFrame:
    return closes[closes["symbol"] == symbol].set_index("date").sort_index()


async def test_a_quote_is_the_cited_source_with_figures_matching_the_csv(
    client: httpx.AsyncClient, closes: pd.DataFrame
) -> None:
    response = await client.get("/api/market/quote", params={"symbol": "Russell 2000", "as_of": "2026-01-09"})
    assert response.status_code == 200, response.text
    source = response.json()
    assert source["kind"] == "market_data" and source["tool"] == "quote" and source["id"]
    facts = {f["key"]: f["value"] for f in source["facts"]}
    rut = _series(closes, "^RUT")
    assert facts["last_price"] == pytest.approx(rut.loc["2026-01-09", "close"], abs=1e-6)
    previous = rut.loc[:"2026-01-08", "close"].iloc[-1]
    assert facts["change_pct"] == pytest.approx(
        (rut.loc["2026-01-09", "close"] / previous - 1) * 100, abs=1e-6
    )
    year = rut.loc["2025-01-10":"2026-01-09"]
    assert facts["high_52w"] == pytest.approx(year["high"].max(), abs=1e-6)


async def test_history_returns_bars_up_to_as_of_only(client: httpx.AsyncClient, closes: pd.DataFrame) -> None:
    response = await client.get(
        "/api/market/history", params={"symbol": "^GSPC", "start": "2025-12-01", "as_of": "2026-01-09"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    expected = _series(closes, "^GSPC").loc["2025-12-01":"2026-01-09"]
    assert [b["date"] for b in body["bars"]] == [d.date().isoformat() for d in expected.index]
    assert [b["close"] for b in body["bars"]] == pytest.approx(expected["close"].tolist())
    assert body["as_of"] == "2026-01-09" and body["symbol"] == "^GSPC"


async def test_performance_sectors_and_technicals_answer_or_say_why_not(client: httpx.AsyncClient) -> None:
    performance = await client.get(
        "/api/market/performance", params={"symbols": "^RUT,^GSPC", "period": "ytd", "as_of": "2026-01-09"}
    )
    assert performance.status_code == 200
    assert {f["symbol"] for f in performance.json()["facts"]} >= {"^RUT", "^GSPC"}
    technicals = await client.get("/api/market/technicals", params={"symbol": "^GSPC", "as_of": "2026-01-09"})
    assert technicals.status_code == 200 and any(f["key"] == "rsi_14" for f in technicals.json()["facts"])
    bad_period = await client.get("/api/market/sectors", params={"period": "2w"})
    assert bad_period.status_code == 400 and bad_period.json()["error"] == "bad_input"


@pytest.mark.parametrize(
    ("path", "params", "status", "error"),
    [
        ("/api/market/quote", {"symbol": "ZZZZQ"}, 404, "unknown_symbol"),
        ("/api/market/quote", {"symbol": "^GSPC", "as_of": "2027-01-01"}, 400, "bad_input"),
        ("/api/market/quote", {"symbol": "^GSPC", "as_of": "yesterday"}, 400, "bad_input"),
        ("/api/market/quote", {}, 400, "bad_input"),
        (
            "/api/market/history",
            {"symbol": "^GSPC", "start": "2026-02-01", "as_of": "2026-01-09"},
            400,
            "bad_input",
        ),
    ],
)
async def test_bad_market_requests_are_json_4xx(
    client: httpx.AsyncClient, path: str, params: dict[str, str], status: int, error: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


async def test_a_repeated_quote_is_served_from_the_cache(client: httpx.AsyncClient) -> None:
    params = {"symbol": "^IXIC", "as_of": "2026-01-08"}
    first = await client.get("/api/market/quote", params=params)
    second = await client.get("/api/market/quote", params=params)
    assert first.content == second.content  # same retrieved_at: not recomputed

"""``/api/market/chart/*``: the lines the page draws, computed on the server from the real data.

A price chart's averages are TA-Lib's SMA over the CSV closes, and end on the figures the technicals
tool cites; a comparison rebased to 100 starts at the base close of the cited return and ends at
100 x (1 + that return). Nothing after the analysis date is drawn; bad input is a clear 4xx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
import talib

from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.services import Services
from tests.fakes import ScriptedChatModel
from tests.web.conftest import FAST_HASHER, scripted, web_settings
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider
from web.app import create_app

FILES = (
    "prices/indices_daily_2016_2026.csv.gz",
    "prices/us_large_caps_daily_2016_2026.csv.gz",
    "prices/yahoo_etfs_indices_daily_to_2026-02.csv.gz",
    "prices/etfs_daily_2025-01_to_2026-03.csv.gz",
)
TODAY = date(2026, 8, 21)
DAY = "2026-01-09"


@pytest.fixture(scope="module")
def snapshot(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("charts") / "snapshot"
    import_snapshot([shared_data / f for f in FILES], dest)
    return dest


@pytest.fixture(scope="module")
def csv(shared_data: Path) -> pd.DataFrame:
    return pd.concat(pd.read_csv(shared_data / f, parse_dates=["date"]) for f in FILES[:2])


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


def closes(csv: pd.DataFrame, symbol: str, until: str) -> pd.Series:
    rows = csv[csv["symbol"] == symbol].set_index("date").sort_index()
    return rows.loc[:until, "close"]


def lines(chart: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {s["name"]: s["points"] for s in chart["series"]}


async def facts(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, float]:
    source = (await client.get(f"/api/market/{path}", params=params)).json()
    return {
        (f"{f['symbol']}:" if path == "performance" else "") + f["key"]: f["value"] for f in source["facts"]
    }


async def test_a_price_chart_draws_tradings_closes_with_talib_averages_ending_on_the_cited_figures(
    client: httpx.AsyncClient, csv: pd.DataFrame
) -> None:
    response = await client.get("/api/market/chart/price", params={"symbol": "NVDA", "as_of": DAY})
    assert response.status_code == 200, response.text
    chart = response.json()
    assert chart["key"] == "price" and chart["kind"] == "line" and chart["unit"] == "USD"
    assert chart["title"] == "NVIDIA Corporation with its 50- and 200-day averages, as of 2026-01-09"
    assert "as traded" in chart["note"]
    drawn = lines(chart)
    assert set(drawn) == {"NVIDIA Corporation (NVDA) close", "50-day average", "200-day average"}
    reference = closes(csv, "NVDA", DAY)
    close = drawn["NVIDIA Corporation (NVDA) close"]
    assert close[-1]["x"] == DAY and close[-1]["y"] == pytest.approx(reference.iloc[-1], abs=1e-6)
    assert close[0]["x"] >= "2025-01-09"  # a year is shown
    assert all(p["x"] <= DAY for points in drawn.values() for p in points)  # nothing after as_of
    sma = {n: talib.SMA(reference.to_numpy(dtype=np.float64), n) for n in (50, 200)}
    for points, window in ((drawn["50-day average"], 50), (drawn["200-day average"], 200)):
        assert points[-1]["y"] == pytest.approx(sma[window][-1], abs=1e-4)
        assert points[-1]["y"] == pytest.approx(reference.iloc[-window:].mean(), abs=1e-4)
        middle = points[len(points) // 2]
        at = reference.index.get_loc(pd.Timestamp(middle["x"]))
        assert middle["y"] == pytest.approx(sma[window][at], abs=1e-4)
    cited = await facts(client, "technicals", symbol="NVDA", as_of=DAY)
    assert drawn["50-day average"][-1]["y"] == pytest.approx(cited["sma_50"], abs=1e-4)
    assert drawn["200-day average"][-1]["y"] == pytest.approx(cited["sma_200"], abs=1e-4)


async def test_a_fund_without_a_year_of_traded_prices_is_drawn_on_its_adjusted_closes_and_says_so(
    client: httpx.AsyncClient,
) -> None:
    # the record holds IWM's traded prices only from 2025-06-16: the technicals use adjusted closes
    chart = (await client.get("/api/market/chart/price", params={"symbol": "IWM", "as_of": DAY})).json()
    assert "dividend-adjusted" in chart["note"]
    cited = await facts(client, "technicals", symbol="IWM", as_of=DAY)
    drawn = lines(chart)
    assert drawn["50-day average"][-1]["y"] == pytest.approx(cited["sma_50_adjusted"], abs=1e-4)
    assert drawn["200-day average"][-1]["y"] == pytest.approx(cited["sma_200_adjusted"], abs=1e-4)
    history = (await client.get("/api/market/history", params={"symbol": "IWM", "as_of": DAY})).json()
    traded = {bar["date"]: bar["traded"] for bar in history["bars"]}
    assert traded["2025-06-13"] is False and traded["2025-06-16"] is True
    assert all(bar["adj_close"] is not None for bar in history["bars"])


async def test_a_comparison_is_rebased_to_100_at_the_cited_returns_base_close(
    client: httpx.AsyncClient, csv: pd.DataFrame
) -> None:
    params = {"symbols": ["^RUT", "^GSPC"], "start": "2025-12-31", "as_of": DAY}
    chart = (await client.get("/api/market/chart/relative", params=params)).json()
    assert chart["key"] == "relative" and chart["unit"] == "index (start = 100)"
    assert chart["title"] == "Performance from 2025-12-31 to 2026-01-09, rebased to 100"
    drawn = lines(chart)
    cited = await facts(client, "performance", symbols="^RUT,^GSPC", period="ytd", as_of=DAY)
    for name, symbol in (("Russell 2000 (^RUT)", "^RUT"), ("S&P 500 (^GSPC)", "^GSPC")):
        points = drawn[name]
        assert points[0] == {"x": "2025-12-31", "y": 100.0}
        assert points[-1]["x"] == DAY
        assert points[-1]["y"] == pytest.approx(100 + cited[f"{symbol}:price_return_ytd"], abs=1e-4)
        reference = closes(csv, symbol, DAY)
        assert points[-1]["y"] == pytest.approx(
            100 * reference.iloc[-1] / reference.loc["2025-12-31"], abs=1e-3
        )


async def test_a_base_day_without_a_session_rebases_on_the_close_before_it(client: httpx.AsyncClient) -> None:
    # 2025-01-09 had no session (a national day of mourning): the base is the 8th's close
    params = {"symbols": ["^GSPC", "^IXIC"], "start": "2025-01-09", "as_of": DAY}
    chart = (await client.get("/api/market/chart/relative", params=params)).json()
    assert all(points[0] == {"x": "2025-01-08", "y": 100.0} for points in lines(chart).values())
    cited = await facts(client, "performance", symbols="^GSPC,^IXIC", period="1y", as_of=DAY)
    assert lines(chart)["S&P 500 (^GSPC)"][-1]["y"] == pytest.approx(
        100 + cited["^GSPC:price_return_1y"], abs=1e-4
    )


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("price", {"symbol": "NVDA", "as_of": "2026-09-01"}, 400, "in the future"),
        ("price", {"symbol": "NVDA", "start": "2026-02-01", "as_of": DAY}, 400, "after the analysis date"),
        ("price", {"symbol": "ZZZZQ", "as_of": DAY}, 404, "ZZZZQ"),
        ("relative", {"symbols": ["^RUT"] * 13, "as_of": DAY}, 400, "symbols"),
        ("relative", {"symbols": ["^RUT", "^GSPC"], "start": DAY, "as_of": DAY}, 400, "not before"),
        ("relative", {"symbols": ["^RUT", "^GSPC"], "start": "2010-01-04", "as_of": DAY}, 404, "rebase"),
    ],
)
async def test_bad_chart_requests_are_clear_4xx(
    client: httpx.AsyncClient, path: str, params: dict[str, Any], status: int, words: str
) -> None:
    response = await client.get(f"/api/market/chart/{path}", params=params)
    assert response.status_code == status, response.text
    assert words in response.json()["message"]

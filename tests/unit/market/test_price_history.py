"""Prices on a day and over a range (facade, agent tool, CLI), and plain bars, against pandas on the CSVs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from langchain.tools import ToolRuntime
from langchain_core.messages import ToolMessage
from typer.testing import CliRunner

from copilot.citations import SourceLedger
from copilot.cli import app
from copilot.cli import data as data_cli
from copilot.errors import BadInputError, NoDataError
from copilot.schemas import ToolArtifact
from tests.unit.market.csv_bars import LARGE_CAPS, YAHOO, bars
from tools.agent_tools import PERIOD_HELP, TurnContext, build_tools
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

TODAY = date(2026, 8, 21)


@pytest.fixture(scope="module")
def md(snapshot_provider: SnapshotProvider) -> MarketData:
    return MarketData(snapshot_provider, today=lambda: TODAY)


def test_a_day_gives_the_sessions_prices_as_traded(md: MarketData) -> None:
    frame = bars(LARGE_CAPS, "AAPL")
    source = md.price_history("Apple", date=date(2025, 3, 3), as_of=date(2025, 6, 30))
    row, prev = frame.loc["2025-03-03"], frame.loc["2025-02-28"]
    got = {f.key: f.value for f in source.facts}
    assert got == pytest.approx(
        {
            "close": row["close"],
            "open": row["open"],
            "high": row["high"],
            "low": row["low"],
            "prev_close": prev["close"],
            "change_pct": (row["close"] / prev["close"] - 1) * 100,
            "volume": row["volume"],
        },
        rel=1e-12,
    )
    assert all(f.as_of == date(2025, 3, 3) for f in source.facts)  # each fact carries its own date
    assert source.tool == "price_history" and source.as_of == date(2025, 3, 3)
    assert source.arguments == {
        "symbol": "AAPL",
        "name": "Apple",
        "date": "2025-03-03",
        "as_of": "2025-06-30",
    }


def test_a_non_trading_day_says_which_session_it_used(md: MarketData) -> None:
    source = md.price_history("IWM", date=date(2026, 1, 10))  # a Saturday
    assert source.fact("close").value == pytest.approx(260.23, abs=1e-4)
    assert source.fact("close").as_of == date(2026, 1, 9) and source.details["session"] == "2026-01-09"
    assert any("2026-01-10 was not a trading day" in note and "2026-01-09" in note for note in source.notes)
    # the dividend-adjusted close stands beside the traded one, labelled with its basis
    adjusted = source.fact("adj_close")
    assert adjusted.value < source.fact("close").value and "2026-03-31" in adjusted.label


def test_a_day_without_a_traded_price_says_it_is_dividend_adjusted(md: MarketData) -> None:
    frame = bars(YAHOO, "IWM")
    source = md.price_history("IWM", date=date(2020, 3, 23))
    assert source.fact("close") is None
    fact = source.fact("close_adjusted")
    assert fact.label == "Dividend-adjusted close (no traded price on record)"
    # on the snapshot's adjusted basis: the file's day return is kept exactly
    change = source.fact("change_pct_adjusted").value
    expected = (frame.loc["2020-03-23", "close"] / frame.loc["2020-03-20", "close"] - 1) * 100
    assert change == pytest.approx(expected, rel=1e-9)
    assert any("no traded price of IWM for 2020-03-23" in note for note in source.notes)


def test_a_range_sums_up_the_sessions_in_it(md: MarketData) -> None:
    frame = bars(LARGE_CAPS, "MSFT").loc["2025-04-01":"2025-04-30"]
    source = md.price_history("MSFT", start=date(2025, 4, 1), end=date(2025, 4, 30), as_of=TODAY)
    facts = {f.key: f for f in source.facts}
    first, last = frame["close"].iloc[0], frame["close"].iloc[-1]
    assert facts["first_close"].value == first and facts["first_close"].as_of == date(2025, 4, 1)
    assert facts["last_close"].value == last and facts["last_close"].as_of == date(2025, 4, 30)
    assert facts["change"].value == pytest.approx(last - first, rel=1e-12)
    assert facts["change_pct"].value == pytest.approx((last / first - 1) * 100, rel=1e-12)
    assert facts["high"].value == frame["high"].max()
    assert facts["high"].as_of == frame["high"].idxmax().date()
    assert facts["low"].value == frame["low"].min() and facts["low"].as_of == date(2025, 4, 7)
    # "the highest close" is a close, not the intraday high
    assert facts["high_close"].value == frame["close"].max()
    assert facts["high_close"].as_of == frame["close"].idxmax().date()
    assert facts["low_close"].value == frame["close"].min()
    assert facts["low_close"].as_of == frame["close"].idxmin().date()
    assert facts["pct_from_high_close"].value == pytest.approx((last / frame["close"].max() - 1) * 100)
    assert facts["avg_volume"].value == pytest.approx(frame["volume"].mean(), rel=1e-12)
    assert facts["total_volume"].value == pytest.approx(frame["volume"].sum(), rel=1e-12)
    assert facts["sessions"].value == len(frame) == 21
    assert source.arguments == {
        "symbol": "MSFT",
        "start": "2025-04-01",
        "end": "2025-04-30",
        "as_of": "2026-08-21",
    }


def test_a_range_ends_at_the_analysis_date_by_default_and_never_after(md: MarketData) -> None:
    frame = bars(LARGE_CAPS, "MSFT")
    source = md.price_history("MSFT", start=date(2025, 6, 2), as_of=date(2025, 6, 13))
    assert source.fact("last_close").as_of == date(2025, 6, 13)
    assert source.fact("sessions").value == len(frame.loc["2025-06-02":"2025-06-13"])
    assert source.arguments["end"] == "2025-06-13"
    with pytest.raises(BadInputError, match="after the analysis date"):
        md.price_history("MSFT", date=date(2025, 6, 14), as_of=date(2025, 6, 13))
    with pytest.raises(BadInputError, match="after the analysis date"):
        md.price_history("MSFT", start=date(2025, 6, 2), end=date(2025, 7, 1), as_of=date(2025, 6, 13))
    with pytest.raises(BadInputError, match="either a date or a start"):
        md.price_history("MSFT", date=date(2025, 6, 2), start=date(2025, 6, 2))
    with pytest.raises(BadInputError, match="empty range"):
        md.price_history("MSFT", start=date(2025, 6, 9), end=date(2025, 6, 2))
    with pytest.raises(NoDataError, match="no trading session"):
        md.price_history("MSFT", start=date(2025, 6, 14), end=date(2025, 6, 15))


def test_a_range_without_one_kind_of_prices_covers_the_traded_sessions_and_says_so(md: MarketData) -> None:
    # IWM: dividend-adjusted closes only before 2025-06-16, traded only after 2026-03-31
    source = md.price_history("IWM", start=date(2025, 5, 1), end=date(2026, 5, 29))
    assert source.fact("first_close").as_of == date(2025, 6, 16)
    assert any("only from 2025-06-16" in note for note in source.notes)
    # covered by adjusted closes throughout: on that basis, keyed so
    adjusted = md.price_history("IWM", start=date(2025, 5, 1), end=date(2026, 1, 9))
    assert adjusted.fact("first_close_adjusted").as_of == date(2025, 5, 1)
    assert adjusted.fact("sessions").value > 150


def test_bars_for_charts_stop_at_the_analysis_date(md: MarketData) -> None:
    history = md.bars("Russell 2000", start=date(2025, 12, 1), as_of=date(2026, 1, 9))
    assert history.symbol == "^RUT" and history.last_date == date(2026, 1, 9)
    assert history.first_date == date(2025, 12, 1)
    assert list(history.bars.columns) == ["open", "high", "low", "close", "volume", "adj_close", "traded"]
    whole = md.bars("IWM", end=date(2030, 1, 1), as_of=date(2026, 1, 9))  # the end is capped at as_of
    assert whole.last_date == date(2026, 1, 9) and whole.bars["traded"].iloc[-1] == 1.0
    with pytest.raises(BadInputError, match="empty range"):
        md.bars("IWM", start=date(2026, 2, 1), as_of=date(2026, 1, 9))


async def test_the_agent_tool_gives_a_day_and_a_range(md: MarketData) -> None:
    tool = {t.name: t for t in build_tools(md)}["get_price_history"]
    ctx = TurnContext(SourceLedger(), as_of=date(2026, 1, 9))

    async def call(**args: object) -> tuple[str, ToolArtifact]:
        runtime = ToolRuntime(
            state={}, context=ctx, config={}, stream_writer=lambda _: None, tool_call_id="t1", store=None
        )
        message = await tool.ainvoke(
            {"type": "tool_call", "name": tool.name, "id": "t1", "args": {**args, "runtime": runtime}}
        )
        assert isinstance(message, ToolMessage) and isinstance(message.artifact, ToolArtifact)
        return str(message.content), message.artifact

    content, artifact = await call(symbol="IWM", date="2026-01-09")
    assert content.startswith("[1] Price of IWM") and "Close: $260.23" in content
    assert artifact.sources[0].arguments == {"symbol": "IWM", "date": "2026-01-09", "as_of": "2026-01-09"}
    content, artifact = await call(symbol="SPY", start="2025-12-01", end="2026-01-09")
    assert content.startswith("[2] Price history of SPY") and "Trading sessions" in content
    assert artifact.sources[0].arguments["start"] == "2025-12-01"
    content, artifact = await call(symbol="SPY", date="2026-02-01")  # after the turn's analysis date
    assert content == "Error: date 2026-02-01 is after the analysis date 2026-01-09" and not artifact.sources


def test_the_return_tools_say_what_each_period_means(md: MarketData) -> None:
    tools = {t.name: t for t in build_tools(md)}
    for name in ("compare_performance", "sector_performance"):
        description = tools[name].description
        assert PERIOD_HELP in description
        for form in ("1d or 5d", "trading days", "same calendar day", "mtd, qtd, ytd", "2024-02", "2025Q4"):
            assert form in description, (name, form)
        assert "price_return_" in description and "total_return_" in description


def test_cli_history_on_a_day_and_over_a_range(md: MarketData, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_cli, "get_market", lambda: md)
    monkeypatch.delenv("VERITY_AS_OF", raising=False)
    runner = CliRunner()
    result = runner.invoke(app, ["data", "history", "IWM", "--date", "2026-01-09"])
    assert result.exit_code == 0, result.output
    assert "Price of IWM" in result.stdout and "$260.23" in result.stdout
    result = runner.invoke(
        app, ["data", "history", "MSFT", "--start", "2025-04-01", "--end", "2025-04-30", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["tool"] == "price_history" and payload["arguments"]["end"] == "2025-04-30"
    assert {f["key"] for f in payload["facts"]} >= {"first_close", "last_close", "high", "low", "sessions"}
    bad = runner.invoke(app, ["data", "history", "MSFT", "--end", "2025-04-30"])
    assert bad.exit_code == 2 and "an end date needs a start date" in bad.stderr


def test_a_version_1_snapshot_is_refused_with_a_reimport_message(tmp_path: Path, snapshot_dir: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    manifest = json.loads((snapshot_dir / "manifest.json").read_text())
    manifest["version"] = 1
    (old / "manifest.json").write_text(json.dumps(manifest))
    from copilot.errors import CorruptDataError

    with pytest.raises(CorruptDataError, match="re-import it with `verity data import") as caught:
        SnapshotProvider(old).price_history(["SPY"], None, TODAY)
    assert "version 1 is not supported" in caught.value.message


def test_calendar_periods_through_the_snapshot_give_both_returns(md: MarketData) -> None:
    frame = bars(LARGE_CAPS, "SPY")["close"]
    source = md.performance(["SPY", "QQQ"], "2024", as_of=TODAY)
    expected = (frame.loc["2024-12-31"] / frame.loc["2023-12-29"] - 1) * 100
    spy = [f for f in source.facts if f.symbol == "SPY"]
    assert next(f for f in spy if f.key == "price_return_2024").value == pytest.approx(expected, rel=1e-12)
    assert next(f for f in spy if f.key == "total_return_2024").value > expected  # dividends reinvested
    assert source.arguments | {"symbols": None} == {
        "symbols": None,
        "period": "2024",
        "as_of": "2026-08-21",
        "start": "2023-12-31",
        "end": "2024-12-31",
    }
    assert "price returns" in source.details["relative"][0]
    assert pd.Timestamp(source.fact("start_close").as_of) == pd.Timestamp("2023-12-29")

"""`verity data ...` through typer's CliRunner against the imported snapshot."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.cli import data as data_cli
from tools.market import MarketData

runner = CliRunner()


@pytest.fixture(autouse=True)
def snapshot_market(snapshot_provider, monkeypatch: pytest.MonkeyPatch) -> MarketData:
    market = MarketData(snapshot_provider, today=lambda: date(2026, 8, 21))
    monkeypatch.setattr(data_cli, "get_market", lambda: market)
    monkeypatch.delenv("VERITY_AS_OF", raising=False)
    return market


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["data", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_performance_by_names_as_json() -> None:
    payload = _json("performance", "Russell 2000", "S&P 500", "--as-of", "2026-01-09")
    facts = {(f["symbol"], f["key"]): f for f in payload["facts"]}
    assert round(facts[("^RUT", "price_return_ytd")]["value"], 2) == 5.73
    assert facts[("^RUT", "price_return_ytd")]["unit"] == "%"
    assert ("^RUT", "relative_to_^GSPC") in facts and ("^RUT", "spread_vs_^GSPC") in facts
    assert payload["kind"] == "market_data" and payload["tool"] == "performance"
    assert payload["arguments"]["symbols"] == ["^RUT", "^GSPC"]
    assert payload["arguments"]["as_of"] == "2026-01-09" and payload["provider"] == "snapshot"


def test_performance_custom_range_table() -> None:
    result = runner.invoke(
        app, ["data", "performance", "^RUT", "IWM", "--start", "2025-12-31", "--end", "2026-01-09"]
    )
    assert result.exit_code == 0, result.output
    assert "+5.73%" in result.stdout and "^RUT" in result.stdout and "IWM" in result.stdout


def test_quote_table_and_json() -> None:
    result = runner.invoke(app, ["data", "quote", "IWM", "--as-of", "2026-01-09"])
    assert result.exit_code == 0, result.output
    assert "Quote: IWM" in result.stdout and "52-week high" in result.stdout
    payload = _json("quote", "small caps", "--as-of", "2026-01-09")
    keys = {f["key"] for f in payload["facts"]}
    assert {"last_price", "change_pct", "high_52w", "low_52w", "pct_from_high_52w"} <= keys
    assert payload["arguments"]["symbol"] == "^RUT"


def test_technicals_and_sectors() -> None:
    result = runner.invoke(app, ["data", "technicals", "SPY", "--as-of", "2025-04-08"])
    assert result.exit_code == 0, result.output
    assert "RSI (14, Wilder)" in result.stdout and "oversold" in result.stdout
    payload = _json("sectors", "--period", "5d", "--as-of", "2025-11-18")
    assert len(payload["facts"]) == 11 and payload["arguments"]["period"] == "5d"
    assert payload["details"]["ranking"][0].startswith("1. ")


def test_valuation_says_what_is_missing() -> None:
    result = runner.invoke(app, ["data", "valuation", "QQQ", "--as-of", "2025-03-03"])
    assert result.exit_code == 0, result.output
    assert "Trailing P/E" in result.stdout
    assert "Not available from snapshot:" in result.stdout and "Forward P/E" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["quote", "IWM", "--as-of", "2030-01-01"], "in the future"),
        (["quote", "IWM", "--as-of", "01/09/2026"], "--as-of must be a date"),
        (["quote", "NOSUCHTICKER"], "Unknown symbol 'NOSUCHTICKER'"),
        (["performance", "^RUT", "--period", "2w"], "unknown period"),
        (["performance", "^GSPC", "--as-of", "2016-07-01"], "series starts"),
    ],
)
def test_errors_are_one_line_exit_2_without_traceback(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["data", *args])
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())  # rich wraps long lines at the terminal width
    assert message in text and text.startswith("Error:") and text.count("Error:") == 1
    assert "Traceback" not in result.output

"""`verity data financials | analyst-targets | market-valuation | valuation` through typer's
CliRunner against a snapshot holding statements, filings, targets and the Shiller series."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.cli import data as data_cli
from tests.unit.market.fundamentals_fixtures import FUNDAMENTAL_SOURCES, TARGETS_CSV, statements_csv
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

runner = CliRunner()


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("cli-fundamentals") / "snapshot"
    import_snapshot(list(FUNDAMENTAL_SOURCES), dest)
    return dest


@pytest.fixture(autouse=True)
def market(snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> MarketData:
    md = MarketData(SnapshotProvider(snapshot), today=lambda: date(2026, 8, 21))
    monkeypatch.setattr(data_cli, "get_market", lambda: md)
    monkeypatch.delenv("VERITY_AS_OF", raising=False)
    return md


def _json(*args: str) -> object:
    result = runner.invoke(app, ["data", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_financials_annual_cashflow_as_json() -> None:
    payload = _json("financials", "NVDA", "--statement", "cashflow", "--freq", "annual", "-n", "2")
    assert isinstance(payload, dict)
    facts = {f["key"]: f for f in payload["facts"]}
    csv = statements_csv()
    fcf = csv.loc[
        (csv["symbol"] == "NVDA")
        & (csv["freq"] == "annual")
        & (csv["line_item"] == "Free Cash Flow")
        & (csv["period_end"] == "2026-01-31"),
        "value",
    ].iloc[0]
    assert facts["free_cash_flow_fy2026"]["value"] == fcf
    assert facts["free_cash_flow_fy2026"]["label"] == "Free cash flow, FY2026"
    assert "revenue_fy2026" not in facts  # only the cash-flow statement was asked for
    assert payload["arguments"]["statement"] == "cashflow" and payload["tool"] == "financials"


def test_financials_table_shows_fiscal_labels_and_the_rule() -> None:
    result = runner.invoke(
        app, ["data", "financials", "AAPL", "-s", "income", "-n", "1", "--as-of", "2026-08-21"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Revenue, Q3 FY2026" in text and "$109.42B" in text
    assert "a statement counts from its filing date" in text


def test_analyst_targets_table() -> None:
    targets = pd.read_csv(TARGETS_CSV)
    row = targets.loc[(targets["ticker"] == "AAPL") & (targets["date"] == "2026-08-12")].iloc[0]
    result = runner.invoke(app, ["data", "analyst-targets", "Apple", "--as-of", "2026-08-12"])
    assert result.exit_code == 0, result.output
    assert f"${row['target_mean']:,.2f}" in result.stdout and "rating: buy" in result.stdout


def test_market_valuation_json() -> None:
    payload = _json("market-valuation", "--as-of", "2026-08-21")
    assert isinstance(payload, dict)
    assert {f["key"] for f in payload["facts"]} == {"pe", "cape", "level"}
    assert payload["details"]["pe_month"] == "2023-06"


def test_valuation_prints_the_computed_source_then_the_provider_snapshot() -> None:
    payload = _json("valuation", "MSFT", "--as-of", "2026-08-21")
    assert isinstance(payload, list) and [s["tool"] for s in payload] == ["valuation_at"]
    assert "Not available: MSFT: the snapshot has no fundamentals for it" in payload[0]["notes"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["financials", "AAPL", "--freq", "monthly"], "freq must be one of annual, quarterly"),
        (["analyst-targets", "AAPL", "--as-of", "2026-08-01"], "the first analyst-target snapshot is dated"),
        (["market-valuation", "--as-of", "1870-01-01"], "no monthly valuation data public by 1870-01-01"),
    ],
)
def test_errors_are_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["data", *args])
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert message in text and text.startswith("Error:") and "Traceback" not in result.output

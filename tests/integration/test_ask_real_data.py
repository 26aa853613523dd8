"""`verity ask` end to end: build_chat_service, the offline analyst and a snapshot of the real index data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.cli import ask as ask_cli
from copilot.config import Settings
from copilot.services import build_chat_service
from tools.importer import import_snapshot

INDICES = "prices/indices_daily_2016_2026.csv.gz"
runner = CliRunner()


@pytest.fixture(scope="module")
def index_snapshot(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("agent") / "snapshot"
    import_snapshot([shared_data / INDICES], dest)
    return dest


@pytest.fixture()
def offline_cli(settings: Settings, index_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    real = settings.model_copy(update={"market_data": f"snapshot:{index_snapshot}"})
    monkeypatch.setattr(ask_cli, "service_factory", lambda _: build_chat_service(real))
    return real


def _ytd(shared_data: Path, symbol: str, day: str) -> float:
    """YTD return in percent with plain pandas on the CSV: last close of the prior year to ``day``."""
    frame = pd.read_csv(shared_data / INDICES, parse_dates=["date"])
    close = frame[frame["symbol"] == symbol].set_index("date")["close"].sort_index()
    return float((close.loc[day] / close.loc[: f"{int(day[:4]) - 1}-12-31"].iloc[-1] - 1) * 100)


def test_ask_json_answers_small_vs_large_caps_with_verified_real_figures(
    offline_cli: Settings, shared_data: Path
) -> None:
    result = runner.invoke(
        app, ["ask", "How did small caps do against large caps this year?", "--as-of", "2026-01-09", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    rut, spx = _ytd(shared_data, "^RUT", "2026-01-09"), _ytd(shared_data, "^GSPC", "2026-01-09")
    assert round(rut, 2) == 5.73  # the published figure
    assert f"{rut:+.2f}%" in payload["answer"] and f"{spx:+.2f}%" in payload["answer"]
    facts = {(f["symbol"], f["key"]): f["value"] for s in payload["sources"] for f in s["source"]["facts"]}
    assert facts["^RUT", "price_return_ytd"] == pytest.approx(rut, abs=1e-6)
    assert facts["^GSPC", "price_return_ytd"] == pytest.approx(spx, abs=1e-6)
    verification = payload["verification"]
    assert verification["unverified"] == [] and verification["total"] >= 2
    assert payload["mode"] == "offline" and payload["as_of"] == "2026-01-09"


def test_ask_unknown_ticker_answers_plainly(offline_cli: Settings) -> None:
    result = runner.invoke(app, ["ask", "What is the price of ZZZZQ?", "--as-of", "2026-01-09"])
    assert result.exit_code == 0, result.output
    assert "✗ get_quote: Unknown symbol 'ZZZZQ'" in " ".join(result.output.split())
    shown = " ".join(result.output.split())
    assert "0/0 figures verified · covers 0 of 1: no figure for ZZZZQ price (said so) · offline mode" in shown

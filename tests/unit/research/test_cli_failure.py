"""`verity research` when nothing can be gathered: one error line, exit 2, the partial report beside."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.cli import research as research_cli
from copilot.errors import ProviderUnavailableError
from copilot.research import ResearchDeps, ResearchReport
from tests.fakes import TODAY
from tests.unit.research.conftest import ResearchFakeMarket

DATA_CALLS = (
    "quote",
    "performance",
    "technicals",
    "sectors",
    "valuations",
    "market_valuation",
    "bars",
    "financials",
    "analyst_targets",
)


class DownMarket(ResearchFakeMarket):
    """Names resolve; every data call fails as a provider outage would."""

    def __getattribute__(self, name: str) -> Any:
        if name in DATA_CALLS:

            def down(*args: Any, **kwargs: Any) -> Any:
                raise ProviderUnavailableError("the provider is down", provider="fake")

            return down
        return super().__getattribute__(name)


def test_a_run_with_no_data_fails_in_one_line_and_keeps_its_partial_report(
    research_settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    deps = ResearchDeps(market=DownMarket(), settings=research_settings, knowledge=None, today=lambda: TODAY)
    monkeypatch.setattr(research_cli, "deps_factory", lambda _: deps)
    out = tmp_path / "note.md"
    result = CliRunner().invoke(app, ["research", "Apple", "--as-of", "2026-01-09", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert " ".join(result.stderr.split()).startswith("Error: no data could be gathered for this report (")
    assert not out.exists()
    partial = ResearchReport.from_json((tmp_path / "note.partial.json").read_text())
    assert partial.status == "partial" and partial.as_of == date(2026, 1, 9)
    assert (
        partial.sources == []
        and "Step quote_AAPL (quote of Apple Inc.) failed: the provider is down" in partial.notes
    )
    # a market step is tried twice (a provider outage may pass); a search without documents once
    attempts = {r.name: r.attempts for r in partial.steps if r.kind == "gather"}
    assert attempts["gather:quote_AAPL"] == attempts["gather:perf_ytd"] == 2
    assert attempts["gather:fed_decisions"] == attempts["gather:filings_AAPL"] == 1

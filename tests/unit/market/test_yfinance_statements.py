"""YFinanceProvider's statements, filings and analyst targets, offline: yfinance reads the recorded
Yahoo exchanges (fundamentals-timeseries for AAPL, quoteSummary). Expected values are read from the
recorded JSON here, never from the provider."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from copilot.errors import NoDataError, ProviderUnavailableError
from tests.unit.market.statement_replay import StatementReplay
from tests.unit.market.yahoo_replay import (
    load_fixtures,
    replay_session,
    reset_yfinance,
    yfinance_cache_location,
)
from tools.fundamentals.point_in_time import StatementsAsOf
from tools.providers.yfinance_provider import YFinanceProvider


@pytest.fixture(scope="module")
def fixtures(shared_data: Path) -> dict[str, dict[str, Any]]:
    return load_fixtures(shared_data / "yahoo_wire" / "yahoo_finance2_http_fixtures.tar.gz")


@pytest.fixture()
def replay(fixtures: dict[str, dict[str, Any]], tmp_path: Path) -> Iterator[StatementReplay]:
    previous = yfinance_cache_location()
    reset_yfinance(tmp_path / "yfinance-cache")
    yield StatementReplay(fixtures)
    reset_yfinance(previous)


@pytest.fixture()
def provider(replay: StatementReplay, tmp_path: Path) -> YFinanceProvider:
    return YFinanceProvider(
        session=replay_session(replay), timeout=5.0, cache_dir=tmp_path / "yfinance-cache"
    )


def recorded_series(fixtures: dict[str, dict[str, Any]], scale: str, name: str) -> dict[str, float]:
    body = fixtures[f"fundamentalsTimeSeries-AAPL-all-{scale}.json"]["response"]["bodyJson"]
    series = next(r for r in body["timeseries"]["result"] if r["meta"]["type"][0] == f"{scale}{name}")
    return {p["asOfDate"]: float(p["reportedValue"]["raw"]) for p in series[f"{scale}{name}"] if p}


def test_statements_map_the_recorded_timeseries(provider: YFinanceProvider, fixtures: dict[str, Any]) -> None:
    statements = provider.financial_statements("aapl")
    lines = statements.lines
    checks = {
        ("annual", "revenue"): ("annual", "TotalRevenue"),
        ("annual", "diluted_eps"): ("annual", "DilutedEPS"),
        ("annual", "free_cash_flow"): ("annual", "FreeCashFlow"),
        ("quarterly", "revenue"): ("quarterly", "TotalRevenue"),
        ("quarterly", "diluted_eps"): ("quarterly", "DilutedEPS"),
        ("quarterly", "total_debt"): ("quarterly", "TotalDebt"),
    }
    for (freq, item), (scale, name) in checks.items():
        expected = recorded_series(fixtures, scale, name)
        assert expected, name
        ours = lines.loc[(lines["freq"] == freq) & (lines["item"] == item)]
        got = {ts.date().isoformat(): v for ts, v in zip(ours["period_end"], ours["value"], strict=True)}
        assert got == expected, (freq, item)
    assert statements.symbol == "AAPL" and statements.provider == "yfinance"
    assert statements.currency == "USD" and statements.foreign_filer is False


def test_filings_date_the_statements(provider: YFinanceProvider, fixtures: dict[str, Any]) -> None:
    statements = provider.financial_statements("AAPL")
    filed = {(f.form, f.filed): f.period_end for f in statements.filings}
    # the 10-Q filed 2025-01-31 for the quarter ended 2024-12-28 (its XBRL document aapl-20241228.htm)
    assert filed[("10-Q", date(2025, 1, 31))] == date(2024, 12, 28)
    view = StatementsAsOf(statements, date(2025, 2, 24))
    latest = view.periods("quarterly")[-1]
    assert latest.label == "Q1 FY2025" and latest.available_from == date(2025, 1, 31)
    assert latest.basis == "filed 2025-01-31 (10-Q)"
    eps = recorded_series(fixtures, "quarterly", "DilutedEPS")
    last4 = sorted(eps)[-4:]
    assert view.ttm("diluted_eps").value == pytest.approx(sum(eps[d] for d in last4), rel=1e-12)


def test_analyst_targets_from_financial_data(provider: YFinanceProvider, fixtures: dict[str, Any]) -> None:
    summary = fixtures["quoteSummary-all-AAPL.json"]["response"]["bodyJson"]["quoteSummary"]["result"][0]
    data = summary["financialData"]
    targets = provider.analyst_targets("AAPL", date(2025, 3, 3))
    assert targets.target_mean == data["targetMeanPrice"]
    assert targets.target_high == data["targetHighPrice"] and targets.target_low == data["targetLowPrice"]
    assert targets.target_median == data["targetMedianPrice"]
    assert targets.analysts == data["numberOfAnalystOpinions"] and targets.rating == data["recommendationKey"]
    with pytest.raises(NoDataError, match="Yahoo only reports current analyst targets"):
        provider.analyst_targets("AAPL", date(2024, 1, 2))


def test_a_symbol_without_statements_is_no_data(provider: YFinanceProvider) -> None:
    with pytest.raises(NoDataError, match="QQQ: Yahoo Finance has no financial statements for it"):
        provider.financial_statements("QQQ")


def test_yahoo_unreachable_is_a_provider_error_not_missing_statements(
    provider: YFinanceProvider, replay: StatementReplay
) -> None:
    import requests

    replay.fail_with = requests.exceptions.ConnectionError("network down")
    with pytest.raises(ProviderUnavailableError):
        provider.financial_statements("AAPL")

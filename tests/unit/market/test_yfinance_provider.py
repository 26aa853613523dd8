"""YFinanceProvider offline: yfinance talks to the recorded Yahoo exchanges through an injected session.

Expected values are read from the recorded JSON in the test, never from the provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests
from yfinance import multi as yf_multi

from copilot.config import Settings
from copilot.errors import NoDataError, ProviderUnavailableError, RateLimitedError, UnknownSymbolError
from tests.unit.market.yahoo_replay import (
    YahooReplay,
    load_fixtures,
    replay_session,
    reset_yfinance,
    yfinance_cache_location,
)
from tools.cache import CachedProvider, CacheTTL
from tools.providers.base import SymbolMatch
from tools.providers.yahoo_mapping import failure_error
from tools.providers.yfinance_provider import YFinanceProvider, build_yfinance_provider

# the 15 symbols with a recorded daily chart over 2020-01-01..2020-01-03
RECORDED = ["AAPL", "ABBV", "AMZN", "BABA", "GOOG", "QQQ", "SPOT", "CRON", "EPAC", "AFRAF"]
RECORDED += ["OCDO.L", "ORSTED.CO", "AZT.OL", "WSKT.JK", "GC=F"]


@pytest.fixture(scope="session")
def yahoo_fixtures(shared_data: Path) -> dict[str, dict[str, Any]]:
    return load_fixtures(shared_data / "yahoo_wire" / "yahoo_finance2_http_fixtures.tar.gz")


@pytest.fixture()
def replay(yahoo_fixtures: dict[str, dict[str, Any]], tmp_path: Path) -> Iterator[YahooReplay]:
    previous = yfinance_cache_location()
    reset_yfinance(tmp_path / "yfinance-cache")
    yield YahooReplay(yahoo_fixtures)
    reset_yfinance(previous)


@pytest.fixture()
def provider(replay: YahooReplay, tmp_path: Path) -> YFinanceProvider:
    return YFinanceProvider(
        session=replay_session(replay), timeout=5.0, cache_dir=tmp_path / "yfinance-cache"
    )


@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The tickers of every yfinance download the provider makes."""
    calls: list[tuple[str, ...]] = []
    real: Callable[..., Any] = yf_multi._download_impl

    def counting(ctx: Any, tickers: list[str], **kwargs: Any) -> Any:
        calls.append(tuple(tickers))
        return real(ctx, tickers, **kwargs)

    monkeypatch.setattr(yf_multi, "_download_impl", counting)
    return calls


def _recorded_bars(fixtures: dict[str, dict[str, Any]], name: str) -> pd.DataFrame:
    result = fixtures[name]["response"]["bodyJson"]["chart"]["result"][0]
    quote = result["indicators"]["quote"][0]
    days = pd.to_datetime(result["timestamp"], unit="s", utc=True).tz_convert(
        result["meta"]["exchangeTimezoneName"]
    )
    index = pd.DatetimeIndex(days.date, name="date")
    frame = pd.DataFrame({k: quote[k] for k in ("open", "high", "low", "close", "volume")}, index=index)
    frame["adj_close"] = result["indicators"]["adjclose"][0]["adjclose"]
    return frame


def test_bars_equal_the_recorded_chart(
    provider: YFinanceProvider, yahoo_fixtures: dict[str, dict[str, Any]], downloads: list[tuple[str, ...]]
) -> None:
    history = provider.price_history(["AAPL", "QQQ"], date(2020, 1, 1), date(2020, 1, 2))
    assert downloads == [("AAPL", "QQQ")]  # both symbols in one yfinance download
    for symbol in ("AAPL", "QQQ"):
        expected = _recorded_bars(yahoo_fixtures, f"chart-{symbol}-2020-01-01-to-2020-01-03.json")
        bars = history[symbol].bars
        assert bars.index.tolist() == [pd.Timestamp("2020-01-02")]
        assert bars["close"].tolist() == expected["close"].tolist()  # AAPL 75.0875015258789
        assert bars["volume"].tolist() == expected["volume"].astype(float).tolist()
        assert bars["open"].tolist() == expected["open"].tolist()
    assert history["AAPL"].provider == "yfinance" and history["AAPL"].adjustment == "split"


def test_two_months_of_closes_equal_the_recording(
    provider: YFinanceProvider, yahoo_fixtures: dict[str, dict[str, Any]]
) -> None:
    expected = _recorded_bars(yahoo_fixtures, "chart-AAPL-2020-08-31-to-2020-11-07.json")
    expected = expected.loc["2020-09-01":"2020-10-30"]
    history = provider.price_history(["AAPL"], date(2020, 9, 1), date(2020, 10, 30))["AAPL"]
    bars = history.bars
    assert bars.index.tolist() == expected.index.tolist()
    # Yahoo's "Close" is the close as traded (split-adjusted); "Adj Close" adds the dividends
    assert bars["close"].tolist() == expected["close"].tolist()
    assert bars["adj_close"].tolist() == expected["adj_close"].tolist()
    assert (bars["adj_close"] < bars["close"]).all() and bars["traded"].eq(1.0).all()
    assert list(bars.columns) == ["open", "high", "low", "close", "volume", "adj_close", "traded"]
    assert history.adjusted_through == history.retrieved_at.date()  # adjusted as of the download


def test_fundamentals_map_the_recorded_quote_summary(
    provider: YFinanceProvider, yahoo_fixtures: dict[str, dict[str, Any]]
) -> None:
    summary = yahoo_fixtures["quoteSummary-all-AAPL.json"]["response"]["bodyJson"]["quoteSummary"]["result"][
        0
    ]
    quote = yahoo_fixtures["quote-AAPL.json"]["response"]["bodyJson"]["quoteResponse"]["result"][0]
    aapl = provider.fundamentals("AAPL", date(2025, 3, 1))
    # yfinance's info lays the v7 quote over quoteSummary: fields in both come from the quote
    assert aapl.trailing_pe == quote["trailingPE"]
    assert aapl.forward_pe == quote["forwardPE"]
    assert aapl.market_cap == quote["marketCap"]
    assert aapl.dividend_yield == quote["dividendYield"]  # 0.41, percent
    # fields only quoteSummary has
    assert aapl.price_to_sales == summary["summaryDetail"]["priceToSalesTrailing12Months"]
    assert aapl.enterprise_to_ebitda == summary["defaultKeyStatistics"]["enterpriseToEbitda"]
    assert aapl.trailing_eps == summary["defaultKeyStatistics"]["trailingEps"]
    assert aapl.sector == summary["assetProfile"]["sector"]
    exchange_tz = ZoneInfo(quote["exchangeTimezoneName"])  # the last trade's exchange-local day
    assert aapl.as_of == datetime.fromtimestamp(quote["regularMarketTime"], exchange_tz).date()
    with pytest.raises(NoDataError, match="only reports current fundamentals"):
        provider.fundamentals("AAPL", date(2024, 12, 31))


def test_fundamentals_from_quote_summary_alone_give_the_yield_in_percent(
    provider: YFinanceProvider, yahoo_fixtures: dict[str, dict[str, Any]]
) -> None:
    # ARMK: no v7 quote was recorded, so every field comes from quoteSummary (yield as a fraction)
    summary = yahoo_fixtures["quoteSummary-all-ARMK.json"]["response"]["bodyJson"]["quoteSummary"]["result"][
        0
    ]
    detail = summary["summaryDetail"]
    today = datetime.now(UTC).date()
    armk = provider.fundamentals("ARMK", today)
    assert armk.trailing_pe == detail["trailingPE"]
    assert armk.forward_pe == detail["forwardPE"]  # summaryDetail follows defaultKeyStatistics in the answer
    assert armk.market_cap == detail["marketCap"]
    assert armk.price_to_book == summary["defaultKeyStatistics"]["priceToBook"]
    assert armk.dividend_yield == pytest.approx(detail["dividendYield"] * 100)  # 0.0117 -> 1.17%
    assert armk.price == summary["financialData"]["currentPrice"]
    assert armk.as_of == today  # no last-trade time in these modules: dated when fetched


def test_unknown_symbol_is_typed(provider: YFinanceProvider) -> None:
    with pytest.raises(UnknownSymbolError) as bars:
        provider.price_history(["NOSUCHSYM"], date(2020, 1, 1), date(2020, 1, 2))
    assert bars.value.symbol == "NOSUCHSYM"
    with pytest.raises(UnknownSymbolError) as fundamentals:  # the recorded 404 quoteSummary answer
        provider.fundamentals("NOSUCHSYM", date(2025, 3, 1))
    assert fundamentals.value.symbol == "NOSUCHSYM"


def test_a_range_without_bars_is_no_data(provider: YFinanceProvider) -> None:
    with pytest.raises(NoDataError) as caught:
        provider.price_history(["AAPL"], date(1990, 1, 2), date(1990, 1, 31))
    assert caught.value.symbol == "AAPL"


def test_timeout_is_provider_unavailable_with_the_symbol(
    provider: YFinanceProvider, replay: YahooReplay
) -> None:
    replay.fail_with = requests.exceptions.ReadTimeout("read timed out")
    with pytest.raises(ProviderUnavailableError, match="ReadTimeout") as bars:
        provider.price_history(["AAPL"], date(2020, 1, 1), date(2020, 1, 2))
    assert bars.value.symbol == "AAPL"
    with pytest.raises(ProviderUnavailableError) as fundamentals:
        provider.fundamentals("AAPL", date(2025, 3, 1))
    assert fundamentals.value.symbol == "AAPL"
    with pytest.raises(ProviderUnavailableError):
        provider.search("Apple")


def test_rate_limit_is_typed(provider: YFinanceProvider, replay: YahooReplay) -> None:
    replay.fail_status = 429
    with pytest.raises(RateLimitedError, match="AAPL"):
        provider.price_history(["AAPL"], date(2020, 1, 1), date(2020, 1, 2))


def test_search_maps_recorded_quotes(provider: YFinanceProvider) -> None:
    matches = provider.search("AAPL")
    assert matches[0] == SymbolMatch(symbol="AAPL", name="Apple Inc.", kind="equity", exchange="NASDAQ")


def test_fifteen_symbols_through_the_cache_are_one_download_then_stale_on_timeout(
    provider: YFinanceProvider, replay: YahooReplay, downloads: list[tuple[str, ...]], tmp_path: Path
) -> None:
    now = [datetime(2020, 1, 6, 15, 0, tzinfo=UTC)]
    cached = CachedProvider(provider, tmp_path / "market.sqlite", CacheTTL(), clock=lambda: now[0])
    first = cached.price_history(RECORDED, date(2020, 1, 1), date(2020, 1, 2))
    assert len(downloads) == 1 and sorted(downloads[0]) == sorted(RECORDED)
    assert set(first) == set(RECORDED)
    http_calls = len(replay.calls)
    cached.price_history(RECORDED, date(2020, 1, 1), date(2020, 1, 2))
    assert len(replay.calls) == http_calls  # served from the cache, no HTTP at all
    now[0] = datetime(2020, 3, 1, tzinfo=UTC)  # past the finished-bars TTL
    reset_yfinance(tmp_path / "yfinance-cache")  # yfinance memoises past ranges in-process: forget them
    replay.fail_with = requests.exceptions.ConnectTimeout("connect timed out")
    stale = cached.price_history(["AAPL"], date(2020, 1, 1), date(2020, 1, 2))["AAPL"]
    assert stale.stale is True
    assert stale.age_seconds == (now[0] - datetime(2020, 1, 6, 15, tzinfo=UTC)).total_seconds()
    assert stale.bars["close"].tolist() == first["AAPL"].bars["close"].tolist()


def test_built_from_settings(settings: Settings) -> None:
    live = build_yfinance_provider(settings, session=requests.Session())
    assert live.timeout == settings.provider_timeout and live.name == "yfinance"


def test_cli_snapshot_records_from_the_live_provider(
    provider: YFinanceProvider,
    yahoo_fixtures: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app, data_import
    from tools.providers.snapshot import SnapshotProvider

    monkeypatch.setattr(data_import, "build_live_provider", lambda settings: provider)
    dest = tmp_path / "recorded"
    args = [
        "data",
        "snapshot",
        "AAPL",
        "--dest",
        str(dest),
        "--start",
        "2020-09-01",
        "--end",
        "2020-10-30",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    recorded = SnapshotProvider(dest)
    bars = recorded.price_history(["AAPL"], None, date(2020, 12, 31))["AAPL"].bars
    expected = _recorded_bars(yahoo_fixtures, "chart-AAPL-2020-08-31-to-2020-11-07.json").loc[
        "2020-09-01":"2020-10-30"
    ]
    assert bars["close"].tolist() == expected["close"].tolist()
    assert bars["adj_close"].tolist() == expected["adj_close"].tolist()  # kept beside the traded close
    assert recorded.price_history(["AAPL"], None, date(2020, 12, 31))["AAPL"].adjustment == "split"


def test_cli_snapshot_unknown_symbol_exits_2(
    provider: YFinanceProvider, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app, data_import

    monkeypatch.setattr(data_import, "build_live_provider", lambda settings: provider)
    args = ["data", "snapshot", "NOSUCHSYM", "--dest", str(tmp_path / "x"), "--start", "2020-01-01"]
    result = CliRunner().invoke(app, [*args, "--end", "2020-01-02"])
    assert result.exit_code == 2
    assert "Unknown symbol 'NOSUCHSYM'" in result.output
    assert not (tmp_path / "x").exists()


def test_a_dns_failure_is_provider_unavailable_not_an_unknown_symbol() -> None:
    # the reason yfinance gave for AAPL on this machine, which has no route to Yahoo
    reason = (
        "DNSError('Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com "
        "(Domain name not found). See https://curl.se/libcurl/c/libcurl-errors.html first for more details.')"
    )
    error = failure_error("AAPL", reason)
    assert type(error) is ProviderUnavailableError and error.symbol == "AAPL"
    assert isinstance(failure_error("ZZZZ", "HTTP Error 404: Not Found"), UnknownSymbolError)

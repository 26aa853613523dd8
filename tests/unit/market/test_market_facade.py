"""The MarketData facade: Source contract, as_of handling, resolution, staleness, provider choice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from copilot.config import Settings
from copilot.errors import AmbiguousSymbolError, BadInputError, NoDataError, UnknownSymbolError
from tests.unit.market.csv_bars import YAHOO, bars
from tests.unit.market.market_fixtures import csv_provider, market
from tools.market import MarketData, build_market_data, market_today
from tools.providers.base import PriceHistory, SymbolMatch
from tools.providers.memory import InMemoryProvider

AS_OF = date(2026, 1, 9)


def test_every_tool_returns_a_market_data_source_with_its_arguments() -> None:
    md = market(csv_provider(fundamentals={}))
    sources = {
        "quote": md.quote("IWM", as_of=AS_OF),
        "performance": md.performance(["IWM", "SPY"], "1m", as_of=AS_OF),
        "technicals": md.technicals("IWM", as_of=AS_OF),
        "sectors": md.sectors(as_of=AS_OF),
    }
    for tool, source in sources.items():
        assert source.kind == "market_data" and source.tool == tool
        assert source.provider == "memory" and source.as_of == AS_OF
        assert source.arguments["as_of"] == "2026-01-09"
        ending = [f for f in source.facts if not f.key.startswith("start_")]
        assert source.facts and all(f.unit and f.symbol and f.as_of == AS_OF for f in ending)
        # a period's start closes carry their own date (the last close on or before 2025-12-09)
        assert all(f.as_of == date(2025, 12, 9) for f in source.facts if f.key.startswith("start_"))
        assert source.retrieved_at.tzinfo is not None
        assert len(source.id) == 16
    # derived facts carry their inputs: recomputing from them gives the value
    quote, perf = sources["quote"], sources["performance"]
    change = quote.fact("change_pct")
    assert change.value == pytest.approx(
        (change.inputs["last_price"] / change.inputs["prev_close"] - 1) * 100
    )
    ratio = quote.fact("volume_ratio_50d")
    assert ratio.value == pytest.approx(ratio.inputs["volume"] / ratio.inputs["avg_volume_50d"])
    ret = perf.fact("price_return_1m")
    assert ret.value == pytest.approx((ret.inputs["end_close"] / ret.inputs["start_close"] - 1) * 100)
    spread = perf.fact("spread_vs_SPY")
    assert spread.value == pytest.approx(spread.inputs["IWM"] - spread.inputs["SPY"])
    assert all(
        f.formula for s in sources.values() for f in s.facts if f.key.startswith(("return_", "rsi", "sma"))
    )


def test_same_question_same_source_id() -> None:
    a = market().performance(["Russell 2000", "S&P 500"], "ytd", as_of=AS_OF)
    b = market().performance(["^RUT", "^GSPC"], "ytd", as_of=AS_OF)
    assert [f.value for f in a.facts] == [f.value for f in b.facts]
    assert a.id == market().performance(["Russell 2000", "S&P 500"], "ytd", as_of=AS_OF).id


def test_default_as_of_is_today_and_future_is_refused() -> None:
    md = market(today=date(2026, 1, 9))
    assert md.quote("IWM").as_of == AS_OF
    assert md.quote("IWM").arguments["as_of"] == "2026-01-09"
    with pytest.raises(BadInputError, match="future"):
        md.quote("IWM", as_of=date(2026, 1, 10))
    assert isinstance(market_today(), date)


def test_resolution_errors_come_through_the_facade() -> None:
    names = [SymbolMatch("AAPL", "Apple Inc.", "equity"), SymbolMatch("APLE", "Apple Hospitality REIT, Inc.")]
    md = market(csv_provider(names=names))
    with pytest.raises(AmbiguousSymbolError) as caught:
        md.resolve("appl")
    assert len(caught.value.candidates) == 2
    assert md.resolve("Apple").symbol == "AAPL"
    with pytest.raises(UnknownSymbolError):
        md.quote("no such company whatsoever", as_of=AS_OF)
    with pytest.raises(UnknownSymbolError, match="ZZZZ"):
        md.quote("ZZZZ", as_of=AS_OF)


class StaleProvider(InMemoryProvider):
    """Serves bars labelled stale, as the cache does when the live provider is down."""

    def price_history(self, symbols, start, end):  # type: ignore[no-untyped-def]
        return {
            s: replace(h, stale=True, age_seconds=7200.0, retrieved_at=datetime(2026, 1, 9, 21, tzinfo=UTC))
            for s, h in super().price_history(symbols, start, end).items()
        }


def test_stale_data_is_labelled_on_the_source() -> None:
    source = market(StaleProvider({"IWM": bars(YAHOO, "IWM")})).quote("IWM", as_of=AS_OF)
    assert source.stale and source.age_seconds == 7200.0
    assert source.retrieved_at == datetime(2026, 1, 9, 21, tzinfo=UTC)


def test_a_date_before_the_series_is_no_data() -> None:
    with pytest.raises(NoDataError, match="IWM"):
        market().technicals("IWM", as_of=date(1995, 1, 3))


def test_snapshot_source_carries_the_file_url(snapshot_provider) -> None:
    md = MarketData(snapshot_provider, today=lambda: date(2026, 8, 21))
    source = md.quote("^RUT", as_of=AS_OF)
    assert source.provider == "snapshot" and source.url and source.url.startswith("file://")
    assert round(md.performance(["Russell 2000"], as_of=AS_OF).fact("price_return_ytd").value, 2) == 5.73
    assert isinstance(md.resolve("Apple"), SymbolMatch)


def test_build_market_data_follows_settings(snapshot_dir: Path, tmp_path: Path) -> None:
    snap = Settings(market_data=f"snapshot:{snapshot_dir}", data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    md = build_market_data(snap)
    assert md.provider.name == "snapshot"
    live = Settings(market_data="yfinance", data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    cached = build_market_data(live)
    assert type(cached.provider).__name__ == "CachedProvider" and cached.provider.name == "yfinance"


def test_one_provider_call_per_request() -> None:
    provider = csv_provider()
    md = market(provider)
    md.quote("IWM", as_of=AS_OF)
    md.technicals("IWM", as_of=AS_OF)
    md.sectors("ytd", as_of=AS_OF)
    assert [len(symbols) for _, symbols in provider.calls] == [1, 1, 11]


def test_history_of_a_price_history_never_reaches_past_as_of() -> None:
    full = bars(YAHOO, "IWM")
    history = PriceHistory("IWM", full, "memory")
    assert history.last_date > AS_OF
    for method in ("quote", "technicals"):
        source = getattr(market(InMemoryProvider({"IWM": full})), method)("IWM", as_of=AS_OF)
        assert max(f.as_of for f in source.facts) == AS_OF


class ForgetfulProvider(InMemoryProvider):
    """Returns nothing for one of the symbols asked (as a flaky upstream might)."""

    def price_history(self, symbols, start, end):  # type: ignore[no-untyped-def]
        out = super().price_history(symbols, start, end)
        out.pop(symbols[-1])
        return out


def test_a_symbol_the_provider_drops_is_no_data() -> None:
    provider = ForgetfulProvider({"IWM": bars(YAHOO, "IWM"), "SPY": bars(YAHOO, "SPY")})
    with pytest.raises(NoDataError, match="SPY: memory returned no prices"):
        market(provider).performance(["IWM", "SPY"], "1m", as_of=AS_OF)


def test_rows_without_a_close_are_skipped_and_missing_ranges_filled() -> None:
    frame = bars(YAHOO, "IWM").copy()
    frame.loc["2026-01-08", "close"] = float("nan")
    frame.loc["2026-01-09", ["high", "low"]] = float("nan")
    source = market(InMemoryProvider({"IWM": frame})).quote("IWM", as_of=AS_OF)
    assert source.fact("prev_close").value == frame.loc["2026-01-07", "close"]
    assert (
        source.fact("day_high").value == source.fact("last_price").value == frame.loc["2026-01-09", "close"]
    )
    technicals = market(InMemoryProvider({"IWM": frame})).technicals("IWM", as_of=AS_OF)
    assert all(f.value == f.value for f in technicals.facts)  # no NaN reaches a fact


def test_bad_numbers_never_become_facts() -> None:
    frame = bars(YAHOO, "IWM").copy()
    frame.loc["2025-12-31", "close"] = 0.0  # a corrupt base close
    with pytest.raises(NoDataError, match="no return"):
        market(InMemoryProvider({"IWM": frame})).performance(["IWM"], "ytd", as_of=AS_OF)
    frame = bars(YAHOO, "IWM").copy()
    frame.loc["2026-01-02", "close"] = -1.0  # the log return cannot be taken: volatility is missing
    source = market(InMemoryProvider({"IWM": frame})).technicals("IWM", as_of=AS_OF)
    assert source.fact("volatility_20d") is None and "volatility_20d" in source.details["missing"]
    assert all(np.isfinite(f.value) for f in source.facts)


def test_a_comparison_leaves_out_a_name_the_data_lacks_and_says_so() -> None:
    md = market(csv_provider(fundamentals={}))
    alone = md.performance(["IWM"], "1m", as_of=AS_OF)
    source = md.performance(["IWM", "ZZZZ"], "1m", as_of=AS_OF)
    assert source.arguments["symbols"] == ["IWM"]
    assert [f.value for f in source.facts if f.key.startswith("price_return")] == [
        f.value for f in alone.facts if f.key.startswith("price_return")
    ]
    assert any(n.startswith("Not available: Unknown symbol 'ZZZZ'") for n in source.notes)
    with pytest.raises(UnknownSymbolError):  # nothing left to compare: the error itself
        md.performance(["ZZZZ"], "1m", as_of=AS_OF)

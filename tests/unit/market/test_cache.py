"""CachedProvider: one batched inner call, TTL per kind, stale fallback with age, clear errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from copilot.errors import CorruptDataError, NoDataError, ProviderUnavailableError, RateLimitedError
from tools.cache import CachedProvider, CacheTTL
from tools.providers.base import Fundamentals, PriceHistory
from tools.providers.memory import InMemoryProvider
from tools.providers.snapshot import SnapshotProvider

ETFS = ("SPY", "QQQ", "IWM", "DIA")
SECTORS = ("XLK", "XLF", "XLV", "XLE", "XLI", "XLY", "XLP", "XLU", "XLB", "XLRE", "XLC")
SYMBOLS = [*ETFS, *SECTORS]
TODAY = date(2026, 8, 21)
TTLS = CacheTTL(quote=300, finished_bars=30 * 24 * 3600, fundamentals=24 * 3600)


class Clock:
    """An injected clock the test moves forward."""

    def __init__(self) -> None:
        self.now = datetime(2026, 8, 21, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FlakyProvider(InMemoryProvider):
    """InMemoryProvider that fails like a live provider while ``failure`` is set."""

    failure: Exception | None = None

    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        if self.failure is not None:
            self.calls.append(("price_history", tuple(symbols)))
            raise self.failure
        return super().price_history(symbols, start, end)

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        if self.failure is not None:
            raise self.failure
        return super().fundamentals(symbol, as_of)


@pytest.fixture(scope="module")
def real_bars(snapshot_provider: SnapshotProvider) -> dict[str, PriceHistory]:
    return snapshot_provider.price_history(SYMBOLS, date(2025, 1, 2), TODAY)


@pytest.fixture()
def inner(real_bars: dict[str, PriceHistory], snapshot_provider: SnapshotProvider) -> FlakyProvider:
    aapl = snapshot_provider.fundamentals("AAPL", TODAY)
    return FlakyProvider({s: h.bars for s, h in real_bars.items()}, fundamentals={"AAPL": aapl}, name="live")


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def cached(inner: FlakyProvider, clock: Clock, tmp_path: Path) -> CachedProvider:
    return CachedProvider(inner, tmp_path / "cache" / "market.sqlite", TTLS, clock=clock)


def _bar_calls(inner: InMemoryProvider) -> list[tuple[str, ...]]:
    return [symbols for kind, symbols in inner.calls if kind == "price_history"]


def test_fifteen_symbols_one_inner_call_then_none(
    cached: CachedProvider, inner: FlakyProvider, real_bars: dict[str, PriceHistory]
) -> None:
    first = cached.price_history(SYMBOLS, date(2026, 1, 2), TODAY)
    assert _bar_calls(inner) == [tuple(SYMBOLS)]
    assert list(first) == SYMBOLS
    again = cached.price_history(SYMBOLS, date(2026, 1, 2), TODAY)
    assert len(_bar_calls(inner)) == 1
    expected = real_bars["XLK"].bars.loc["2026-01-02":]
    assert again["XLK"].bars["close"].tolist() == expected["close"].tolist()
    assert again["XLK"].stale is False and cached.name == "live"


def test_only_the_misses_are_fetched_in_one_call(cached: CachedProvider, inner: FlakyProvider) -> None:
    cached.price_history(SYMBOLS[:10], date(2026, 1, 2), TODAY)
    cached.price_history(SYMBOLS, date(2026, 1, 2), TODAY)
    assert _bar_calls(inner) == [tuple(SYMBOLS[:10]), tuple(SYMBOLS[10:])]


def test_quote_ttl_expires_but_finished_bars_stay(
    cached: CachedProvider, inner: FlakyProvider, clock: Clock
) -> None:
    cached.price_history(["SPY"], date(2026, 1, 2), TODAY)
    clock.advance(299)
    cached.price_history(["SPY"], date(2026, 1, 2), TODAY)
    assert len(_bar_calls(inner)) == 1
    clock.advance(2)  # today's bar was unfinished when fetched: older than ttl_quote -> refetch
    cached.price_history(["SPY"], date(2026, 1, 2), TODAY)
    assert len(_bar_calls(inner)) == 2
    clock.advance(3 * 24 * 3600)  # finished bars (ending before the fetch day) live 30 days
    cached.price_history(["SPY"], date(2026, 3, 2), date(2026, 6, 30))
    assert len(_bar_calls(inner)) == 2
    clock.advance(31 * 24 * 3600)
    cached.price_history(["SPY"], date(2026, 3, 2), date(2026, 6, 30))
    assert len(_bar_calls(inner)) == 3


def test_a_wider_range_than_cached_is_a_miss(cached: CachedProvider, inner: FlakyProvider) -> None:
    cached.price_history(["SPY"], date(2026, 6, 1), TODAY)
    cached.price_history(["SPY"], date(2026, 1, 2), TODAY)
    assert len(_bar_calls(inner)) == 2
    cached.price_history(["SPY"], date(2026, 3, 2), date(2026, 7, 1))  # inside the merged range
    assert len(_bar_calls(inner)) == 2


@pytest.mark.parametrize(
    "failure",
    [ProviderUnavailableError("Yahoo timed out", provider="live"), RateLimitedError("429"), TimeoutError()],
)
def test_stale_fallback_with_age_when_the_provider_fails(
    cached: CachedProvider, inner: FlakyProvider, clock: Clock, failure: Exception
) -> None:
    fresh = cached.price_history(["SPY", "QQQ"], date(2026, 1, 2), TODAY)
    clock.advance(400)
    inner.failure = failure
    stale = cached.price_history(["SPY", "QQQ"], date(2026, 1, 2), TODAY)
    assert len(_bar_calls(inner)) == 2  # it did try the provider, once, for both
    assert stale["SPY"].stale is True and stale["SPY"].age_seconds == 400
    assert stale["SPY"].bars.equals(fresh["SPY"].bars)


def test_nothing_cached_and_provider_down_is_a_clear_error(
    cached: CachedProvider, inner: FlakyProvider
) -> None:
    inner.failure = ProviderUnavailableError("connection refused", provider="live")
    with pytest.raises(ProviderUnavailableError, match="no bars of SPY") as caught:
        cached.price_history(["SPY"], date(2026, 1, 2), TODAY)
    assert caught.value.symbol == "SPY"
    assert "connection refused" in caught.value.message


def test_typed_errors_of_the_inner_provider_pass_through(cached: CachedProvider) -> None:
    with pytest.raises(NoDataError) as caught:
        cached.price_history(["SPY"], date(2030, 1, 1), date(2030, 2, 1))
    assert caught.value.symbol == "SPY"


def test_cache_survives_a_restart(
    cached: CachedProvider, inner: FlakyProvider, clock: Clock, tmp_path: Path
) -> None:
    first = cached.price_history(["XLK", "XLE"], date(2025, 11, 3), TODAY)
    cached.close()
    reopened = CachedProvider(inner, tmp_path / "cache" / "market.sqlite", TTLS, clock=clock)
    second = reopened.price_history(["XLK", "XLE"], date(2025, 11, 3), TODAY)
    assert len(_bar_calls(inner)) == 1
    assert second["XLK"].bars.equals(first["XLK"].bars)
    assert second["XLK"].provider == first["XLK"].provider


def test_fundamentals_ttl_and_stale(cached: CachedProvider, inner: FlakyProvider, clock: Clock) -> None:
    fresh = cached.fundamentals("AAPL", TODAY)
    assert fresh.trailing_pe == 38.91442 and fresh.stale is False
    clock.advance(3600)
    assert cached.fundamentals("AAPL", TODAY).age_seconds == 3600
    assert [c for c in inner.calls if c[0] == "fundamentals"] == [("fundamentals", ("AAPL",))]
    clock.advance(24 * 3600)
    inner.failure = ProviderUnavailableError("down")
    stale = cached.fundamentals("AAPL", TODAY)
    assert stale.stale is True and stale.age_seconds == 25 * 3600 and stale.forward_pe == 29.548735
    with pytest.raises(ProviderUnavailableError, match="no fundamentals of MSFT"):
        cached.fundamentals("MSFT", TODAY)


def test_ttls_from_settings(settings) -> None:  # type: ignore[no-untyped-def]
    ttls = CacheTTL.from_settings(settings)
    assert (ttls.quote, ttls.finished_bars, ttls.fundamentals) == (
        settings.ttl_quote,
        settings.ttl_finished_bars,
        settings.ttl_fundamentals,
    )


def test_an_unreadable_cache_entry_is_a_miss(inner: FlakyProvider, clock: Clock, tmp_path: Path) -> None:
    db = tmp_path / "cache" / "market.sqlite"
    first = CachedProvider(inner, db, TTLS, clock=clock)
    expected = first.price_history(["SPY"], date(2026, 1, 2), TODAY)["SPY"].bars
    first.close()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE price_cache SET bars = ? WHERE symbol = 'SPY'", (b"date,open\n2026-01-02,x\n",))
    reopened = CachedProvider(inner, db, TTLS, clock=clock)
    again = reopened.price_history(["SPY"], date(2026, 1, 2), TODAY)["SPY"].bars
    assert len(_bar_calls(inner)) == 2  # refetched instead of failing
    assert again.equals(expected)


def test_a_file_that_is_not_sqlite_is_a_clear_error(inner: FlakyProvider, tmp_path: Path) -> None:
    db = tmp_path / "market.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptDataError, match=r"market\.sqlite"):
        CachedProvider(inner, db, TTLS)


def _open_caches(paths: list[str], barrier: Any, results: Any) -> None:
    """One server worker: for each new cache file, wait for the others, then open it with them."""
    from tools.cache_store import CacheStore

    for path in paths:
        barrier.wait(30)  # every worker opens the file at the same moment
        try:
            CacheStore(Path(path), "yfinance")
            results.put((path, "opened"))
        except CorruptDataError as exc:
            results.put((path, exc.message))


def test_server_workers_opening_a_new_cache_at_once_all_open_it(tmp_path: Path) -> None:
    # `verity serve --workers N` starts N processes that open the same new cache file together;
    # before the fix about one start in five failed with "database is locked" read as corruption.
    # Spawned (not forked: this test process has threads), eight workers, thirty new files.
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers, rounds = 8, 30
    paths = [str(tmp_path / f"cache-{n}.sqlite") for n in range(rounds)]
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_open_caches, args=(paths, barrier, results)) for _ in range(workers)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in range(workers * rounds)]
    for process in processes:
        process.join(30)
    assert [p.exitcode for p in processes] == [0] * workers
    failed = [(path, outcome) for path, outcome in outcomes if outcome != "opened"]
    assert failed == []
    for path in paths:
        tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
        assert {"price_cache", "fundamentals_cache"} <= tables


class RebasingProvider(InMemoryProvider):
    """A live provider whose adjusted closes move to a new basis between two downloads (a dividend)."""

    factor = 1.0

    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        out = super().price_history(symbols, start, end)
        return {
            s: replace(h, bars=h.bars.assign(adj_close=h.bars["adj_close"] * self.factor))
            for s, h in out.items()
        }


def test_merged_downloads_keep_one_adjusted_basis(
    real_bars: dict[str, PriceHistory], clock: Clock, tmp_path: Path
) -> None:
    spy = real_bars["SPY"].bars.loc["2025-01-02":"2025-12-31"]  # adjusted closes known every day
    inner = RebasingProvider({"SPY": spy}, name="live")
    cached = CachedProvider(inner, tmp_path / "market.sqlite", TTLS, clock=clock)
    first = cached.price_history(["SPY"], date(2025, 1, 2), date(2025, 6, 30))["SPY"].bars
    inner.factor = 0.99  # a dividend paid since: the new download's adjusted closes are 1% lower
    merged = cached.price_history(["SPY"], date(2025, 6, 2), date(2025, 12, 31))
    both = cached.price_history(["SPY"], date(2025, 1, 2), date(2025, 12, 31))["SPY"].bars
    assert len(_bar_calls(inner)) == 2 and merged["SPY"].bars.index[0] == pd.Timestamp("2025-06-02")
    # the old rows were put on the new basis (ratio of the shared June days): no spurious -1% step
    old_days = first.index[first.index < pd.Timestamp("2025-06-02")]
    assert np.allclose(both.loc[old_days, "adj_close"], first.loc[old_days, "adj_close"] * 0.99, rtol=1e-12)
    assert np.array_equal(both.loc[old_days, "close"], first.loc[old_days, "close"])  # traded: unchanged
    step = both["adj_close"].pct_change().abs().max()
    assert step == pytest.approx(spy["adj_close"].pct_change().abs().max(), rel=1e-9)
